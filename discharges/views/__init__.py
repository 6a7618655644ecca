"""Pages for ward, hälsocentral and kommun, a module per page family. Thin: parse input, call a
selector or a service."""

from discharges.views.episodes import episode_detail, episode_list, find_by_personnummer
from discharges.views.messages import (
    acknowledge,
    acknowledge_all,
    consent,
    patient_identity,
    send_message,
)
from discharges.views.register import register_episode
from discharges.views.worklist import worklist, worklist_rows

__all__ = [
    "acknowledge",
    "acknowledge_all",
    "consent",
    "episode_detail",
    "episode_list",
    "find_by_personnummer",
    "patient_identity",
    "register_episode",
    "send_message",
    "worklist",
    "worklist_rows",
]
