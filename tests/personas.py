"""The personas' names, for tests parametrized over who signs in (see ``tests.conftest.Personas``).

- ``PERSONAS``: every persona that signs in, in the order of ``conftest.Personas``.
- ``MEMBERS``: those with a membership somewhere (everyone but the outsider).
- ``SEES_REGISTERED`` / ``SEES_NOTICED``: who sees an Umeå patient's episode at the somatic
  ward before and after the admission notice.
"""

from __future__ import annotations

PERSONAS = (
    "ward_nurse",
    "psych_nurse",
    "hc_coordinator",
    "kommun_planner",
    "other_kommun_planner",
    "processledare",
    "joint_group",
    "outsider",
    "integration",
)
MEMBERS = tuple(name for name in PERSONAS if name != "outsider")
SEES_REGISTERED = frozenset({"ward_nurse"})
SEES_NOTICED = frozenset({"ward_nurse", "hc_coordinator", "kommun_planner"})
