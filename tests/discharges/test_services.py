"""discharges.services: the one write path.

For every message: the happy path (event appended with author, organisation, times and data;
projection updated; version incremented) and its refusals (wrong party, out of order, bad time,
stale version), each followed by a check that nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from discharges import selectors, services
from discharges.models import (
    CareType,
    ClosureReason,
    ConsentAction,
    ConsentRecord,
    Destination,
    Episode,
    EpisodeEvent,
    EpisodeGroupObjectPermission,
    EpisodeStatus,
    EventKind,
    Hospital,
    Membership,
    Patient,
    Receipt,
    Region,
    Role,
    TrackColour,
    Ward,
)
from discharges.projection import projection_of
from discharges.services import Actor, NotPermitted, Refused, Stale
from tests.conftest import OrgTree, Personas, make_user

# --- Helpers ----------------------------------------------------------------------------------


def today() -> date:
    return timezone.localdate()


def snapshot(episode: Episode) -> dict[str, Any]:
    """Everything a refused message must leave as it was."""
    fresh = Episode.objects.get(pk=episode.pk)
    return {
        "projection": projection_of(fresh),
        "events": EpisodeEvent.objects.filter(episode_id=episode.pk).count(),
        "grants": set(
            EpisodeGroupObjectPermission.objects.filter(content_object_id=episode.pk).values_list(
                "group_id", "permission_id"
            )
        ),
        "receipts": Receipt.objects.filter(event__episode_id=episode.pk).count(),
    }


def assert_refused(
    episode: Episode,
    send: Callable[[], Any],
    exc_type: type[Refused] = Refused,
    *,
    field: str | None = None,
) -> Refused:
    """``send()`` raises exactly ``exc_type`` naming ``field``, and nothing changed."""
    before = snapshot(episode)
    version = episode.version
    with pytest.raises(Refused) as info:
        send()
    assert type(info.value) is exc_type, info.value
    assert info.value.field == field, info.value
    assert snapshot(episode) == before
    assert episode.version == version  # the caller's instance is untouched too
    return info.value


def assert_appended(
    episode: Episode,
    event: EpisodeEvent,
    *,
    kind: str,
    actor: Actor,
    occurred_at: datetime,
    version_before: int,
    started: datetime,
) -> tuple[EpisodeEvent, Episode]:
    """The event is stored as sent and the episode's version moved on by one."""
    stored = EpisodeEvent.objects.get(pk=event.pk)
    fresh = Episode.objects.get(pk=episode.pk)
    assert stored.episode_id == episode.pk
    assert stored.kind == kind
    assert stored.seq == version_before + 1
    assert stored.author_id == actor.user.pk
    assert stored.organisation_id == actor.organisation.pk
    assert stored.occurred_at == occurred_at
    assert started <= stored.recorded_at <= timezone.now()
    assert fresh.version == version_before + 1
    assert episode.version == fresh.version  # the caller's instance reflects the new state
    assert fresh.last_event_at >= occurred_at
    assert EpisodeEvent.objects.filter(episode=episode).count() == version_before + 1
    return stored, fresh


def send_and_check(
    episode: Episode,
    actor: Actor,
    kind: str,
    send: Callable[..., EpisodeEvent],
    *,
    occurred_at: datetime | None = None,
    **kwargs: Any,
) -> tuple[EpisodeEvent, Episode]:
    """Send a message with an explicit time and the current version; check the event row."""
    occurred_at = occurred_at or timezone.now() - timedelta(minutes=1)
    version_before = episode.version
    started = timezone.now()
    event = send(
        actor=actor,
        episode=episode,
        occurred_at=occurred_at,
        expected_version=version_before,
        **kwargs,
    )
    return assert_appended(
        episode,
        event,
        kind=kind,
        actor=actor,
        occurred_at=occurred_at,
        version_before=version_before,
        started=started,
    )


# --- The messages, for the checks every message shares ------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    kind: str
    senders: tuple[str, ...]  # "ward", "kommun", "hc"
    state: str  # an ``advance`` state in which the message is valid
    send: Callable[..., EpisodeEvent]  # send(episode, actor, org_tree, **time_and_version)

    def __str__(self) -> str:
        return self.name


CASES = [
    Case(
        "send_admission_notice",
        EventKind.ADMISSION_NOTICE,
        ("ward",),
        "registered",
        lambda ep, actor, orgs, **kw: services.send_admission_notice(
            actor=actor,
            episode=ep,
            preliminary_ready_date=today() + timedelta(days=3),
            reason="Stroke",
            **kw,
        ),
    ),
    Case(
        "change_preliminary_date",
        EventKind.PRELIMINARY_DATE_CHANGED,
        ("ward",),
        "noticed",
        lambda ep, actor, orgs, **kw: services.change_preliminary_date(
            actor=actor, episode=ep, preliminary_ready_date=today() + timedelta(days=9), **kw
        ),
    ),
    Case(
        "answer_admission",
        EventKind.ADMISSION_ANSWER,
        ("kommun", "hc"),
        "noticed",
        lambda ep, actor, orgs, **kw: services.answer_admission(
            actor=actor, episode=ep, current_services=True, services="Hemtjänst", **kw
        ),
    ),
    Case(
        "name_care_contact",
        EventKind.NAMED_CARE_CONTACT,
        ("hc",),
        "noticed",
        lambda ep, actor, orgs, **kw: services.name_care_contact(
            actor=actor, episode=ep, name="Anna Berg", **kw
        ),
    ),
    Case(
        "assess_track_colour",
        EventKind.TRACK_COLOUR,
        ("ward",),
        "noticed",
        lambda ep, actor, orgs, **kw: services.assess_track_colour(
            actor=actor, episode=ep, colour=TrackColour.YELLOW, sip_needed=False, **kw
        ),
    ),
    Case(
        "send_ready_notice",
        EventKind.READY_NOTICE,
        ("ward",),
        "noticed",
        lambda ep, actor, orgs, **kw: services.send_ready_notice(
            actor=actor, episode=ep, ready_date=today(), **kw
        ),
    ),
    Case(
        "record_ready_date",
        EventKind.READY_DATE_RECORDED,
        ("ward",),
        "noticed",
        lambda ep, actor, orgs, **kw: services.record_ready_date(
            actor=actor, episode=ep, ready_date=today(), **kw
        ),
    ),
    Case(
        "withdraw_ready_notice",
        EventKind.READY_NOTICE_WITHDRAWN,
        ("ward",),
        "ready",
        lambda ep, actor, orgs, **kw: services.withdraw_ready_notice(
            actor=actor, episode=ep, reason="Feber", **kw
        ),
    ),
    Case(
        "take_sip_initiative",
        EventKind.SIP_INITIATIVE,
        ("ward", "kommun", "hc"),
        "noticed",
        lambda ep, actor, orgs, **kw: services.take_sip_initiative(
            actor=actor, episode=ep, note="Behov av samordning", **kw
        ),
    ),
    Case(
        "send_sip_invitation",
        EventKind.SIP_INVITATION,
        ("hc",),
        "ready",
        lambda ep, actor, orgs, **kw: services.send_sip_invitation(
            actor=actor, episode=ep, meeting_at=timezone.now() + timedelta(days=2), **kw
        ),
    ),
    Case(
        "record_sip_held",
        EventKind.SIP_HELD,
        ("hc",),
        "sip_invited",
        lambda ep, actor, orgs, **kw: services.record_sip_held(
            actor=actor, episode=ep, held_date=today(), **kw
        ),
    ),
    Case(
        "cancel_sip",
        EventKind.SIP_CANCELLED,
        ("ward", "kommun", "hc"),
        "sip_invited",
        lambda ep, actor, orgs, **kw: services.cancel_sip(
            actor=actor, episode=ep, reason="Patienten avböjer", **kw
        ),
    ),
    Case(
        "mark_sol_planning_done",
        EventKind.SOL_PLANNING_DONE,
        ("kommun",),
        "noticed",
        lambda ep, actor, orgs, **kw: services.mark_sol_planning_done(
            actor=actor, episode=ep, **kw
        ),
    ),
    Case(
        "mark_hsl_planning_done",
        EventKind.HSL_PLANNING_DONE,
        ("kommun",),
        "noticed",
        lambda ep, actor, orgs, **kw: services.mark_hsl_planning_done(
            actor=actor, episode=ep, **kw
        ),
    ),
    Case(
        "mark_kommun_ready",
        EventKind.KOMMUN_READY,
        ("kommun",),
        "noticed",
        lambda ep, actor, orgs, **kw: services.mark_kommun_ready(actor=actor, episode=ep, **kw),
    ),
    Case(
        "acknowledge_homecoming",
        EventKind.HOMECOMING_ACKNOWLEDGED,
        ("kommun",),
        "ready",
        lambda ep, actor, orgs, **kw: services.acknowledge_homecoming(
            actor=actor, episode=ep, homecoming_at=timezone.now() + timedelta(days=1), **kw
        ),
    ),
    Case(
        "register_discharge",
        EventKind.DISCHARGE,
        ("ward",),
        "ready",
        lambda ep, actor, orgs, **kw: services.register_discharge(
            actor=actor, episode=ep, destination=Destination.HOME, **kw
        ),
    ),
    Case(
        "close_episode",
        EventKind.CLOSED,
        ("ward",),
        "noticed",
        lambda ep, actor, orgs, **kw: services.close_episode(
            actor=actor, episode=ep, reason=ClosureReason.DIED, **kw
        ),
    ),
    Case(
        "change_recipients",
        EventKind.RECIPIENTS_CHANGED,
        ("ward",),
        "noticed",
        lambda ep, actor, orgs, **kw: services.change_recipients(
            actor=actor, episode=ep, kommun=orgs.skelleftea, health_centre=orgs.hc_skelleftea, **kw
        ),
    ),
]

