"""Issue 15's figures at a whole country's scale, each printed beside its goal or its reference.

Run by ``bench/run.py`` after the lists, timelines and worklists, on the same database:

* **monthly statistics** (``analysis.statistics.store_statistics``: every kommun, care type and
  month, one set-based statement) against ``REFERENCE_SQL``, the same aggregate written by hand
  as one ``GROUP BY GROUPING SETS`` query, in the same process and session settings,
  alternated run by run; then the whole ``compute_statistics`` (with the stored liability) and,
  for information, the per-group computation it replaced. Run in a child process, so that its
  peak resident memory (``ru_maxrss``) is the statistics run's. Goals: ratio <= 1.5, under 5 s,
  peak RSS under 300 MB;
* **liability**: an agreement like Västerbotten's for the region with the most episodes (made
  once, ``bench-<code>``), then ``payment_report --detail`` over the last full year (child
  process: wall, CPU, peak RSS; goal under 2 s) and, as the planner of the kommun with the most
  episodes, the month page of its last full month and the period's CSV (goal: median under
  200 ms);
* **the follow-up overview** for a partssammansatt grupp member of the same region (goal: under
  200 ms; the statistics just stored are what it reads).
"""

from __future__ import annotations

import io
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

REGION_USER = "bench-region-group"
AGREEMENT_PREFIX = "bench-"

# The same aggregate as the statistics run, written by hand: every count, the SIP median, per
# (kommun, care type, month) and per (kommun, month), over the projection.
REFERENCE_SQL = """
SELECT kommun_id, care_type, date_trunc('month', discharge_date)::date AS month,
       count(*),
       coalesce(sum(ready_days), 0),
       count(*) FILTER (WHERE ready_days >= 3),
       count(*) FILTER (WHERE ready_days = 0),
       count(*) FILTER (WHERE ready_days >= 1),
       count(*) FILTER (WHERE named_contact_at IS NOT NULL),
       count(*) FILTER (WHERE sip_needed),
       count(*) FILTER (WHERE sip_needed AND sip_invitation_delay_days <= 3),
       count(*) FILTER (WHERE sip_held_date IS NOT NULL),
       count(*) FILTER (WHERE preliminary_deviation_days IS NOT NULL),
       count(*) FILTER (WHERE preliminary_deviation_days BETWEEN -1 AND 1),
       coalesce(sum(preliminary_date_changes), 0),
       count(*) FILTER (WHERE admission_notice_late),
       count(*) FILTER (WHERE track_colour = 'green'),
       count(*) FILTER (WHERE track_colour = 'yellow'),
       count(*) FILTER (WHERE track_colour = 'red'),
       count(*) FILTER (WHERE track_colour = 'blue'),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY sip_held_after_days)
FROM discharges_episode
WHERE discharge_date IS NOT NULL AND ready_date IS NOT NULL
GROUP BY GROUPING SETS ((kommun_id, care_type, month), (kommun_id, month))
"""


def _backend_cpu() -> float:
    from bench.sql import backend_cpu

    return backend_cpu()


def _timed(run: Callable[[], Any]) -> dict[str, float]:
    wall, cpu, db_cpu = time.perf_counter(), time.process_time(), _backend_cpu()
    result = run()
    return {
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "db_cpu": _backend_cpu() - db_cpu,
        "result": result if isinstance(result, int) else 0,
    }


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- Child processes (their peak memory is their own) -------------------------------------------


def statistics_child(repeat: int) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    from analysis.statistics import compute_statistics, statistics_per_group, store_statistics

    def reference() -> int:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 2")
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute(REFERENCE_SQL)
            return len(cursor.fetchall())

    def application() -> int:
        with transaction.atomic():
            return store_statistics(timezone.now())

    started_rss = _peak_rss_mb()
    runs: dict[str, list[dict[str, float]]] = {"reference": [], "application": []}
    for _ in range(repeat):  # alternated: both see the same load
        runs["reference"].append(_timed(reference))
        runs["application"].append(_timed(application))
    statistics_rss = _peak_rss_mb()
    whole = _timed(compute_statistics)
    whole_rss = _peak_rss_mb()
    before = _timed(lambda: len(statistics_per_group(timezone.now())))
    return {
        "runs": runs,
        "whole": whole,
        "before": before,
        "rss_start": started_rss,
        "rss_statistics": statistics_rss,
        "rss_whole": whole_rss,
        "rss_before": _peak_rss_mb(),
    }


