"""Load test: simulated users against gunicorn on loopback, on the benchmark database.

    .venv/bin/python bench/load.py [--users 50] [--seconds 60] [--workers 2 4]

Needs a generated benchmark database (``bench/run.py`` makes it; ``BENCH_DATABASE_URL`` names
another one, e.g. the national one). For each number of gunicorn workers: starts gunicorn
with the project's configuration (``svu/gunicorn_conf.py``, DEBUG off, the access log to a
file) on 127.0.0.1, runs locust headless (``bench/locustfile.py``) with ``--users`` simulated
users in a closed loop (no think time) for ``--seconds``, then stops gunicorn (by its pid) and
prints the throughput, p50/p95/p99 and errors per request kind and in all, the CPU seconds of
gunicorn's processes, of the database server's backends and of locust, and the load average.

The users: kommun planners (Umeå, Stockholm, Bjurholm), ward nurses of the busiest ward and
health centre coordinators, each simulated user with a session of its own (made with the test
client's ``force_login`` in the database's session table, as a login would). The ward nurses
change preliminary dates of their own ward's active episodes (each simulated user its own
episodes, so no two write the same episode); the others "kvittera alla" on their worklist's
episodes. Goal (issue 15): >= 150 requests/s at p95 < 300 ms with zero errors on 2 cores.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.db import bench_database  # noqa: E402

SECRET = "bench-load-secret-key-not-for-production-0123456789"  # noqa: S105 (loopback only)
BIN = Path(sys.executable).parent
# (username, role kind, simulated users of the 50)
MIX = (
    ("bench-kommun-2480", "kommun", 0.24),
    ("bench-kommun-0180", "kommun", 0.16),
    ("bench-kommun-2403", "kommun", 0.06),
    ("bench-ward", "ward", 0.30),
    ("bench-hc", "hc", 0.24),
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 4])
    return parser.parse_args(argv)


def setup_django(url: str) -> None:
    os.environ.update(
        DATABASE_URL=url,
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECRET_KEY=SECRET,
        DJANGO_SETTINGS_MODULE="svu.settings",
    )
    import django

    django.setup()


def _sessions(users: int) -> list[dict[str, Any]]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from bench.worklists import health_centre_user
    from discharges import selectors, worklists

    health_centre_user()
    sessions: list[dict[str, Any]] = []
    for username, role, share in MIX:
        user = get_user_model().objects.get(username=username)
        rows = worklists.worklist(user)
        episodes = [row.episode.pk for row in rows][:60]
        active = list(
            selectors.visible_episodes(user)
            .active()
            .filter(admission_notice_at__isnull=False, discharge_date__isnull=True)
            .values_list("pk", flat=True)[:200]
        )
        # Users with nothing to do (Bjurholm) read the episodes they may see.
        episodes = (
            episodes
            or active[:60]
            or list(selectors.visible_episodes(user).values_list("pk", flat=True)[:60])
        )
        mine = max(1, round(users * share))
        for n in range(mine):
            client = Client()
            client.force_login(user)
            csrf = client.get("/").cookies.get("csrftoken")
            writable = active[n::mine] if role == "ward" else []
            sessions.append(
                {
                    "role": role,
                    "user": username,
                    "sessionid": client.cookies["sessionid"].value,
                    "csrftoken": csrf.value if csrf else client.cookies["csrftoken"].value,
                    "episodes": episodes,
                    "writable": writable,
                }
            )
    print(
        f"{len(sessions)} sessions for {len(MIX)} users, made {timezone.now():%Y-%m-%d %H:%M}",
        flush=True,
    )
    return sessions[:users]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its children that are still alive (user + system; gunicorn's
    workers live through the run)."""
    total = 0.0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _postgres_cpu() -> float:
    """CPU seconds of the PostgreSQL backends now connected to the benchmark database (the
    application keeps its connections: ``conn_max_age``)."""
    name = f" {os.environ['BENCH_LOAD_DATABASE']} "
    total = 0.0
    for process in Path("/proc").glob("[0-9]*"):
        try:
            title = (process / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            text = (process / "stat").read_text()
        except (OSError, UnicodeDecodeError):
            continue
        if not title.startswith("postgres:") or name not in title:
            continue
        fields = text.rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not listen on {port} within {seconds} s")


def run_once(workers: int, args: argparse.Namespace, plan: Path, folder: Path) -> dict[str, Any]:
    port = _free_port()
    env = dict(os.environ)
    log = (folder / f"gunicorn-{workers}.log").open("w")
    gunicorn = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--config",
            "svu/gunicorn_conf.py",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "svu.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(port)
        time.sleep(2)  # the workers import the application
        prefix = folder / f"locust-{workers}"
        load_before, g_cpu, pg_cpu = os.getloadavg()[0], _tree_cpu(gunicorn.pid), _postgres_cpu()
        started = time.perf_counter()
        locust = subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.users),
                "--run-time",
                f"{args.seconds}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={**env, "BENCH_LOAD_PLAN": str(plan)},
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
        figures = {
            "workers": workers,
            "wall": wall,
            "gunicorn_cpu": _tree_cpu(gunicorn.pid) - g_cpu,
            "postgres_cpu": _postgres_cpu() - pg_cpu,
            "load": (load_before, os.getloadavg()[0]),
            "stats": _read_stats(Path(f"{prefix}_stats.csv")),
            "failures": _read_failures(Path(f"{prefix}_failures.csv")),
        }
        if locust.returncode not in (0, 1):  # 1: some requests failed
            figures["locust_error"] = locust.stderr[-2000:]
        return figures
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        try:
            gunicorn.wait(timeout=30)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
        log.close()


