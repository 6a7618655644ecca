"""Hostile or broken input on the analysis pages: every refusal a 400 naming the field or a
404, never a 500, and nothing stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from analysis.analyses.answers import AnswerInput, InvalidAnswers, save_column
from analysis.analyses.models import Analysis, ChecklistAnswer, ImprovementAction
from tests.analysis.analyses.conftest import March
from tests.conftest import Personas, login

pytestmark = pytest.mark.django_db

HUGE = 2**64  # no 64-bit id column holds it; SQLite raises OverflowError for it


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"analysis:analyses:{name}", kwargs=kwargs)


def test_ids_beyond_any_row_are_404(march: March, personas: Personas) -> None:
    client = login(personas.processledare)
    pk = march.analysis.pk
    for page in (
        url("detail", pk=HUGE),
        url("patient", pk=pk, number=HUGE),
        url("pdf_status", pk=pk, job_id=HUGE),
        url("pdf_download", pk=pk, job_id=HUGE),
    ):
        assert client.get(page).status_code == 404, page
    follow_up = url("follow_up", pk=pk, action_id=HUGE)
    assert (
        client.post(follow_up, {"date": "2026-03-02", "note": "x", "status": "done"}).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "start",
            {"kommun": str(HUGE), "month": "2026-03", "care_type": "all"},
            "Välj ett giltigt",
        ),
        ("start", {"kommun": "x", "month": "2026-03", "care_type": "all"}, "Välj ett giltigt"),
        ("start", {"kommun": "", "month": "26-3", "care_type": "all"}, "Ange månaden som ÅÅÅÅ-MM."),
        ("start", {"kommun": "", "month": "2026-13", "care_type": "all"}, "Ange månaden som"),
        ("start", {"kommun": "", "month": "2026-03", "care_type": "x"}, "Välj ett giltigt"),
    ],
)
def test_a_bad_start_is_a_400_naming_the_field(
    march: March, personas: Personas, name: str, data: dict[str, str], message: str
) -> None:
    response = login(personas.processledare).post(url(name), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Analysis.objects.count() == 1


def test_a_month_before_the_act_or_after_this_one_is_refused(
    march: March, personas: Personas
) -> None:
    client = login(personas.processledare)
    kommun = str(march.analysis.kommun.pk)
    for month in ("2017-12", "2099-01"):
        response = client.post(url("start"), {"kommun": kommun, "month": month, "care_type": "all"})
        assert response.status_code == 400
        assert "Välj en månad från 2018-01 till" in response.content.decode()
    assert Analysis.objects.count() == 1


def test_an_action_with_an_unknown_organisation_or_a_nul_is_refused(
    march: March, personas: Personas
) -> None:
    client = login(personas.processledare)
    values = {"text": "Åtgärd", "owner": "Chef", "due_date": "2026-12-01"}
    for data in ({"responsible": str(HUGE)}, {"responsible": "", "text": "a\x00b"}):
        response = client.post(url("add_action", pk=march.analysis.pk), values | data)
        assert response.status_code == 400
    assert not ImprovementAction.objects.exists()


def test_a_nul_in_a_comment_is_refused_by_the_page_and_the_service(
    march: March, personas: Personas
) -> None:
    response = login(personas.ward_nurse).post(
        url("save_column", pk=march.analysis.pk, number=1, column="ward"),
        {"sbar-choice": "yes", "sbar-comment": "SBAR\x00"},
    )
    assert response.status_code == 400
    patient = march.analysis.patients.get(number=1)
    with pytest.raises(InvalidAnswers) as refused:
        save_column(
            user=personas.ward_nurse, patient=patient, column="ward",
            entries={"sbar": AnswerInput("yes", comment="SBAR\x00")},
        )  # fmt: skip
    assert set(refused.value.errors) == {"sbar-comment"}
    assert not ChecklistAnswer.objects.exists()


def test_a_comment_of_exactly_the_limit_is_kept(march: March, personas: Personas) -> None:
    response = login(personas.ward_nurse).post(
        url("save_column", pk=march.analysis.pk, number=1, column="ward"),
        {"sbar-choice": "no", "sbar-comment": "å" * 1000},
    )
    assert response.status_code == 302
    assert ChecklistAnswer.objects.get().comment == "å" * 1000


def test_an_unknown_column_is_refused(march: March, personas: Personas) -> None:
    response = login(personas.ward_nurse).post(
        url("save_column", pk=march.analysis.pk, number=1, column="region"), {"sbar-choice": "yes"}
    )
    assert response.status_code == 403
    assert not ChecklistAnswer.objects.exists()
