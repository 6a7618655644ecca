"""Improvement actions: the processledare adds them with a responsible organisation, an owner
and a due date, records dated follow-ups that set the status; the open actions of the region
are listed overdue first. Closing the analysis takes a summary."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from analysis.analyses.models import ActionFollowUp, ActionStatus, AnalysisStatus, ImprovementAction
from analysis.analyses.services import ActionInput, add_action, follow_up_action
from tests.analysis.analyses.conftest import March
from tests.conftest import Personas, login

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"analysis:analyses:{name}", kwargs=kwargs)


def action(march: March, personas: Personas, text: str, due: date, org: Any = None) -> Any:
    return add_action(
        user=personas.processledare,
        analysis=march.analysis,
        data=ActionInput(text, org or march.analysis.kommun, "Enhetschef hemtjänst", due),
    )


def test_the_processledare_adds_an_action_and_follows_it_up(
    march: March, personas: Personas
) -> None:
    client = login(personas.processledare)
    due = timezone.localdate() + timedelta(days=30)
    response = client.post(
        url("add_action", pk=march.analysis.pk),
        {
            "text": "Kommunen bemannar planeringen även fredagar.",
            "responsible": march.analysis.kommun.pk,
            "owner": "Enhetschef biståndshandläggning",
            "due_date": due.isoformat(),
        },
    )
    assert response.status_code == 302
    added = ImprovementAction.objects.get()
    assert (added.responsible_id, added.due_date, added.status) == (
        march.analysis.kommun.pk, due, ActionStatus.PLANNED
    )  # fmt: skip
    response = client.post(
        url("follow_up", pk=march.analysis.pk, action_id=added.pk),
        {"date": timezone.localdate().isoformat(), "note": "Schema klart", "status": "in_progress"},
    )
    assert response.status_code == 302
    added.refresh_from_db()
    assert added.status == ActionStatus.IN_PROGRESS
    assert ActionFollowUp.objects.get().note == "Schema klart"
    page = client.get(url("detail", pk=march.analysis.pk)).content.decode()
    assert "Kommunen bemannar planeringen även fredagar." in page and "Schema klart" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"due_date": "2025-01-01"}, "Datumet ska ligga från 2026-03-01"),
        ({"due_date": "2099-01-01"}, "Datumet ska ligga från 2026-03-01"),
        ({"text": ""}, "Det här fältet är obligatoriskt"),
        ({"text": "x" * 2001}, "2000"),
        ({"owner": "Anna 19410315-1012"}, "Skriv inga personnummer här"),
        ({"responsible": "999999"}, "Välj ett giltigt alternativ"),
    ],
)
def test_a_bad_action_is_refused_naming_the_field(
    march: March, personas: Personas, data: dict[str, str], message: str
) -> None:
    values = {
        "text": "Åtgärd",
        "responsible": str(march.analysis.kommun.pk),
        "owner": "Chef",
        "due_date": (timezone.localdate() + timedelta(days=10)).isoformat(),
    } | data
    response = login(personas.processledare).post(url("add_action", pk=march.analysis.pk), values)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImprovementAction.objects.exists()


def test_open_actions_of_the_region_overdue_first(march: March, personas: Personas) -> None:
    today = timezone.localdate()
    later = action(march, personas, "Senare åtgärd", today + timedelta(days=40))
    overdue = action(march, personas, "Försenad åtgärd", today - timedelta(days=3))
    soon = action(march, personas, "Snar åtgärd", today + timedelta(days=2), march.first.ward)
    done = action(march, personas, "Klar åtgärd", today - timedelta(days=10))
    follow_up_action(
        user=personas.processledare, action=done, day=today, note="Klart", status="done"
    )
    for user in (personas.processledare, personas.joint_group):
        page = login(user).get(url("actions")).content.decode()
        table = page[page.index('id="open-actions"') :]
        positions = [table.index(a.text) for a in (overdue, soon, later)]
        assert positions == sorted(positions)
        assert "Klar åtgärd" not in table
        assert table.count("försenad") == 1
    ward_page = login(personas.ward_nurse).get(url("actions")).content.decode()
    assert "Snar åtgärd" in ward_page and "Senare åtgärd" not in ward_page
    other = login(personas.other_kommun_planner).get(url("actions")).content.decode()
    assert "Inga öppna åtgärder." in other and "Försenad åtgärd" not in other


def test_a_follow_up_date_outside_its_range_is_refused(march: March, personas: Personas) -> None:
    added = action(march, personas, "Åtgärd", timezone.localdate() + timedelta(days=5))
    response = login(personas.processledare).post(
        url("follow_up", pk=march.analysis.pk, action_id=added.pk),
        {"date": "2030-01-01", "note": "Framtid", "status": "done"},
    )
    assert response.status_code == 400
    assert "Datumet ska ligga från 2026-03-01 till i dag." in response.content.decode()
    added.refresh_from_db()
    assert added.status == ActionStatus.PLANNED and not ActionFollowUp.objects.exists()


def test_closing_takes_a_summary(march: March, personas: Personas) -> None:
    client = login(personas.processledare)
    response = client.post(url("close", pk=march.analysis.pk), {"summary": "  "})
    assert response.status_code == 400
    assert "Det här fältet är obligatoriskt" in response.content.decode()
    response = client.post(url("close", pk=march.analysis.pk), {"summary": "Platsbrist i juni."})
    assert response.status_code == 302
    march.analysis.refresh_from_db()
    assert march.analysis.status == AnalysisStatus.CLOSED
    assert march.analysis.summary == "Platsbrist i juni."
    assert march.analysis.closed_by == personas.processledare
    page = client.get(url("detail", pk=march.analysis.pk)).content.decode()
    assert "Platsbrist i juni." in page and 'id="close"' not in page
    # The list shows the open analyses first, then the closed ones.
    response = client.post(
        url("start"), {"kommun": march.analysis.kommun.pk, "month": "2026-02", "care_type": "all"}
    )
    assert response.status_code == 302
    listing = client.get(url("list")).content.decode()
    assert listing.index("2026-02") < listing.index("2026-03")
    assert listing.index("Pågående") < listing.index("Avslutad")
