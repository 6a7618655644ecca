"""The episode plan: one temporary row per episode saying who is admitted where and when, and
when each of its messages happens (NULL: never), drawn in SQL from a hash of (episode, draw).

``create_plan`` builds it in named steps: the admissions (``bench_ep0``), then one ``SELECT``
whose lateral subqueries draw the stay (path, length, ready days, preliminary date), the
readiness (colour, ready notices, admission notice, discharge) and the event times. Each
message's time is cut at "now" (``<name>_at``), so the plan also holds the active episodes.
"""

from __future__ import annotations

from datetime import datetime

from bench.sql import execute
from demo.vocabulary import ADMISSION_REASONS
from discharges.clock import ZONE

LOCAL_TZ = ZONE.key  # the domain's zone (settings.TIME_ZONE, Europe/Stockholm)
YEARS = 5


def _local(date_sql: str, hours_sql: str) -> str:
    """A local time (the domain's zone) on a date, as timestamptz, truncated to the second."""
    return (
        f"date_trunc('second', (({date_sql}) + ({hours_sql}) * interval '1 hour')::timestamp "
        f"AT TIME ZONE '{LOCAL_TZ}')"
    )


def _between(start: str, end: str, lo: float, spread: float, k: int) -> str:
    """A time between start and end: start + (end - start) * (lo + spread * u)."""
    return (
        f"date_trunc('second', {start} + ({end} - {start}) * "
        f"({lo} + {spread} * pg_temp.rnd(e.n, {k})))"
    )


# The event times of the plan (raw, before cutting at "now"), in the order of the services.
EVENT_TIMES = (
    "notice",
    "track",
    "kans",
    "hcans",
    "contact",
    "pchange",
    "r1",
    "wd",
    "r2",
    "sol",
    "hsl",
    "kready",
    "home",
    "dis",
    "closed",
    "sipinv",
    "sipheld",
)


def _u(k: int) -> str:
    """The episode's k-th random draw in [0, 1)."""
    return f"pg_temp.rnd(e.n, {k})"


def create_plan(episodes: int, patients: int, now: datetime, national_wards: list[int]) -> None:
    """One row per episode: who, where, when each of its messages happens (NULL: never)."""
    draw_admissions(episodes, patients, now, national_wards)
    execute(
        f"""
        CREATE TEMP TABLE bench_plan AS
        SELECT {_plan_columns()}
        FROM bench_ep0 e
        JOIN discharges_ward w ON w.organisation_ptr_id = e.ward_id
        {_stay_laterals()}
        {_readiness_laterals()}
        {_event_times_lateral()}
        """,  # noqa: S608
        {"now": now, "reasons": list(ADMISSION_REASONS), "nreasons": len(ADMISSION_REASONS)},
    )
    execute("DROP TABLE bench_ep0")
    execute("ALTER TABLE bench_plan ADD PRIMARY KEY (id)")
    execute(
        """
        ALTER TABLE bench_plan ADD COLUMN shared_at timestamptz;
        UPDATE bench_plan SET shared_at = LEAST(notice_at, r1_at);
        ANALYZE bench_plan;
        """
    )


def draw_admissions(episodes: int, patients: int, now: datetime, national_wards: list[int]) -> None:
    """``bench_ep0``: each episode's patient (the first ``patients`` once each, then returning
    ones), ward (mostly in the patient's region, 3 % anywhere) and admission time."""
    execute(
        """
        CREATE TEMP TABLE bench_ep0 AS
        SELECT g.i AS n, p.id AS patient_id, p.kommun_id, p.health_centre_id,
               CASE WHEN pg_temp.rnd(g.i, 2) < 0.03
                    THEN (%(nat)s::bigint[])[1 + floor(pg_temp.rnd(g.i, 3) * %(nnat)s)::int]
                    ELSE rw.wards[1 + floor(pg_temp.rnd(g.i, 3) * cardinality(rw.wards))::int]
               END AS ward_id,
               date_trunc('second', %(now)s - pg_temp.rnd(g.i, 4) * %(span)s * interval '1 day')
                   AS a
        FROM generate_series(1, %(episodes)s) AS g(i)
        JOIN discharges_patient p
          ON p.id = CASE WHEN g.i <= %(patients)s THEN g.i
                         ELSE 1 + floor(pg_temp.rnd(g.i, 1) * %(patients)s)::bigint END
        JOIN discharges_kommun k ON k.organisation_ptr_id = p.kommun_id
        JOIN bench_region_wards rw ON rw.region_id = k.region_id
        """,
        {
            "episodes": episodes,
            "patients": patients,
            "now": now,
            "span": round(365.25 * YEARS),
            "nat": national_wards,
            "nnat": len(national_wards),
        },
    )


