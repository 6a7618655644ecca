"""Swedish personal identity numbers (personnummer) and coordination numbers (samordningsnummer).

Accepted input: 10 or 12 digits, with or without the separator (``-``, or ``+`` for people aged
100 or more in the 10-digit form). The result is always the 12-digit form ``YYYYMMDDNNNC``.
The ``personnummer`` package accepts the same numbers; this module exists to say *why* a
number is refused (format, date or check digit), which a ward nurse needs to correct it.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_PATTERN = re.compile(
    r"^(?P<century>\d{2})?(?P<yymmdd>\d{6})(?P<sep>[-+])?(?P<serial>\d{3})(?P<check>\d)$"
)
# Anything that looks like a personnummer inside free text (used to redact logs).
PERSONNUMMER_IN_TEXT = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+ ]?\d{4}(?!\d)")


def luhn_check_digit(nine_digits: str) -> int:
    """The Luhn check digit over YYMMDDNNN, as Skatteverket computes it."""
    total = 0
    for index, char in enumerate(nine_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def birth_date(personnummer12: str) -> date:
    """The date of birth in a normalised number (coordination numbers have day + 60)."""
    day = int(personnummer12[6:8])
    if day > 60:
        day -= 60
    return date(int(personnummer12[0:4]), int(personnummer12[4:6]), day)


def normalise_personnummer(value: str, *, today: date | None = None) -> str:
    """Return the 12-digit form of ``value`` or raise ValidationError saying what is wrong.

    For 10-digit input the century is the latest one that puts the birth date in the past,
    one century earlier when the separator is ``+`` (aged 100 or more).
    """
    today = today or timezone.localdate()
    match = _PATTERN.match(value.strip().replace(" ", ""))
    if not match:
        raise ValidationError(
            _("Enter 10 or 12 digits, with or without a hyphen (ÅÅÅÅMMDD-NNNN)."), code="format"
        )
    yymmdd = match["yymmdd"]
    serial_and_check = match["serial"] + match["check"]
    if match["century"]:
        century = int(match["century"])
    else:
        yy = int(yymmdd[:2])
        year = today.year - ((today.year - yy) % 100)  # the latest year ending in yy
        if match["sep"] == "+":
            year -= 100
        else:
            born = _date_or_none(f"{year:04d}{yymmdd[2:]}{serial_and_check}")
            if born is not None and born > today:
                year -= 100  # a birthday later this year: born a century earlier
        century = year // 100
    normalised = f"{century:02d}{yymmdd}{serial_and_check}"
    born = _date_or_none(normalised)
    if born is None:
        raise ValidationError(_("The date in the number does not exist."), code="date")
    if born > today:
        raise ValidationError(_("The date in the number is in the future."), code="date")
    if luhn_check_digit(yymmdd + match["serial"]) != int(match["check"]):
        raise ValidationError(_("The check digit is wrong (Luhn)."), code="checksum")
    return normalised


def _date_or_none(personnummer12: str) -> date | None:
    try:
        return birth_date(personnummer12)
    except ValueError:
        return None


def validate_personnummer(value: str) -> None:
    """Model-field validator: the stored value must already be the valid 12-digit form."""
    if normalise_personnummer(value) != value:
        raise ValidationError(_("Store the 12-digit form without separator."), code="format")


def is_coordination_number(personnummer12: str) -> bool:
    return int(personnummer12[6]) >= 6


def mask_personnummer(personnummer12: str) -> str:
    """``19121212-****``: enough to tell patients apart in a list, not enough to identify."""
    return f"{personnummer12[:8]}-****"


def format_personnummer(personnummer12: str) -> str:
    """The display form ``YYYYMMDD-NNNN``."""
    return f"{personnummer12[:8]}-{personnummer12[8:]}"


def redact(text: str) -> str:
    """Replace anything shaped like a personnummer in free text."""
    return PERSONNUMMER_IN_TEXT.sub("[personnummer]", text)
