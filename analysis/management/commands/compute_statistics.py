"""python manage.py compute_statistics: recompute the monthly statistics now, then open the
analyses of delayed discharge they call for (as the nightly task does)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from analysis.analyses.trigger import open_triggered_analyses
from analysis.statistics import compute_statistics


class Command(BaseCommand):
    help = (
        "Recompute the monthly statistics per kommun, care type and month, and open the "
        "analyses of delayed discharge of the months over the threshold."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        rows = compute_statistics()
        new = open_triggered_analyses()
        self.stdout.write(
            f"{rows} monthly statistics rows, {len(new)} new analyses "
            f"({time.perf_counter() - started:.2f} s)"
        )
