"""discharges.services admission: the admission notice and the planning messages around it.

send_admission_notice, change_preliminary_date, answer_admission, name_care_contact,
assess_track_colour and change_recipients: the happy paths, then their refusals as one table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from discharges import selectors, services
from discharges.models import Episode, EpisodeStatus, EventKind, TrackColour
from discharges.services import NotPermitted
from tests.conftest import OrgTree, Personas
from tests.discharges.services.conftest import (
    Refusal,
    Scene,
    check_refusal,
    refusal_table,
    send_and_check,
    today,
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


# --- Refusals ---------------------------------------------------------------------------------


def before_admission(scene: Scene) -> date:
    """The day before the admission day."""
    return timezone.localdate(scene.episode.admitted_at) - timedelta(days=1)


def admission_notice(scene: Scene, **kwargs: Any) -> Any:
    return services.send_admission_notice(
        actor=scene.personas.ward_actor, episode=scene.episode, **kwargs
    )


def preliminary_date(scene: Scene, **kwargs: Any) -> Any:
    return services.change_preliminary_date(
        actor=scene.personas.ward_actor, episode=scene.episode, **kwargs
    )


def kommun_answer(scene: Scene) -> Any:
    return services.answer_admission(
        actor=scene.personas.kommun_actor, episode=scene.episode, current_services=False
    )


def ready_notice(scene: Scene) -> Any:
    return services.send_ready_notice(
        actor=scene.personas.ward_actor, episode=scene.episode, ready_date=today()
    )


@refusal_table(
    Refusal(
        "second-admission-notice",
        "noticed",
        lambda s: admission_notice(s, preliminary_ready_date=today()),
    ),
    Refusal(
        "preliminary-date-before-admission",
        "registered",
        lambda s: admission_notice(s, preliminary_ready_date=before_admission(s)),
        field="preliminary_ready_date",
    ),
    Refusal(
        "preliminary-date-change-before-admission-notice",
        "registered",
        lambda s: preliminary_date(s, preliminary_ready_date=today()),
    ),
    Refusal(
        "preliminary-date-change-after-ready-notice",
        "ready",
        lambda s: preliminary_date(s, preliminary_ready_date=today()),
    ),
    Refusal(
        "unchanged-preliminary-date",
        "noticed",
        lambda s: preliminary_date(s, preliminary_ready_date=s.episode.preliminary_ready_date),
        field="preliminary_ready_date",
    ),
    Refusal(
        "changed-preliminary-date-before-admission",
        "noticed",
        lambda s: preliminary_date(s, preliminary_ready_date=before_admission(s)),
        field="preliminary_ready_date",
    ),
    # Not shared yet: the kommun has received nothing, so it may not send anything either.
    Refusal("answer-before-sharing", "registered", kommun_answer, NotPermitted),
    # Shared by a ready notice alone: there is still no admission notice to answer.
    Refusal("answer-without-admission-notice", "registered", kommun_answer, before=ready_notice),
    Refusal(
        "blank-care-contact",
        "noticed",
        lambda s: services.name_care_contact(
            actor=s.personas.hc_actor, episode=s.episode, name="  "
        ),
        field="name",
    ),
    Refusal(
        "unknown-track-colour",
        "noticed",
        lambda s: services.assess_track_colour(
            actor=s.personas.ward_actor, episode=s.episode, colour="purple"
        ),
        field="colour",
    ),
    Refusal(
        "unchanged-recipients",
        "noticed",
        lambda s: services.change_recipients(
            actor=s.personas.ward_actor,
            episode=s.episode,
            kommun=s.org_tree.umea,
            health_centre=s.org_tree.hc_umea,
        ),
    ),
)
def test_it_refuses(refusal: Refusal, scene: Scene) -> None:
    check_refusal(refusal, scene)
