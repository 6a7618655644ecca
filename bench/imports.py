"""Benchmark: import 100,000 CSV rows into PostgreSQL through discharges.imports (the services
with the batch recorder). Prints the time, rows per second and what was written.

    .venv/bin/python bench/imports.py [--rows 100000] [--database-url postgres://...]

Uses its own database (svu_bench_import by default), recreated on every run.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADER = (
    "episode_id,personnummer,kommun,care_type,admitted_at,admission_notice_at,"
    "preliminary_ready_date,ready_date,ready_notice_at,sip_needed,sip_invitation_at,discharged_at,"
    "track_colour,named_contact,sip_held_date"
)


def personnummer(serial: int) -> str:
    from discharges.personnummer import luhn_check_digit

    born = datetime(1930, 1, 1) + timedelta(days=serial % 20000)
    nine = f"{born:%y%m%d}{serial % 1000:03d}"
    return f"{born:%Y}{nine[2:]}{luhn_check_digit(nine)}"


def _awake(moment: datetime) -> datetime:
    """Keep clear of 02:00-03:00, which does not exist on the night clocks go forward."""
    return moment + timedelta(hours=1) if moment.hour == 2 else moment


def make_csv(rows: int, seed: int = 7) -> str:
    """Realistic history: two years, all kommuner of region 24, most prerequisites present."""
    rng = random.Random(seed)
    kommuner = ["2401", "2403", "2404", "2409", "2417", "2418", "2421", "2422", "2425",
                "2460", "2462", "2463", "2480", "2481", "2482"]  # fmt: skip
    weights = [3, 2, 2, 3, 2, 1, 2, 2, 2, 3, 2, 2, 40, 5, 20]
    start = datetime(2024, 1, 1, 8, 0)
    lines = [HEADER]
    for n in range(rows):
        admitted = _awake(start + timedelta(minutes=rng.randrange(0, 700 * 24 * 60)))
        notice = _awake(admitted + timedelta(hours=rng.choice([2, 5, 20, 30])))
        noticed = rng.random() < 0.97
        stay = rng.randint(2, 14)
        prelim = (admitted + timedelta(days=stay)).date()
        ready = prelim + timedelta(days=rng.choice([-1, 0, 0, 1, 2]))
        ready_at = datetime.combine(ready, datetime.min.time()) + timedelta(
            hours=rng.randint(8, 16), minutes=rng.randint(0, 59)
        )
        if ready_at <= notice:
            ready_at = notice + timedelta(hours=1)
            ready = ready_at.date()
        wait = rng.choices([0, 1, 2, 3, 5, 9], weights=[40, 25, 15, 10, 7, 3])[0]
        discharged = _awake(ready_at + timedelta(days=wait, hours=2))
        sip = rng.random() < 0.3
        invitation = (
            _awake(ready_at + timedelta(days=rng.choice([0, 1, 2, 4]))) if sip else None
        )
        held = (
            (invitation + timedelta(days=3)).date() if invitation and rng.random() < 0.7 else None
        )
        if held and invitation and held > (datetime(2026, 11, 1)).date():
            held = None
        lines.append(
            ",".join(
                [
                    f"B-{n:07d}",
                    personnummer(n),
                    rng.choices(kommuner, weights=weights)[0],
                    "psykiatri" if rng.random() < 0.12 else "somatik",
                    f"{admitted:%Y-%m-%dT%H:%M}",
                    f"{notice:%Y-%m-%dT%H:%M}" if noticed else "",
                    prelim.isoformat() if noticed else "",
                    ready.isoformat(),
                    f"{ready_at:%Y-%m-%dT%H:%M}" if rng.random() < 0.98 else "",
                    "ja" if sip else "nej",
                    f"{invitation:%Y-%m-%dT%H:%M}" if invitation else "",
                    f"{discharged:%Y-%m-%dT%H:%M}",
                    rng.choice(["grön", "grön", "gul", "röd", ""]),
                    "ja" if rng.random() < 0.8 else "nej",
                    held.isoformat() if held else "",
                ]
            )
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_IMPORT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/svu_bench_import"
        ),
    )
    args = parser.parse_args()
    name = args.database_url.rsplit("/", 1)[1]
    host_url = args.database_url.rsplit("/", 1)[0]
    subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "svu.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    text = make_csv(args.rows)
    from discharges.imports import import_csv
    from discharges.models import Episode, EpisodeEvent, EpisodeGroupObjectPermission, Patient

    started = time.perf_counter()
    result = import_csv(text)
    took = time.perf_counter() - started
    print(f"database: {host_url}/{name}")
    print(f"rows: {args.rows}  time: {took:.1f} s  ({args.rows / took:,.0f} rows/s)  target < 60 s")
    print(
        f"written: {result.created} episodes, {result.events} events, "
        f"{Patient.objects.count()} patients, "
        f"{EpisodeGroupObjectPermission.objects.count()} grants"
    )
    assert Episode.objects.count() == args.rows
    assert EpisodeEvent.objects.count() == result.events
    started = time.perf_counter()
    again = import_csv(text)
    print(
        f"re-import of the same file: {time.perf_counter() - started:.1f} s, "
        f"{again.created} new, {again.updated} updated, {again.unchanged} unchanged"
    )


if __name__ == "__main__":
    main()
