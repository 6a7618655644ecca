"""Benchmark: the PDF of an analysis of delayed discharge with 50 patients (goal: under 5 s).

    .venv/bin/python bench/analysis_pdf.py [--patients 50] [--repeat 5]

Works on the embedded default, SQLite, in a fresh temporary directory (``SVU_VAR_DIR``), so it
touches no other database: migrates, writes 50 stays in one kommun-month through the services
(every message the checklist reads, sent by the region's integration account), opens the
analysis with the trigger, fills every answered row of the three columns with a comment and
adds five actions with follow-ups (the fullest PDF a real analysis makes), then times
``analysis.analyses.pdf.render_pdf`` (gathering the checklists, layout, writing) and prints the
median of ``--repeat`` runs after one warm-up, with the pages and the size: as configured
(``SVU_PDF_PROCESSES``: two processes, the second half laid out by a forked child), then in one
process for comparison.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ZONE = ZoneInfo("Europe/Stockholm")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, clock(hour, minute), tzinfo=ZONE)


def setup_django(var_dir: str) -> None:
    os.environ["SVU_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "svu.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def organisations() -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from discharges import services
    from discharges.models import CareType, HealthCentre, Hospital, Kommun, Region, Role, Ward

    region = Region.objects.get(code="24")
    kommun = Kommun.objects.get(code="2480")
    hospital = Hospital.objects.create(name="Norrlands universitetssjukhus", region=region)
    ward = Ward.objects.create(
        name="Avdelning 1 medicin", hospital=hospital, care_type=CareType.SOMATIC
    )
    hc = HealthCentre.objects.create(name="Ersboda hälsocentral", region=region)
    hc.kommuner.add(kommun)
    users = {}
    for name, org, role in (
        ("integration", region, Role.INTEGRATION),
        ("nurse", ward, Role.WARD_STAFF),
        ("planner", kommun, Role.KOMMUN_PLANNER),
        ("coordinator", hc, Role.HC_COORDINATOR),
        ("lead", region, Role.PROCESS_LEAD),
    ):
        users[name] = get_user_model().objects.create_user(username=name)
        services.add_membership(user=users[name], organisation=org, role=role)
    return {"region": region, "kommun": kommun, "ward": ward, "hc": hc, **users}


def stay(orgs: dict[str, Any], n: int, ready: date) -> None:
    """One stay with every message the checklist reads (as the tests' ``full_stay``)."""
    from demo.vocabulary import FIRST_NAMES, SURNAMES
    from discharges import services
    from discharges.models import Destination, TrackColour
    from discharges.personnummer import luhn_check_digit

    nine = f"{date(1938, 1, 1) + timedelta(days=97 * n):%y%m%d}{n % 1000:03d}"
    patient = services.register_patient(
        personnummer=f"19{nine}{luhn_check_digit(nine)}",
        kommun=orgs["kommun"],
        name=f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {SURNAMES[n % len(SURNAMES)]}",
        address=f"Storgatan {n}, 903 26 Umeå",
        health_centre=orgs["hc"],
    )
    ward = services.Actor(orgs["integration"], orgs["ward"])
    kommun = services.Actor(orgs["integration"], orgs["kommun"])
    hc = services.Actor(orgs["integration"], orgs["hc"])
    day = lambda k: ready + timedelta(days=k)  # noqa: E731
    episode = services.register_episode(
        actor=ward, patient=patient, ward=orgs["ward"], admitted_at=at(day(-5), 8)
    )
    steps: list[tuple[Any, Any, datetime, dict[str, Any]]] = [
        (services.send_admission_notice, ward, at(day(-5), 10),
         {"preliminary_ready_date": day(-1), "reason": "Fall i hemmet"}),
        (services.change_preliminary_date, ward, at(day(-3), 8), {"preliminary_ready_date": ready}),
        (services.answer_admission, kommun, at(day(-4), 9),
         {"current_services": True, "services": "Hemtjänst morgon och kväll"}),
        (services.answer_admission, hc, at(day(-4), 11), {"current_services": False}),
        (services.name_care_contact, hc, at(day(-4), 12), {"name": "Ulla Sköterska"}),
        (services.assess_track_colour, ward, at(day(-3), 9),
         {"colour": TrackColour.RED, "sip_needed": True}),
        (services.take_sip_initiative, kommun, at(day(-2), 10), {"note": ""}),
        (services.send_ready_notice, ward, at(ready, 10, 35), {"ready_date": ready}),
        (services.send_sip_invitation, hc, at(day(1), 9), {"meeting_at": at(day(2), 13)}),
        (services.record_sip_held, hc, at(day(2), 15), {"held_date": day(2)}),
        (services.mark_sol_planning_done, kommun, at(day(2), 16), {}),
        (services.mark_hsl_planning_done, kommun, at(day(3), 9), {}),
        (services.mark_kommun_ready, kommun, at(day(3 + n % 4), 13), {}),
        (services.register_discharge, ward, at(day(4 + n % 4), 14),
         {"destination": Destination.HOME}),
    ]  # fmt: skip
    for service, actor, when, data in steps:
        service(actor=actor, episode=episode, occurred_at=when, **data)


# The rows each column comments on by default; ``--every-comment`` comments on every row.
COMMENTED = {"ward": ("sbar", "ready_date"), "health_centre": ("sip_held", "sbar"),
             "kommun": ("delay_capacity", "kommun_ready")}  # fmt: skip


def fill(orgs: dict[str, Any], analysis: Any, *, every_comment: bool) -> None:
    """Every answered row of every column answered (yes, a date), comments on two rows per
    column (or on every row), the complex needs described; five actions with follow-ups."""
    from django.utils import timezone

    from analysis.analyses.answers import AnswerInput, save_column
    from analysis.analyses.checklist import ANSWERABLE
    from analysis.analyses.services import ActionInput, add_action, follow_up_action

    users = {"ward": orgs["nurse"], "health_centre": orgs["coordinator"], "kommun": orgs["planner"]}
    for patient in analysis.patients.select_related("episode"):
        admitted = timezone.localdate(patient.episode.admitted_at)
        for column, user in users.items():
            entries = {}
            for code, row in ANSWERABLE.items():
                if column not in row.columns:
                    continue
                comment = ""
                if every_comment or code in COMMENTED[column] or row.kind == "yes_no_text":
                    comment = f"Iakttagelse från {column} om patient {patient.number}: {code}."
                if row.from_log:
                    if comment:
                        entries[code] = AnswerInput(comment=comment)
                elif row.kind == "text":
                    entries[code] = AnswerInput(comment="BHL, EC hemtjänst, SSK")
                elif row.kind in ("date", "yes_no_date"):
                    entries[code] = AnswerInput("yes", admitted + timedelta(days=1), comment)
                else:
                    entries[code] = AnswerInput("yes", None, comment)
            save_column(user=user, patient=patient, column=column, entries=entries)
    today = timezone.localdate()
    for n in range(5):
        action = add_action(
            user=orgs["lead"],
            analysis=analysis,
            data=ActionInput(
                f"Åtgärd {n + 1}: planeringen startar senast dagen efter inskrivningsmeddelandet.",
                orgs["kommun"],
                "Enhetschef",
                today + timedelta(days=30 * (n + 1)),
            ),
        )
        follow_up_action(
            user=orgs["lead"], action=action, day=today, note="Påbörjad.", status="in_progress"
        )


def seed(patients: int, *, every_comment: bool) -> Any:
    from django.db import transaction
    from django.utils import timezone

    from analysis.analyses.trigger import open_triggered_analyses
    from analysis.statistics import compute_statistics
    from payment.loader import load_agreement

    month = (timezone.localdate().replace(day=1) - timedelta(days=40)).replace(day=1)
    with transaction.atomic():
        load_agreement(ROOT / "payment" / "agreements" / "vasterbotten.toml")
        orgs = organisations()
        for n in range(patients):
            stay(orgs, n, month + timedelta(days=5 + n % 15))
    compute_statistics()
    [analysis] = open_triggered_analyses()
    fill(orgs, analysis, every_comment=every_comment)
    assert analysis.patients.count() == patients, analysis.patients.count()
    return analysis, orgs["lead"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--every-comment",
        action="store_true",
        help="a comment on every row of every column (the longest PDF an analysis makes)",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="svu-bench-pdf-") as var_dir:
        setup_django(var_dir)
        import logging

        logging.getLogger("weasyprint").setLevel(logging.WARNING)
        started = time.perf_counter()
        analysis, lead = seed(args.patients, every_comment=args.every_comment)
        print(f"seeded {args.patients} patients on SQLite in {time.perf_counter() - started:.1f} s")
        report(analysis, lead, args.repeat)
    return 0


def page_count(content: bytes) -> str:
    """The PDF's pages, from poppler's pdfinfo when it is installed."""
    if not shutil.which("pdfinfo"):
        return "?"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        info = subprocess.run(["pdfinfo", handle.name], capture_output=True, text=True).stdout
    found = re.search(r"Pages:\s+(\d+)", info)
    return found.group(1) if found else "?"


def report(analysis: Any, lead: Any, repeat: int) -> None:
    """The PDF timed as configured (``SVU_PDF_PROCESSES``, two by default), then in one
    process for comparison."""
    from django.conf import settings
    from django.test import override_settings

    configured = settings.SVU_PDF_PROCESSES
    for processes in dict.fromkeys((configured, 1)):
        with override_settings(SVU_PDF_PROCESSES=processes):
            timed(analysis, lead, repeat, processes)


def timed(analysis: Any, lead: Any, repeat: int, processes: int) -> None:
    from analysis.analyses import pdf

    stages: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        stages.setdefault(stage, time.perf_counter())

    pdf.render_pdf(analysis, lead, pseudonymised=False)  # warm-up (templates, fonts)
    times, cpu, content = [], [], b""
    for _ in range(repeat):
        stages.clear()
        started, started_cpu = time.perf_counter(), time.process_time()
        content = pdf.render_pdf(analysis, lead, pseudonymised=False, progress=progress)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    pages = page_count(content)
    ends = [stages.get("layout", 0) - started, stages.get("writing", 0) - started]
    goal = "yes" if statistics.median(times) < 5 else "NO"
    print(
        f"PDF of {analysis.patients.count()} patients in {processes} process"
        f"{'es' if processes > 1 else ''}: median {statistics.median(times):.2f} s "
        f"(goal < 5 s: {goal}; min {min(times):.2f}, max {max(times):.2f}, {repeat} runs; "
        f"CPU of this process median {statistics.median(cpu):.2f} s), {len(content) // 1024} KB, "
        f"{pages} pages; last run: gathered by {ends[0]:.2f} s, laid out by {ends[1]:.2f} s; "
        f"load {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    sys.exit(main())
