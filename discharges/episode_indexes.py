"""The episode table's indexes, each with what reads it (``Episode.Meta.indexes``).

Every index is paid by every episode written (an import writes 100,000 at a time, issue 8),
so each is here because a page, a worklist or a report reads by it; tests/discharges/
test_write_indexes.py holds the list to the database's own.
"""

from __future__ import annotations

from django.db import models

EPISODE_INDEXES = [
    models.Index(fields=["admitted_at", "id"], name="episode_admitted_idx"),
    # The default "active" list: a few thousand rows in the whole country.
    models.Index(
        fields=["admitted_at", "id"],
        name="episode_active_admitted_idx",
        condition=models.Q(status__in=["registered", "planning", "ready"]),
    ),
    # Covering R2's figures (count of ids, ready days, 3+ days per care type and month), so
    # that a kommun's months since its agreement's first month are read from the index
    # alone: the liability pages count them on every view (issue 15).
    models.Index(
        fields=["kommun", "discharge_date"],
        include=["care_type", "ready_days", "ready_date", "id"],
        name="episode_kommun_discharge_idx",
    ),
    # Att göra's candidates: a party's active episodes (ward, kommun or health centre), a
    # few hundred at most, found without the party's whole history (Stockholm's planner:
    # 202,397 index entries read for 395 rows, 20 ms -> 2.6 ms at 2,000,000; issue 15).
    *(
        models.Index(
            fields=[party],
            name=f"episode_active_{short}_idx",
            condition=models.Q(status__in=["registered", "planning", "ready"]),
        )
        for party, short in (
            ("ward", "ward"),
            ("kommun", "kommun"),
            ("health_centre", "hc"),
        )
    ),
    models.Index(fields=["status", "ready_date"], name="episode_status_ready_idx"),
    models.Index(fields=["status", "admitted_at"], name="episode_status_admitted_idx"),
    # The health centre's planned SIP follow-ups not yet done (its worklist): few rows.
    models.Index(
        fields=["health_centre", "sip_follow_up_date"],
        name="episode_hc_follow_up_idx",
        condition=models.Q(sip_follow_up_date__isnull=False, sip_follow_up_done_date__isnull=True),
    ),
]
