"""Deviations (the deviations app) counted per category on the follow-up pages: per kommun on
the overview, per month on a kommun's page. Aggregates only: no episode, no text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from analysis.queries import Query
from deviations.models import Category
from deviations.selectors import counts_for_episodes, counts_per_category, counts_per_month
from discharges.models import Kommun


@dataclass
class CountTable:
    headers: list[str]
    rows: list[tuple[str, list[int], int]]

    @property
    def empty(self) -> bool:
        return not any(total for _label, _counts, total in self.rows)


# The categories' values once (``Category.values`` builds its list anew at each use: 290 rows).
_CATEGORIES = tuple(Category.values)


def _row(label: str, counts: dict[str, int]) -> tuple[str, list[int], int]:
    values = [counts.get(value, 0) for value in _CATEGORIES]
    return label, values, sum(values)


def overview(kommuner: list[Kommun], query: Query) -> CountTable:
    """Deviations filed in the period, per kommun (of its episodes) and category."""
    counts = counts_per_category([k.pk for k in kommuner], query.first, query.last)
    return CountTable(
        headers=[str(label) for label in Category.labels],
        rows=[_row(f"{k.code} {k.name}", counts.get(k.pk, {})) for k in kommuner],
    )


def for_kommun(kommun: Kommun, query: Query) -> CountTable:
    """One kommun's deviations per month filed and category."""
    counts = counts_per_month(kommun.pk, query.first, query.last)
    return CountTable(
        headers=[str(label) for label in Category.labels],
        rows=[_row(f"{month:%Y-%m}", counts.get(month, {})) for month in query.months],
    )


def for_analysis(kommun: Kommun, month: date, episode_ids: list[int]) -> CountTable:
    """The deviations about an analysis's patients, beside all of the kommun's filed in its
    month."""
    month_counts = counts_per_category([kommun.pk], month, month).get(kommun.pk, {})
    return CountTable(
        headers=[str(label) for label in Category.labels],
        rows=[
            _row(_("The analysis's patients"), counts_for_episodes(episode_ids)),
            _row(_("All the municipality's, filed in the month"), month_counts),
        ],
    )