def report_child(agreement: str, first: str, last: str, repeat: int) -> dict[str, Any]:
    from django.core.management import call_command

    def run() -> int:
        out = io.StringIO()
        call_command(
            "payment_report",
            agreement=agreement,
            first=first,
            last=last,
            detail=True,
            stdout=out,
        )
        return len(out.getvalue())

    runs = [_timed(run) for _ in range(repeat)]
    return {"runs": runs, "rss": _peak_rss_mb()}


def _run_child(kind: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", kind, *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=os.environ,
    )
    if done.returncode != 0:
        raise RuntimeError(f"child {kind} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- The parent: set-up, figures, verdicts ------------------------------------------------------


def _median(runs: list[dict[str, float]], key: str = "wall") -> float:
    return statistics.median(r[key] for r in runs)


def _verdict(ok: bool) -> str:
    return "yes" if ok else "NO"


def print_statistics(repeat: int) -> bool:
    from analysis.models import MonthlyStatistic

    load = os.getloadavg()[0]
    child = _run_child("statistics", str(repeat))
    ref, app = child["runs"]["reference"], child["runs"]["application"]
    ratio = _median(app) / _median(ref)
    rows, groups = MonthlyStatistic.objects.count(), ref[0]["result"]
    print(
        f"\nMonthly statistics: {rows:,} rows stored ({groups:,} groups in the reference), "
        f"{repeat} alternated runs each, load {load:.1f} -> {os.getloadavg()[0]:.1f}; s "
        "(wall median, min; CPU of Python / PostgreSQL backend, medians)"
    )
    for name, runs in (("hand-written GROUPING SETS SELECT (reference)", ref),
                       ("store_statistics: INSERT ... SELECT (application)", app)):  # fmt: skip
        print(
            f"  {name:<52} {_median(runs):6.2f}  {min(r['wall'] for r in runs):6.2f}   "
            f"{_median(runs, 'cpu'):5.2f} / {_median(runs, 'db_cpu'):5.2f}"
        )
    whole, before = child["whole"], child["before"]
    print(
        f"  {'compute_statistics (with the stored liability)':<52} {whole['wall']:6.2f}"
        f"           {whole['cpu']:5.2f} / {whole['db_cpu']:5.2f}"
    )
    print(
        f"  {'before: the per-group computation in Python (info)':<52} {before['wall']:6.2f}"
        f"           {before['cpu']:5.2f} / {before['db_cpu']:5.2f}"
    )
    rss = child["rss_statistics"]
    ok_ratio, ok_time, ok_rss = ratio <= 1.5, _median(app) < 5.0, rss < 300
    print(
        f"  ratio application / reference {ratio:.2f} (goal <= 1.5: {_verdict(ok_ratio)}); "
        f"{_median(app):.2f} s (goal < 5 s: {_verdict(ok_time)}); peak RSS {rss:.0f} MB "
        f"(Django alone {child['rss_start']:.0f} MB; goal < 300 MB: {_verdict(ok_rss)}); "
        f"with the liability {child['rss_whole']:.0f} MB, the per-group computation "
        f"{child['rss_before']:.0f} MB"
    )
    return ok_ratio and ok_time and ok_rss


def largest_region_and_kommun() -> tuple[str, str]:
    from bench.sql import fetchall

    [(kommun,)] = fetchall(
        "SELECT k.code FROM discharges_episode e JOIN discharges_kommun k "
        "ON k.organisation_ptr_id = e.kommun_id GROUP BY k.code ORDER BY count(*) DESC LIMIT 1"
    )
    [(region,)] = fetchall(
        "SELECT left(k.code, 2) FROM discharges_episode e JOIN discharges_kommun k "
        "ON k.organisation_ptr_id = e.kommun_id GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    )
    return region, kommun


def ensure_agreement(region: str) -> str:
    """An agreement like Västerbotten's (kommun average over 3.0 days) for ``region``."""
    from django.core.management import call_command

    from payment.models import Agreement

    name = f"{AGREEMENT_PREFIX}{region}"
    if not Agreement.objects.filter(name=name).exists():
        text = (ROOT / "payment" / "agreements" / "vasterbotten.toml").read_text()
        text = text.replace('name = "vasterbotten"', f'name = "{name}"')
        text = text.replace('region = "24"', f'region = "{region}"')
        path = Path(f"/tmp/{name}.toml")  # noqa: S108 (a throwaway copy for the loader)
        path.write_text(text)
        call_command("load_agreement", str(path), stdout=io.StringIO())
    return name


def region_user(region: str) -> Any:
    from django.contrib.auth import get_user_model

    from discharges import services
    from discharges.models import Region, Role

    user_model = get_user_model()
    user = user_model.objects.filter(username=REGION_USER).first()
    if user is None:
        user = user_model.objects.create_user(username=REGION_USER, password=None)
        services.add_membership(
            user=user, organisation=Region.objects.get(code=region), role=Role.JOINT_GROUP
        )
    return user


def print_pages(repeat: int) -> bool:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from bench.dashboards import measure, page
    from discharges import services
    from discharges.models import Kommun, Role

    region, kommun = largest_region_and_kommun()
    name = ensure_agreement(region)
    today = timezone.localdate()
    year = today.year - 1
    load = os.getloadavg()[0]
    child = _run_child("report", name, f"{year}-01", f"{year}-12", "3")
    runs = child["runs"]
    ok_report = _median(runs) < 2.0
    print(
        f"\nLiability, agreement {name} (region {region}), kommun {kommun}; load {load:.1f}:\n"
        f"  payment_report --detail {year}-01..{year}-12: {_median(runs):.2f} s median of "
        f"{len(runs)} (CPU {_median(runs, 'cpu'):.2f} s + PostgreSQL "
        f"{_median(runs, 'db_cpu'):.2f} s), {runs[0]['result'] / 1e6:.1f} MB of JSON, peak RSS "
        f"{child['rss']:.0f} MB (goal < 2 s: {_verdict(ok_report)})"
    )
    username = f"bench-liability-{kommun}"
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        user = get_user_model().objects.create_user(username=username, password=None)
        services.add_membership(
            user=user, organisation=Kommun.objects.get(code=kommun), role=Role.KOMMUN_PLANNER
        )
    client = Client()
    client.force_login(user)
    month = f"{today.year if today.month > 1 else year}-{(today.month - 2) % 12 + 1:02d}"
    export = reverse("payment:export", args=[name])
    urls = {
        f"month page {month}": reverse("payment:month", args=[name, kommun, "all", month]),
        "the period's CSV (12 months)": f"{export}?kommun={kommun}",
        "the period's episode CSV (info)": f"{export}?kommun={kommun}&detail=1",
    }
    ok = ok_report
    print("  ms: median, p95, min, CPU median, queries")
    for label, url in urls.items():
        median, p95, low, cpu, queries = measure(page(client, url), repeat)
        judged = "info" not in label
        verdict = f"(goal < 200 ms: {_verdict(median < 200)})" if judged else ""
        ok = ok and (median < 200 or not judged)
        print(
            f"  {label:<34} {median:7.1f} {p95:7.1f} {low:7.1f} {cpu:7.1f} {queries:4d} {verdict}"
        )
    group = Client()
    group.force_login(region_user(region))
    median, p95, low, cpu, queries = measure(page(group, "/follow-up/"), repeat)
    print(
        f"\nFollow-up overview, region {region} (partssammansatt grupp), 13 months: median "
        f"{median:.1f} ms, p95 {p95:.1f}, min {low:.1f}, CPU {cpu:.1f}, {queries} queries "
        f"(goal < 200 ms: {_verdict(median < 200)}); load {os.getloadavg()[0]:.1f}"
    )
    return ok and median < 200


def run(repeat: int) -> bool:
    """Print the national figures; True when every goal is met."""
    ok_statistics = print_statistics(max(3, min(repeat, 5)))
    ok_pages = print_pages(repeat)
    return ok_statistics and ok_pages


def _child_main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "svu.settings")
    import django

    django.setup()
    kind, *args = argv
    if kind == "statistics":
        result = statistics_child(int(args[0]))
    else:
        result = report_child(args[0], args[1], args[2], int(args[3]))
    print(json.dumps(result))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        _child_main(sys.argv[2:])
    else:
        sys.exit("run through bench/run.py (the children are started from there)")
