"""Each organisation fills its own column: every answer kept with author and time, a change
based on a replaced answer refused, another party's column refused (403), bad input refused
with the field named, nothing changed by a refusal."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from analysis.analyses import answers
from analysis.analyses.answers import AnswerInput, InvalidAnswers
from analysis.analyses.models import ChecklistAnswer
from analysis.analyses.services import close_analysis
from discharges.services import NotPermitted, Refused, Stale
from tests.analysis.analyses.conftest import March
from tests.conftest import Personas, login

pytestmark = pytest.mark.django_db


def column_url(march: March, number: int, column: str) -> str:
    return reverse(
        "analysis:analyses:save_column",
        kwargs={"pk": march.analysis.pk, "number": number, "column": column},
    )


def patient_url(march: March, number: int) -> str:
    return reverse("analysis:analyses:patient", kwargs={"pk": march.analysis.pk, "number": number})


def post(client: Client, url: str, **rows: dict[str, Any]) -> Any:
    data = {
        f"{code}-{part}": value for code, parts in rows.items() for part, value in parts.items()
    }
    return client.post(url, data)


def first_patient(march: March) -> Any:
    return march.analysis.patients.get(episode=march.first)


def snapshot() -> list[tuple[Any, ...]]:
    return list(ChecklistAnswer.objects.order_by("id").values_list())


def test_every_answer_is_kept_with_author_and_time(march: March, personas: Personas) -> None:
    nurse = login(personas.ward_nurse)
    url = column_url(march, 1, "ward")
    response = post(nurse, url, sbar={"choice": "yes", "comment": "SBAR till hemtjänsten"})
    assert response.status_code == 302
    first = ChecklistAnswer.objects.get(row="sbar")
    assert (first.column, first.choice, first.author, first.organisation_id) == (
        "ward", "yes", personas.ward_nurse, march.first.ward_id
    )  # fmt: skip
    response = post(nurse, url, sbar={"choice": "no", "comment": "", "based_on": first.pk})
    assert response.status_code == 302
    history = list(ChecklistAnswer.objects.filter(row="sbar").order_by("id"))
    assert [(a.choice, a.comment) for a in history] == [
        ("yes", "SBAR till hemtjänsten"),
        ("no", ""),
    ]
    assert history[1].replaces == first and history[1].answered_at >= first.answered_at
    page = nurse.get(patient_url(march, 1)).content.decode()
    assert "Historik (2 svar)" in page
    assert "SBAR till hemtjänsten" in page  # the replaced answer stays visible in the history


def test_a_change_based_on_a_replaced_answer_is_refused(march: March, personas: Personas) -> None:
    patient = first_patient(march)
    answers.save_column(
        user=personas.ward_nurse, patient=patient, column="ward",
        entries={"sbar": AnswerInput(choice="yes")},
    )  # fmt: skip
    seen = ChecklistAnswer.objects.get(row="sbar").pk
    answers.save_column(
        user=personas.ward_nurse, patient=patient, column="ward",
        entries={"sbar": AnswerInput(choice="no", based_on=seen)},
    )  # fmt: skip
    before = snapshot()
    with pytest.raises(Stale):
        answers.save_column(
            user=personas.ward_nurse, patient=patient, column="ward",
            entries={"sbar": AnswerInput(choice="yes", comment="min ändring", based_on=seen)},
        )  # fmt: skip
    assert snapshot() == before
    response = post(
        login(personas.ward_nurse), column_url(march, 1, "ward"),
        sbar={"choice": "yes", "based_on": seen},
    )  # fmt: skip
    assert response.status_code == 409
    assert "ändrades av någon annan" in response.content.decode()
    assert snapshot() == before


def test_a_kommun_user_cannot_write_the_wards_column(march: March, personas: Personas) -> None:
    planner = login(personas.kommun_planner)
    assert planner.get(patient_url(march, 1)).status_code == 200
    response = post(planner, column_url(march, 1, "ward"), sbar={"choice": "yes"})
    assert response.status_code == 403
    with pytest.raises(NotPermitted):
        answers.save_column(
            user=personas.kommun_planner, patient=first_patient(march), column="ward",
            entries={"sbar": AnswerInput(choice="yes")},
        )  # fmt: skip
    assert not ChecklistAnswer.objects.exists()
    assert post(planner, column_url(march, 1, "kommun"), sbar={"choice": "no"}).status_code == 302
    assert ChecklistAnswer.objects.get().column == "kommun"


def test_the_processledare_and_the_group_fill_no_column(march: March, personas: Personas) -> None:
    for user in (personas.processledare, personas.joint_group):
        response = post(login(user), column_url(march, 1, "ward"), sbar={"choice": "yes"})
        assert response.status_code == 403
    assert not ChecklistAnswer.objects.exists()


@pytest.mark.parametrize(
    ("rows", "field", "message"),
    [
        (
            {"planned_services_shared": {"choice": "no", "date": "2026-03-12"}},
            "planned_services_shared-date",
            "Ett datum hör bara till ett ja.",
        ),
        (
            {"planned_services_shared": {"choice": "yes"}},
            "planned_services_shared-date",
            "Ange datum när svaret är ja.",
        ),
        (
            {"discharge_report_started": {"date": "2026-02-01"}},
            "discharge_report_started-date",
            "Datumet ska ligga från inskrivningen (2026-03-05) till i dag.",
        ),
        (
            {"discharge_report_started": {"date": "2999-01-01"}},
            "discharge_report_started-date",
            "Datumet ska ligga från inskrivningen (2026-03-05) till i dag.",
        ),
        (
            {"delay_complex_needs": {"choice": "yes"}},
            "delay_complex_needs-comment",
            "Beskriv behoven och förutsättningarna i kommentaren.",
        ),
        ({"sbar": {"choice": "maybe"}}, "sbar-choice", "Välj ett giltigt alternativ."),
        ({"sbar": {"comment": "x" * 1001}}, "sbar-comment", "1000"),
        (
            {"sbar": {"comment": "Gäller 19410315-1012, se journal"}},
            "sbar-comment",
            "Skriv inga personnummer här",
        ),
        ({"discharge_report_started": {"date": "12/3"}}, "discharge_report_started-date", "datum"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    march: March, personas: Personas, rows: dict[str, Any], field: str, message: str
) -> None:
    response = post(login(personas.ward_nurse), column_url(march, 1, "ward"), **rows)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert f'name="{field}"' in page and 'class="errorlist"' in page
    assert not ChecklistAnswer.objects.exists()


def test_the_service_names_every_bad_field_and_stores_nothing(
    march: March, personas: Personas
) -> None:
    with pytest.raises(InvalidAnswers) as refused:
        answers.save_column(
            user=personas.ward_nurse,
            patient=first_patient(march),
            column="ward",
            entries={
                "sbar": AnswerInput(choice="yes"),
                "planned_services_shared": AnswerInput(choice="no", date=date(2026, 3, 12)),
                "delay_complex_needs": AnswerInput(choice="yes"),
            },
        )
    assert set(refused.value.errors) == {
        "planned_services_shared-date",
        "delay_complex_needs-comment",
    }
    assert not ChecklistAnswer.objects.exists()
    with pytest.raises(Refused):
        answers.save_column(
            user=personas.ward_nurse, patient=first_patient(march), column="ward",
            entries={"kommun_units": AnswerInput(comment="BHL")},
        )  # fmt: skip


def test_unchanged_rows_write_nothing(march: March, personas: Personas) -> None:
    nurse = login(personas.ward_nurse)
    post(nurse, column_url(march, 1, "ward"), sbar={"choice": "yes"})
    seen = ChecklistAnswer.objects.get().pk
    response = post(
        nurse, column_url(march, 1, "ward"),
        sbar={"choice": "yes", "based_on": seen}, delay_capacity={"choice": ""},
    )  # fmt: skip
    assert response.status_code == 302
    assert ChecklistAnswer.objects.count() == 1


def test_a_closed_analysis_takes_no_answers(march: March, personas: Personas) -> None:
    close_analysis(user=personas.processledare, analysis=march.analysis, summary="Klar.")
    response = post(login(personas.ward_nurse), column_url(march, 1, "ward"), sbar={"choice": "y"})
    assert response.status_code == 400
    assert "Analysen är avslutad" in response.content.decode()
    assert not ChecklistAnswer.objects.exists()


def test_answers_are_append_only_in_the_database(march: March, personas: Personas) -> None:
    answers.save_column(
        user=personas.ward_nurse, patient=first_patient(march), column="ward",
        entries={"sbar": AnswerInput(choice="yes")},
    )  # fmt: skip
    table = ChecklistAnswer._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET choice = 'no'")  # noqa: S608 - a fixed table name
    assert ChecklistAnswer.objects.get().choice == "yes"