def _plan_columns() -> str:
    """The plan's columns: the episode, its drawn dates and answers, each message's time."""
    u = _u
    cut = ",\n".join(
        f"CASE WHEN t.{name} <= %(now)s THEN t.{name} END AS {name}_at" for name in EVENT_TIMES
    )
    return f"""
               row_number() OVER (ORDER BY e.a, e.n) AS id,
               e.n, e.patient_id, e.kommun_id, e.health_centre_id, e.ward_id, w.care_type, e.a,
               LEAST(%(now)s, date_trunc('second', e.a + {u(50)} * interval '10 minutes'))
                   AS created_at,
               b.path, b.rdate0, c.rdate, b.p0, c.colour, c.sip_needed, t.dis AS homecoming,
               t.meeting, (t.meeting AT TIME ZONE '{LOCAL_TZ}')::date AS held_date,
               (ARRAY['ordinary_home', 'special_housing', 'short_term', 'other'])[
                   CASE WHEN {u(45)} < 0.60 THEN 1 WHEN {u(45)} < 0.72 THEN 2
                        WHEN {u(45)} < 0.92 THEN 3 ELSE 4 END] AS destination,
               (ARRAY['died', 'no_needs', 'transferred', 'not_covered'])[
                   CASE WHEN {u(19)} < 0.30 THEN 1 WHEN {u(19)} < 0.70 THEN 2
                        WHEN {u(19)} < 0.90 THEN 3 ELSE 4 END] AS closure_reason,
               (%(reasons)s::text[])[1 + floor({u(46)} * %(nreasons)s)::int] AS reason,
               {cut}
    """


def _stay_laterals() -> str:
    """The path (full planning, ready notice only, closed, discharged without notice), admission
    date, length of stay and ready days (b0); the first ready date, a withdrawal, the raw
    preliminary date and whether it changes (b1); the preliminary date sent (b)."""
    u = _u
    return f"""
        CROSS JOIN LATERAL (
            SELECT CASE WHEN {u(5)} < 0.80 THEN 'full' WHEN {u(5)} < 0.88 THEN 'direct'
                        WHEN {u(5)} < 0.95 THEN 'closed' ELSE 'plain' END AS path,
                   (e.a AT TIME ZONE '{LOCAL_TZ}')::date AS adm_date,
                   GREATEST(1, LEAST(45, round(exp(1.15 + 0.75
                       * sqrt(-2 * ln(GREATEST({u(6)}, 1e-12))) * cos(2 * pi() * {u(7)})))))::int
                       AS los,
                   CASE WHEN {u(10)} < 0.68 THEN 0 WHEN {u(10)} < 0.83 THEN 1
                        WHEN {u(10)} < 0.91 THEN 2 WHEN {u(10)} < 0.96 THEN 3 + floor(3 * {u(11)})
                        ELSE 6 + floor(15 * {u(11)}) END::int AS rdays
            OFFSET 0
        ) AS b0
        CROSS JOIN LATERAL (
            SELECT b0.*, b0.adm_date + b0.los AS rdate0,
                   b0.path = 'full' AND {u(9)} < 0.04 AS withdrawn,
                   CASE WHEN b0.path = 'full' AND {u(32)} < 0.7 THEN
                       b0.adm_date + GREATEST(1, b0.los + floor(5 * {u(33)})::int - 2) END AS p0raw,
                   b0.path = 'full' AND {u(30)} < 0.25 AS changed
            OFFSET 0
        ) AS b1
        CROSS JOIN LATERAL (
            SELECT b1.*,
                   CASE WHEN b1.changed AND b1.p0raw IS NOT NULL AND b1.p0raw = b1.rdate0
                        THEN b1.rdate0 + 2 ELSE b1.p0raw END AS p0
            OFFSET 0
        ) AS b
    """


