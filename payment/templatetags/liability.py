"""The liability pages' values as Swedish pages write them: a kommun's name rather than its
code, the care type's label rather than its code ("Alla", "Somatik"), and whole numbers and
amounts with a no-break space between thousands ("1 134 600 kr"), whatever language the
browser asks for (the follow-up pages write theirs the same way: analysis/numbers.py)."""

from __future__ import annotations

from django import template
from django.utils.translation import pgettext

from discharges.models import CareType
from payment.reports import ALL

register = template.Library()

NBSP = "\u00a0"


@register.filter
def integer(value: int | None) -> str:
    """12345 -> "12 345" (no-break space); None -> a dash."""
    if value is None:
        return "–"
    return f"{int(value):,}".replace(",", NBSP)


@register.filter
def kronor(value: int | None) -> str:
    """148800 -> "148 800 kr"."""
    return f"{integer(value)}{NBSP}kr"


@register.filter
def care_type_label(value: str) -> str:
    """ "all" -> "Alla", "somatik" -> "Somatik"; an unknown value as it is."""
    if value == ALL:
        return pgettext("download", "All")
    return str(CareType(value).label) if value in CareType.values else value


@register.filter
def kommun_name(code: str, names: dict[str, str]) -> str:
    """A kommun's name from its code (``names``: code -> name); the code if not known."""
    return names.get(code, code)