PARTIES = ("ward", "kommun", "hc")
SENDER_CASES = [(case, party) for case in CASES for party in case.senders]
WRONG_PARTY_CASES = [
    (case, party) for case in CASES for party in PARTIES if party not in case.senders
]
SIP_KINDS = {
    EventKind.SIP_INITIATIVE,
    EventKind.SIP_INVITATION,
    EventKind.SIP_HELD,
    EventKind.SIP_CANCELLED,
}


def actor_of(personas: Personas, party: str) -> Actor:
    return {
        "ward": personas.ward_actor,
        "kommun": personas.kommun_actor,
        "hc": personas.hc_actor,
    }[party]


def first_sender(personas: Personas, case: Case) -> Actor:
    return actor_of(personas, case.senders[0])


# --- What every message shares ----------------------------------------------------------------


@pytest.mark.parametrize(("case", "party"), SENDER_CASES, ids=lambda v: str(v))
def test_it_appends_the_event_for_every_message_and_party_that_may_send_it(
    case: Case,
    party: str,
    episode: Episode,
    org_tree: OrgTree,
    personas: Personas,
    advance: Callable[..., Episode],
) -> None:
    advance(episode, case.state)
    actor = actor_of(personas, party)
    at = timezone.now() - timedelta(minutes=1)
    version_before = episode.version
    started = timezone.now()
    event = case.send(episode, actor, org_tree, occurred_at=at, expected_version=version_before)
    assert_appended(
        episode,
        event,
        kind=case.kind,
        actor=actor,
        occurred_at=at,
        version_before=version_before,
        started=started,
    )


@pytest.mark.parametrize(("case", "party"), WRONG_PARTY_CASES, ids=lambda v: str(v))
def test_it_refuses_a_message_from_a_party_that_does_not_send_it(
    case: Case,
    party: str,
    episode: Episode,
    org_tree: OrgTree,
    personas: Personas,
    advance: Callable[..., Episode],
) -> None:
    advance(episode, case.state)
    actor = actor_of(personas, party)
    assert_refused(episode, lambda: case.send(episode, actor, org_tree), NotPermitted)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_it_refuses_a_message_from_an_organisation_that_is_no_party(
    case: Case,
    episode: Episode,
    org_tree: OrgTree,
    personas: Personas,
    advance: Callable[..., Episode],
) -> None:
    advance(episode, case.state)
    assert_refused(
        episode, lambda: case.send(episode, personas.other_kommun_actor, org_tree), NotPermitted
    )


@pytest.mark.parametrize("case", CASES, ids=str)
def test_it_refuses_a_message_dated_in_the_future(
    case: Case,
    episode: Episode,
    org_tree: OrgTree,
    personas: Personas,
    advance: Callable[..., Episode],
) -> None:
    advance(episode, case.state)
    later = timezone.now() + settings.SVU_FUTURE_TOLERANCE + timedelta(minutes=5)
    actor = first_sender(personas, case)
    assert_refused(
        episode, lambda: case.send(episode, actor, org_tree, occurred_at=later), field="occurred_at"
    )


@pytest.mark.parametrize("case", CASES, ids=str)
def test_it_refuses_a_message_back_dated_beyond_the_limit(
    case: Case,
    make_episode: Callable[..., Episode],
    org_tree: OrgTree,
    personas: Personas,
    advance: Callable[..., Episode],
) -> None:
    # Admitted long ago, so the time is after the admission and only the back-dating is wrong.
    episode = make_episode(admitted_at=timezone.now() - timedelta(days=60))
    advance(episode, case.state)
    too_old = timezone.now() - settings.SVU_MAX_BACKDATE - timedelta(hours=1)
    actor = first_sender(personas, case)
    assert_refused(
        episode,
        lambda: case.send(episode, actor, org_tree, occurred_at=too_old),
        field="occurred_at",
    )


@pytest.mark.parametrize("case", CASES, ids=str)
def test_it_refuses_a_message_dated_before_the_admission(
    case: Case,
    episode: Episode,
    org_tree: OrgTree,
    personas: Personas,
    advance: Callable[..., Episode],
) -> None:
    advance(episode, case.state)
    before = episode.admitted_at - timedelta(minutes=1)
    actor = first_sender(personas, case)
    assert_refused(
        episode,
        lambda: case.send(episode, actor, org_tree, occurred_at=before),
        field="occurred_at",
    )


@pytest.mark.parametrize("case", CASES, ids=str)
def test_it_refuses_a_time_without_time_zone(
    case: Case,
    episode: Episode,
    org_tree: OrgTree,
    personas: Personas,
    advance: Callable[..., Episode],
) -> None:
    advance(episode, case.state)
    naive = datetime.now() - timedelta(minutes=1)  # noqa: DTZ005 - a naive time is the point
    actor = first_sender(personas, case)
    assert_refused(
        episode, lambda: case.send(episode, actor, org_tree, occurred_at=naive), field="occurred_at"
    )


@pytest.mark.parametrize("case", CASES, ids=str)
@pytest.mark.parametrize("offset", [-1, 1])
def test_it_refuses_a_stale_expected_version(
    case: Case,
    offset: int,
    episode: Episode,
    org_tree: OrgTree,
    personas: Personas,
    advance: Callable[..., Episode],
) -> None:
    advance(episode, case.state)
    actor = first_sender(personas, case)
    error = assert_refused(
        episode,
        lambda: case.send(episode, actor, org_tree, expected_version=episode.version + offset),
        Stale,
        field="version",
    )
    assert error.status_code == 409


@pytest.mark.parametrize("case", [c for c in CASES if c.kind not in SIP_KINDS], ids=str)
def test_it_refuses_every_planning_message_after_discharge(
    case: Case,
    episode: Episode,
    org_tree: OrgTree,
    personas: Personas,
    advance: Callable[..., Episode],
) -> None:
    advance(episode, "discharged")
    assert_refused(episode, lambda: case.send(episode, first_sender(personas, case), org_tree))


@pytest.mark.parametrize("case", CASES, ids=str)
def test_it_refuses_every_message_after_closure(
    case: Case,
    episode: Episode,
    org_tree: OrgTree,
    personas: Personas,
    advance: Callable[..., Episode],
) -> None:
    advance(episode, "noticed")
    # A SIP invitation in force, so that SIP messages are refused for the closure alone.
    services.send_sip_invitation(actor=personas.hc_actor, episode=episode)
    services.close_episode(actor=personas.ward_actor, episode=episode, reason=ClosureReason.DIED)
    assert_refused(episode, lambda: case.send(episode, first_sender(personas, case), org_tree))


