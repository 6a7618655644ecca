"""The menus of municipalities and health centres (``discharges.forms.QuickSelect``, issue 15)
are written in Python, not through one template per option; the HTML is Django's own, byte for
byte, whatever the choices, groups, selection, attributes and text to escape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django import forms
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from discharges.menus import IdChoiceField, QuickSelect
from discharges.models import Episode, Kommun
from tests.conftest import Personas

CHOICES: list[Any] = [
    ("", "---------"),
    ('Kommuner i "Västerbotten" <län>', [(1, "Umeå (2480)"), (2, "Åre & Krokom")]),
    ("Övriga", [(3, "<script>x</script>"), (4, "Sala")]),
    (5, "Utan grupp"),
]


@pytest.mark.parametrize("value", [None, "", 2, "4", 5, 99])
@pytest.mark.parametrize(
    "attrs",
    [
        None,
        {"id": "id_kommun", "required": True},
        {"id": "x", "disabled": True, "aria-describedby": 'a"b', "data-off": False},
    ],
)
def test_the_html_is_djangos_select(value: Any, attrs: dict[str, Any] | None) -> None:
    ours = QuickSelect(attrs=attrs, choices=CHOICES).render("kommun", value)
    django = forms.Select(attrs=attrs, choices=CHOICES).render("kommun", value)
    assert ours == django
    assert "&lt;script&gt;" in ours and "<script>" not in ours


@pytest.mark.django_db
def test_a_form_field_of_every_kommun_renders_as_with_djangos_select() -> None:
    class Form(forms.Form):
        kommun = IdChoiceField(queryset=Kommun.objects.order_by("name"))

    class Reference(forms.Form):
        kommun = forms.ModelChoiceField(queryset=Kommun.objects.order_by("name"))

    assert Kommun.objects.count() == 290
    chosen = Kommun.objects.get(code="2480").pk
    ours = str(Form(initial={"kommun": chosen})["kommun"])
    assert ours == str(Reference(initial={"kommun": chosen})["kommun"])
    assert ours.count("<option") == 291 and f'value="{chosen}" selected' in ours


@pytest.mark.django_db
def test_the_episode_pages_forms_share_one_reading_of_the_menus(
    client: Client, episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    """A ward's page of an active episode has two forms with both menus (the recipients and
    the patient's details): the municipalities and health centres are read once for both,
    grouped the same, each form's own selection."""
    advance(episode, "noticed")
    client.force_login(personas.ward_nurse)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(f"/episodes/{episode.pk}/").content.decode()
    menus = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith("SELECT")
        and "ORDER BY" in q["sql"]
        and ('FROM "discharges_healthcentre"' in q["sql"] or 'FROM "discharges_kommun"' in q["sql"])
    ]
    assert len(menus) == 2, menus
    for form in ("recipients_changed", "identity"):
        assert f'id="id_{form}_kommun"' in page and f'id="id_{form}_health_centre"' in page
    assert page.count("<optgroup") == 8  # the region's own and the others, per menu and form
    # The patient's own kommun and health centre chosen in the details' form only.
    patient = episode.patient
    assert page.count(f'value="{patient.kommun_id}" selected') == 1
    assert page.count(f'value="{patient.health_centre_id}" selected') == 1
