"""Benchmark: the CSV import at 100,000 and 1,000,000 rows on PostgreSQL, accepted and refused.

    .venv/bin/python bench/imports.py [--rows 100000 1000000] [--reimport]
                                      [--database-url postgres://...] [--keep-files DIR]

For each size it writes a file as a region exports it (``;``, Windows-1252, CRLF: ten years of
region 24, about three stays per patient, most prerequisites present) and the same file with
one bad last row, recreates its own database (``svu_bench_import``), then runs, each in a fresh
process so that its peak memory is its own:

1. refused: the file with the bad last row (found in the checking pass; nothing is written);
2. accepted: the file (checking pass, then writing pass, one transaction);
3. with ``--reimport``: the accepted file again (every row unchanged).

and prints rows/s, wall and CPU time (the import process and its PostgreSQL backend) and the
peak resident memory against the goals (100,000 rows in under 30 s; under 300 MB at 1,000,000
rows), with the machine's load average (other processes share its cores).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/svu_bench_import"
GOAL_SECONDS_100K = 30.0
GOAL_MB_1M = 300.0
HEADER = (
    "episode_id", "personnummer", "kommun", "care_type", "admitted_at", "admission_notice_at",
    "preliminary_ready_date", "ready_date", "ready_notice_at", "sip_needed", "sip_invitation_at",
    "discharged_at", "hospital", "ward", "track_colour", "named_contact", "sip_held_date",
)  # fmt: skip
KOMMUNER = ["2401", "2403", "2404", "2409", "2417", "2418", "2421", "2422", "2425",
            "2460", "2462", "2463", "2480", "2481", "2482"]  # fmt: skip
WEIGHTS = [3, 2, 2, 3, 2, 1, 2, 2, 2, 3, 2, 2, 40, 5, 20]
HOSPITALS = [("Norrlands universitetssjukhus", "Medicin 4"), ("Skellefteå lasarett", "Medicin"),
             ("Lycksele lasarett", "Akutvårdsavdelning")]  # fmt: skip


def personnummer(patient: int) -> str:
    from discharges.personnummer import luhn_check_digit

    born = date(1930, 1, 1) + timedelta(days=patient % 20000)
    nine = f"{born:%y%m%d}{(patient // 20000) % 1000:03d}"
    return f"{born:%Y}{nine[2:]}{luhn_check_digit(nine)}"


def _awake(moment: datetime) -> datetime:
    """Keep clear of 02:00-03:00, which does not exist on the night clocks go forward."""
    return moment + timedelta(hours=1) if moment.hour == 2 else moment


def _stay(n: int, rng: random.Random) -> list[str]:
    """One row: admitted in 2016-2025, about three stays per patient."""
    admitted = _awake(datetime(2016, 1, 1, 8) + timedelta(minutes=rng.randrange(3640 * 24 * 60)))
    notice = _awake(admitted + timedelta(hours=rng.choice([2, 5, 20, 30])))
    noticed = rng.random() < 0.97
    prelim = (admitted + timedelta(days=rng.randint(2, 14))).date()
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
    invitation = _awake(ready_at + timedelta(days=rng.choice([0, 1, 2, 4]))) if sip else None
    held = (invitation + timedelta(days=3)).date() if invitation and rng.random() < 0.7 else None
    hospital, ward = rng.choice(HOSPITALS)
    return [
        f"B-{n:08d}", personnummer(n // 3), rng.choices(KOMMUNER, weights=WEIGHTS)[0],
        "psykiatri" if rng.random() < 0.12 else "somatik", f"{admitted:%Y-%m-%d %H:%M}",
        f"{notice:%Y-%m-%d %H:%M}" if noticed else "", prelim.isoformat(), ready.isoformat(),
        f"{ready_at:%Y-%m-%d %H:%M}" if rng.random() < 0.98 else "", "ja" if sip else "nej",
        f"{invitation:%Y-%m-%d %H:%M}" if invitation else "", f"{discharged:%Y-%m-%d %H:%M}",
        hospital, ward, rng.choice(["grön", "grön", "gul", "röd", ""]),
        "ja" if rng.random() < 0.8 else "nej", held.isoformat() if held else "",
    ]  # fmt: skip


def lines(rows: int, *, bad_last: bool = False, seed: int = 7) -> Iterator[str]:
    rng = random.Random(seed)
    yield ";".join(HEADER)
    for n in range(rows):
        cells = _stay(n, rng)
        if bad_last and n == rows - 1:
            cells[2] = "0000"  # no such kommun
        yield ";".join(cells)


def write_file(path: Path, rows: int, *, bad_last: bool = False) -> None:
    """The file as Swedish Excel saves it: ;, CRLF, Windows-1252; written as it is made."""
    with path.open("w", encoding="cp1252", newline="\r\n") as out:
        for line in lines(rows, bad_last=bad_last):
            out.write(line + "\n")


# --- One measured run, in a process of its own ------------------------------------------------


def _backend_cpu(pid: int) -> float:
    """CPU seconds of a local PostgreSQL backend (user + system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child(path: Path, url: str) -> dict[str, Any]:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "svu.settings")
    import django

    django.setup()
    from django.db import connection

    from discharges.imports import ImportFailed, import_file

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    backend_cpu, cpu, started = _backend_cpu(backend), time.process_time(), time.perf_counter()
    outcome: dict[str, Any] = {}
    try:
        result = import_file(path)
        outcome = {"outcome": result.summary(), "created": result.created}
    except ImportFailed as exc:
        outcome = {"outcome": f"refused: {exc.count} error(s): {exc.errors[:1]}"}
    return {
        **outcome,
        "seconds": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
        "db_cpu": _backend_cpu(backend) - backend_cpu,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "start_mb": before_mb,
    }