def test_it_accepts_sip_messages_after_discharge(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    # A SIP is often held at home after the discharge: only a closure ends the SIP messages.
    advance(episode, "discharged")
    services.take_sip_initiative(actor=personas.kommun_actor, episode=episode)
    services.send_sip_invitation(actor=personas.hc_actor, episode=episode)
    services.record_sip_held(actor=personas.hc_actor, episode=episode, held_date=today())
    fresh = Episode.objects.get(pk=episode.pk)
    assert fresh.status == EpisodeStatus.DISCHARGED
    assert fresh.sip_held_date == today()


class _Rollback(Exception):
    pass


def accepted(send: Callable[[], Any]) -> bool:
    """Whether ``send()`` is accepted; its writes are rolled back either way."""
    try:
        with transaction.atomic():
            send()
            raise _Rollback
    except _Rollback:
        return True
    except Refused:
        return False


SERVICE_PARTY = {"ward": "ward", "kommun": "kommun", "hc": "health_centre"}


@pytest.mark.parametrize("state", ["registered", "noticed", "ready", "sip_invited", "discharged"])
def test_it_offers_exactly_the_messages_the_services_accept(
    state: str,
    episode: Episode,
    org_tree: OrgTree,
    personas: Personas,
    advance: Callable[..., Episode],
) -> None:
    advance(episode, state)
    for party in PARTIES:
        offered = set(services.available_kinds(episode, SERVICE_PARTY[party]))
        actor = actor_of(personas, party)
        for case in CASES:
            if not services.SPECS[case.kind].offered:
                # Only imported history records it; pages and the API never offer it.
                assert case.kind not in offered
                continue
            fresh = Episode.objects.get(pk=episode.pk)
            ok = accepted(lambda c=case, e=fresh, a=actor: c.send(e, a, org_tree))
            assert ok == (case.kind in offered), (state, party, case.name)


def test_it_offers_nothing_after_closure(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "closed")
    for party in SERVICE_PARTY.values():
        assert services.available_kinds(episode, party) == []
    assert services.available_kinds(episode, None) == []


# --- Who may act for an organisation ----------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "organisation"),
    [
        ("outsider", "ward"),
        ("kommun_planner", "ward"),
        ("processledare", "ward"),
        ("ward_nurse", "umea"),
        ("hc_coordinator", "umea"),
        ("joint_group", "hc_umea"),
    ],
)
def test_it_refuses_a_user_who_is_not_a_member_of_the_organisation(
    user: str,
    organisation: str,
    episode: Episode,
    org_tree: OrgTree,
    personas: Personas,
    advance: Callable[..., Episode],
) -> None:
    advance(episode, "noticed")
    actor = Actor(getattr(personas, user), getattr(org_tree, organisation))
    assert_refused(
        episode,
        lambda: services.take_sip_initiative(actor=actor, episode=episode),
        NotPermitted,
    )


def test_it_accepts_back_dating_within_the_limit(
    make_episode: Callable[..., Episode], personas: Personas
) -> None:
    episode = make_episode(admitted_at=timezone.now() - timedelta(days=60))
    almost_too_old = timezone.now() - settings.SVU_MAX_BACKDATE + timedelta(hours=1)
    services.send_admission_notice(
        actor=personas.ward_actor,
        episode=episode,
        preliminary_ready_date=None,
        occurred_at=almost_too_old,
    )
    assert Episode.objects.get(pk=episode.pk).admission_notice_at == almost_too_old


def test_it_lets_an_integration_account_back_date_without_limit(
    make_episode: Callable[..., Episode], org_tree: OrgTree, personas: Personas
) -> None:
    episode = make_episode(admitted_at=timezone.now() - timedelta(days=60))
    integration = Actor(personas.integration, org_tree.ward)
    long_ago = timezone.now() - timedelta(days=59)
    event = services.send_admission_notice(
        actor=integration, episode=episode, preliminary_ready_date=None, occurred_at=long_ago
    )
    assert event.author_id == personas.integration.pk
    assert event.organisation_id == org_tree.ward.pk
    assert Episode.objects.get(pk=episode.pk).admission_notice_at == long_ago


def test_it_refuses_an_integration_account_of_another_region(
    org_tree: OrgTree, personas: Personas, make_patient: Callable[..., Patient]
) -> None:
    norrbotten = Region.objects.get(code="25")
    hospital = Hospital.objects.create(name="Sunderby sjukhus", region=norrbotten)
    ward = Ward.objects.create(name="Avd 1", hospital=hospital, care_type=CareType.SOMATIC)
    with pytest.raises(NotPermitted):
        services.register_episode(
            actor=Actor(personas.integration, ward),
            patient=make_patient(),
            ward=ward,
            admitted_at=timezone.now() - timedelta(days=1),
        )
    assert not Episode.objects.filter(ward=ward).exists()


# --- register_patient -------------------------------------------------------------------------


def test_it_registers_a_patient_with_the_normalised_personnummer(org_tree: OrgTree) -> None:
    patient = services.register_patient(
        personnummer="121212-1212",
        kommun=org_tree.umea,
        name="Tolvan Tolvansson",
        address="Storgatan 12",
        health_centre=org_tree.hc_umea,
    )
    stored = Patient.objects.get(pk=patient.pk)
    assert stored.personnummer == "201212121212"
    assert (stored.name, stored.address) == ("Tolvan Tolvansson", "Storgatan 12")
    assert (stored.kommun, stored.health_centre) == (org_tree.umea, org_tree.hc_umea)
    assert stored.has_consent is False


def test_it_updates_the_patient_found_by_personnummer(org_tree: OrgTree) -> None:
    first = services.register_patient(
        personnummer="191212121212", kommun=org_tree.umea, name="Tolvan", address="Storgatan 12"
    )
    again = services.register_patient(
        personnummer="19121212-1212",
        kommun=org_tree.skelleftea,
        name="Tolvan Tolvansson",
        address="Nygatan 1, Skellefteå",
        health_centre=org_tree.hc_skelleftea,
    )
    assert again.pk == first.pk
    assert Patient.objects.count() == 1
    stored = Patient.objects.get(pk=first.pk)
    assert stored.name == "Tolvan Tolvansson"
    assert stored.address == "Nygatan 1, Skellefteå"
    assert stored.kommun == org_tree.skelleftea
    assert stored.health_centre == org_tree.hc_skelleftea


def test_it_keeps_the_facts_that_are_not_given_again(org_tree: OrgTree) -> None:
    services.register_patient(
        personnummer="191212121212",
        kommun=org_tree.umea,
        name="Tolvan",
        address="Storgatan 12",
        health_centre=org_tree.hc_umea,
    )
    again = services.register_patient(personnummer="191212121212", kommun=org_tree.umea)
    stored = Patient.objects.get(pk=again.pk)
    assert (stored.name, stored.address, stored.health_centre) == (
        "Tolvan",
        "Storgatan 12",
        org_tree.hc_umea,
    )


@pytest.mark.parametrize("number", ["191212121213", "199913011234", "12345", ""])
def test_it_refuses_a_patient_with_a_bad_personnummer(number: str, org_tree: OrgTree) -> None:
    with pytest.raises(Refused) as info:
        services.register_patient(personnummer=number, kommun=org_tree.umea, name="X")
    assert info.value.field == "personnummer"
    assert not Patient.objects.exists()


# --- register_episode -------------------------------------------------------------------------


def test_it_registers_an_episode(org_tree: OrgTree, personas: Personas, patient: Patient) -> None:
    admitted = timezone.now() - timedelta(hours=5)
    started = timezone.now()
    episode = services.register_episode(
        actor=personas.ward_actor, patient=patient, ward=org_tree.ward, admitted_at=admitted
    )
    fresh = Episode.objects.get(pk=episode.pk)
    assert fresh.version == 1
    assert fresh.status == EpisodeStatus.REGISTERED
    assert fresh.admitted_at == admitted
    assert fresh.last_event_at == admitted
    assert fresh.patient == patient
    assert fresh.ward == org_tree.ward
    # Kommun and hälsocentral default to the patient's; the care type to the ward's.
    assert fresh.kommun == org_tree.umea
    assert fresh.health_centre == org_tree.hc_umea
    assert fresh.care_type == CareType.SOMATIC
    assert fresh.shared_at is None
    (event,) = EpisodeEvent.objects.filter(episode=episode)
    assert (event.seq, event.kind) == (1, EventKind.REGISTERED)
    assert event.author_id == personas.ward_nurse.pk
    assert event.organisation_id == org_tree.ward.pk
    assert event.occurred_at == admitted
    assert started <= event.recorded_at <= timezone.now()
    assert event.data == {
        "external_id": None,
        "patient_id": patient.pk,
        "ward_id": org_tree.ward.pk,
        "kommun_id": org_tree.umea.pk,
        "health_centre_id": org_tree.hc_umea.pk,
        "care_type": CareType.SOMATIC,
        "admitted_at": admitted.isoformat(),
    }


def test_it_registers_an_episode_with_explicit_recipients(
    org_tree: OrgTree, personas: Personas, patient: Patient
) -> None:
    episode = services.register_episode(
        actor=personas.psych_actor,
        patient=patient,
        ward=org_tree.psych_ward,
        admitted_at=timezone.now() - timedelta(days=1),
        kommun=org_tree.skelleftea,
        health_centre=org_tree.hc_skelleftea,
        external_id="COSMIC-4711",
    )
    fresh = Episode.objects.get(pk=episode.pk)
    assert fresh.care_type == CareType.PSYCHIATRIC
    assert (fresh.kommun, fresh.health_centre) == (org_tree.skelleftea, org_tree.hc_skelleftea)
    assert fresh.external_id == "COSMIC-4711"
    assert fresh.reference == "COSMIC-4711"


