"""Bilaga 1: every row of seed 000's checklist, and the rows the event log fills in.

The expected texts are read back from the stored events (not from the episode's projection,
which the checklist reads), so a prefilled row that disagrees with the log fails.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.utils import translation

from analysis.analyses.access import LEAD, AnalysisAccess
from analysis.analyses.checklist import ANSWERABLE, ROWS, all_labels
from analysis.analyses.models import Analysis
from analysis.analyses.sheets import Sheet, build_sheets
from discharges.clock import ZONE, local_date
from discharges.models import Episode, EpisodeEvent, EventKind
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

# Seed 000, Bilaga 1, as printed: the main details, then the steps in the process.
BILAGA_1 = [
    "Patient, namn och personnummer",
    "Sjukhus och avdelning",
    "Hälsocentral/öppenvårdsmottagning",
    "Kommun, ange berörda enheter",
    "Inskrivningsmeddelande datum",
    "Prel. ut datum ändrat antal gånger",
    "Ut-rapport startad datum",
    "Ut-klar: datum",
    "Faktisk hemgång: datum",
    "Ut-klar skickat klockslag endast vid betalningsansvar",
    "Svar på inskrivning med pågående/ i närtid genomförda insatser: ja/nej",
    "Angett namngiven fast vårdkontakt: ja/nej",
    "Initiativ till SIP skickat: datum eller nej = ej skickat",
    "SBAR ja eller nej",
    "Inskriven i hemsjukvården ja eller nej",
    "Initiativ makulerat ja eller nej",
    "Kallelse till SIP skickat datum eller nej = ej skickad",
    "SIP genomförd datum eller nej = ej skickad",
    "Svar på inskrivning med tidigare eller pågående insatser, vilka professioner insatser "
    "beskrivna, ja eller nej.",
    "Planering av Sol-insatser klart: datum",
    "Planering av HSL-insatser klart: datum",
    "Kommunklar: datum",
    "Delgett planerade insatser från SoL och HSL: ja/nej och datum",
    "Fördröjd hemgång pga plats-/resursbrist: ja eller nej",
    "Fördröjd hemgång pga komplexa behov och förutsättningar i hemmet",
]
# The rows each organisation answers itself (issue 9), the others come from the log.
ANSWERED = {
    "discharge_report_started",
    "sbar",
    "home_health_care",
    "initiative_cancelled",
    "planned_services_shared",
    "delay_capacity",
    "delay_complex_needs",
    "kommun_units",
}


def test_it_has_every_row_of_bilaga_1_in_the_seeds_words() -> None:
    with translation.override("sv"):
        assert all_labels() == BILAGA_1
        complex_needs = next(r for r in ROWS if r.code == "delay_complex_needs")
        assert str(complex_needs.hint) == "Beskriv i kommentarsfält"
        units = ANSWERABLE["kommun_units"]
        assert str(units.hint) == "BHL, EC hemtjänst, AT, FT, SSK"


def test_the_answered_rows_are_the_ones_the_log_cannot_know() -> None:
    assert {code for code, row in ANSWERABLE.items() if not row.from_log} == ANSWERED
    assert ANSWERABLE["kommun_units"].columns == ("kommun",)


def _sheet(analysis: Analysis, personas: Personas) -> Sheet:
    access = AnalysisAccess(personas.processledare, analysis, LEAD, None, None)
    return build_sheets(access, list(access.patients()))[0]


def _cells(sheet: Sheet) -> dict[str, dict[str, str]]:
    return {
        view.row.code: {cell.column: cell.text for cell in view.cells if cell.text}
        for view in sheet.rows
    }


def _event(episode: Episode, kind: str) -> EpisodeEvent:
    return EpisodeEvent.objects.filter(episode=episode, kind=kind).order_by("seq").last()  # type: ignore[return-value]


def _day(episode: Episode, kind: str) -> str:
    return local_date(_event(episode, kind).occurred_at).isoformat()


def test_the_prefilled_rows_equal_what_the_event_log_says(
    full_stay: Callable[..., Episode], triggered: Callable[[], list[Analysis]], personas: Personas
) -> None:
    episode = full_stay(date(2026, 3, 10), date(2026, 3, 16))
    [analysis] = triggered()
    with translation.override("en"):
        cells = _cells(_sheet(analysis, personas))
    answers = {
        e.data["party"]: e.data
        for e in EpisodeEvent.objects.filter(episode=episode, kind=EventKind.ADMISSION_ANSWER)
    }
    ready = _event(episode, EventKind.READY_NOTICE)
    yes_no = {True: "yes", False: "no"}
    expected = {
        "admission_notice": {"ward": _day(episode, EventKind.ADMISSION_NOTICE)},
        "preliminary_changes": {
            "ward": str(
                EpisodeEvent.objects.filter(
                    episode=episode, kind=EventKind.PRELIMINARY_DATE_CHANGED
                ).count()
            )
        },
        "ready_date": {"ward": ready.data["ready_date"]},
        "homecoming": {"ward": _day(episode, EventKind.DISCHARGE)},
        "ready_notice_time": {"ward": f"{ready.occurred_at.astimezone(ZONE):%H:%M}"},
        "answer_current_services": {
            party: yes_no[answers[party]["current_services"]]
            for party in ("health_centre", "kommun")
        },
        "named_care_contact": {"health_centre": "yes"},
        "sip_initiative": {
            "ward": "no",
            "health_centre": "no",
            "kommun": _day(episode, EventKind.SIP_INITIATIVE),
        },
        "sip_invitation": {"health_centre": _day(episode, EventKind.SIP_INVITATION)},
        "sip_held": {"health_centre": _event(episode, EventKind.SIP_HELD).data["held_date"]},
        "answer_described": {
            party: yes_no[bool(answers[party]["services"])] for party in ("health_centre", "kommun")
        },
        "sol_planning": {"kommun": _day(episode, EventKind.SOL_PLANNING_DONE)},
        "hsl_planning": {"kommun": _day(episode, EventKind.HSL_PLANNING_DONE)},
        "kommun_ready": {"kommun": _day(episode, EventKind.KOMMUN_READY)},
    }
    prefilled = {code: texts for code, texts in cells.items() if code not in ANSWERED}
    assert prefilled == expected
    # The table of conftest.full_stay, by hand.
    assert expected["admission_notice"] == {"ward": "2026-03-05"}
    assert expected["preliminary_changes"] == {"ward": "2"}
    assert expected["ready_notice_time"] == {"ward": "10:35"}
    assert expected["answer_current_services"] == {"health_centre": "no", "kommun": "yes"}
    assert expected["sip_initiative"]["kommun"] == "2026-03-08"
    assert expected["kommun_ready"] == {"kommun": "2026-03-15"}


def test_messages_never_sent_read_no_and_missing_answers_read_no_answer(
    simple_stay: Callable[..., Episode],
    triggered: Callable[[], list[Analysis]],
    personas: Personas,
) -> None:
    simple_stay(date(2026, 3, 10), date(2026, 3, 14))
    [analysis] = triggered()
    with translation.override("en"):
        cells = _cells(_sheet(analysis, personas))
    assert cells["answer_current_services"] == {"health_centre": "no answer", "kommun": "no answer"}
    assert cells["named_care_contact"] == {"health_centre": "no"}
    assert cells["sip_initiative"] == {"ward": "no", "health_centre": "no", "kommun": "no"}
    assert cells["sip_invitation"] == {"health_centre": "no"}
    assert cells["sip_held"] == {"health_centre": "no"}
    assert cells["kommun_ready"] == {"kommun": "no"}
    assert cells["preliminary_changes"] == {"ward": "0"}
    assert cells["ready_notice_time"] == {"ward": "09:00"}
    for code in ANSWERED - {"kommun_units"}:
        assert cells[code] == {}, code
