"""Seed 003's indicators 1, 2, 5, 6, 7, 8, 11 and 12 (analysis.indicators), stored per kommun,
health centre, care type and month of discharge, on hand-built stays.

March 2026, somatic care, Umeå and Ålidhem unless said:

| id | born | notice | SIP held (place) | follow-up planned / done | discharged | needs |
|----|------|--------|------------------|--------------------------|------------|-------|
| A | 1950 | yes | 5/3 home | 20/3 / 18/3 (as planned) | 6/3 | unchanged |
| B | 1990 | yes | 9/3 video | 25/3 / 28/3 (late) | 10/3 | new social |
| C | 1960-03-12 | no | - | - | 12/3 | none |
| D | 1941 | yes | 14/3 phone | 10/4 / - | 15/3 | not given |
| E | 1941, psychiatric, no health centre | yes | - | - | 20/3 | unchanged |
| F | 1941, Skellefteå, Morö Backe | yes | 12/3 hospital | - | 13/3 | new social |
| G | 1941 | yes | - | - | still in hospital: not counted |

Readmissions (Umeå, no health centre, somatic), admission type of the later stay:

| patient | born | stay 1 discharged | stay 2 admitted | counted |
|---|---|---|---|---|
| P1 | 1950-05-01 | 31/1 10:00 | 20/2 akut (day 20) | January: yes; stay 2 (out 22/2): no |
| P2 | 1961-02-15 | 14/2, aged 64 | 16/2 akut | not in the base; stay 2 (disch. 18/2, 65): no |
| P3 | 1961-02-14 | 14/2, 65 that day | 16/3 akut (day 30) | February: yes |
| P4 | 1940-01-01, samordningsnummer | 10/1 | 10/2 akut (day 31) | January: no |
| P5 | 1945 | 15/1 | 20/1 planerad | January: no |
| P6 | 1961-01-20, samordningsnummer | 25/1 10:00 | 25/1 18:00 akut (day 0) | January: yes |
| P7 | 1980 | 12/1 | 15/1 akut | not in the base (45) |
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from django.urls import reverse

from analysis.indicator_models import INDICATOR_COUNTS, MonthlyIndicators
from analysis.indicators import compute_indicators
from analysis.statistics import compute_statistics
from discharges.models import AdmissionType, NeedsOutcome, SipPlace
from tests.analysis.indicator_data import Builder, Sip, at
from tests.conftest import OrgTree, Personas, login

pytestmark = pytest.mark.django_db

JAN, FEB, MARCH = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
ACUTE, PLANNED = AdmissionType.ACUTE, AdmissionType.PLANNED


def d(month: int, day: int) -> date:
    return date(2026, month, day)


def counts(row: MonthlyIndicators) -> dict[str, int]:
    return {name: getattr(row, name) for name in INDICATOR_COUNTS if getattr(row, name)}


def stored() -> dict[tuple[str, str | None, str, date], dict[str, int]]:
    return {
        (
            row.kommun.code,
            row.health_centre.name if row.health_centre else None,
            row.care_type,
            row.month,
        ): counts(row)
        for row in MonthlyIndicators.objects.select_related("kommun", "health_centre")
    }


@pytest.fixture
def builder(personas: Personas, org_tree: OrgTree) -> Builder:
    return Builder(personas, org_tree)


@pytest.fixture
def march(builder: Builder, org_tree: OrgTree) -> None:
    hc = org_tree.hc_umea
    b = builder
    b.stay(
        b.patient(date(1950, 6, 1), health_centre=hc),
        at(d(3, 1), 8),
        admission_type=ACUTE,
        ready=d(3, 5),
        sip=Sip(d(3, 4), d(3, 5), SipPlace.HOME, follow_up=d(3, 20), done=d(3, 18)),
        discharged=at(d(3, 6), 11),
        needs=NeedsOutcome.UNCHANGED,
    )
    b.stay(
        b.patient(date(1990, 6, 1), health_centre=hc),
        at(d(3, 2), 8),
        admission_type=PLANNED,
        ready=d(3, 8),
        sip=Sip(d(3, 8), d(3, 9), SipPlace.VIDEO, follow_up=d(3, 25), done=d(3, 28)),
        discharged=at(d(3, 10), 11),
        needs=NeedsOutcome.NEW_SOCIAL,
    )
    b.stay(
        b.patient(date(1960, 3, 12), health_centre=hc),
        at(d(3, 3), 8),
        admission_type=ACUTE,
        notice=False,
        ready=d(3, 10),
        discharged=at(d(3, 12), 11),
        needs=NeedsOutcome.NONE,
    )
    b.stay(
        b.patient(health_centre=hc),
        at(d(3, 5), 8),
        sip=Sip(d(3, 13), d(3, 14), SipPlace.PHONE, follow_up=d(4, 10)),
        discharged=at(d(3, 15), 11),
    )
    b.stay(
        b.patient(),
        at(d(3, 1), 8),
        ward=org_tree.psych_ward,
        discharged=at(d(3, 20), 11),
        needs=NeedsOutcome.UNCHANGED,
    )
    b.stay(
        b.patient(kommun=org_tree.skelleftea, health_centre=org_tree.hc_skelleftea),
        at(d(3, 10), 8),
        sip=Sip(d(3, 11), d(3, 12), SipPlace.HOSPITAL),
        discharged=at(d(3, 13), 11),
        needs=NeedsOutcome.NEW_SOCIAL,
    )
    b.stay(b.patient(health_centre=hc), at(d(3, 20), 8))  # G: still in hospital


def test_each_indicator_per_kommun_health_centre_care_type_and_month(
    march: None, org_tree: OrgTree
) -> None:
    assert compute_indicators() == 3
    assert stored() == {
        ("2480", org_tree.hc_umea.name, "somatik", MARCH): {
            "episodes": 4,  # A, B, C, D (G is still in hospital)
            "admission_notice": 3,  # 1: A, B, D
            "sip": 3,  # 2: A, B, D
            "aged_65plus": 3,  # A, C (66), D
            "needs_known": 3,
            "needs_unchanged": 1,  # 6: A
            "needs_new_social": 1,  # 7: B
            "needs_none": 1,  # C
            "sip_place_known": 3,
            "sip_home": 1,  # 8 and 11: A
            "sip_video": 1,  # 11: B
            "sip_phone": 1,  # 11: D
            "follow_up_planned": 3,  # 12: A, B, D
            "follow_up_done": 2,  # A, B
            "follow_up_as_planned": 1,  # A (B was done after the planned date)
        },
        ("2480", None, "psykiatri", MARCH): {
            "episodes": 1,
            "admission_notice": 1,
            "aged_65plus": 1,
            "needs_known": 1,
            "needs_unchanged": 1,
        },
        ("2482", org_tree.hc_skelleftea.name, "somatik", MARCH): {
            "episodes": 1,
            "admission_notice": 1,
            "sip": 1,
            "aged_65plus": 1,
            "needs_known": 1,
            "needs_new_social": 1,
            "sip_place_known": 1,
            "sip_hospital": 1,
        },
    }


@pytest.fixture
def readmissions(builder: Builder) -> None:
    b = builder

    def pair(
        born: date,
        first_out: datetime,
        second_in: datetime,
        second_type: str,
        *,
        coordination: bool = False,
        second_out: datetime | None = None,
    ) -> None:
        patient = b.patient(born, coordination=coordination)
        admitted = at(first_out.date().replace(day=1), 8)
        b.stay(patient, admitted, admission_type=PLANNED, discharged=first_out)
        b.stay(patient, second_in, admission_type=second_type, discharged=second_out)

    pair(date(1950, 5, 1), at(d(1, 31)), at(d(2, 20), 8), ACUTE, second_out=at(d(2, 22)))
    pair(date(1961, 2, 15), at(d(2, 14), 12), at(d(2, 16), 8), ACUTE, second_out=at(d(2, 18)))
    pair(date(1961, 2, 14), at(d(2, 14), 12), at(d(3, 16), 8), ACUTE)
    pair(date(1940, 1, 1), at(d(1, 10), 9), at(d(2, 10), 8), ACUTE, coordination=True)
    pair(date(1945, 7, 7), at(d(1, 15)), at(d(1, 20), 8), PLANNED)
    pair(date(1961, 1, 20), at(d(1, 25)), at(d(1, 25), 18), ACUTE, coordination=True)
    pair(date(1980, 1, 1), at(d(1, 12)), at(d(1, 15), 8), ACUTE)


def test_unplanned_readmissions_of_patients_65_and_over(readmissions: None) -> None:
    compute_indicators()
    rows = stored()
    january = rows[("2480", None, "somatik", JAN)]
    february = rows[("2480", None, "somatik", FEB)]
    # January: P1, P4, P5, P6, P7 discharged; 65+: P1, P4, P5, P6 (P6's samordningsnummer
    # read as born 1961-01-20); readmitted: P1 (in February: counted in January, the month of
    # the first discharge) and P6 (the same day); not P4 (day 31) nor P5 (planned).
    assert (january["episodes"], january["aged_65plus"], january["readmitted_65plus"]) == (5, 4, 2)
    # February: P1's second stay, P2's two, P3's first; 65+: P1, P2's second (65 on 15/2),
    # P3 (65 on its discharge day); readmitted: P3 (on day 30); P2's first stay was readmitted
    # but the patient was 64.
    assert (february["episodes"], february["aged_65plus"], february["readmitted_65plus"]) == (
        4,
        3,
        1,
    )


def test_recomputing_replaces_the_rows(march: None, builder: Builder) -> None:
    compute_indicators()
    compute_indicators()
    assert MonthlyIndicators.objects.count() == 3
    builder.stay(builder.patient(), at(d(4, 1), 8), discharged=at(d(4, 2)))
    assert compute_indicators() == 4


def test_the_statistics_recompute_stores_the_indicators(march: None) -> None:
    compute_statistics()
    assert MonthlyIndicators.objects.count() == 3


# --- On the kommun's follow-up page -----------------------------------------------------------


def _page(user: object, code: str = "2480") -> str:
    url = reverse("analysis:kommun", args=[code])
    response = login(user).get(url, {"from": "2026-03", "to": "2026-03"})  # type: ignore[arg-type]
    assert response.status_code == 200
    return response.content.decode()


def _row(html: str, month: str) -> str:
    """The row of ``month`` in the indicators table."""
    table = html.split('id="indikatorer-halland"', 1)[1].split("</table>", 1)[0]
    return table.split(f">{month}<", 1)[1].split("</tr>", 1)[0]


def test_the_kommun_page_shows_the_indicators_to_the_processledare(
    march: None, personas: Personas
) -> None:
    compute_statistics()
    html = _page(personas.processledare)
    row = _row(html, "2026-03")
    # Umeå, March, somatic and psychiatric together: 5 episodes, 4 with a notice (80 %),
    # 3 SIPs (60 %); 65+: A, C, D, E, none readmitted (0 %); outcomes known 4: unchanged
    # A and E (50 %), new needs B (25 %); SIP in the home A (20 % of 5); places of 3: video,
    # home, phone a third each, hospital none; follow-up as planned 1 of 3 (33 %).
    cells = [cell.split("<", 1)[0] for cell in row.split('class="num')[1:]]
    texts = [cell.split(">", 1)[1].replace("\xa0", " ") for cell in cells]
    assert texts == ["80 %", "60 %", "0 %", "50 %", "25 %", "20 %", "33 %", "0 %", "33 %",
                     "33 %", "33 %"]  # fmt: skip
    assert 'id="vantetider-download"' in html


def test_the_joint_group_sees_small_bases_hidden_and_no_national_download(
    march: None, personas: Personas
) -> None:
    compute_statistics()
    html = _page(personas.joint_group)
    row = _row(html, "2026-03")
    assert "&lt;5" in row  # e.g. 3 SIPs with a known place, 3 planned follow-ups
    assert 'id="vantetider-download"' not in html


def test_the_indicators_table_downloads_as_the_page_shows_it(
    march: None, personas: Personas
) -> None:
    """The kommun page's download of seed 003's indicators: the same shares as the page, in
    Swedish Excel's form (UTF-8 with BOM, ``;``), and the group's small bases hidden."""
    compute_statistics()
    url = reverse("analysis:kommun_export", args=["2480", "indikatorer-halland", "csv"])
    period = {"from": "2026-03", "to": "2026-03"}
    body = login(personas.processledare).get(url, period).content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Månad" and rows[0][1] == "1. Inskrivningsmeddelande"
    march_row = next(row for row in rows if row[0] == "2026-03")
    assert march_row[1:4] == ["80,0", "60,0", "0,0"]  # per cent, Swedish decimal comma
    group = login(personas.joint_group).get(url, period).content.decode("utf-8-sig")
    assert "<5" in group
    xlsx_url = reverse("analysis:kommun_export", args=["2480", "indikatorer-halland", "xlsx"])
    xlsx = login(personas.processledare).get(xlsx_url, period)
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