def test_it_accepts_an_admission_long_ago(
    org_tree: OrgTree, personas: Personas, patient: Patient
) -> None:
    # The admission time is a fact of the stay, not the time of a message: no back-dating limit.
    admitted = timezone.now() - settings.SVU_MAX_BACKDATE - timedelta(days=30)
    episode = services.register_episode(
        actor=personas.ward_actor, patient=patient, ward=org_tree.ward, admitted_at=admitted
    )
    assert Episode.objects.get(pk=episode.pk).admitted_at == admitted


def test_it_gives_the_new_episode_to_the_ward_only(episode: Episode, personas: Personas) -> None:
    assert selectors.visible_episodes(personas.ward_nurse).filter(pk=episode.pk).exists()
    assert not selectors.visible_episodes(personas.kommun_planner).exists()
    assert not selectors.visible_episodes(personas.hc_coordinator).exists()


def assert_not_registered(
    send: Callable[[], Any], exc_type: type[Refused], field: str | None
) -> None:
    episodes, events = Episode.objects.count(), EpisodeEvent.objects.count()
    with pytest.raises(Refused) as info:
        send()
    assert type(info.value) is exc_type
    assert info.value.field == field
    assert (Episode.objects.count(), EpisodeEvent.objects.count()) == (episodes, events)


@pytest.mark.parametrize(
    ("actor", "ward", "hours", "exc_type", "field"),
    [
        ("ward_actor", "psych_ward", 0, NotPermitted, None),  # another ward's registration
        ("kommun_actor", "ward", 0, NotPermitted, None),  # a kommun registering a stay
        ("ward_actor", "ward", 1, Refused, "occurred_at"),  # admitted in the future
    ],
    ids=["another-ward", "kommun", "future"],
)
def test_it_refuses_a_registration(
    org_tree: OrgTree,
    personas: Personas,
    patient: Patient,
    actor: str,
    ward: str,
    hours: int,
    exc_type: type[Refused],
    field: str | None,
) -> None:
    assert_not_registered(
        lambda: services.register_episode(
            actor=getattr(personas, actor),
            patient=patient,
            ward=getattr(org_tree, ward),
            admitted_at=timezone.now() + timedelta(hours=hours),
        ),
        exc_type,
        field,
    )


def test_it_refuses_a_duplicate_external_id(
    org_tree: OrgTree, personas: Personas, patient: Patient, make_episode: Callable[..., Episode]
) -> None:
    make_episode(patient, external_id="COSMIC-1")
    assert_not_registered(
        lambda: make_episode(patient, external_id="COSMIC-1"), Refused, "external_id"
    )


def test_it_refuses_an_unknown_care_type(
    org_tree: OrgTree, personas: Personas, patient: Patient, make_episode: Callable[..., Episode]
) -> None:
    assert_not_registered(
        lambda: make_episode(patient, care_type="geriatrik"), Refused, "care_type"
    )


# --- send_admission_notice --------------------------------------------------------------------


def test_it_sends_the_admission_notice_and_shares_the_episode(
    episode: Episode, personas: Personas
) -> None:
    at = episode.admitted_at + timedelta(hours=2)
    preliminary = timezone.localdate(at) + timedelta(days=4)
    stored, fresh = send_and_check(
        episode,
        personas.ward_actor,
        EventKind.ADMISSION_NOTICE,
        services.send_admission_notice,
        occurred_at=at,
        preliminary_ready_date=preliminary,
        reason="Höftfraktur",
    )
    assert stored.data == {
        "preliminary_ready_date": preliminary.isoformat(),
        "reason": "Höftfraktur",
    }
    assert fresh.admission_notice_at == at
    assert fresh.shared_at == at
    assert fresh.admission_reason == "Höftfraktur"
    assert fresh.preliminary_ready_date == preliminary
    assert fresh.preliminary_date_changes == 0
    assert fresh.status == EpisodeStatus.PLANNING
    for user in (personas.kommun_planner, personas.hc_coordinator):
        assert selectors.visible_episodes(user).filter(pk=episode.pk).exists()


def test_it_accepts_an_admission_notice_without_a_preliminary_date(
    episode: Episode, personas: Personas
) -> None:
    services.send_admission_notice(
        actor=personas.ward_actor, episode=episode, preliminary_ready_date=None
    )
    fresh = Episode.objects.get(pk=episode.pk)
    assert fresh.preliminary_ready_date is None
    assert fresh.status == EpisodeStatus.PLANNING


