"""Benchmark: seed 003's indicators (``analysis.indicators.compute_indicators``, three GROUP BYs
over every discharged episode, one with an EXISTS per episode for readmissions) and the national
export (``analysis.vantetider.vantetider_rows``) on a generated country in PostgreSQL.

    .venv/bin/python bench/indicators.py [--episodes 200000] [--repeat 3] [--keep]

Generates the benchmark data (``bench.generate``, as ``bench/run.py`` does) in its own database,
``svu_bench_indicators`` on 127.0.0.1:5432 or ``BENCH_INDICATORS_DATABASE_URL``, then gives the
episodes the issue-14 fields the generator does not write (admission type, 70 % akut; outcome of
needs; SIP place and follow-up dates) by one UPDATE of the projection (the indicators read the
projection only; the events are not changed, so this database is for this benchmark only).
Times each computation ``--repeat`` times after one warm-up: wall time (median, min), the
process's CPU time (the client's share; PostgreSQL's own CPU is not in it) and the load average
before and after. Drops the database at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.db import BenchDatabase  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/svu_bench_indicators"

FIELDS_SQL = """
UPDATE discharges_episode SET
  admission_type = CASE WHEN hashtext(id::text || 'a') % 10 < 7 THEN 'akut' ELSE 'planerad' END,
  needs_outcome = CASE WHEN discharge_date IS NULL THEN ''
                       ELSE (ARRAY['unchanged', 'new_social', 'none', ''])
                            [1 + abs(hashtext(id::text || 'n')) % 4] END,
  sip_place = CASE WHEN sip_held_date IS NULL THEN ''
                   ELSE (ARRAY['video', 'hospital', 'home', 'phone'])
                        [1 + abs(hashtext(id::text || 'p')) % 4] END,
  sip_follow_up_date = CASE WHEN sip_held_date IS NULL THEN NULL ELSE sip_held_date + 21 END,
  sip_follow_up_done_date = CASE WHEN sip_held_date IS NULL THEN NULL
                                 ELSE sip_held_date + 18 + abs(hashtext(id::text)) % 7 END
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=200_000, help="default 200,000")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (default 3)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args(argv)


def measure(run: Callable[[], Any], repeat: int) -> tuple[float, float, float, Any]:
    """Median and min wall time and median CPU time (s) of ``repeat`` runs after a warm-up."""
    result = run()
    walls, cpus = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = run()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - started_cpu)
    return statistics.median(walls), min(walls), statistics.median(cpus), result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database = BenchDatabase(os.environ.get("BENCH_INDICATORS_DATABASE_URL", DEFAULT_URL))
    must_generate = database.prepare(args.episodes, regenerate=False)
    os.environ["DATABASE_URL"] = database.url
    os.environ["DJANGO_SETTINGS_MODULE"] = "svu.settings"
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count, Max, Min

    from analysis.indicators import compute_indicators
    from analysis.vantetider import vantetider_rows
    from bench import generate
    from discharges.models import Episode, Kommun, Region

    print(f"Benchmark database: {database.name}")
    call_command("migrate", interactive=False, verbosity=0)
    if must_generate:
        generate.generate(args.episodes)
    with connection.cursor() as cursor:
        cursor.execute(FIELDS_SQL)
        cursor.execute("ANALYZE discharges_episode")
    span = Episode.objects.filter(discharge_date__isnull=False).aggregate(
        n=Count("id"), first=Min("discharge_date"), last=Max("discharge_date")
    )
    discharged, first, last = span["n"], span["first"].replace(day=1), span["last"].replace(day=1)
    region = max(Region.objects.all(), key=lambda r: Kommun.objects.filter(region=r).count())
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    load_before = os.getloadavg()
    print(f"{args.episodes:,} episodes, {discharged:,} discharged, {months} months")
    print(f"{'what':58} {'median':>8} {'min':>8} {'CPU':>8}")
    wall, low, cpu, rows = measure(compute_indicators, args.repeat)
    print(f"{f'compute_indicators (stores {rows:,} rows)':58} {wall:8.2f} {low:8.2f} {cpu:8.2f}")
    kommuner = Kommun.objects.filter(region=region).count()
    wall, low, cpu, rows = measure(lambda: vantetider_rows(region, first, last), args.repeat)
    what = f"vantetider_rows, län {region.code} ({kommuner} kommuner x {months} months)"
    print(f"{what:58} {wall:8.2f} {low:8.2f} {cpu:8.2f}")
    load_after = os.getloadavg()
    print(
        "seconds; load average (1, 5, 15 min) before "
        f"{' '.join(f'{x:.2f}' for x in load_before)}, after "
        f"{' '.join(f'{x:.2f}' for x in load_after)}; {os.cpu_count()} CPUs"
    )
    connection.close()
    if not args.keep:
        database.drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
