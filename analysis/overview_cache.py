"""The overview's figures, cached until what they are built from changes.

The stored statistics change only when they are recomputed, so the overview built for a scope,
a query and a viewer's small-number class is kept in Django's cache (``CACHES``) for
``SVU_FOLLOW_UP_CACHE_SECONDS``, keyed on:

* the generation (``FiguresGeneration``, one row): bumped in the writing transaction by the
  statistics run (and its liability), the population import, and every save or delete of an
  agreement, a kommun population, a kommun or a region (``connect``);
* the form of the cached value (``FORM``), the language, the query's parameters, the page's
  title, the threshold;
* each kommun shown: its id, code and name, and the viewer's class for it: whether its small
  numbers are shown (own staff, processledare), whether it is the viewer's own kommun, whether
  its liability is shown. Two viewers share an entry only where they see the same figures.

Cached: the built overview as the page shows it (``Shown``: its tables and charts written out;
aggregates only, nothing here is per episode) and the statistics' time; never the rendered
page, which carries the user's name and CSRF token.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from analysis.dashboards import Card, Chart, Overview
from analysis.figures import Viewer
from analysis.models import FiguresGeneration
from analysis.queries import Query
from discharges.models import Kommun, Region
from discharges.population import KommunPopulation
from discharges.stored_figures import stored_figures_changed
from payment.models import Agreement

Built = tuple[Overview, datetime | None]
# The form of what is cached: a new form of ``Shown`` (a release) must not read an older one.
FORM = "shown-1"


@dataclass(frozen=True)
class Shown:
    """What the overview's template reads of an ``Overview``, its tables written as HTML: a
    country's Overview is tens of thousands of objects, 80 ms to unpickle; this is strings."""

    title: str
    cards: list[Card]
    kommuner_html: SafeString
    heat_summary: str
    heat_maps: list[Chart]
    heat_table_html: SafeString
    trend_summary: str
    trends_html: SafeString
    region_charts: list[Chart]
    region_table_html: SafeString


def shown_form(page: Overview) -> Shown:
    return Shown(
        title=page.title,
        cards=page.cards,
        kommuner_html=page.kommuner_html,
        heat_summary=page.heat_summary,
        heat_maps=page.heat_maps,
        heat_table_html=page.heat_table_html,
        trend_summary=page.trend_summary,
        trends_html=page.trends_html,
        region_charts=page.region_charts,
        region_table_html=page.region_table_html,
    )


def generation() -> int:
    return next(iter(FiguresGeneration.objects.values_list("number", flat=True)[:1]), 0)


def bump(**_kwargs: Any) -> None:
    """Move the generation on (call it inside the writing transaction)."""
    if not FiguresGeneration.objects.filter(pk=1).update(number=F("number") + 1):
        FiguresGeneration.objects.get_or_create(pk=1, defaults={"number": 1})


def connect() -> None:
    """The writes that change what the overview reads (``AnalysisConfig.ready``)."""
    stored_figures_changed.connect(bump, dispatch_uid="analysis.overview_cache.bulk")
    for model in (Agreement, KommunPopulation, Kommun, Region):
        uid = f"analysis.overview_cache.{model.__name__}"
        post_save.connect(bump, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(bump, sender=model, dispatch_uid=f"{uid}.delete")


def key(shown: list[Kommun], query: Query, viewer: Viewer, title: str, number: int) -> str:
    parts = [FORM, str(number), get_language() or "", query.params(), title, str(viewer.threshold)]
    for kommun in shown:
        pk = kommun.organisation_ptr_id
        own = pk in viewer.exempt_kommuner
        exempt = own or kommun.code[:2] in viewer.exempt_regions
        liability = viewer.sees_liability(kommun)
        parts.append(f"{pk}:{kommun.code}:{kommun.name}:{own:d}{exempt:d}{liability:d}")
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"analysis:overview:{digest}"


def overview(
    shown: list[Kommun], query: Query, viewer: Viewer, title: str, build: Callable[[], Built]
) -> tuple[Overview | Shown, datetime | None]:
    """The overview and the statistics' time: from the cache, or ``build()`` and kept in its
    ``Shown`` form (the template reads the same attributes of both). Not cached: the
    ``Overview`` itself."""
    seconds = settings.SVU_FOLLOW_UP_CACHE_SECONDS
    if seconds <= 0:
        return build()
    # The generation is read before the figures: figures newer than it are kept under the old
    # number at worst, never older figures under a new one.
    name = key(shown, query, viewer, title, generation())
    found = cache.get(name)
    if found is not None:
        return found
    page, computed_at = build()
    kept = (shown_form(page), computed_at)
    cache.set(name, kept, seconds)
    return kept
