"""The SVG charts (analysis.charts): accessible (role, title, desc), every heat-map value
written in its cell, the threshold drawn, marks beside colour, text escaped."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from xml.etree import ElementTree

import pytest

from analysis import charts

MONTHS = [date(2026, m, 1) for m in (1, 2, 3)]
SVG = "{http://www.w3.org/2000/svg}"
LEGEND = {
    "zero": "0",
    "at": "högst 3,00",
    "over": "över 3,00 ▲",
    "far_over": "dubbla",
    "none": "inga",
}


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # noqa: S314 (our own output)


def texts(root: ElementTree.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_the_heat_map_writes_every_value_and_marks_those_over() -> None:
    rows = [
        charts.HeatRow(
            "Umeå",
            Decimal("3.0"),
            [
                charts.HeatCell(Decimal("2.50"), text="2,50"),
                charts.HeatCell(Decimal("3.63"), over=True, text="3,63"),
                charts.HeatCell(None, text="–"),
            ],
        ),
        charts.HeatRow(
            "<Bjurholm & co>",
            Decimal("3.0"),
            [
                charts.HeatCell(None, hidden=True, text="<5"),
                charts.HeatCell(Decimal("0"), text="0,00"),
                charts.HeatCell(Decimal("6.10"), over=True, text="6,10"),
            ],
        ),
    ]
    svg = charts.heat_map(
        MONTHS,
        rows,
        title="Karta",
        summary="Sammanfattning",
        hidden_label="<5: färre än 5",
        legend=LEGEND,
    )
    root = parse(svg)
    assert root.get("role") == "img"
    labelled = root.get("aria-labelledby", "").split()
    assert [root.find(f".//*[@id='{i}']").text for i in labelled] == ["Karta", "Sammanfattning"]
    written = texts(root)
    for value in ("2,50", "3,63 ▲", "–", "<5", "0,00", "6,10 ▲", "<Bjurholm & co>"):
        assert value in written
    assert "2026-01" in written and "<5: färre än 5" in written
    assert "&lt;Bjurholm &amp; co&gt;" in svg  # escaped, never markup


def test_colours_are_blue_up_to_the_threshold_and_red_above() -> None:
    at, _ink = charts.heat_colour(Decimal("3.0"), Decimal("3.0"))
    over, ink = charts.heat_colour(Decimal("6.0"), Decimal("3.0"))
    assert int(at[5:7], 16) > int(at[1:3], 16)  # more blue than red
    assert int(over[1:3], 16) > int(over[5:7], 16)  # more red than blue
    assert ink == "#ffffff"  # light text on the dark cells


def test_the_line_chart_draws_the_threshold_and_shades_the_liable_months() -> None:
    points = [
        charts.Point(MONTHS[0], Decimal("2.0")),
        charts.Point(MONTHS[1], Decimal("4.0"), shaded=True, over=True),
        charts.Point(MONTHS[2], None, shaded=True),
    ]
    svg = charts.line_chart(
        points, Decimal("3.0"), title="Umeå", summary="Umeå: 1 månad över", large=True
    )
    root = parse(svg)
    dashed = [line for line in root.iter(f"{SVG}line") if line.get("stroke-dasharray")]
    assert len(dashed) == 1
    shades = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == charts.SHADE]
    assert len(shades) == 1  # one band over the two liable months
    plot_width = 900 - 44 - 12  # the large chart's width less its margins
    assert float(shades[0].get("width", 0)) == pytest.approx(2 * plot_width / 3, abs=0.1)
    assert len(list(root.iter(f"{SVG}circle"))) == 2  # no point for a month without a value
    assert "4,00 ▲" in texts(root)
    assert root.find(f"{SVG}desc").text == "Umeå: 1 månad över"


def test_the_bar_chart_writes_each_value() -> None:
    svg = charts.bar_chart(MONTHS, [1200, None, 30], title="Dagar", summary="s")
    assert {"1\u00a0200", "–", "30"} <= set(texts(parse(svg)))
    assert len(re.findall(r"<rect ", svg)) == 2


def test_a_chart_without_any_value_says_so() -> None:
    points = [charts.Point(month, None) for month in MONTHS]
    svg = charts.line_chart(
        points, Decimal("3.0"), title="Bjurholm", summary="s", empty_label="Ingen månad att visa"
    )
    assert "Ingen månad att visa" in texts(parse(svg))
    assert "Ingen" not in str(
        charts.line_chart(
            [charts.Point(MONTHS[0], Decimal(1))],
            Decimal("3.0"),
            title="U",
            summary="s",
            empty_label="Ingen månad att visa",
        )
    )
