"""Shared fixtures: one organisation tree per test, the personas, a patient and an episode.

Everything is written through ``discharges.services`` (the one write path), so the fixtures
get the same grants, events and projection as the application. See STYLE.md, "Personas in
tests".

- ``org_tree``: Region 24 and the kommuner 2480 Umeå / 2482 Skellefteå (loaded by migration
  0002) with a hospital, a somatic and a psychiatric ward, and a health centre in each kommun.
- ``personas``: users with their memberships, and ready-made ``services.Actor``s.
- ``make_patient`` / ``patient``, ``make_episode`` / ``episode``: an Umeå resident listed at the
  Umeå health centre, admitted three days ago to the somatic ward.
- ``advance``: pushes an episode through the flow to a named state (see ``FLOW_STATES``).
- ``new_personnummer`` / ``personnummer_for``: valid test numbers (check digit computed).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import Client, override_settings
from django.utils import timezone

from discharges import services
from discharges.models import (
    CareType,
    ClosureReason,
    Destination,
    Episode,
    EpisodeStatus,
    HealthCentre,
    Hospital,
    Kommun,
    Organisation,
    Patient,
    Region,
    Role,
    TrackColour,
    Ward,
)
from discharges.personnummer import luhn_check_digit
from discharges.services import Actor


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing() -> Iterator[None]:
    """MD5 instead of PBKDF2 in tests: each persona would cost a second of hashing otherwise.

    Logins with the personas' password (``PASSWORD``) work as usual.
    """
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True, scope="session")
def follow_up_figures_not_cached() -> Iterator[None]:
    """Tests write the stored statistics directly (no recompute moves the generation on), and
    the local-memory cache outlives each test's database: the overview's figures are not
    cached in tests; tests/analysis/test_overview_cache.py switches the cache on."""
    with override_settings(SVU_FOLLOW_UP_CACHE_SECONDS=0):
        yield


@pytest.fixture(autouse=True, scope="session")
def staff_without_second_factor() -> Iterator[None]:
    """Staff users reach the admin without a TOTP code in tests (``force_login`` gives no
    second factor); tests/svu/test_two_factor.py switches the requirement back on."""
    with override_settings(SVU_REQUIRE_STAFF_OTP=False):
        yield


XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ... under -n


@pytest.fixture(autouse=True, scope="session")
def worker_of_its_own(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Under pytest-xdist (``make test`` runs ``pytest -n``) each worker has a test database of
    its own (pytest-django adds the worker's name), and here also a cache key prefix and a
    media folder of its own: the workers' row ids coincide (two databases), so their cache keys
    (rate limits, import progress, cached figures) and stored files would otherwise meet in
    the one Redis database and the one var/media. Without xdist nothing changes."""
    if not XDIST_WORKER:
        yield
        return
    caches = {
        alias: {**config, "KEY_PREFIX": f"{config.get('KEY_PREFIX', '')}test-{XDIST_WORKER}"}
        for alias, config in settings.CACHES.items()
    }
    media = tmp_path_factory.mktemp(f"media-{XDIST_WORKER}")
    with override_settings(CACHES=caches, MEDIA_ROOT=str(media)):
        yield


def clear_cache() -> None:
    """``cache.clear()`` for this test run only: on Redis with a key prefix (a worker of
    pytest-xdist) the keys of that prefix go; ``clear()`` would empty the whole Redis
    database, the other worker's keys and queued Celery tasks included."""
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    default = caches["default"]
    if not prefix or not isinstance(default, RedisCache):
        default.clear()
        return
    client = default._cache.get_client(write=True)
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        client.delete(key)


# --- Personnummer -----------------------------------------------------------------------------


def personnummer_for(born: date, serial: int, *, coordination: bool = False) -> str:
    """A valid 12-digit number for ``born`` (a samordningsnummer when ``coordination``)."""
    day = born.day + (60 if coordination else 0)
    nine = f"{born:%y%m}{day:02d}{serial:03d}"
    return f"{born.year // 100}{nine}{luhn_check_digit(nine)}"


@pytest.fixture
def new_personnummer() -> Callable[..., str]:
    """Each call returns another valid personnummer (born 1941-03-15 unless told)."""
    serials = itertools.count(101)

    def make(born: date = date(1941, 3, 15), *, coordination: bool = False) -> str:
        return personnummer_for(born, next(serials), coordination=coordination)

    return make


# --- Organisations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OrgTree:
    region: Region
    umea: Kommun
    skelleftea: Kommun
    hospital: Hospital
    ward: Ward
    psych_ward: Ward
    hc_umea: HealthCentre
    hc_skelleftea: HealthCentre