def _read_stats(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open() as handle:
        return list(csv.DictReader(handle))


def _read_failures(path: Path) -> list[dict[str, str]]:
    return _read_stats(path)


def report(figures: dict[str, Any], users: int) -> bool:
    print(
        f"\ngunicorn {figures['workers']} workers, {users} users, {figures['wall']:.0f} s; "
        f"CPU: gunicorn {figures['gunicorn_cpu']:.0f} s, PostgreSQL {figures['postgres_cpu']:.0f}"
        f" s; load {figures['load'][0]:.1f} -> {figures['load'][1]:.1f}"
    )
    print(f"  {'request':<28} {'count':>7} {'errors':>6} {'req/s':>7} {'p50':>6} {'p95':>6} "
          f"{'p99':>6} {'max':>6}")  # fmt: skip
    ok = False
    for row in figures["stats"]:
        name = row["Name"] if row["Name"] != "Aggregated" else "ALL"
        print(
            f"  {name:<28} {row['Request Count']:>7} {row['Failure Count']:>6} "
            f"{float(row['Requests/s']):7.1f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6} "
            f"{row['Max Response Time']:>6}"
        )
        if row["Name"] == "Aggregated":
            rate, p95, errors = (
                float(row["Requests/s"]),
                float(row["95%"]),
                int(row["Failure Count"]),
            )
            ok = rate >= 150 and p95 < 300 and errors == 0
            print(
                f"  goal >= 150 req/s at p95 < 300 ms, zero errors: "
                f"{'yes' if ok else 'NO'} ({rate:.1f} req/s, p95 {p95:.0f} ms, {errors} errors)"
            )
    for failure in figures["failures"][:5]:
        times = failure.get("Occurrences")
        print(f"  failure: {failure.get('Name')}: {failure.get('Error')} x{times}")
    if "locust_error" in figures:
        print(f"  locust: {figures['locust_error']}")
    return ok


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database = bench_database()
    if not database.generated_episodes():
        sys.exit(f"no generated data in {database.name}: run bench/run.py first")
    setup_django(database.url)
    os.environ["BENCH_LOAD_DATABASE"] = database.name
    from discharges.models import EventKind

    folder = Path(tempfile.mkdtemp(prefix="svu-load-"))
    plan = folder / "plan.json"
    plan.write_text(
        json.dumps(
            {
                "sessions": _sessions(args.users),
                "preliminary_slug": EventKind.PRELIMINARY_DATE_CHANGED.value,
            }
        )
    )
    print(f"Database {database.name}; logs and locust's CSV in {folder}")
    ok = True
    for workers in args.workers:
        ok = report(run_once(workers, args, plan, folder), args.users) and ok
    return 0


if __name__ == "__main__":
    sys.exit(main())
