"""python manage.py list_analyses [--format json|text] [--status open|closed] [--kommun CODE]:
the analyses of delayed discharge, one per line (text) or as a JSON list of
``{"kommun", "care_type", "month", "average", "patients"}``; ``average`` as payment_report
gives it (2 decimals, halves up), ``patients`` the episodes with 3 or more ready days."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count

from analysis.analyses.models import Analysis, AnalysisStatus


def as_json(analysis: Any) -> dict[str, Any]:
    average = analysis.average
    return {
        "kommun": analysis.kommun.code,
        "care_type": analysis.care_type,
        "month": f"{analysis.month:%Y-%m}",
        "average": float(average) if average is not None else None,
        "patients": analysis.patient_count,
    }


class Command(BaseCommand):
    help = "List the analyses of delayed discharge."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=("text", "json"), default="text")
        parser.add_argument("--status", choices=AnalysisStatus.values)
        parser.add_argument("--kommun", metavar="CODE", help="a kommun's 4-digit code")

    def handle(self, *args: Any, **options: Any) -> None:
        analyses = (
            Analysis.objects.select_related("kommun")
            .annotate(patient_count=Count("patients"))
            .order_by("month", "kommun__code", "care_type")
        )
        if options["status"]:
            analyses = analyses.filter(status=options["status"])
        if options["kommun"]:
            analyses = analyses.filter(kommun__code=options["kommun"])
        rows = [as_json(a) for a in analyses]
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        for analysis, row in zip(analyses, rows, strict=True):
            average = "–" if row["average"] is None else f"{row['average']:.2f}"
            self.stdout.write(
                f"{row['kommun']} {row['month']} {row['care_type']:<9} average {average} "
                f"(threshold {analysis.threshold}), {row['patients']} patients, {analysis.status}"
            )
