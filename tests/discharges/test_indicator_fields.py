"""The message fields the indicators of seed 003 need (issue 14): the admission type at
registration, where the SIP was held and its planned follow-up, the new message "SIP follow-up
done", the outcome of needs at discharge. Each through its service (stored in the event,
projected onto the episode, refused with the field named and nothing changed), the page's form
and the timeline's Swedish summary."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone, translation

from discharges import services
from discharges.models import (
    AdmissionType,
    Destination,
    Episode,
    EpisodeEvent,
    EventKind,
    NeedsOutcome,
    Patient,
    SipPlace,
)
from discharges.projection import replay
from discharges.services import Refused
from discharges.templatetags.svu import event_summary
from tests.conftest import OrgTree, Personas, fresh, login
from tests.csvfiles import COLUMNS, run_command, stay, write_csv
from tests.discharges.pages import REGISTER_URL, detail_url, message_url
from tests.discharges.services.conftest import assert_refused, today

# --- Admission type -----------------------------------------------------------------------------


def test_it_registers_the_admission_type(
    make_episode: Callable[..., Episode], patient: Patient
) -> None:
    episode = make_episode(patient, admission_type=AdmissionType.ACUTE)
    registered = EpisodeEvent.objects.get(episode=episode, seq=1)
    assert registered.data["admission_type"] == "akut"
    assert fresh(episode).admission_type == "akut"
    with translation.override("sv"):
        assert event_summary(registered) == "Akut"


def test_an_episode_without_admission_type_is_unknown(
    make_episode: Callable[..., Episode],
) -> None:
    episode = make_episode()
    assert fresh(episode).admission_type == ""


def test_an_unknown_admission_type_is_refused_and_nothing_is_stored(
    personas: Personas, org_tree: OrgTree, patient: Patient
) -> None:
    with pytest.raises(Refused) as info:
        services.register_episode(
            actor=personas.ward_actor,
            patient=patient,
            ward=org_tree.ward,
            admitted_at=timezone.now() - timedelta(hours=1),
            admission_type="ambulans",
        )
    assert info.value.field == "admission_type"
    assert not Episode.objects.exists()


def test_an_event_stored_before_the_admission_type_existed_replays_as_unknown(
    make_episode: Callable[..., Episode],
) -> None:
    episode = make_episode(admission_type=AdmissionType.PLANNED)
    event = EpisodeEvent.objects.get(episode=episode, seq=1)
    del event.data["admission_type"]  # in memory only: the log is append-only
    assert replay([event]).admission_type == ""


def test_the_register_page_requires_the_admission_type(
    nurse: Client, org_tree: OrgTree, new_personnummer: Callable[..., str]
) -> None:
    data = {
        "personnummer": new_personnummer(),
        "name": "Sven Ek",
        "address": "Kungsgatan 3, 903 30 Umeå",
        "kommun": org_tree.umea.pk,
        "health_centre": org_tree.hc_umea.pk,
        "ward": org_tree.ward.pk,
        "care_type": "",
        "admitted_at": (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
    }
    refused = nurse.post(REGISTER_URL, data)
    assert refused.status_code in (200, 400)
    assert "admission_type" in refused.context["form"].errors
    assert not Episode.objects.exists()

    sent = nurse.post(REGISTER_URL, {**data, "admission_type": "akut"})
    assert sent.status_code == 302
    assert Episode.objects.get().admission_type == "akut"


# --- SIP held: where, and the follow-up planned -------------------------------------------------


def test_it_records_where_the_sip_was_held_and_the_follow_up_planned(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "sip_invited")
    planned = today() + timedelta(days=14)
    event = services.record_sip_held(
        actor=personas.hc_actor,
        episode=episode,
        held_date=today(),
        place=SipPlace.HOME,
        follow_up_date=planned,
    )
    assert event.data == {
        "held_date": today().isoformat(),
        "place": "home",
        "follow_up_date": planned.isoformat(),
    }
    stored = fresh(episode)
    assert (stored.sip_place, stored.sip_follow_up_date) == ("home", planned)
    with translation.override("sv"):
        assert event_summary(event) == (
            f"Genomförd {today():%Y-%m-%d}. Fysiskt i hemmet. "
            f"Uppföljning planerad {planned:%Y-%m-%d}"
        )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"place": "garden"}, "place"),
        ({"follow_up_date": "yesterday"}, "follow_up_date"),
        ({"follow_up_date": "next year and a day"}, "follow_up_date"),
    ],
)
def test_a_bad_place_or_follow_up_date_is_refused(
    episode: Episode,
    personas: Personas,
    advance: Callable[..., Episode],
    kwargs: dict[str, str],
    field: str,
) -> None:
    advance(episode, "sip_invited")
    values: dict[str, object] = {"place": "", "follow_up_date": None}
    values.update(kwargs)
    if values["follow_up_date"] == "yesterday":
        values["follow_up_date"] = today() - timedelta(days=1)
    elif values["follow_up_date"] == "next year and a day":
        values["follow_up_date"] = today() + timedelta(days=366)
    assert_refused(
        episode,
        lambda: services.record_sip_held(
            actor=personas.hc_actor, episode=episode, held_date=today(), **values
        ),
        field=field,
    )


def test_the_sip_held_page_sends_place_and_follow_up(
    personas: Personas, episode: Episode, advance: Callable[..., Episode]
) -> None:
    advance(episode, "sip_invited")
    episode = fresh(episode)
    planned = today() + timedelta(days=30)
    response = login(personas.hc_coordinator).post(
        message_url(episode.pk, EventKind.SIP_HELD),
        {
            "version": episode.version,
            "held_date": today().isoformat(),
            "place": "video",
            "follow_up_date": planned.isoformat(),
            "confirmed": "1",  # the meeting was planned for tomorrow: a warning, sent anyway
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    stored = fresh(episode)
    assert (stored.sip_place, stored.sip_follow_up_date) == ("video", planned)


# --- SIP follow-up done -------------------------------------------------------------------------


def _held_and_discharged(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> Episode:
    advance(episode, "sip_invited")
    held = today() - timedelta(days=1)
    services.record_sip_held(
        actor=personas.hc_actor,
        episode=episode,
        held_date=held,
        place=SipPlace.PHONE,
        follow_up_date=today(),
        occurred_at=timezone.now() - timedelta(hours=1),
    )
    advance(episode, "discharged")
    return episode


def test_the_follow_up_is_recorded_done_after_the_discharge(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    _held_and_discharged(episode, personas, advance)
    event = services.record_sip_follow_up_done(
        actor=personas.hc_actor, episode=episode, done_date=today()
    )
    assert (event.kind, event.data) == (
        EventKind.SIP_FOLLOW_UP_DONE,
        {"done_date": today().isoformat()},
    )
    assert fresh(episode).sip_follow_up_done_date == today()
    with translation.override("sv"):
        assert event.get_kind_display() == "Uppföljning av SIP genomförd"
        assert event_summary(event) == f"Genomförd {today():%Y-%m-%d}"
    # Once only.
    assert_refused(
        episode,
        lambda: services.record_sip_follow_up_done(
            actor=personas.hc_actor, episode=episode, done_date=today()
        ),
    )


def test_a_follow_up_without_a_sip_held_is_refused(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "sip_invited")
    assert_refused(
        episode,
        lambda: services.record_sip_follow_up_done(
            actor=personas.hc_actor, episode=episode, done_date=today()
        ),
    )


@pytest.mark.parametrize("days", [-2, 1])
def test_a_follow_up_before_the_sip_or_in_the_future_is_refused(
    episode: Episode, personas: Personas, advance: Callable[..., Episode], days: int
) -> None:
    _held_and_discharged(episode, personas, advance)
    assert_refused(
        episode,
        lambda: services.record_sip_follow_up_done(
            actor=personas.hc_actor, episode=episode, done_date=today() + timedelta(days=days)
        ),
        field="done_date",
    )


def test_the_follow_up_page_is_offered_and_sends(
    personas: Personas, episode: Episode, advance: Callable[..., Episode]
) -> None:
    _held_and_discharged(episode, personas, advance)
    episode = fresh(episode)
    assert EventKind.SIP_FOLLOW_UP_DONE in services.available_kinds(episode, "health_centre")
    response = login(personas.hc_coordinator).post(
        message_url(episode.pk, EventKind.SIP_FOLLOW_UP_DONE),
        {"version": episode.version, "done_date": today().isoformat()},
    )
    assert response.status_code == 302
    assert fresh(episode).sip_follow_up_done_date == today()


# --- Outcome of needs at discharge --------------------------------------------------------------


def test_the_discharge_carries_the_outcome_of_needs(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    event = services.register_discharge(
        actor=personas.ward_actor,
        episode=episode,
        destination=Destination.HOME,
        needs_outcome=NeedsOutcome.NEW_SOCIAL,
    )
    assert event.data == {"destination": "ordinary_home", "needs_outcome": "new_social"}
    assert fresh(episode).needs_outcome == "new_social"
    with translation.override("sv"):
        assert event_summary(event) == (
            "Ordinärt boende. Nya behov av insatser från socialtjänsten"
        )


def test_an_unknown_outcome_of_needs_is_refused(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    assert_refused(
        episode,
        lambda: services.register_discharge(
            actor=personas.ward_actor,
            episode=episode,
            destination=Destination.HOME,
            needs_outcome="better",
        ),
        field="needs_outcome",
    )


def test_the_discharge_page_sends_the_outcome_of_needs(
    nurse: Client, episode: Episode, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    episode = fresh(episode)
    response = nurse.post(
        message_url(episode.pk, EventKind.DISCHARGE),
        {"version": episode.version, "destination": "ordinary_home", "needs_outcome": "none"},
    )
    assert response.status_code == 302
    assert fresh(episode).needs_outcome == "none"


def test_the_episode_page_shows_the_new_fields_in_swedish(
    nurse: Client,
    make_episode: Callable[..., Episode],
    personas: Personas,
    advance: Callable[..., Episode],
) -> None:
    episode = make_episode(admission_type=AdmissionType.ACUTE)
    _held_and_discharged(episode, personas, advance)
    services.record_sip_follow_up_done(actor=personas.hc_actor, episode=episode, done_date=today())
    html = nurse.get(detail_url(episode.pk)).content.decode()
    assert "<dt>Typ av inskrivning</dt><dd>Akut</dd>" in html
    assert "Telefon" in html  # where the SIP was held
    assert f"planerad {today():%Y-%m-%d}, genomförd {today():%Y-%m-%d}" in html


# --- The history import: the optional columns -----------------------------------------------------


def test_the_import_reads_admission_type_and_outcome_of_needs(
    tmp_path: Path, org_tree: OrgTree
) -> None:
    columns = [*COLUMNS, "admission_type", "needs_outcome"]
    rows = [
        {**stay("H1", 31, date(2026, 3, 10), date(2026, 3, 12)), "admission_type": "akut",
         "needs_outcome": "new_social"},
        {**stay("H2", 32, date(2026, 3, 10), date(2026, 3, 12)), "admission_type": "",
         "needs_outcome": ""},
    ]  # fmt: skip
    run_command("import_episodes", str(write_csv(tmp_path / "h.csv", rows, columns)))
    first, second = Episode.objects.get(external_id="H1"), Episode.objects.get(external_id="H2")
    assert (first.admission_type, first.needs_outcome) == ("akut", "new_social")
    assert (second.admission_type, second.needs_outcome) == ("", "")


def test_the_import_refuses_a_bad_admission_type_naming_row_and_column(
    tmp_path: Path, org_tree: OrgTree
) -> None:
    columns = [*COLUMNS, "admission_type"]
    rows = [{**stay("H3", 33, date(2026, 3, 10), None), "admission_type": "ambulans"}]
    err = io.StringIO()
    with pytest.raises(CommandError), translation.override("en"):
        path = write_csv(tmp_path / "h.csv", rows, columns)
        call_command("import_episodes", str(path), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().splitlines()[0] == (
        "row 2, column admission_type: expected akut or planerad (empty: not known)"
    )
    assert not Episode.objects.exists()
