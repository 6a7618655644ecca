"""Numbers as Swedish pages write them: a decimal comma, a no-break space between thousands
("148 800 kr"), "33 %". Written out here rather than left to the locale, so that every page,
chart and summary reads the same whatever language the browser asks for.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"
DASH = "–"


def integer(value: int) -> str:
    """12345 -> "12 345" (no-break space)."""
    return f"{value:,}".replace(",", NBSP)


def decimal(value: Decimal | None, places: int = 2) -> str:
    """Decimal("3.625") -> "3,63" (halves up, as R2 rounds); None -> DASH."""
    if value is None:
        return DASH
    rounded = value.quantize(_QUANTA[places], ROUND_HALF_UP)
    if 0 <= rounded < 1000:  # most figures: no thousands to separate
        return f"{rounded:.{places}f}".replace(".", ",")
    whole, _, fraction = f"{abs(rounded):.{places}f}".partition(".")
    text = integer(int(whole)) + ("," + fraction if fraction else "")
    return ("-" if rounded < 0 else "") + text


_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(4)}


def percent(share: Decimal | None) -> str:
    """Decimal("0.333") -> "33 %"; None -> DASH."""
    if share is None:
        return DASH
    return f"{integer(int((share * 100).quantize(Decimal(1), ROUND_HALF_UP)))}{NBSP}%"


def kronor(value: int) -> str:
    """148800 -> "148 800 kr"."""
    return f"{integer(value)}{NBSP}kr"


def ratio(part: int, whole: int, places: int = 2) -> Decimal | None:
    """part / whole to ``places`` decimals, halves up; None when ``whole`` is 0."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def share(part: int, whole: int) -> Decimal | None:
    """part / whole, not rounded (``percent`` rounds once, to a whole percent)."""
    return Decimal(part) / Decimal(whole) if whole else None


def ratio_of(value: Decimal, count: int, places: int = 2) -> Decimal:
    """value / count to ``places`` decimals, halves up (an average of figures)."""
    return (value / count).quantize(_QUANTA[places], ROUND_HALF_UP)
