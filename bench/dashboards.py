"""Benchmark: the follow-up overview's server time with a whole country's stored statistics.

    .venv/bin/python bench/dashboards.py [--repeat 20] [--months 60] [--keep]

Seeds 290 kommuner x 60 months of monthly statistics (care types "all", "somatik" and
"psykiatri"), the stored liability of the same kommun-months, an agreement per region and the
population aged 65+ in its own PostgreSQL database (``svu_bench_dashboards`` on 127.0.0.1:5432,
or ``BENCH_DASHBOARDS_DATABASE_URL``), created anew and dropped at the end (``--keep`` keeps
it). Then it times ``GET /follow-up/`` through Django's test client (middleware, session, view,
template; DEBUG off) for a partssammansatt grupp member of the largest region (Västra Götaland,
län 14, 49 kommuner) and for a member of every region (the whole country, 290 kommuner): two
warm-up runs, then ``--repeat`` timed runs; median, p95 and min in ms and the queries of one
more run; each judged page cold (the cache cleared before each run, untimed) and warm (its
figures cached: analysis/overview_cache.py; set ``REDIS_URL`` to measure with Redis). The
goal: under 200 ms (median). See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.db import BenchDatabase  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/svu_bench_dashboards"
COUNT_NAMES = (
    "episodes", "ready_days", "episodes_3plus", "same_day", "episodes_1plus", "named_contact",
    "sip_needed", "sip_invited_in_time", "sip_held", "preliminary_known", "preliminary_accurate",
    "preliminary_changes", "admission_notice_late", "track_green", "track_yellow", "track_red",
    "track_blue",
)  # fmt: skip


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed runs (default 20)")
    parser.add_argument("--months", type=int, default=60, help="months stored (default 60)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help="measure a database kept by --keep, without seeding"
    )
    return parser.parse_args(argv)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "svu.settings")
    import django

    django.setup()


def month_counts(rng: random.Random, episodes: int) -> dict[str, int]:
    waits = [rng.choice((0, 0, 0, 1, 1, 2, 3, 4, 6, 9)) for _ in range(min(episodes, 400))]
    scale = episodes / max(len(waits), 1)
    ready_days = round(sum(waits) * scale)
    same_day = round(waits.count(0) * scale)
    over3 = round(sum(1 for w in waits if w >= 3) * scale)
    sip = episodes // 4
    green = episodes // 2
    return {
        "episodes": episodes, "ready_days": ready_days if episodes else 0,
        "episodes_3plus": min(over3, episodes - same_day), "same_day": same_day,
        "episodes_1plus": episodes - same_day, "named_contact": episodes * 8 // 10,
        "sip_needed": sip, "sip_invited_in_time": sip * 3 // 4, "sip_held": sip // 2,
        "preliminary_known": episodes * 9 // 10, "preliminary_accurate": episodes * 6 // 10,
        "preliminary_changes": episodes // 2, "admission_notice_late": episodes // 20,
        "track_green": green, "track_yellow": episodes // 4, "track_red": episodes // 8,
        "track_blue": 0,
    }  # fmt: skip


def seed(months: list[date]) -> dict[str, int]:
    """The stored tables of a whole country; returns what was written."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from analysis.models import MonthlyStatistic
    from discharges import services
    from discharges.models import Kommun, KommunPopulation, Region, Role
    from payment.models import Agreement, DailyAmount, MonthlyLiability

    rng = random.Random(2026)
    now = timezone.now()
    kommuner = list(Kommun.objects.order_by("code"))
    agreements = {}
    for region in Region.objects.all():
        agreements[region.code] = Agreement.objects.create(
            name=f"region-{region.code}",
            title=region.name,
            region=region,
            first_month=months[0],
            model="kommun_average",
        )
        DailyAmount.objects.bulk_create(
            DailyAmount(agreement=agreements[region.code], year=y, amount_sek=9300)
            for y in range(months[0].year, months[-1].year + 1)
        )
    stats, liabilities, populations = [], [], []
    for kommun in kommuner:
        size = rng.choice((2, 4, 8, 15, 30, 60, 120)) if kommun.code != "0180" else 900
        liable = False
        for month in months:
            parts = {
                "somatik": month_counts(rng, rng.randint(size // 2, size)),
                "psykiatri": month_counts(rng, rng.randint(0, max(1, size // 6))),
            }
            parts["all"] = {n: parts["somatik"][n] + parts["psykiatri"][n] for n in COUNT_NAMES}
            liable = rng.random() < (0.7 if liable else 0.08)
            for care_type, counts in parts.items():
                stats.append(
                    MonthlyStatistic(
                        kommun=kommun, care_type=care_type, month=month, computed_at=now, **counts
                    )
                )
                days = counts["ready_days"] // 2 if liable else 0
                liabilities.append(
                    MonthlyLiability(
                        agreement=agreements[kommun.code[:2]],
                        kommun=kommun,
                        care_type=care_type,
                        month=month,
                        state="liable" if liable else "free",
                        liable_days=days,
                        amount_sek=days * 9300,
                        computed_at=now,
                    )
                )
        populations += [
            KommunPopulation(kommun=kommun, year=year, inhabitants_65plus=size * 40 + 500)
            for year in range(months[0].year - 1, months[-1].year)
        ]
    MonthlyStatistic.objects.bulk_create(stats, batch_size=5000)
    MonthlyLiability.objects.bulk_create(liabilities, batch_size=5000)
    KommunPopulation.objects.bulk_create(populations, batch_size=5000)
    user_model = get_user_model()
    largest = user_model.objects.create_user("bench-group-14")
    services.add_membership(
        user=largest, organisation=Region.objects.get(code="14"), role=Role.JOINT_GROUP
    )
    country = user_model.objects.create_user("bench-group-country")
    for region in Region.objects.all():
        services.add_membership(user=country, organisation=region, role=Role.JOINT_GROUP)
    return {
        "kommuner": len(kommuner),
        "statistics": len(stats),
        "liability": len(liabilities),
        "population": len(populations),
    }


def measure(
    run: Callable[[], Any], repeat: int, *, cold: bool = False
) -> tuple[float, float, float, float, int]:
    """Median, p95 and min of the wall time, median of the process's CPU time (ms; the
    database server's work is in the wall time only), and the queries of one more run.
    ``cold``: the cache is cleared before each run (untimed), so the overview's figures are
    built each time; otherwise the warm-up runs leave them cached (analysis/overview_cache.py)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        run()
    times, cpu = [], []
    for _ in range(repeat):
        if cold:
            cache.clear()
        started, started_cpu = time.perf_counter(), time.process_time()
        run()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        run()
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, times[0], statistics.median(cpu), len(queries)


def page(client: Any, url: str) -> Callable[[], Any]:
    def run() -> Any:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return run


def report(args: argparse.Namespace) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    rows = [
        ("largest region (14), cold", "bench-group-14", "/follow-up/", True),
        ("largest region (14), warm", "bench-group-14", "/follow-up/", True),
        ("whole country (290), cold", "bench-group-country", "/follow-up/", True),
        ("whole country (290), warm", "bench-group-country", "/follow-up/", True),
        ("largest region, 60 months, cold", "bench-group-14", "/follow-up/?months=60", False),
        ("whole country, 60 months, cold", "bench-group-country", "/follow-up/?months=60", False),
        ("whole country, 60 months, warm", "bench-group-country", "/follow-up/?months=60", False),
        ("kommun page (Göteborg), 13 months", "bench-group-14", "/follow-up/kommun/1480/", False),
        (
            "kommun table CSV, whole country",
            "bench-group-country",
            "/follow-up/export/kommuner.csv",
            False,
        ),
    ]
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()
    print(
        f"PostgreSQL {version[0] if version else '?'}; load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; repeat {args.repeat}; "
        f"cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}"
    )
    print(f"{'what':40} {'median':>7} {'p95':>7} {'min':>7} {'CPU':>7} {'queries':>7}  judged")
    users = get_user_model().objects
    for label, username, url, judged in rows:
        client = Client()
        client.force_login(users.get(username=username))
        cold = label.endswith("cold")
        median, p95, low, cpu, queries = measure(page(client, url), args.repeat, cold=cold)
        verdict = ("OK" if median < 200 else "OVER 200 ms") if judged else "(info)"
        print(f"{label:40} {median:7.1f} {p95:7.1f} {low:7.1f} {cpu:7.1f} {queries:7d}  {verdict}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database = BenchDatabase(os.environ.get("BENCH_DASHBOARDS_DATABASE_URL", DEFAULT_URL))
    reuse = args.reuse and database.exists()
    if not reuse:
        if database.exists():
            database.drop()
        database.create()
    try:
        setup_django(database.url)
        from django.core.management import call_command
        from django.db import connection
        from django.utils import timezone

        from analysis.queries import add_months, last_complete_month

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        last = last_complete_month(timezone.localdate())
        months = [add_months(last, -n) for n in range(args.months - 1, -1, -1)]
        if not reuse:
            written = seed(months)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            print(
                f"seeded {written} for {months[0]:%Y-%m}..{months[-1]:%Y-%m} "
                f"in {time.perf_counter() - started:.1f} s"
            )
        report(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not (args.keep or args.reuse):
            database.drop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