@pytest.fixture
def org_tree(db: None) -> OrgTree:
    region = Region.objects.get(code="24")
    umea = Kommun.objects.get(code="2480")
    skelleftea = Kommun.objects.get(code="2482")
    hospital = Hospital.objects.create(name="Norrlands universitetssjukhus", region=region)
    ward = Ward.objects.create(
        name="Avdelning 4 medicin", hospital=hospital, care_type=CareType.SOMATIC
    )
    psych_ward = Ward.objects.create(
        name="Psykiatrisk avdelning 12", hospital=hospital, care_type=CareType.PSYCHIATRIC
    )
    hc_umea = HealthCentre.objects.create(name="Ålidhems hälsocentral", region=region)
    hc_umea.kommuner.add(umea)
    hc_skelleftea = HealthCentre.objects.create(name="Morö Backe hälsocentral", region=region)
    hc_skelleftea.kommuner.add(skelleftea)
    return OrgTree(
        region=region,
        umea=umea,
        skelleftea=skelleftea,
        hospital=hospital,
        ward=ward,
        psych_ward=psych_ward,
        hc_umea=hc_umea,
        hc_skelleftea=hc_skelleftea,
    )


# --- Personas ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Personas:
    ward_nurse: AbstractUser
    psych_nurse: AbstractUser
    hc_coordinator: AbstractUser
    kommun_planner: AbstractUser
    other_kommun_planner: AbstractUser
    processledare: AbstractUser
    joint_group: AbstractUser
    outsider: AbstractUser
    integration: AbstractUser
    # Users acting for their organisation (the first argument of every service).
    ward_actor: Actor
    psych_actor: Actor
    hc_actor: Actor
    kommun_actor: Actor
    other_kommun_actor: Actor

    def actor_for(self, organisation: Organisation) -> Actor:
        """The persona that sends messages for ``organisation``."""
        for actor in (
            self.ward_actor,
            self.psych_actor,
            self.hc_actor,
            self.kommun_actor,
            self.other_kommun_actor,
        ):
            if actor.organisation.pk == organisation.pk:
                return actor
        raise LookupError(f"no persona sends for {organisation}")


PASSWORD = "correct horse battery staple"


def make_user(username: str, **extra: Any) -> AbstractUser:
    user: AbstractUser = get_user_model().objects.create_user(
        username=username, password=PASSWORD, **extra
    )
    return user


@pytest.fixture
def personas(org_tree: OrgTree) -> Personas:
    def member(username: str, organisation: Organisation, role: str) -> AbstractUser:
        user = make_user(username)
        services.add_membership(user=user, organisation=organisation, role=role)
        return user

    ward_nurse = member("ward_nurse", org_tree.ward, Role.WARD_STAFF)
    psych_nurse = member("psych_nurse", org_tree.psych_ward, Role.WARD_STAFF)
    hc_coordinator = member("hc_coordinator", org_tree.hc_umea, Role.HC_COORDINATOR)
    kommun_planner = member("kommun_planner", org_tree.umea, Role.KOMMUN_PLANNER)
    other_kommun_planner = member("other_kommun_planner", org_tree.skelleftea, Role.KOMMUN_PLANNER)
    return Personas(
        ward_nurse=ward_nurse,
        psych_nurse=psych_nurse,
        hc_coordinator=hc_coordinator,
        kommun_planner=kommun_planner,
        other_kommun_planner=other_kommun_planner,
        processledare=member("processledare", org_tree.region, Role.PROCESS_LEAD),
        joint_group=member("joint_group", org_tree.region, Role.JOINT_GROUP),
        outsider=make_user("outsider"),
        integration=member("integration", org_tree.region, Role.INTEGRATION),
        ward_actor=Actor(ward_nurse, org_tree.ward),
        psych_actor=Actor(psych_nurse, org_tree.psych_ward),
        hc_actor=Actor(hc_coordinator, org_tree.hc_umea),
        kommun_actor=Actor(kommun_planner, org_tree.umea),
        other_kommun_actor=Actor(other_kommun_planner, org_tree.skelleftea),
    )


# --- Patients and episodes --------------------------------------------------------------------


@pytest.fixture
def make_patient(org_tree: OrgTree, new_personnummer: Callable[..., str]) -> Callable[..., Patient]:
    """An Umeå resident listed at the Umeå health centre unless told otherwise."""
    names = itertools.count(1)

    def make(**overrides: Any) -> Patient:
        n = next(names)
        fields: dict[str, Any] = {
            "personnummer": new_personnummer(),
            "name": f"Testperson {n}",
            "address": f"Storgatan {n}, 903 26 Umeå",
            "kommun": org_tree.umea,
            "health_centre": org_tree.hc_umea,
        }
        fields.update(overrides)
        return services.register_patient(**fields)

    return make


@pytest.fixture
def patient(make_patient: Callable[..., Patient]) -> Patient:
    return make_patient(name="Greta Lindqvist", address="Storgatan 1, 903 26 Umeå")


