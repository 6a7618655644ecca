"""Reference data about kommuner: inhabitants aged 65 and over, the denominator of the national
indicator "ready days per 1,000 inhabitants aged 65+" (Väntetider i vården).

``KommunPopulation`` holds SCB's figure for 31 December of a year. ``import_population`` reads
a CSV (columns ``kommun``, ``year``, ``inhabitants_65plus``; other columns are ignored), all or
nothing, for the command ``import_population`` and the admin's upload alike. Which year's figure
a month divides by is the follow-up's rule (``population_year``), not this table's.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from discharges import stored_figures
from discharges.models import Kommun

REQUIRED_COLUMNS = ("kommun", "year", "inhabitants_65plus")
FIRST_YEAR = 1968  # SCB's kommun-level population series start here
MAX_INHABITANTS = 2_000_000  # more than any kommun's inhabitants of all ages
MAX_ERRORS = 50


def population_year(year_of_month: int) -> int:
    """The year whose 31 December figure divides a month's ready days: the previous year's, as
    the population is published in February for the end of the year before (DOMAIN.md)."""
    return year_of_month - 1


class KommunPopulation(models.Model):
    """Inhabitants aged 65 and over in a kommun on 31 December of ``year`` (SCB, RTB)."""

    kommun = models.ForeignKey(
        Kommun,
        on_delete=models.PROTECT,
        related_name="populations",
        verbose_name=gettext_lazy("municipality"),
    )
    year = models.PositiveSmallIntegerField(
        gettext_lazy("year (31 December)"),
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(2100)],
    )
    inhabitants_65plus = models.PositiveIntegerField(
        gettext_lazy("inhabitants aged 65+"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_INHABITANTS)],
    )
    updated_at = models.DateTimeField(gettext_lazy("updated"), auto_now=True)

    class Meta:
        app_label = "discharges"
        verbose_name = gettext_lazy("population aged 65+")
        verbose_name_plural = gettext_lazy("population aged 65+")
        ordering = ["kommun__code", "year"]
        constraints = [
            models.UniqueConstraint(fields=["kommun", "year"], name="population_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.kommun} {self.year}: {self.inhabitants_65plus}"


class PopulationImportFailed(Exception):
    """The file was refused; ``errors`` reads ``row N, column X: reason``. Nothing was stored."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


@dataclass(frozen=True)
class PopulationImport:
    created: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class _Row:
    number: int
    kommun_id: int
    year: int
    inhabitants: int


_KOMMUN = re.compile(r"(\d{4})(?:\s.*)?")  # "2480" or SCB's "2480 Umeå"
_SPACES = re.compile(r"[\s\u00a0\u202f]")  # thousands separators in "21 281"


def _reader(text: str) -> csv.DictReader[str]:
    text = text.removeprefix("\ufeff")
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    reader.fieldnames = [(name or "").strip().lower() for name in reader.fieldnames or []]
    return reader


def _parse_row(
    number: int, raw: dict[str, str | None], kommuner: dict[str, int], errors: list[str]
) -> _Row | None:
    def fail(column: str, reason: str) -> None:
        errors.append(_("row %(n)s, column %(c)s: %(r)s") % {"n": number, "c": column, "r": reason})

    values = {name: (raw.get(name) or "").strip() for name in REQUIRED_COLUMNS}
    found = _KOMMUN.fullmatch(values["kommun"])
    kommun_id = kommuner.get(found.group(1)) if found else None
    if kommun_id is None:
        fail("kommun", _("not a municipality code (four digits, e.g. 2480)"))
    last_year = timezone.localdate().year
    year = int(values["year"]) if values["year"].isdigit() else None
    if year is None or not FIRST_YEAR <= year <= last_year:
        fail(
            "year",
            _("a year from %(first)s to %(last)s") % {"first": FIRST_YEAR, "last": last_year},
        )
        year = None
    count_text = _SPACES.sub("", values["inhabitants_65plus"])
    inhabitants = int(count_text) if count_text.isdigit() else None
    if inhabitants is None or not 1 <= inhabitants <= MAX_INHABITANTS:
        fail("inhabitants_65plus", _("a whole number of inhabitants, at least 1"))
        inhabitants = None
    if kommun_id is None or year is None or inhabitants is None:
        return None
    return _Row(number, kommun_id, year, inhabitants)


def parse_population(text: str) -> list[_Row]:
    """The file's rows, checked; raises PopulationImportFailed naming every bad cell."""
    reader = _reader(text)
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise PopulationImportFailed(
            [_("row 1: missing column(s) %(columns)s") % {"columns": ", ".join(missing)}]
        )
    kommuner = dict(Kommun.objects.values_list("code", "pk"))
    errors: list[str] = []
    rows: list[_Row] = []
    seen: dict[tuple[int, int], int] = {}
    for number, raw in enumerate(reader, start=2):
        if not any((value or "").strip() for value in raw.values() if isinstance(value, str)):
            continue  # a blank line
        row = _parse_row(number, raw, kommuner, errors)
        if row is not None:
            key = (row.kommun_id, row.year)
            if key in seen:
                errors.append(
                    _("row %(n)s, column kommun: the same municipality and year as row %(m)s")
                    % {"n": number, "m": seen[key]}
                )
            seen.setdefault(key, number)
            rows.append(row)
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        raise PopulationImportFailed(errors)
    if not rows:
        raise PopulationImportFailed([_("the file has no rows")])
    return rows


def import_population(text: str) -> PopulationImport:
    """Store the file's figures, all or nothing: a new (kommun, year) is added, a known one
    takes the file's figure (SCB revises figures rarely, but it does)."""
    rows = parse_population(text)
    with transaction.atomic():
        stored = {
            (p.kommun_id, p.year): p
            for p in KommunPopulation.objects.select_for_update().filter(
                kommun_id__in={r.kommun_id for r in rows}, year__in={r.year for r in rows}
            )
        }
        new, changed = [], []
        for row in rows:
            current = stored.get((row.kommun_id, row.year))
            if current is None:
                new.append(
                    KommunPopulation(
                        kommun_id=row.kommun_id, year=row.year, inhabitants_65plus=row.inhabitants
                    )
                )
            elif current.inhabitants_65plus != row.inhabitants:
                current.inhabitants_65plus = row.inhabitants
                changed.append(current)
        KommunPopulation.objects.bulk_create(new)
        stored_figures.changed()  # the follow-up's cached figures (analysis.overview_cache)
        for population in changed:
            population.save(update_fields=["inhabitants_65plus", "updated_at"])
    return PopulationImport(len(new), len(changed), len(rows) - len(new) - len(changed))
