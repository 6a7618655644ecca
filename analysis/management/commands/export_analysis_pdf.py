"""python manage.py export_analysis_pdf --kommun CODE --month YYYY-MM [--care-type T]
[--pseudonymised] [--user USERNAME] OUT.pdf: write an analysis's PDF.

The export is a read of patient data and is access-logged: as ``--user`` (a processledare of
the region, or a member of the group with ``--pseudonymised``), else as the region's
integration account, the system's own account for work without a person at the screen (the
import's author); without one, ``--user`` is required.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from analysis.analyses import access, pdf
from analysis.analyses.models import Analysis
from analysis.models import StatCareType
from discharges.models import AccessAction, Membership, Region, Role
from payment.reports import ReportError, parse_month


class Command(BaseCommand):
    help = "Write the PDF of an analysis of delayed discharge (Bilaga 1 per patient)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", type=Path, metavar="OUT.pdf")
        parser.add_argument("--kommun", required=True, metavar="CODE")
        parser.add_argument("--month", required=True, metavar="YYYY-MM")
        parser.add_argument("--care-type", choices=StatCareType.values, default=StatCareType.ALL)
        parser.add_argument(
            "--pseudonymised",
            action="store_true",
            help="running numbers instead of names and personal identity numbers",
        )
        parser.add_argument("--user", help="the user the export is logged for")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = parse_month(options["month"])
        except ReportError as exc:
            raise CommandError(f"--month: {exc}") from exc
        analysis = (
            Analysis.objects.select_related("kommun")
            .filter(kommun__code=options["kommun"], month=month, care_type=options["care_type"])
            .first()
        )
        if analysis is None:
            raise CommandError(
                f"no analysis of kommun {options['kommun']!r}, {options['month']}, "
                f"care type {options['care_type']} (python manage.py list_analyses lists them)"
            )
        reader = self._reader(analysis, options["user"], options["pseudonymised"])
        started = time.perf_counter()
        content = pdf.render_pdf(analysis, reader.user, pseudonymised=options["pseudonymised"])
        try:
            options["out"].write_bytes(content)
        except OSError as exc:
            raise CommandError(f"cannot write {options['out']}: {exc}") from exc
        patients = list(reader.patients())
        access.log_read(reader, patients, AccessAction.EXPORT, f"analysis {analysis.pk} pdf")
        self.stdout.write(
            f"{options['out']}: {len(patients)} patients, {len(content)} bytes "
            f"({time.perf_counter() - started:.1f} s)"
        )

    def _reader(self, analysis: Analysis, username: str | None, pseudonymised: bool) -> Any:
        if username is None:
            region = Region.objects.get(code=analysis.kommun.code[:2])
            system = (
                Membership.objects.filter(
                    organisation=region, role=Role.INTEGRATION, user__is_active=True
                )
                .select_related("user")
                .order_by("pk")
                .first()
            )
            if system is None:
                raise CommandError(
                    f"region {region.code} has no integration account to log the export for: "
                    "give --user (a processledare of the region)"
                )
            return access.AnalysisAccess(system.user, analysis, access.LEAD, region, None)
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"--user: no user {username!r}")
        role = access.region_roles(user).get(analysis.kommun.code[:2])
        if role is None or (role[0] != access.LEAD and not pseudonymised):
            raise CommandError(
                f"--user: {username} is not the region's processledare"
                + ("" if pseudonymised else " (the group exports with --pseudonymised)")
            )
        level = access.GROUP if pseudonymised else access.LEAD
        return access.AnalysisAccess(user, analysis, level, role[1], None)