def run_child(path: Path, url: str) -> dict[str, Any]:
    load = os.getloadavg()[0]
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(path), "--database-url", url],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["load"] = (load, os.getloadavg()[0])
    return figures


# --- The benchmark ------------------------------------------------------------------------------


def recreate(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "svu.settings"}
    subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], check=True,
                   cwd=ROOT, env=env)  # fmt: skip


def report(label: str, rows: int, figures: dict[str, Any]) -> None:
    rate = rows / figures["seconds"]
    goal = ""
    if rows == 100_000 and label == "accepted":
        met = figures["seconds"] < GOAL_SECONDS_100K
        goal = f"  goal < {GOAL_SECONDS_100K:.0f} s: {'met' if met else 'NOT met'}"
    if rows == 1_000_000:
        met = figures["peak_mb"] < GOAL_MB_1M
        goal = f"  goal < {GOAL_MB_1M:.0f} MB: {'met' if met else 'NOT met'}"
    print(
        f"{rows:>9,} rows {label:<9} {figures['seconds']:7.1f} s {rate:8,.0f} rows/s  "
        f"CPU import {figures['cpu']:6.1f} s, database {figures['db_cpu']:6.1f} s  "
        f"peak RSS {figures['peak_mb']:5.0f} MB (at start {figures['start_mb']:.0f})  "
        f"load {figures['load'][0]:.1f}->{figures['load'][1]:.1f}{goal}"
    )
    print(f"{'':>24}{figures['outcome'][:150]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--reimport", action="store_true", help="also import the file again")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_IMPORT_DATABASE_URL", DEFAULT_URL)
    )
    parser.add_argument("--keep-files", type=Path, help="write the files here and keep them")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.database_url)))
        return
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep_files or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"database: {args.database_url}; {os.cpu_count()} CPUs")
        for rows in args.rows:
            accepted, refused = folder / f"import-{rows}.csv", folder / f"import-{rows}-bad.csv"
            write_file(accepted, rows)
            write_file(refused, rows, bad_last=True)
            print(f"{rows:,} rows: {accepted.stat().st_size / 1e6:.0f} MB per file")
            recreate(args.database_url)
            report("refused", rows, run_child(refused, args.database_url))
            report("accepted", rows, run_child(accepted, args.database_url))
            if args.reimport:
                report("again", rows, run_child(accepted, args.database_url))


if __name__ == "__main__":
    main()
