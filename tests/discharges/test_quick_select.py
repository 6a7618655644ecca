"""The menus of municipalities and health centres (``discharges.forms.QuickSelect``, issue 15)
are written in Python, not through one template per option; the HTML is Django's own, byte for
byte, whatever the choices, groups, selection, attributes and text to escape."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms

from discharges.forms import IdChoiceField, QuickSelect
from discharges.models import Kommun

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
