"""analysis.figures.load as the overview calls it (the sums by the database, two counts of each
kommun-month, the liability of the months not free only) against the full read the kommun
page makes: the same period figures, region months, liable months and period states."""

from __future__ import annotations

import pytest

from analysis.figures import CELL_FIELDS, OVERVIEW_FIELDS, load
from analysis.queries import Query
from discharges.models import Kommun
from payment.models import MonthlyLiability
from tests.analysis.dashboard_data import seed_region
from tests.conftest import Personas


@pytest.mark.parametrize("last_free", [False, True])
def test_the_overview_read_equals_the_full_read(personas: Personas, last_free: bool) -> None:
    seeded = seed_region()
    if last_free:  # Umeå liable in the months before, free in the last: its state is "free"
        MonthlyLiability.objects.filter(kommun__code="2480", month=seeded.last).update(
            state="free", liable_days=0, amount_sek=0
        )
    kommuner = list(Kommun.objects.filter(code__startswith="24").order_by("code"))
    query = Query(seeded.months[0], seeded.months[-1], "all")
    full = load(kommuner, query)
    overview = load(
        kommuner, query, fields=OVERVIEW_FIELDS, cell_fields=CELL_FIELDS, free_cells=False
    )
    assert overview.period_liabilities == full.period_liabilities
    umea = full.period_liabilities["2480"]
    assert umea.state == ("free" if last_free else "liable")
    assert umea.liable_months == (2 if last_free else 3)  # months 3, 2 and 1 back
    liable = {key for key, cell in full.liability.items() if cell.state == "liable"}
    assert {key for key, cell in overview.liability.items() if cell.state == "liable"} == liable
    assert overview.month_totals.keys() == full.month_totals.keys()
    for month, counts in full.month_totals.items():
        for name in OVERVIEW_FIELDS:
            assert getattr(overview.month_totals[month], name) == getattr(counts, name)
    for code, counts in full.kommun_totals.items():
        for name in OVERVIEW_FIELDS:
            assert getattr(overview.kommun_totals[code], name) == getattr(counts, name)
    assert overview.days_by_year == full.days_by_year
    for key, cell in full.counts.items():
        assert (overview.counts[key].episodes, overview.counts[key].ready_days) == (
            cell.episodes,
            cell.ready_days,
        )
