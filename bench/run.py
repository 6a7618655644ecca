"""Entry point of ``make bench``: the episode list and timeline at a whole country's scale.

    .venv/bin/python bench/run.py [--episodes N] [--regenerate] [--repeat K] [--explain]
                                  [--only-kommun]

Works in its own PostgreSQL database (``svu_bench`` on 127.0.0.1:5432, or
``BENCH_DATABASE_URL``), migrates it, generates the data unless that database already holds
the requested number of episodes (reused data that the migrations changed is analysed again),
then measures and prints the figures of the application as it is. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--episodes",
        type=int,
        default=1_000_000,
        help="episodes to generate (default 1,000,000)",
    )
    parser.add_argument(
        "--regenerate",
        action="store_true",
        help="drop the benchmark database and generate anew",
    )
    parser.add_argument(
        "--repeat", type=int, default=20, help="timed runs after 2 warm-ups (default 20)"
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print EXPLAIN ANALYZE of the Umeå planner's scoped queries (list, count, detail)",
    )
    parser.add_argument(
        "--only-kommun",
        action="store_true",
        help="measure only the Umeå kommun planner (not the ward, Bjurholm and Stockholm users)",
    )
    parser.add_argument(
        "--skip-national",
        action="store_true",
        help="leave out the statistics, liability and follow-up figures (bench/national.py)",
    )
    parser.add_argument(
        "--only-national",
        action="store_true",
        help="only the statistics, liability and follow-up figures (bench/national.py)",
    )
    args = parser.parse_args(argv)
    if args.episodes < 1000:
        parser.error("--episodes must be at least 1000")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from bench.db import bench_database

    database = bench_database()
    started = time.perf_counter()
    must_generate = database.prepare(args.episodes, regenerate=args.regenerate)

    # Settings are read from the environment: point them at the benchmark database, with the
    # production-like DEBUG off and the test client's host allowed.
    os.environ["DATABASE_URL"] = database.url
    os.environ["DJANGO_SETTINGS_MODULE"] = "svu.settings"
    os.environ["DEBUG"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    import django

    django.setup()
    from django.core.management import call_command

    from bench import episodes, generate

    print(f"Benchmark database: {database.name}")
    call_command("migrate", interactive=False, verbosity=0)
    if must_generate:
        generate.generate(args.episodes)
    else:
        print(f"Reusing the {args.episodes:,} generated episodes (--regenerate to start over).")
        new = generate.migrations_since_analyze()
        if new:
            # A migration's new statistics target (0007) takes effect at the next ANALYZE only,
            # and autovacuum may not analyse the reused tables for a long time.
            took = time.perf_counter()
            generate.vacuum_analyze()
            print(
                f"VACUUM ANALYZE after migrations applied to the reused data ({', '.join(new)}): "
                f"{time.perf_counter() - took:.0f} s."
            )
    # As a gunicorn worker measures: the loaded application frozen out of the garbage
    # collector's sight (svu/gunicorn_conf.py), or a full collection over it pauses a page by
    # ~70 ms now and then (the largest worklists' p95).
    from svu.gunicorn_conf import post_worker_init

    post_worker_init(None)
    ok = True
    if not args.only_national:
        ok = episodes.run(
            args.repeat, explain_queries=args.explain, extra_users=not args.only_kommun
        )
    if not args.skip_national:
        # Issue 15: statistics, liability and the follow-up overview beside their references.
        from bench import national

        ok = national.run(args.repeat) and ok
    print(f"\nTotal {time.perf_counter() - started:.0f} s.")
    print(
        "Targets met: the kommun planner's list and timeline medians are under 50 ms, every "
        "worklist's p95 under 100 ms, and the national figures' goals (bench/national.py)."
        if ok
        else "Target NOT met: see NO above."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
