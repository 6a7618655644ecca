"""The demo's entry points: ``seed()`` (what ``manage.py seed_demo`` runs), ``build_plan()`` and
the summaries the command prints.

``seed()`` is idempotent: when the demo integration account exists the data is already there and
nothing is written. Otherwise, in one transaction, it

1. fetches Region 24 and its 15 kommuner (loaded by a migration) and creates the hospitals, wards
   and hälsocentraler of the region (``demo.organisations``);
2. creates one user per role (memberships through ``services.add_membership``);
3. plans episodes with ``random.Random(seed)`` (pure: no database) — the four case descriptions
   of seed 001 (``demo.cases``) plus a regional stream of admissions (``demo.planner``,
   ``demo.story``) whose ready days are skewed so that some kommuner exceed an average of 3.0
   for a stretch of months;
4. sends every message through ``discharges.services`` exactly as the pages do
   (``demo.executor``);
5. loads Västerbotten's agreement (payment/agreements/vasterbotten.toml) unless the region has
   one, and computes the monthly statistics, so the dashboards have the history at once;
6. opens the analyses of delayed discharge the statistics call for, fills the newest one's
   checklists and actions and closes the one before (``demo.analyses``);
7. signs one month's invoice basis (a dispute accepted), proposes the next (a dispute rejected)
   and files a few deviations with answers (``demo.follow_up``).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

import discharges
import payment
from analysis.analyses.models import Analysis
from analysis.statistics import compute_statistics
from demo.analyses import seed_analyses
from demo.api_accounts import ensure_system_accounts
from demo.cases import plan_cases
from demo.executor import Counts, Executor
from demo.follow_up import seed_follow_up_extras
from demo.organisations import (
    DEMO_PASSWORD,
    INTEGRATION_USERNAME,
    Login,
    create_users,
    demo_data_exists,
    demo_logins,
    ensure_organisations,
)
from demo.planner import Planner
from demo.plans import Plan, month_key
from demo.region import REGION_CODE
from discharges.models import (
    ConsentRecord,
    Episode,
    EpisodeEvent,
    EpisodeStatus,
    Kommun,
    KommunPopulation,
    Patient,
    Receipt,
)
from discharges.population import import_population
from payment.loader import load_agreement
from payment.models import Agreement

# What the command and the tests use, importable from here alone.
__all__ = [
    "DEFAULT_MONTHS",
    "DEFAULT_PER_MONTH",
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "INTEGRATION_USERNAME",
    "Login",
    "SeedResult",
    "Summary",
    "build_plan",
    "demo_logins",
    "monthly_figures",
    "months_over",
    "seed",
    "summary",
]

DEFAULT_SEED = 1
DEFAULT_MONTHS = 18
# Admissions per month across the region. The real figure is 150-250 discharges a month; every
# message goes through the services one at a time, so the default keeps the first run of
# `make run` well under a minute on SQLite. Raise it with --per-month for a fuller picture.
DEFAULT_PER_MONTH = 80

# --- Follow-up: the agreement and the monthly statistics ------------------------------------------

AGREEMENT_FILE = Path(payment.__file__).resolve().parent / "agreements" / "vasterbotten.toml"
POPULATION_FILE = (
    Path(discharges.__file__).resolve().parent / "data" / "population-65plus-vasterbotten.csv"
)


def prepare_follow_up() -> None:
    """Load Västerbotten's agreement (unless the region has one) and the population aged 65+
    (SCB's published figures shipped as the example file, unless the region has any), and
    compute the monthly statistics, so that the dashboards and liability pages show the demo
    history at once. The example file ends with 2023: ready days per 1,000 inhabitants 65+
    appear for months up to 2024 only, as on a real system until next year's figures are
    imported."""
    if not Agreement.objects.filter(region__code=REGION_CODE).exists():
        load_agreement(AGREEMENT_FILE)
    if not KommunPopulation.objects.filter(kommun__code__startswith=REGION_CODE).exists():
        import_population(POPULATION_FILE.read_text(encoding="utf-8"))
    compute_statistics()


# --- Entry points ---------------------------------------------------------------------------------


@dataclass
class SeedResult:
    created: bool
    counts: Counts | None = None
    seconds: float = 0.0


def build_plan(*, seed: int, months: int, per_month: int, now: datetime) -> tuple[Planner, Plan]:
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    planner = Planner(rng, now, months, per_month)
    cases = plan_cases(planner)
    region = planner.plan_region()
    episodes = sorted(region + cases, key=lambda p: p.admitted_at)
    return planner, Plan(episodes, planner.consents(episodes))


def seed(
    *,
    seed: int = DEFAULT_SEED,
    months: int = DEFAULT_MONTHS,
    per_month: int = DEFAULT_PER_MONTH,
    now: datetime | None = None,
) -> SeedResult:
    """Load the demo data unless it is there already (the analyses too, for demo data loaded
    before they existed)."""
    if demo_data_exists():
        if not Analysis.objects.exists():
            seed_analyses(seed=seed)
        with transaction.atomic():
            seed_follow_up_extras()  # the invoice basis and deviations (issue 14)
        return SeedResult(created=False)
    started = timezone.now()
    now = now or started
    with transaction.atomic():
        orgs = ensure_organisations()
        users = create_users(orgs)
        ensure_system_accounts(orgs)
        integration_user = users[INTEGRATION_USERNAME]
        planner, plan = build_plan(seed=seed, months=months, per_month=per_month, now=now)
        # Receipts carry no time of their own (they are stamped now), so only the messages of
        # the last week's stays are acknowledged.
        recent = planner.cutoff - timedelta(days=8)
        executor = Executor(orgs, integration_user)
        for episode_plan in plan.episodes:
            last = episode_plan.steps[-1].at if episode_plan.steps else episode_plan.admitted_at
            executor.run(episode_plan, with_receipts=last >= recent)
        for patient, ward_key, at in plan.consents:
            executor.consent(patient, ward_key, at)
        prepare_follow_up()
        seed_analyses(seed=seed)
        seed_follow_up_extras()  # a signed invoice basis, a disputed one, deviations (issue 14)
    seconds = (timezone.now() - started).total_seconds()
    return SeedResult(True, executor.counts, seconds)


# --- Summaries ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    patients: int
    episodes: int
    events: int
    receipts: int
    consents: int
    by_status: dict[str, int]
    months_over: dict[str, list[str]]  # "2482 Skellefteå" -> ["2025-11", ...]
    analyses: int = 0  # analyses of delayed discharge
    open_analyses: int = 0


def monthly_figures() -> dict[tuple[str, str], tuple[int, int]]:
    """(kommun code, "YYYY-MM" of discharge) -> (episodes, ready days), as R2 of DOMAIN.md."""
    figures: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    rows = Episode.objects.filter(
        status=EpisodeStatus.DISCHARGED, ready_date__isnull=False
    ).values_list("kommun__code", "discharge_date", "ready_days")
    for code, discharged, days in rows:
        if discharged is None or days is None:  # excluded by the filter; for the type checker
            continue
        entry = figures[(code, month_key(discharged))]
        entry[0] += 1
        entry[1] += days
    return {key: (n, total) for key, (n, total) in figures.items()}


def months_over(threshold: float = 3.0) -> dict[str, list[str]]:
    names = dict(Kommun.objects.filter(region__code=REGION_CODE).values_list("code", "name"))
    over: dict[str, list[str]] = defaultdict(list)
    for (code, month), (n, total) in sorted(monthly_figures().items()):
        if code in names and n and total / n > threshold:
            over[f"{code} {names[code]}"].append(month)
    return dict(over)


def summary() -> Summary:
    by_status = {
        str(EpisodeStatus(status).label): Episode.objects.filter(status=status).count()
        for status in EpisodeStatus.values
    }
    return Summary(
        patients=Patient.objects.count(),
        episodes=Episode.objects.count(),
        events=EpisodeEvent.objects.count(),
        receipts=Receipt.objects.count(),
        consents=ConsentRecord.objects.count(),
        by_status=by_status,
        months_over=months_over(),
        analyses=Analysis.objects.count(),
        open_analyses=Analysis.objects.filter(status="open").count(),
    )
