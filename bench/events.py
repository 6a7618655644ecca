"""The event log of the generated episodes: which events each plan row yields, their authors,
times and payloads (as SQL over the plan row ``p``), and the bulk insert in time order.

``event_rows()`` is the one description of the events: ``insert_events`` writes it, and a test
can read each row's payload keys without a database (``EventRow.payload``) or have PostgreSQL
evaluate every payload over one made-up plan row (``sample_payloads()``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bench.sql import SQL_FUNCTIONS, execute, fetchall
from demo.vocabulary import AIDS, KOMMUN_SERVICES, SOCIAL_NETWORK

# What the kommun's admission answers pick from ("" : no services named).
SERVICES = ("", *KOMMUN_SERVICES)


@dataclass(frozen=True)
class EventRow:
    """One event a plan row may yield: its kind, its time (NULL: the episode has no such event),
    the authoring organisation and the payload, each as SQL over the plan row ``p`` (and the
    health centre's staff user ``hcu``)."""

    kind: str
    at: str
    organisation: str
    payload: dict[str, str]  # key -> SQL expression of its value

    @property
    def data(self) -> str:
        """The payload as one jsonb expression."""
        if not self.payload:
            return "'{}'::jsonb"
        pairs = ", ".join(f"'{key}', {value}" for key, value in self.payload.items())
        return f"jsonb_build_object({pairs})"


def _u(k: int) -> str:
    """The plan row's k-th random draw in [0, 1)."""
    return f"pg_temp.rnd(p.n, {k})"


def _iso_date(sql: str) -> str:
    return f"to_char({sql}, 'YYYY-MM-DD')"


def _pick(name: str, draw: str) -> str:
    """An element of the list parameter ``name`` (see ``pick_parameters``), chosen by ``draw``."""
    return f"(%({name})s::text[])[1 + floor({draw} * %(n{name})s)::int]"


def pick_parameters() -> dict[str, Any]:
    """The lists the payloads pick from, as query parameters with their lengths."""
    lists = {"services": SERVICES, "networks": SOCIAL_NETWORK, "aids": AIDS}
    return {
        **{name: list(values) for name, values in lists.items()},
        **{f"n{name}": len(values) for name, values in lists.items()},
    }


def event_rows() -> list[EventRow]:
    """Every event a plan row may yield, in the order of the services (the order breaks ties of
    time within an episode, and seeds the recorded times)."""
    return [*_planning_rows(), *_readiness_rows(), *_sip_rows()]


def _planning_rows() -> list[EventRow]:
    """Registration, admission notice, track colour, the answers, named contact, a new
    preliminary date."""
    return [
        EventRow(
            "registered",
            "p.a",
            "p.ward_id",
            {
                "external_id": "NULL",
                "patient_id": "p.patient_id",
                "ward_id": "p.ward_id",
                "kommun_id": "p.kommun_id",
                "health_centre_id": "p.health_centre_id",
                "care_type": "p.care_type",
                "admitted_at": "pg_temp.iso(p.a)",
                "admission_type": "''",
            },
        ),
        EventRow(
            "admission_notice",
            "p.notice_at",
            "p.ward_id",
            {"preliminary_ready_date": _iso_date("p.p0"), "reason": "p.reason"},
        ),
        EventRow(
            "track_colour",
            "p.track_at",
            "p.ward_id",
            {"colour": "p.colour", "sip_needed": "p.sip_needed"},
        ),
        EventRow(
            "admission_answer",
            "p.kans_at",
            "p.kommun_id",
            {
                "party": "'kommun'",
                "current_services": f"{_u(60)} < 0.5",
                "services": _pick("services", _u(61)),
                "social_network": _pick("networks", _u(62)),
                "aids": _pick("aids", _u(63)),
            },
        ),
        EventRow(
            "admission_answer",
            "p.hcans_at",
            "p.health_centre_id",
            {
                "party": "'health_centre'",
                "current_services": f"{_u(64)} < 0.3",
                "services": "''",
                "social_network": "''",
                "aids": "''",
            },
        ),
        EventRow(
            "named_care_contact",
            "p.contact_at",
            "p.health_centre_id",
            {
                "name": "'Distriktssköterska ' || hcu.first_name",
                "phone": f"'0' || (100000000 + floor({_u(65)} * 899999999)::bigint)::text",
            },
        ),
        EventRow(
            "preliminary_date_changed",
            "p.pchange_at",
            "p.ward_id",
            {"preliminary_ready_date": _iso_date("p.rdate0")},
        ),
    ]


def _readiness_rows() -> list[EventRow]:
    """Ready notice (withdrawn and sent again in a few), the kommun's planning and readiness,
    homecoming, discharge or closure."""
    return [
        EventRow("ready_notice", "p.r1_at", "p.ward_id", {"ready_date": _iso_date("p.rdate0")}),
        EventRow(
            "ready_notice_withdrawn", "p.wd_at", "p.ward_id", {"reason": "'Försämrat tillstånd'"}
        ),
        EventRow("ready_notice", "p.r2_at", "p.ward_id", {"ready_date": _iso_date("p.rdate0 + 3")}),
        EventRow("sol_planning_done", "p.sol_at", "p.kommun_id", {}),
        EventRow("hsl_planning_done", "p.hsl_at", "p.kommun_id", {}),
        EventRow("kommun_ready", "p.kready_at", "p.kommun_id", {}),
        EventRow(
            "homecoming_acknowledged",
            "p.home_at",
            "p.kommun_id",
            {"homecoming_at": "pg_temp.iso(p.homecoming)"},
        ),
        EventRow(
            "discharge",
            "p.dis_at",
            "p.ward_id",
            {"destination": "p.destination", "needs_outcome": "''"},
        ),
        EventRow("closed", "p.closed_at", "p.ward_id", {"reason": "p.closure_reason"}),
    ]


def _sip_rows() -> list[EventRow]:
    """The SIP invitation and the SIP held."""
    return [
        EventRow(
            "sip_invitation",
            "p.sipinv_at",
            "p.health_centre_id",
            {"meeting_at": "pg_temp.iso(p.meeting)"},
        ),
        EventRow(
            "sip_held",
            "p.sipheld_at",
            "p.health_centre_id",
            {"held_date": _iso_date("p.held_date"), "place": "''", "follow_up_date": "NULL"},
        ),
    ]


def insert_events(now: datetime, user_offset: int) -> None:
    """The event log, in the order it was written (by time), with the services' data keys.

    An event's number (seq) is its rank in the episode's (time, position) order.
    """
    values = ", ".join(
        f"({i}, '{row.kind}', {row.at}, {row.organisation}, {row.data})"
        for i, row in enumerate(event_rows(), start=1)
    )
    execute(
        f"""
        INSERT INTO discharges_episodeevent (episode_id, seq, kind, author_id, organisation_id,
                                             occurred_at, recorded_at, data)
        SELECT p.id, ev.seq, ev.kind, ev.org_id + %(off)s, ev.org_id, ev.at,
               CASE WHEN ev.ord = 1 THEN p.created_at
                    ELSE LEAST(%(now)s, date_trunc('second', ev.at
                         + pg_temp.rnd(p.n * 32 + ev.ord, 99) * interval '5 minutes')) END,
               ev.data
        FROM bench_plan p
        LEFT JOIN auth_user hcu ON hcu.id = p.health_centre_id + %(off)s
        CROSS JOIN LATERAL (
            SELECT v.*, row_number() OVER (ORDER BY v.at, v.ord) AS seq
            FROM (VALUES {values}) AS v(ord, kind, at, org_id, data)
            WHERE v.at IS NOT NULL
        ) AS ev
        ORDER BY ev.at, p.id, ev.seq
        """,  # noqa: S608
        {"off": user_offset, "now": now, **pick_parameters()},
    )


# A made-up plan row in which every message happens (the columns the payloads read).
SAMPLE_PLAN_ROW = """
    7 AS n, 11 AS patient_id, 12 AS ward_id, 13 AS kommun_id, 14 AS health_centre_id,
    'somatik'::text AS care_type, timestamptz '2026-03-02 08:15:00+00' AS a,
    date '2026-03-06' AS p0, 'Pneumoni'::text AS reason, 'yellow'::text AS colour,
    true AS sip_needed, date '2026-03-07' AS rdate0,
    timestamptz '2026-03-11 13:00:00+00' AS homecoming,
    'ordinary_home'::text AS destination, 'died'::text AS closure_reason,
    timestamptz '2026-03-13 09:00:00+00' AS meeting, date '2026-03-13' AS held_date
"""


def sample_payloads() -> list[tuple[str, dict[str, Any]]]:
    """(kind, payload) of every row of ``event_rows()``, as PostgreSQL evaluates the SQL that
    ``insert_events`` writes, over ``SAMPLE_PLAN_ROW``: no benchmark table is needed, only a
    PostgreSQL connection (the session's ``pg_temp`` helper functions are created here)."""
    execute(SQL_FUNCTIONS)
    values = ", ".join(
        f"({i}, '{row.kind}', {row.data})" for i, row in enumerate(event_rows(), start=1)
    )
    rows = fetchall(
        f"""
        SELECT v.kind, v.data
        FROM (SELECT {SAMPLE_PLAN_ROW}) AS p
        CROSS JOIN (SELECT 'Anna'::text AS first_name) AS hcu
        CROSS JOIN LATERAL (VALUES {values}) AS v(ord, kind, data)
        ORDER BY v.ord
        """,  # noqa: S608
        pick_parameters(),
    )
    # Django's PostgreSQL backend may hand jsonb over as text.
    return [(kind, json.loads(data) if isinstance(data, str) else data) for kind, data in rows]
