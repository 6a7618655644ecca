"""Choosing a row by id in a form: the id range a form may name, the municipality and health
centre menus (``QuickSelect`` written in Python, ``RegionMenus`` with the region's own first,
read once per page) and ``IdChoiceField``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property
from typing import Any, cast

from django import forms
from django.db.models import F
from django.utils.choices import BaseChoiceIterator
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from discharges.models import HealthCentre, Kommun, Region

# The largest primary key a form or filter may name (a 64-bit integer column).
MAX_ID = 2**63 - 1
_INTEGER = re.compile(r"\s*[-+]?[0-9]+\s*")


def beyond_id_range(value: str) -> bool:
    """Whether ``value`` is an integer that no id column holds (beyond 64 bits)."""
    if not _INTEGER.fullmatch(value):
        return False
    digits = value.strip().lstrip("+-").lstrip("0")
    return len(digits) > len(str(MAX_ID)) or int(digits or "0") > MAX_ID


def _attrs_html(attrs: dict[str, Any]) -> SafeString:
    """As django/forms/widgets/attrs.html writes them (False left out, True bare)."""
    return mark_safe(  # noqa: S308 (every name and value escaped by format_html)
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False
        )
    )


class QuickSelect(forms.Select):
    """A select written in Python instead of one template per option: the HTML of Django's
    ``select.html`` and ``select_option.html``, byte for byte
    (tests/discharges/test_quick_select.py). The municipality and health centre menus hold 290
    and ~1,100 options; through the templates they took ~0.3 s of a ward's episode page at a
    whole country's size (issue 15)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        # As Widget.get_context and ChoiceWidget.optgroups, without a dict per option.
        values = self.format_value(value)
        select_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            select_attrs["multiple"] = True
        parts: list[str] = [format_html('<select name="{}"{}>', name, _attrs_html(select_attrs))]
        has_selected = False
        for option_value, option_label in self.choices:
            if isinstance(option_label, list | tuple):
                group_name, choices = option_value, option_label
            else:
                group_name, choices = (
                    None,
                    [("" if option_value is None else option_value, option_label)],
                )
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for subvalue, sublabel in choices:
                selected = (not has_selected or self.allow_multiple_selected) and str(
                    subvalue
                ) in values
                has_selected |= selected
                parts.append(
                    f'\n  <option value="{conditional_escape(str(subvalue))}"'
                    f"{' selected' if selected else ''}>{conditional_escape(sublabel)}</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every value and label escaped)


class IdChoiceField(forms.ModelChoiceField):
    """A choice of a row by id; an id beyond a 64-bit integer is an invalid choice (SQLite
    raises OverflowError for it instead of finding nothing)."""

    widget = QuickSelect

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and beyond_id_range(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class Prepared(BaseChoiceIterator):
    """Choices already in Django's normalised form: a field and its widget take them as they
    are, where a list is normalised again by each (an option at a time: ~40 % of the cost of
    a form with the municipality and health centre menus)."""

    def __init__(self, choices: list[Any]) -> None:
        self.choices = choices

    def __iter__(self) -> Iterator[Any]:
        return iter(self.choices)

    def __len__(self) -> int:
        return len(self.choices)


def _grouped(rows: Any, in_region: Any, label: Any, first: str, rest: str) -> Prepared:
    mine: list[tuple[int, str]] = []
    others: list[tuple[int, str]] = []
    for row in rows:
        (mine if in_region(row) else others).append((row[0], label(row)))
    return Prepared([("", "---------"), (first, mine), (rest, others)])


def kommun_label(kommun: Any) -> str:
    """As a menu shows it: the name first, for finding it by typing (Umeå (2480))."""
    return f"{kommun.name} ({kommun.code})"


class RegionMenus:
    """The municipality and health centre menus with a region's own first (``region_code``:
    the county code, the first two digits of its kommuner's codes), each read when first
    asked for: one page's forms share them (a ward's episode page has two forms with both,
    290 and ~1,100 options)."""

    def __init__(self, region_code: str) -> None:
        self.region_code = region_code

    @cached_property
    def region_name(self) -> str:
        region = Region.objects.filter(code=self.region_code).first()
        return region.name if region else self.region_code

    @cached_property
    def kommuner(self) -> Prepared:
        code = self.region_code
        return _grouped(
            # Values, not model instances: 290 kommuner and ~1,100 health centres a page.
            Kommun.objects.order_by("name").values_list("pk", "code", "name", named=True),
            lambda k: k.code.startswith(code),
            kommun_label,
            str(_("Municipalities in %(region)s") % {"region": self.region_name}),
            str(_("Other municipalities")),
        )

    @cached_property
    def health_centres(self) -> Prepared:
        code = self.region_code
        return _grouped(
            HealthCentre.objects.order_by("name")
            .annotate(county=F("region__code"))
            .values_list("pk", "name", "county"),
            lambda h: h[2] == code,
            lambda h: h[1],
            str(_("Health centres in %(region)s") % {"region": self.region_name}),
            str(_("Other health centres")),
        )


def group_by_region(
    form: forms.Form, region_code: str | None, menus: RegionMenus | None = None
) -> None:
    """The municipality and health centre menus of ``form`` with the region's own first;
    ``menus``: the page's, when they are of that region."""
    if not region_code:
        return
    if menus is None or menus.region_code != region_code:
        menus = RegionMenus(region_code)
    if "kommun" in form.fields:
        cast(forms.ModelChoiceField, form.fields["kommun"]).choices = menus.kommuner
    if "health_centre" in form.fields:
        cast(forms.ModelChoiceField, form.fields["health_centre"]).choices = menus.health_centres
