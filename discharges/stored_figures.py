"""A signal for writes the follow-up's cached figures depend on but that no model signal
announces (bulk writes: the population import, the stored liability). The analysis app,
above this one, listens and moves its figures' generation on (``analysis.overview_cache``).
Send it inside the writing transaction."""

from __future__ import annotations

from django.dispatch import Signal

stored_figures_changed = Signal()


def changed() -> None:
    stored_figures_changed.send(sender=None)
