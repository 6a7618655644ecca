"""Benchmark: what webhooks cost the write path, and one delivery's POST.

    .venv/bin/python bench/webhooks.py [--messages 300] [--deliveries 200]

Works on the embedded default, SQLite, in a fresh temporary directory (``SVU_VAR_DIR``), with
Celery not eager and the in-process broker (``memory://``), so a write measures the hook and
the outbox's send after the commit, never a POST. Times ``change_preliminary_date`` (one
message, its commit and its after-commit send) on one shared episode with (a) no subscription,
(b) the kommun and the hälsocentral subscribed to other kinds, (c) both subscribed to it (two
deliveries and two outbox tasks stored per message). Then times ``webhooks.services.deliver``
(claim, signed POST to an http.server on 127.0.0.1 in a thread, record) over ``--deliveries``
deliveries. Prints medians and p95 of wall and CPU time (this process; the receiver's thread
counts in it too), with the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def setup_django(var_dir: str) -> None:
    os.environ["SVU_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ["SVU_WEBHOOK_ALLOW_LOOPBACK_HTTP"] = "true"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "svu.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def scenery() -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from discharges import services
    from discharges.models import CareType, HealthCentre, Hospital, Kommun, Region, Role, Ward

    region = Region.objects.get(code="24")
    kommun = Kommun.objects.get(code="2480")
    hospital = Hospital.objects.create(name="Norrlands universitetssjukhus", region=region)
    ward = Ward.objects.create(name="Avdelning 1", hospital=hospital, care_type=CareType.SOMATIC)
    hc = HealthCentre.objects.create(name="Ersboda hälsocentral", region=region)
    hc.kommuner.add(kommun)
    nurse = get_user_model().objects.create_user(username="nurse")
    services.add_membership(user=nurse, organisation=ward, role=Role.WARD_STAFF)
    actor = services.Actor(nurse, ward)
    patient = services.register_patient(
        personnummer="194103151017",
        name="Bänk Patient",
        address="Storgatan 1, 903 26 Umeå",
        kommun=kommun,
        health_centre=hc,
    )
    episode = services.register_episode(
        actor=actor,
        patient=patient,
        ward=ward,
        admitted_at=timezone.now() - timedelta(days=1),
    )
    services.send_admission_notice(
        actor=actor, episode=episode, preliminary_ready_date=timezone.localdate()
    )
    return {"actor": actor, "episode": episode, "kommun": kommun, "hc": hc}


def timed(run: Callable[[int], Any], count: int) -> tuple[list[float], list[float]]:
    wall, cpu = [], []
    for i in range(count):
        started, started_cpu = time.perf_counter(), time.process_time()
        run(i)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def report(label: str, wall: list[float], cpu: list[float]) -> None:
    print(
        f"{label:<58} wall median {statistics.median(wall):6.2f} ms, p95 {p95(wall):6.2f}; "
        f"CPU median {statistics.median(cpu):6.2f} ms"
    )


def writes(scene: dict[str, Any], count: int) -> Callable[[int], Any]:
    from django.utils import timezone

    from discharges import services

    def run(i: int) -> None:
        services.change_preliminary_date(
            actor=scene["actor"],
            episode=scene["episode"],
            preliminary_ready_date=timezone.localdate() + timedelta(days=1 + i % 2),
        )

    return run


class Quiet(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--deliveries", type=int, default=200)
    args = parser.parse_args()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"Machine: {os.cpu_count()} cores, load average {load}; SQLite, broker memory://")
    with tempfile.TemporaryDirectory(prefix="svu-bench-webhooks-") as var_dir:
        setup_django(var_dir)
        from discharges.events import EventKind
        from webhooks import services as webhooks
        from webhooks.models import Delivery

        scene = scenery()
        run = writes(scene, args.messages)
        timed(run, 20)  # warm-up
        report("(a) a message, no subscription", *timed(run, args.messages))

        server = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        subs = [
            webhooks.create_subscription(organisation=org, url=url, kinds=[EventKind.DISCHARGE])[0]
            for org in (scene["kommun"], scene["hc"])
        ]
        report("(b) kommun and hälsocentral subscribed to other kinds", *timed(run, args.messages))
        for sub in subs:
            sub.kinds = [EventKind.PRELIMINARY_DATE_CHANGED]
            sub.save()
        report("(c) both subscribed: 2 deliveries stored and queued", *timed(run, args.messages))

        ids = list(Delivery.objects.values_list("pk", flat=True)[: args.deliveries])
        wall, cpu = timed(lambda i: webhooks.deliver(ids[i]), len(ids))
        report(f"one delivery: claim, signed POST, record ({len(ids)})", wall, cpu)
        server.shutdown()
        assert Delivery.objects.filter(pk__in=ids, status="delivered").count() == len(ids)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average after: {load}")


if __name__ == "__main__":
    main()
