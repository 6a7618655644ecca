"""Numbers as the Swedish pages write them (analysis.numbers)."""

from __future__ import annotations

from decimal import Decimal

from analysis import numbers

NBSP = "\u00a0"


def test_decimals_have_a_comma_and_halves_round_up() -> None:
    assert numbers.decimal(Decimal("3.625")) == "3,63"  # R2: 29/8
    assert numbers.decimal(Decimal("1.244")) == "1,24"
    assert numbers.decimal(Decimal("1234.5"), 1) == f"1{NBSP}234,5"
    assert numbers.decimal(None) == "–"


def test_thousands_are_separated_by_a_no_break_space() -> None:
    assert numbers.integer(148800) == f"148{NBSP}800"
    assert numbers.kronor(148800) == f"148{NBSP}800{NBSP}kr"
    assert numbers.kronor(1234567) == f"1{NBSP}234{NBSP}567{NBSP}kr"
    assert numbers.integer(999) == "999"


def test_a_share_is_rounded_once_to_a_whole_percent() -> None:
    share = numbers.share(14, 51)  # 27.45 %: 27, where rounding to 0.275 first gave 28
    assert numbers.percent(share) == f"27{NBSP}%"
    assert numbers.percent(numbers.share(1, 3)) == f"33{NBSP}%"
    assert numbers.percent(numbers.share(1, 0)) == "–"