@pytest.fixture
def make_episode(
    org_tree: OrgTree, personas: Personas, make_patient: Callable[..., Patient]
) -> Callable[..., Episode]:
    """Registers an episode at the somatic ward (or ``ward=``), admitted three days ago."""

    def make(
        patient: Patient | None = None,
        *,
        ward: Ward | None = None,
        admitted_at: datetime | None = None,
        **kwargs: Any,
    ) -> Episode:
        ward = ward or org_tree.ward
        return services.register_episode(
            actor=personas.actor_for(ward),
            patient=patient or make_patient(),
            ward=ward,
            admitted_at=admitted_at or timezone.now() - timedelta(days=3),
            **kwargs,
        )

    return make


@pytest.fixture
def episode(make_episode: Callable[..., Episode], patient: Patient) -> Episode:
    return make_episode(patient)


# --- The flow ---------------------------------------------------------------------------------

# States ``advance`` can push an episode to, in flow order ("closed" branches off "noticed").
FLOW_STATES = ("registered", "noticed", "ready", "sip_invited", "discharged", "closed")


@pytest.fixture
def advance(personas: Personas) -> Callable[..., Episode]:
    """``advance(episode, state)`` sends the messages that bring ``episode`` to ``state``.

    - "noticed": the admission notice (1 h after admission), preliminary date 2 days later;
    - "ready": also the ready notice (2 h after admission), ready date that day unless given;
    - "sip_invited": also a red track needing a SIP and the health centre's SIP invitation;
    - "discharged": also the discharge now, to ordinary home;
    - "closed": the admission notice, then closed now (no longer needs help).

    Steps already taken are skipped. Message times are counted from the admission, or from
    five days ago for older episodes so that no message is back-dated beyond the limit.
    """

    def run(episode: Episode, state: str, *, ready_date: date | None = None) -> Episode:
        if state not in FLOW_STATES:
            raise ValueError(f"unknown state {state!r}; one of {FLOW_STATES}")
        ward = personas.actor_for(episode.ward)
        now = timezone.now()
        base = max(episode.admitted_at, now - timedelta(days=5))
        wanted = FLOW_STATES.index(state)
        if state == "registered":
            return episode
        if episode.admission_notice_at is None:
            services.send_admission_notice(
                actor=ward,
                episode=episode,
                preliminary_ready_date=timezone.localdate(base) + timedelta(days=2),
                reason="Höftfraktur; behöver troligen hemtjänst",
                occurred_at=base + timedelta(hours=1),
            )
        if state == "closed":
            services.close_episode(actor=ward, episode=episode, reason=ClosureReason.NO_NEEDS)
            return episode
        if wanted >= FLOW_STATES.index("ready") and episode.ready_notice_at is None:
            at = base + timedelta(hours=2)
            services.send_ready_notice(
                actor=ward,
                episode=episode,
                ready_date=ready_date or timezone.localdate(at),
                occurred_at=at,
            )
        if state == "sip_invited" and episode.sip_invitation_at is None:
            services.assess_track_colour(
                actor=ward,
                episode=episode,
                colour=TrackColour.RED,
                sip_needed=True,
                occurred_at=base + timedelta(hours=3),
            )
            services.send_sip_invitation(
                actor=personas.actor_for(episode.health_centre),
                episode=episode,
                meeting_at=now + timedelta(days=1),
                occurred_at=base + timedelta(hours=4),
            )
        if state == "discharged" and episode.status != EpisodeStatus.DISCHARGED:
            services.register_discharge(actor=ward, episode=episode, destination=Destination.HOME)
        return episode

    return run


# --- Clients and shared scenery for the page and API tests ------------------------------------

# An admission reason that only the ward may read: tests search pages and JSON for it.
SECRET_REASON = "Fallolycka-hemlig-orsak-4711"


def login(user: AbstractUser) -> Client:
    """A test client signed in as ``user`` (no password round trip)."""
    client = Client()
    client.force_login(user)
    return client


def persona(personas: Personas, name: str) -> AbstractUser:
    user: AbstractUser = getattr(personas, name)
    return user


def fresh(episode: Episode) -> Episode:
    """The episode as stored now."""
    return Episode.objects.get(pk=episode.pk)


@pytest.fixture
def noticed(episode: Episode, personas: Personas) -> Episode:
    """The episode after the admission notice, with a reason only the ward may read."""
    services.send_admission_notice(
        actor=personas.ward_actor,
        episode=episode,
        preliminary_ready_date=timezone.localdate() + timedelta(days=2),
        reason=SECRET_REASON,
    )
    return episode


@pytest.fixture
def nurse(personas: Personas) -> Client:
    return login(personas.ward_nurse)


@pytest.fixture
def planner(personas: Personas) -> Client:
    return login(personas.kommun_planner)
