"""python manage.py compute_statistics: recompute the monthly statistics now."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from analysis.statistics import compute_statistics


class Command(BaseCommand):
    help = "Recompute the monthly statistics per kommun, care type and month."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        rows = compute_statistics()
        self.stdout.write(f"{rows} monthly statistics rows ({time.perf_counter() - started:.2f} s)")