def _readiness_laterals() -> str:
    """The ready date, track colour and first ready notice (c0); the SIP need, a second ready
    notice after a withdrawal and the admission notice (c); the last ready notice and the
    discharge (d)."""
    u = _u
    return f"""
        CROSS JOIN LATERAL (
            SELECT CASE WHEN b.withdrawn THEN b.rdate0 + 3 ELSE b.rdate0 END AS rdate,
                   CASE WHEN {u(22)} < 0.55 THEN 'green' WHEN {u(22)} < 0.85 THEN 'yellow'
                        ELSE 'red' END AS colour,
                   CASE WHEN b.path IN ('full', 'direct')
                        THEN {_local("b.rdate0", f"8 + 3 * {u(8)}")} END AS r1
            OFFSET 0
        ) AS c0
        CROSS JOIN LATERAL (
            SELECT c0.*, c0.colour = 'red' OR (c0.colour = 'yellow' AND {u(23)} < 0.2)
                       AS sip_needed,
                   CASE WHEN b.withdrawn THEN {_local("b.rdate0 + 3", f"8 + 3 * {u(16)}")} END
                       AS r2,
                   CASE WHEN b.path = 'full' THEN LEAST(
                            date_trunc('second', e.a + interval '1 hour' * CASE
                                WHEN {u(14)} < 0.08 THEN 24 + 30 * {u(13)}
                                ELSE 0.5 + 23 * {u(13)} END),
                            c0.r1 - interval '1 hour')
                        WHEN b.path = 'closed' AND {u(17)} < 0.5 THEN
                            date_trunc('second', e.a + (0.5 + 23 * {u(13)}) * interval '1 hour')
                   END AS notice
            OFFSET 0
        ) AS c
        CROSS JOIN LATERAL (
            SELECT COALESCE(c.r2, c.r1) AS rf,
                   CASE WHEN b.path IN ('full', 'direct')
                            THEN {_local("c.rdate + b.rdays", f"12 + 5 * {u(12)}")}
                        WHEN b.path = 'plain'
                            THEN date_trunc('second',
                                            e.a + (0.3 + 4 * {u(12)}) * interval '1 day')
                   END AS dis
            OFFSET 0
        ) AS d
    """


def _event_times_lateral() -> str:
    """Every message's time (t), in the order of ``EVENT_TIMES``, and the SIP meeting."""
    u = _u
    return f"""
        CROSS JOIN LATERAL (
            SELECT c.notice,
                   CASE WHEN b.path = 'full' AND {u(20)} < 0.9
                        THEN {_between("c.notice", "c.r1", 0.02, 0.3, 21)} END AS track,
                   CASE WHEN b.path = 'full' AND {u(24)} < 0.70
                        THEN {_between("c.notice", "c.r1", 0.05, 0.4, 25)} END AS kans,
                   CASE WHEN b.path = 'full' AND e.health_centre_id IS NOT NULL AND {u(26)} < 0.35
                        THEN {_between("c.notice", "c.r1", 0.1, 0.5, 27)} END AS hcans,
                   CASE WHEN b.path = 'full' AND e.health_centre_id IS NOT NULL AND {u(28)} < 0.40
                        THEN {_between("c.notice", "c.r1", 0.2, 0.6, 29)} END AS contact,
                   CASE WHEN b.changed AND b.p0 IS NOT NULL
                        THEN {_between("c.notice", "c.r1", 0.5, 0.45, 31)} END AS pchange,
                   c.r1,
                   CASE WHEN b.withdrawn THEN {_between("c.r1", "c.r2", 0.3, 0.3, 15)} END AS wd,
                   c.r2,
                   CASE WHEN b.path = 'full' AND {u(34)} < 0.20
                        THEN {_between("d.rf", "d.dis", 0.1, 0.2, 35)} END AS sol,
                   CASE WHEN b.path = 'full' AND {u(36)} < 0.15
                        THEN {_between("d.rf", "d.dis", 0.15, 0.2, 37)} END AS hsl,
                   CASE WHEN b.path = 'full' AND {u(38)} < 0.50
                        THEN {_between("d.rf", "d.dis", 0.3, 0.3, 39)} END AS kready,
                   CASE WHEN (b.path = 'full' AND {u(40)} < 0.55)
                          OR (b.path = 'direct' AND {u(40)} < 0.50)
                        THEN {_between("d.rf", "d.dis", 0.5, 0.3, 41)} END AS home,
                   d.dis,
                   CASE WHEN b.path = 'closed' THEN GREATEST(
                            COALESCE(c.notice, e.a) + interval '1 hour',
                            date_trunc('second', e.a + (0.3 + 6 * {u(18)}) * interval '1 day'))
                   END AS closed,
                   sip.inv AS sipinv,
                   CASE WHEN {u(44)} < 0.7 THEN sip.inv + interval '2 days 2 hours' END
                       AS sipheld,
                   sip.inv + interval '2 days' AS meeting
            FROM (
                SELECT CASE WHEN b.path = 'full' AND c.sip_needed AND {u(20)} < 0.9
                                 AND e.health_centre_id IS NOT NULL AND {u(42)} < 0.8
                            THEN date_trunc('second',
                                            d.rf + (0.2 + 2.5 * {u(43)}) * interval '1 day')
                       END AS inv
            ) AS sip
            OFFSET 0
        ) AS t
    """  # noqa: S608 - fixed SQL text, no input