def test_it_refuses_a_second_admission_notice(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    assert_refused(
        episode,
        lambda: services.send_admission_notice(
            actor=personas.ward_actor, episode=episode, preliminary_ready_date=today()
        ),
    )


def test_it_refuses_a_preliminary_date_before_the_admission(
    episode: Episode, personas: Personas
) -> None:
    assert_refused(
        episode,
        lambda: services.send_admission_notice(
            actor=personas.ward_actor,
            episode=episode,
            preliminary_ready_date=timezone.localdate(episode.admitted_at) - timedelta(days=1),
        ),
        field="preliminary_ready_date",
    )


def test_it_accepts_a_late_admission_notice_after_the_ready_notice(
    episode: Episode, personas: Personas
) -> None:
    services.send_ready_notice(actor=personas.ward_actor, episode=episode, ready_date=today())
    services.send_admission_notice(
        actor=personas.ward_actor, episode=episode, preliminary_ready_date=None
    )
    fresh = Episode.objects.get(pk=episode.pk)
    assert fresh.status == EpisodeStatus.READY
    assert fresh.admission_notice_at is not None
    assert fresh.shared_at == fresh.ready_notice_at


# --- change_preliminary_date ------------------------------------------------------------------


def test_it_changes_the_preliminary_date_and_counts_the_changes(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    first, second = today() + timedelta(days=5), today() + timedelta(days=7)
    stored, fresh = send_and_check(
        episode,
        personas.ward_actor,
        EventKind.PRELIMINARY_DATE_CHANGED,
        services.change_preliminary_date,
        preliminary_ready_date=first,
    )
    assert stored.data == {"preliminary_ready_date": first.isoformat()}
    assert (fresh.preliminary_ready_date, fresh.preliminary_date_changes) == (first, 1)
    _stored, fresh = send_and_check(
        episode,
        personas.ward_actor,
        EventKind.PRELIMINARY_DATE_CHANGED,
        services.change_preliminary_date,
        preliminary_ready_date=second,
    )
    assert (fresh.preliminary_ready_date, fresh.preliminary_date_changes) == (second, 2)


def test_it_refuses_a_preliminary_date_change_before_the_admission_notice(
    episode: Episode, personas: Personas
) -> None:
    assert_refused(
        episode,
        lambda: services.change_preliminary_date(
            actor=personas.ward_actor, episode=episode, preliminary_ready_date=today()
        ),
    )


def test_it_refuses_a_preliminary_date_change_after_the_ready_notice(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    assert_refused(
        episode,
        lambda: services.change_preliminary_date(
            actor=personas.ward_actor, episode=episode, preliminary_ready_date=today()
        ),
    )


def test_it_refuses_an_unchanged_preliminary_date(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    assert_refused(
        episode,
        lambda: services.change_preliminary_date(
            actor=personas.ward_actor,
            episode=episode,
            preliminary_ready_date=episode.preliminary_ready_date,
        ),
        field="preliminary_ready_date",
    )


def test_it_refuses_a_changed_preliminary_date_before_the_admission(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    assert_refused(
        episode,
        lambda: services.change_preliminary_date(
            actor=personas.ward_actor,
            episode=episode,
            preliminary_ready_date=timezone.localdate(episode.admitted_at) - timedelta(days=1),
        ),
        field="preliminary_ready_date",
    )


# --- answer_admission -------------------------------------------------------------------------


def test_it_records_the_kommuns_answer(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    at = timezone.now() - timedelta(hours=1)
    stored, fresh = send_and_check(
        episode,
        personas.kommun_actor,
        EventKind.ADMISSION_ANSWER,
        services.answer_admission,
        occurred_at=at,
        current_services=True,
        services="Hemtjänst morgon och kväll",
        social_network="Dotter i Umeå",
        aids="Rollator",
    )
    assert stored.data == {
        "party": "kommun",
        "current_services": True,
        "services": "Hemtjänst morgon och kväll",
        "social_network": "Dotter i Umeå",
        "aids": "Rollator",
    }
    assert fresh.kommun_answered_at == at
    assert fresh.health_centre_answered_at is None


def test_it_records_the_health_centres_answer_and_keeps_the_first_time(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    first = timezone.now() - timedelta(hours=2)
    _stored, fresh = send_and_check(
        episode,
        personas.hc_actor,
        EventKind.ADMISSION_ANSWER,
        services.answer_admission,
        occurred_at=first,
        current_services=False,
    )
    assert fresh.health_centre_answered_at == first
    assert fresh.kommun_answered_at is None
    stored, fresh = send_and_check(
        episode,
        personas.hc_actor,
        EventKind.ADMISSION_ANSWER,
        services.answer_admission,
        current_services=True,
        services="Diabetessköterska",
    )
    assert stored.data["party"] == "health_centre"
    assert fresh.health_centre_answered_at == first  # the first answer counts for deadlines


def test_it_refuses_an_answer_before_the_admission_notice(
    episode: Episode, personas: Personas
) -> None:
    # Not shared yet: the kommun has received nothing, so it may not send anything either.
    assert_refused(
        episode,
        lambda: services.answer_admission(
            actor=personas.kommun_actor, episode=episode, current_services=False
        ),
        NotPermitted,
    )
    # Shared by a ready notice alone: there is still no admission notice to answer.
    services.send_ready_notice(actor=personas.ward_actor, episode=episode, ready_date=today())
    assert_refused(
        episode,
        lambda: services.answer_admission(
            actor=personas.kommun_actor, episode=episode, current_services=False
        ),
    )


def test_it_records_the_answering_party_as_of_the_locked_episode(
    episode: Episode, org_tree: OrgTree, personas: Personas, advance: Callable[..., Episode]
) -> None:
    # The party comes from the locked episode, not the caller's stale copy.
    advance(episode, "noticed")
    stale = Episode.objects.get(pk=episode.pk)
    services.change_recipients(
        actor=personas.ward_actor,
        episode=episode,
        kommun=org_tree.skelleftea,
        health_centre=org_tree.hc_umea,
    )
    event = services.answer_admission(
        actor=personas.other_kommun_actor, episode=stale, current_services=False
    )
    assert event.data["party"] == "kommun"
    fresh = Episode.objects.get(pk=episode.pk)
    assert fresh.kommun_answered_at is not None
    assert fresh.health_centre_answered_at is None


# --- name_care_contact ------------------------------------------------------------------------


def test_it_names_the_care_contact(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    first_at = timezone.now() - timedelta(hours=1)
    stored, fresh = send_and_check(
        episode,
        personas.hc_actor,
        EventKind.NAMED_CARE_CONTACT,
        services.name_care_contact,
        occurred_at=first_at,
        name="  Anna Berg ",
        phone=" 090-785 00 00 ",
    )
    assert stored.data == {"name": "Anna Berg", "phone": "090-785 00 00"}
    assert (fresh.named_contact, fresh.named_contact_at) == ("Anna Berg", first_at)
    _stored, fresh = send_and_check(
        episode,
        personas.hc_actor,
        EventKind.NAMED_CARE_CONTACT,
        services.name_care_contact,
        name="Karin Ek",
    )
    assert (fresh.named_contact, fresh.named_contact_at) == ("Karin Ek", first_at)


def test_it_refuses_a_blank_care_contact(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    assert_refused(
        episode,
        lambda: services.name_care_contact(actor=personas.hc_actor, episode=episode, name="  "),
        field="name",
    )


# --- assess_track_colour ----------------------------------------------------------------------


def test_it_assesses_the_track_colour(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    stored, fresh = send_and_check(
        episode,
        personas.ward_actor,
        EventKind.TRACK_COLOUR,
        services.assess_track_colour,
        colour=TrackColour.RED,
        sip_needed=True,
    )
    assert stored.data == {"colour": "red", "sip_needed": True}
    assert (fresh.track_colour, fresh.sip_needed) == (TrackColour.RED, True)
    # A new colour without a SIP answer keeps the earlier answer.
    _stored, fresh = send_and_check(
        episode,
        personas.ward_actor,
        EventKind.TRACK_COLOUR,
        services.assess_track_colour,
        colour=TrackColour.YELLOW,
    )
    assert (fresh.track_colour, fresh.sip_needed) == (TrackColour.YELLOW, True)


def test_it_refuses_an_unknown_track_colour(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    assert_refused(
        episode,
        lambda: services.assess_track_colour(
            actor=personas.ward_actor, episode=episode, colour="purple"
        ),
        field="colour",
    )


# --- send_ready_notice / withdraw_ready_notice ------------------------------------------------


def test_it_sends_the_ready_notice(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    at = timezone.now() - timedelta(minutes=10)
    stored, fresh = send_and_check(
        episode,
        personas.ward_actor,
        EventKind.READY_NOTICE,
        services.send_ready_notice,
        occurred_at=at,
        ready_date=today(),
    )
    assert stored.data == {"ready_date": today().isoformat()}
    assert (fresh.ready_date, fresh.ready_notice_at) == (today(), at)
    assert fresh.status == EpisodeStatus.READY
    assert fresh.shared_at == episode.admission_notice_at  # shared once, by the first notice


def test_it_shares_the_episode_by_a_ready_notice_without_admission_notice(
    episode: Episode, personas: Personas
) -> None:
    services.send_ready_notice(actor=personas.ward_actor, episode=episode, ready_date=today())
    fresh = Episode.objects.get(pk=episode.pk)
    assert fresh.shared_at == fresh.ready_notice_at
    assert selectors.visible_episodes(personas.kommun_planner).filter(pk=episode.pk).exists()


def test_it_refuses_a_second_ready_notice_without_withdrawal(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    assert_refused(
        episode,
        lambda: services.send_ready_notice(
            actor=personas.ward_actor, episode=episode, ready_date=today()
        ),
    )


def test_it_refuses_a_ready_date_before_the_admission(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    assert_refused(
        episode,
        lambda: services.send_ready_notice(
            actor=personas.ward_actor,
            episode=episode,
            ready_date=timezone.localdate(episode.admitted_at) - timedelta(days=1),
        ),
        field="ready_date",
    )


def test_it_records_a_ready_date_without_notice(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    ready = timezone.localdate(episode.admitted_at) + timedelta(days=1)
    stored, fresh = send_and_check(
        episode,
        personas.ward_actor,
        EventKind.READY_DATE_RECORDED,
        services.record_ready_date,
        ready_date=ready,
    )
    assert stored.data == {"ready_date": ready.isoformat()}
    assert fresh.status == EpisodeStatus.READY
    assert (fresh.ready_date, fresh.ready_notice_at) == (ready, None)


def test_it_shares_the_episode_by_a_recorded_ready_date(
    episode: Episode, personas: Personas
) -> None:
    # A known ready date concerns the kommun (its liability) even without the notice.
    assert not selectors.visible_episodes(personas.kommun_planner).exists()
    services.record_ready_date(actor=personas.ward_actor, episode=episode, ready_date=today())
    assert Episode.objects.get(pk=episode.pk).shared_at is not None
    assert selectors.visible_episodes(personas.kommun_planner).filter(pk=episode.pk).exists()


def test_it_refuses_a_recorded_ready_date_when_already_ready(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    assert_refused(
        episode,
        lambda: services.record_ready_date(
            actor=personas.ward_actor, episode=episode, ready_date=today()
        ),
    )


def test_it_refuses_a_recorded_ready_date_before_the_admission(
    episode: Episode, personas: Personas
) -> None:
    assert_refused(
        episode,
        lambda: services.record_ready_date(
            actor=personas.ward_actor,
            episode=episode,
            ready_date=timezone.localdate(episode.admitted_at) - timedelta(days=1),
        ),
        field="ready_date",
    )


def test_it_withdraws_the_ready_notice_back_to_planning(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    services.acknowledge_homecoming(
        actor=personas.kommun_actor,
        episode=episode,
        homecoming_at=timezone.now() + timedelta(days=1),
    )
    stored, fresh = send_and_check(
        episode,
        personas.ward_actor,
        EventKind.READY_NOTICE_WITHDRAWN,
        services.withdraw_ready_notice,
        reason="Feber",
    )
    assert stored.data == {"reason": "Feber"}
    assert fresh.status == EpisodeStatus.PLANNING
    assert (fresh.ready_date, fresh.ready_notice_at) == (None, None)
    assert (fresh.homecoming_at, fresh.homecoming_acknowledged_at) == (None, None)
    assert fresh.ready_notice_withdrawals == 1
    # A new ready notice is accepted after the withdrawal.
    services.send_ready_notice(actor=personas.ward_actor, episode=episode, ready_date=today())
    assert Episode.objects.get(pk=episode.pk).status == EpisodeStatus.READY


def test_it_withdraws_to_registered_when_no_admission_notice_was_sent(
    episode: Episode, personas: Personas
) -> None:
    services.send_ready_notice(actor=personas.ward_actor, episode=episode, ready_date=today())
    services.withdraw_ready_notice(actor=personas.ward_actor, episode=episode)
    assert Episode.objects.get(pk=episode.pk).status == EpisodeStatus.REGISTERED


def test_it_refuses_a_withdrawal_without_ready_notice(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    assert_refused(
        episode, lambda: services.withdraw_ready_notice(actor=personas.ward_actor, episode=episode)
    )


def test_it_refuses_a_withdrawal_dated_before_the_ready_notice(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    assert_refused(
        episode,
        lambda: services.withdraw_ready_notice(
            actor=personas.ward_actor,
            episode=episode,
            occurred_at=episode.ready_notice_at - timedelta(minutes=1),
        ),
        field="occurred_at",
    )


# --- SIP --------------------------------------------------------------------------------------


def test_it_takes_a_sip_initiative(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    at = timezone.now() - timedelta(minutes=30)
    stored, fresh = send_and_check(
        episode,
        personas.kommun_actor,
        EventKind.SIP_INITIATIVE,
        services.take_sip_initiative,
        occurred_at=at,
        note="Många insatser",
    )
    assert stored.data == {"note": "Många insatser"}
    assert (fresh.sip_initiative_at, fresh.sip_needed) == (at, True)


def test_it_refuses_a_second_sip_initiative(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    services.take_sip_initiative(actor=personas.ward_actor, episode=episode)
    assert_refused(
        episode, lambda: services.take_sip_initiative(actor=personas.hc_actor, episode=episode)
    )


def test_it_sends_a_sip_invitation(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    meeting = timezone.now() + timedelta(days=2)
    at = timezone.now() - timedelta(minutes=30)
    stored, fresh = send_and_check(
        episode,
        personas.hc_actor,
        EventKind.SIP_INVITATION,
        services.send_sip_invitation,
        occurred_at=at,
        meeting_at=meeting,
    )
    assert stored.data == {"meeting_at": meeting.isoformat()}
    assert (fresh.sip_invitation_at, fresh.sip_needed, fresh.sip_cancelled_at) == (at, True, None)


def test_it_refuses_a_second_sip_invitation(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "sip_invited")
    assert_refused(
        episode, lambda: services.send_sip_invitation(actor=personas.hc_actor, episode=episode)
    )


def test_it_records_the_sip_as_held(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "sip_invited")
    stored, fresh = send_and_check(
        episode,
        personas.hc_actor,
        EventKind.SIP_HELD,
        services.record_sip_held,
        held_date=today(),
    )
    assert stored.data == {"held_date": today().isoformat()}
    assert fresh.sip_held_date == today()


def test_it_refuses_a_sip_held_without_invitation(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    services.take_sip_initiative(actor=personas.ward_actor, episode=episode)
    assert_refused(
        episode,
        lambda: services.record_sip_held(
            actor=personas.hc_actor, episode=episode, held_date=today()
        ),
    )


def test_it_refuses_a_sip_held_before_the_invitation_date(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "sip_invited")
    assert_refused(
        episode,
        lambda: services.record_sip_held(
            actor=personas.hc_actor,
            episode=episode,
            held_date=timezone.localdate(episode.sip_invitation_at) - timedelta(days=1),
        ),
        field="held_date",
    )


def test_it_refuses_a_sip_held_in_the_future(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "sip_invited")
    assert_refused(
        episode,
        lambda: services.record_sip_held(
            actor=personas.hc_actor, episode=episode, held_date=today() + timedelta(days=1)
        ),
        field="held_date",
    )


def test_it_refuses_a_sip_held_twice(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "sip_invited")
    services.record_sip_held(actor=personas.hc_actor, episode=episode, held_date=today())
    assert_refused(
        episode,
        lambda: services.record_sip_held(
            actor=personas.hc_actor, episode=episode, held_date=today()
        ),
    )


def test_it_cancels_the_sip(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "sip_invited")
    at = timezone.now() - timedelta(minutes=5)
    stored, fresh = send_and_check(
        episode,
        personas.kommun_actor,
        EventKind.SIP_CANCELLED,
        services.cancel_sip,
        occurred_at=at,
        reason="Patienten avböjer",
    )
    assert stored.data == {"reason": "Patienten avböjer"}
    assert fresh.sip_cancelled_at == at


def test_it_refuses_a_sip_held_after_cancellation(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "sip_invited")
    services.cancel_sip(actor=personas.hc_actor, episode=episode)
    assert_refused(
        episode,
        lambda: services.record_sip_held(
            actor=personas.hc_actor, episode=episode, held_date=today()
        ),
    )


def test_it_invites_again_after_a_cancellation(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "sip_invited")
    first_invitation = episode.sip_invitation_at
    services.cancel_sip(actor=personas.hc_actor, episode=episode)
    _stored, fresh = send_and_check(
        episode, personas.hc_actor, EventKind.SIP_INVITATION, services.send_sip_invitation
    )
    assert fresh.sip_cancelled_at is None
    assert fresh.sip_invitation_at > first_invitation
    # The new invitation is in force: the SIP can be recorded as held.
    services.record_sip_held(actor=personas.hc_actor, episode=episode, held_date=today())
    assert Episode.objects.get(pk=episode.pk).sip_held_date == today()


def test_it_takes_a_new_initiative_after_a_cancellation(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    first = timezone.now() - timedelta(hours=2)
    services.take_sip_initiative(actor=personas.ward_actor, episode=episode, occurred_at=first)
    services.cancel_sip(actor=personas.ward_actor, episode=episode)
    services.take_sip_initiative(actor=personas.kommun_actor, episode=episode)
    fresh = Episode.objects.get(pk=episode.pk)
    assert fresh.sip_cancelled_at is None
    # A new SIP round: the new initiative's time, not the cancelled one's.
    assert fresh.sip_initiative_at > first


def test_it_invites_again_after_a_cancellation_and_a_new_initiative(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    # A new initiative after a cancellation starts a new SIP round.
    advance(episode, "sip_invited")
    services.cancel_sip(actor=personas.hc_actor, episode=episode)
    services.take_sip_initiative(actor=personas.kommun_actor, episode=episode)
    services.send_sip_invitation(actor=personas.hc_actor, episode=episode)
    fresh = Episode.objects.get(pk=episode.pk)
    assert fresh.sip_cancelled_at is None
    assert fresh.status == EpisodeStatus.READY


def test_it_refuses_to_cancel_when_there_is_no_sip(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    assert_refused(episode, lambda: services.cancel_sip(actor=personas.ward_actor, episode=episode))


def test_it_refuses_to_cancel_twice(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "sip_invited")
    services.cancel_sip(actor=personas.ward_actor, episode=episode)
    assert_refused(episode, lambda: services.cancel_sip(actor=personas.ward_actor, episode=episode))


def test_it_refuses_to_cancel_a_held_sip(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "sip_invited")
    services.record_sip_held(actor=personas.hc_actor, episode=episode, held_date=today())
    assert_refused(episode, lambda: services.cancel_sip(actor=personas.hc_actor, episode=episode))


# --- The kommun's planning --------------------------------------------------------------------

KOMMUN_STEPS = [
    (services.mark_sol_planning_done, EventKind.SOL_PLANNING_DONE, "sol_planning_done_at"),
    (services.mark_hsl_planning_done, EventKind.HSL_PLANNING_DONE, "hsl_planning_done_at"),
    (services.mark_kommun_ready, EventKind.KOMMUN_READY, "kommun_ready_at"),
]
KOMMUN_STEP_IDS = ["sol", "hsl", "kommun_ready"]


@pytest.mark.parametrize(("send", "kind", "field"), KOMMUN_STEPS, ids=KOMMUN_STEP_IDS)
def test_it_marks_the_kommuns_planning_steps(
    send: Callable[..., EpisodeEvent],
    kind: str,
    field: str,
    episode: Episode,
    personas: Personas,
    advance: Callable[..., Episode],
) -> None:
    advance(episode, "noticed")
    at = timezone.now() - timedelta(minutes=3)
    stored, fresh = send_and_check(episode, personas.kommun_actor, kind, send, occurred_at=at)
    assert stored.data == {}
    assert getattr(fresh, field) == at


@pytest.mark.parametrize(("send", "kind", "field"), KOMMUN_STEPS, ids=KOMMUN_STEP_IDS)
def test_it_refuses_a_kommun_step_twice(
    send: Callable[..., EpisodeEvent],
    kind: str,
    field: str,
    episode: Episode,
    personas: Personas,
    advance: Callable[..., Episode],
) -> None:
    advance(episode, "noticed")
    send(actor=personas.kommun_actor, episode=episode)
    assert_refused(episode, lambda: send(actor=personas.kommun_actor, episode=episode))


@pytest.mark.parametrize(("send", "kind", "field"), KOMMUN_STEPS, ids=KOMMUN_STEP_IDS)
def test_it_takes_a_kommun_step_once_shared_by_a_ready_notice(
    send: Callable[..., EpisodeEvent],
    kind: str,
    field: str,
    episode: Episode,
    personas: Personas,
) -> None:
    # Before anything is shared the kommun may not act on the episode.
    assert_refused(
        episode, lambda: send(actor=personas.kommun_actor, episode=episode), NotPermitted
    )
    # Shared by a ready notice alone (no admission notice): the kommun plans and marks ready.
    services.send_ready_notice(actor=personas.ward_actor, episode=episode, ready_date=today())
    send(actor=personas.kommun_actor, episode=episode)
    assert getattr(Episode.objects.get(pk=episode.pk), field) is not None


def test_it_refuses_a_ward_nurse_marking_the_kommun_ready(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    assert_refused(
        episode,
        lambda: services.mark_kommun_ready(actor=personas.ward_actor, episode=episode),
        NotPermitted,
    )


def test_it_acknowledges_the_time_for_homecoming(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    homecoming = timezone.now() + timedelta(days=1)
    at = timezone.now() - timedelta(minutes=2)
    stored, fresh = send_and_check(
        episode,
        personas.kommun_actor,
        EventKind.HOMECOMING_ACKNOWLEDGED,
        services.acknowledge_homecoming,
        occurred_at=at,
        homecoming_at=homecoming,
    )
    assert stored.data == {"homecoming_at": homecoming.isoformat()}
    assert (fresh.homecoming_acknowledged_at, fresh.homecoming_at) == (at, homecoming)


def test_it_refuses_the_homecoming_when_the_patient_is_not_ready(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    assert_refused(
        episode,
        lambda: services.acknowledge_homecoming(
            actor=personas.kommun_actor,
            episode=episode,
            homecoming_at=timezone.now() + timedelta(days=1),
        ),
    )


# --- register_discharge / close_episode -------------------------------------------------------


def test_it_registers_the_discharge(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    ready = timezone.localdate(episode.admitted_at) + timedelta(days=1)
    advance(episode, "ready", ready_date=ready)
    at = timezone.now() - timedelta(minutes=1)
    stored, fresh = send_and_check(
        episode,
        personas.ward_actor,
        EventKind.DISCHARGE,
        services.register_discharge,
        occurred_at=at,
        destination=Destination.SHORT_TERM,
    )
    assert stored.data == {"destination": "short_term"}
    assert fresh.status == EpisodeStatus.DISCHARGED
    assert fresh.discharged_at == at
    assert fresh.discharge_date == timezone.localdate(at)
    assert fresh.destination == Destination.SHORT_TERM
    assert fresh.ready_days == (timezone.localdate(at) - ready).days


def test_it_counts_zero_ready_days_for_a_same_day_discharge(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready", ready_date=today())
    services.register_discharge(
        actor=personas.ward_actor, episode=episode, destination=Destination.HOME
    )
    assert Episode.objects.get(pk=episode.pk).ready_days == 0


def test_it_registers_a_discharge_without_ready_notice(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    services.register_discharge(
        actor=personas.ward_actor, episode=episode, destination=Destination.OTHER
    )
    fresh = Episode.objects.get(pk=episode.pk)
    assert fresh.status == EpisodeStatus.DISCHARGED
    assert (fresh.ready_date, fresh.ready_days) == (None, None)


def test_it_refuses_a_discharge_before_the_ready_date(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready", ready_date=today() + timedelta(days=1))
    assert_refused(
        episode,
        lambda: services.register_discharge(
            actor=personas.ward_actor, episode=episode, destination=Destination.HOME
        ),
        field="occurred_at",
    )


def test_it_refuses_a_discharge_before_the_admission_time(
    episode: Episode, personas: Personas
) -> None:
    assert_refused(
        episode,
        lambda: services.register_discharge(
            actor=personas.ward_actor,
            episode=episode,
            destination=Destination.HOME,
            occurred_at=episode.admitted_at - timedelta(hours=1),
        ),
        field="occurred_at",
    )


def test_it_refuses_a_discharge_before_the_latest_message(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    latest = timezone.now() - timedelta(minutes=5)
    services.mark_kommun_ready(actor=personas.kommun_actor, episode=episode, occurred_at=latest)
    assert_refused(
        episode,
        lambda: services.register_discharge(
            actor=personas.ward_actor,
            episode=episode,
            destination=Destination.HOME,
            occurred_at=latest - timedelta(minutes=1),
        ),
        field="occurred_at",
    )


def test_it_refuses_an_unknown_destination(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    assert_refused(
        episode,
        lambda: services.register_discharge(
            actor=personas.ward_actor, episode=episode, destination="moon"
        ),
        field="destination",
    )


def test_it_refuses_a_second_discharge(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "discharged")
    assert_refused(
        episode,
        lambda: services.register_discharge(
            actor=personas.ward_actor, episode=episode, destination=Destination.HOME
        ),
    )


def test_it_closes_the_episode_without_discharge(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    at = timezone.now() - timedelta(minutes=1)
    stored, fresh = send_and_check(
        episode,
        personas.ward_actor,
        EventKind.CLOSED,
        services.close_episode,
        occurred_at=at,
        reason=ClosureReason.TRANSFERRED,
    )
    assert stored.data == {"reason": "transferred"}
    assert fresh.status == EpisodeStatus.CLOSED
    assert (fresh.closed_at, fresh.closure_reason) == (at, ClosureReason.TRANSFERRED)
    assert fresh.discharged_at is None


def test_it_refuses_an_unknown_reason_for_closing(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    assert_refused(
        episode,
        lambda: services.close_episode(actor=personas.ward_actor, episode=episode, reason="bored"),
        field="reason",
    )


def test_it_refuses_a_closure_before_the_latest_message(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    assert_refused(
        episode,
        lambda: services.close_episode(
            actor=personas.ward_actor,
            episode=episode,
            reason=ClosureReason.DIED,
            occurred_at=episode.admission_notice_at - timedelta(minutes=1),
        ),
        field="occurred_at",
    )


# --- change_recipients ------------------------------------------------------------------------


def test_it_moves_the_grants_with_the_recipients(
    episode: Episode, org_tree: OrgTree, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    stored, fresh = send_and_check(
        episode,
        personas.ward_actor,
        EventKind.RECIPIENTS_CHANGED,
        services.change_recipients,
        kommun=org_tree.skelleftea,
        health_centre=org_tree.hc_skelleftea,
    )
    assert stored.data == {
        "kommun_id": org_tree.skelleftea.pk,
        "health_centre_id": org_tree.hc_skelleftea.pk,
    }
    assert (fresh.kommun, fresh.health_centre) == (org_tree.skelleftea, org_tree.hc_skelleftea)

    def sees(user: Any) -> bool:
        return selectors.visible_episodes(user).filter(pk=episode.pk).exists()

    assert sees(personas.other_kommun_planner)
    assert not sees(personas.kommun_planner)
    assert not sees(personas.hc_coordinator)
    assert sees(personas.ward_nurse)


def test_it_moves_no_grants_before_the_episode_is_shared(
    episode: Episode, org_tree: OrgTree, personas: Personas
) -> None:
    services.change_recipients(
        actor=personas.ward_actor, episode=episode, kommun=org_tree.skelleftea, health_centre=None
    )
    fresh = Episode.objects.get(pk=episode.pk)
    assert (fresh.kommun, fresh.health_centre) == (org_tree.skelleftea, None)
    assert not selectors.visible_episodes(personas.other_kommun_planner).exists()
    assert selectors.visible_episodes(personas.ward_nurse).filter(pk=episode.pk).exists()


def test_it_refuses_unchanged_recipients(
    episode: Episode, org_tree: OrgTree, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    assert_refused(
        episode,
        lambda: services.change_recipients(
            actor=personas.ward_actor,
            episode=episode,
            kommun=org_tree.umea,
            health_centre=org_tree.hc_umea,
        ),
    )


# --- acknowledge_receipt ----------------------------------------------------------------------


def notice_event(episode: Episode) -> EpisodeEvent:
    return EpisodeEvent.objects.get(episode=episode, kind=EventKind.ADMISSION_NOTICE)


def test_it_records_a_receipt_from_a_recipient(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    event = notice_event(episode)
    started = timezone.now()
    receipt = services.acknowledge_receipt(actor=personas.kommun_actor, event=event)
    stored = Receipt.objects.get(pk=receipt.pk)
    assert stored.event_id == event.pk
    assert stored.organisation_id == personas.kommun_actor.organisation.pk
    assert stored.user_id == personas.kommun_planner.pk
    assert started <= stored.acknowledged_at <= timezone.now()
    # The health centre acknowledges the same message separately.
    services.acknowledge_receipt(actor=personas.hc_actor, event=event)
    assert Receipt.objects.filter(event=event).count() == 2


def test_it_lets_the_ward_acknowledge_the_kommuns_message(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    answer = services.answer_admission(
        actor=personas.kommun_actor, episode=episode, current_services=False
    )
    services.acknowledge_receipt(actor=personas.ward_actor, event=answer)
    assert Receipt.objects.filter(
        event=answer, organisation=personas.ward_actor.organisation
    ).exists()


def test_it_refuses_a_receipt_for_the_organisations_own_message(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    event = notice_event(episode)
    assert_refused(
        episode, lambda: services.acknowledge_receipt(actor=personas.ward_actor, event=event)
    )


def test_it_refuses_a_second_receipt(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    event = notice_event(episode)
    first = services.acknowledge_receipt(actor=personas.kommun_actor, event=event)
    assert_refused(
        episode, lambda: services.acknowledge_receipt(actor=personas.kommun_actor, event=event)
    )
    assert Receipt.objects.get(event=event).pk == first.pk


def test_it_refuses_a_receipt_from_an_organisation_that_is_no_party(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    event = notice_event(episode)
    assert_refused(
        episode,
        lambda: services.acknowledge_receipt(actor=personas.other_kommun_actor, event=event),
        NotPermitted,
    )


def test_it_refuses_a_receipt_before_the_episode_is_shared(
    episode: Episode, personas: Personas
) -> None:
    registered = EpisodeEvent.objects.get(episode=episode, seq=1)
    assert_refused(
        episode,
        lambda: services.acknowledge_receipt(actor=personas.kommun_actor, event=registered),
        NotPermitted,
    )


# --- Consent ----------------------------------------------------------------------------------


def test_it_records_and_withdraws_consent(
    episode: Episode, patient: Patient, personas: Personas
) -> None:
    given_at = timezone.now() - timedelta(hours=2)
    record = services.record_consent(
        actor=personas.ward_actor, patient=patient, occurred_at=given_at, note="Muntligt"
    )
    stored = ConsentRecord.objects.get(pk=record.pk)
    assert stored.action == ConsentAction.GIVEN
    assert stored.patient_id == patient.pk
    assert stored.recorded_by_id == personas.ward_nurse.pk
    assert stored.organisation_id == personas.ward_actor.organisation.pk
    assert stored.occurred_at == given_at
    assert stored.note == "Muntligt"
    assert Patient.objects.get(pk=patient.pk).has_consent is True
    assert patient.has_consent is True

    withdrawn = services.withdraw_consent(actor=personas.ward_actor, patient=patient)
    assert ConsentRecord.objects.get(pk=withdrawn.pk).action == ConsentAction.WITHDRAWN
    assert Patient.objects.get(pk=patient.pk).has_consent is False
    assert ConsentRecord.objects.filter(patient=patient).count() == 2


def assert_no_consent_change(patient: Patient, send: Callable[[], Any], exc_type: type) -> None:
    records = ConsentRecord.objects.count()
    consent = Patient.objects.get(pk=patient.pk).has_consent
    with pytest.raises(Refused) as info:
        send()
    assert type(info.value) is exc_type
    assert ConsentRecord.objects.count() == records
    assert Patient.objects.get(pk=patient.pk).has_consent is consent


def test_it_refuses_consent_twice(episode: Episode, patient: Patient, personas: Personas) -> None:
    services.record_consent(actor=personas.ward_actor, patient=patient)
    assert_no_consent_change(
        patient,
        lambda: services.record_consent(actor=personas.ward_actor, patient=patient),
        Refused,
    )


def test_it_refuses_to_withdraw_consent_that_was_not_given(
    episode: Episode, patient: Patient, personas: Personas
) -> None:
    assert_no_consent_change(
        patient,
        lambda: services.withdraw_consent(actor=personas.ward_actor, patient=patient),
        Refused,
    )


def test_it_refuses_consent_recorded_by_the_kommun(
    episode: Episode, patient: Patient, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    assert_no_consent_change(
        patient,
        lambda: services.record_consent(actor=personas.kommun_actor, patient=patient),
        NotPermitted,
    )


def test_it_refuses_consent_recorded_by_a_ward_not_caring_for_the_patient(
    episode: Episode, patient: Patient, personas: Personas
) -> None:
    assert_no_consent_change(
        patient,
        lambda: services.record_consent(actor=personas.psych_actor, patient=patient),
        NotPermitted,
    )


def test_it_refuses_consent_dated_in_the_future(
    episode: Episode, patient: Patient, personas: Personas
) -> None:
    records = ConsentRecord.objects.count()
    with pytest.raises(Refused) as info:
        services.record_consent(
            actor=personas.ward_actor,
            patient=patient,
            occurred_at=timezone.now() + timedelta(hours=1),
        )
    assert info.value.field == "occurred_at"
    assert ConsentRecord.objects.count() == records


# --- Memberships ------------------------------------------------------------------------------


def test_it_adds_a_membership_and_its_group(org_tree: OrgTree) -> None:
    user = make_user("new_nurse")
    membership = services.add_membership(
        user=user, organisation=org_tree.ward, role=Role.WARD_STAFF
    )
    assert Membership.objects.get(pk=membership.pk).role == Role.WARD_STAFF
    assert user.groups.filter(pk=org_tree.ward.group_id).exists()
    again = services.add_membership(user=user, organisation=org_tree.ward, role=Role.WARD_STAFF)
    assert again.pk == membership.pk
    assert Membership.objects.filter(user=user).count() == 1


@pytest.mark.parametrize(
    ("organisation", "role"),
    [
        ("umea", Role.WARD_STAFF),
        ("ward", Role.KOMMUN_PLANNER),
        ("hc_umea", Role.WARD_STAFF),
        ("ward", Role.INTEGRATION),
        ("umea", Role.ADMIN),
        ("hospital", Role.WARD_STAFF),
    ],
)
def test_it_refuses_a_role_that_does_not_exist_at_that_kind_of_organisation(
    organisation: str, role: str, org_tree: OrgTree
) -> None:
    user = make_user("someone")
    org = getattr(org_tree, organisation)
    with pytest.raises(Refused) as info:
        services.add_membership(user=user, organisation=org, role=role)
    assert info.value.field == "role"
    assert not Membership.objects.filter(user=user).exists()
    assert not user.groups.exists()


def test_it_refuses_an_unknown_role(org_tree: OrgTree) -> None:
    # A role that is no Role at all is refused like any other, naming the field.
    user = make_user("someone")
    with pytest.raises(Refused) as info:
        services.add_membership(user=user, organisation=org_tree.ward, role="overlord")
    assert info.value.field == "role"
    assert not Membership.objects.filter(user=user).exists()


def test_it_removes_a_membership_and_with_it_the_grants(
    episode: Episode, org_tree: OrgTree, personas: Personas
) -> None:
    user = make_user("leaving_nurse")
    membership = services.add_membership(
        user=user, organisation=org_tree.ward, role=Role.WARD_STAFF
    )
    assert selectors.visible_episodes(user).filter(pk=episode.pk).exists()
    services.remove_membership(membership=membership)
    assert not Membership.objects.filter(user=user).exists()
    assert not user.groups.filter(pk=org_tree.ward.group_id).exists()
    assert not selectors.visible_episodes(user).exists()


def test_it_keeps_the_group_while_another_role_remains(org_tree: OrgTree) -> None:
    user = make_user("lead_and_planner")
    planner = services.add_membership(
        user=user, organisation=org_tree.umea, role=Role.KOMMUN_PLANNER
    )
    services.add_membership(user=user, organisation=org_tree.umea, role=Role.PROCESS_LEAD)
    services.remove_membership(membership=planner)
    assert user.groups.filter(pk=org_tree.umea.group_id).exists()
    assert Group.objects.filter(pk=org_tree.umea.group_id).exists()
