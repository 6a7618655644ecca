"""discharges.services: what every message shares, and who may act.

For every message (``CASES``): the event is appended for each party that may send it; it is
refused from another party or an organisation that is no party, dated in the future, back-dated
beyond the limit or before the admission, with a time without time zone, with a stale version,
after the discharge (planning messages) and after the closure; nothing changes on a refusal.
Then the actors: membership of the organisation, back-dating within the limit, the region's
integration account.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from discharges import services
from discharges.models import (
    CareType,
    ClosureReason,
    Episode,
    EventKind,
    Hospital,
    Patient,
    Region,
    Ward,
)
from discharges.services import Actor, NotPermitted, Stale
from tests.conftest import OrgTree, Personas
from tests.discharges.services.conftest import (
    CASES,
    PARTIES,
    Case,
    actor_of,
    assert_appended,
    assert_refused,
    first_sender,
)

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


# Times every message refuses (field "occurred_at"): (days since admission, the time sent).
BAD_TIMES: dict[str, tuple[int, Callable[[Episode], datetime]]] = {
    "in-the-future": (
        3,
        lambda ep: timezone.now() + settings.SVU_FUTURE_TOLERANCE + timedelta(minutes=5),
    ),
    # Admitted long ago, so the time is after the admission and only the back-dating is wrong.
    "back-dated-beyond-the-limit": (
        60,
        lambda ep: timezone.now() - settings.SVU_MAX_BACKDATE - timedelta(hours=1),
    ),
    "before-the-admission": (3, lambda ep: ep.admitted_at - timedelta(minutes=1)),
    # A naive time is the point.
    "without-time-zone": (3, lambda ep: datetime.now() - timedelta(minutes=1)),  # noqa: DTZ005
}


@pytest.mark.parametrize("case", CASES, ids=str)
@pytest.mark.parametrize("bad_time", sorted(BAD_TIMES))
def test_it_refuses_a_message_at_an_impossible_time(
    case: Case,
    bad_time: str,
    make_episode: Callable[..., Episode],
    org_tree: OrgTree,
    personas: Personas,
    advance: Callable[..., Episode],
) -> None:
    days_since_admission, time_of = BAD_TIMES[bad_time]
    episode = make_episode(admitted_at=timezone.now() - timedelta(days=days_since_admission))
    advance(episode, case.state)
    at = time_of(episode)
    actor = first_sender(personas, case)
    assert_refused(
        episode, lambda: case.send(episode, actor, org_tree, occurred_at=at), field="occurred_at"
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
