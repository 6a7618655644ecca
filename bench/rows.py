"""The rows derived from the episode plan: each episode with its projection, the guardian grants,
receipts and consent records, written as the services would have written them."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from bench.country import CONSENT_SHARE
from bench.plan import EVENT_TIMES, LOCAL_TZ
from bench.sql import execute
from discharges import grants
from discharges.models import Episode


def insert_episodes(user_offset: int) -> None:
    """The projection of each episode's (generated) events, as projection.apply_event folds it."""
    execute(
        f"""
        INSERT INTO discharges_episode (
            id, external_id, patient_id, ward_id, kommun_id, health_centre_id, care_type,
            admitted_at, created_at, version, status, last_event_at, shared_at,
            admission_notice_at, admission_reason, preliminary_ready_date,
            preliminary_date_changes, kommun_answered_at, health_centre_answered_at,
            named_contact, named_contact_at, track_colour, sip_needed, ready_date,
            ready_notice_at, ready_notice_withdrawals, sip_initiative_at, sip_invitation_at,
            sip_held_date, sip_cancelled_at, sol_planning_done_at, hsl_planning_done_at,
            kommun_ready_at, homecoming_acknowledged_at, homecoming_at, discharged_at,
            discharge_date, destination, ready_days, admission_notice_late,
            preliminary_deviation_days, sip_invitation_delay_days, sip_held_after_days,
            closed_at, closure_reason)
        SELECT p.id, NULL, p.patient_id, p.ward_id, p.kommun_id, p.health_centre_id, p.care_type,
               p.a, p.created_at,
               1 + {" + ".join(f"(p.{name}_at IS NOT NULL)::int" for name in EVENT_TIMES)},
               CASE WHEN p.closed_at IS NOT NULL THEN 'closed'
                    WHEN p.dis_at IS NOT NULL THEN 'discharged'
                    WHEN p.r2_at IS NOT NULL OR (p.r1_at IS NOT NULL AND p.wd_at IS NULL)
                        THEN 'ready'
                    WHEN p.notice_at IS NOT NULL THEN 'planning'
                    ELSE 'registered' END,
               GREATEST(p.a, {", ".join(f"p.{name}_at" for name in EVENT_TIMES)}),
               p.shared_at,
               p.notice_at,
               CASE WHEN p.notice_at IS NOT NULL THEN p.reason ELSE '' END,
               r.preliminary_ready_date,
               (p.pchange_at IS NOT NULL)::int,
               p.kans_at, p.hcans_at,
               CASE WHEN p.contact_at IS NOT NULL THEN 'Distriktssköterska ' || u.first_name
                    ELSE '' END,
               p.contact_at,
               CASE WHEN p.track_at IS NOT NULL THEN p.colour ELSE '' END,
               CASE WHEN p.track_at IS NOT NULL THEN p.sip_needed END,
               r.ready_date, r.ready_notice_at,
               (p.wd_at IS NOT NULL)::int,
               NULL, p.sipinv_at,
               CASE WHEN p.sipheld_at IS NOT NULL THEN p.held_date END,
               NULL, p.sol_at, p.hsl_at, p.kready_at,
               p.home_at, CASE WHEN p.home_at IS NOT NULL THEN p.homecoming END,
               p.dis_at, (p.dis_at AT TIME ZONE '{LOCAL_TZ}')::date,
               CASE WHEN p.dis_at IS NOT NULL THEN p.destination ELSE '' END,
               CASE WHEN p.dis_at IS NOT NULL AND r.ready_date IS NOT NULL
                    THEN (p.dis_at AT TIME ZONE '{LOCAL_TZ}')::date - r.ready_date END,
               CASE WHEN p.notice_at IS NOT NULL THEN p.notice_at > p.a + interval '24 hours' END,
               r.ready_date - r.preliminary_ready_date,
               (p.sipinv_at AT TIME ZONE '{LOCAL_TZ}')::date - r.ready_date,
               CASE WHEN p.sipheld_at IS NOT NULL
                    THEN p.held_date - (p.sipinv_at AT TIME ZONE '{LOCAL_TZ}')::date END,
               p.closed_at,
               CASE WHEN p.closed_at IS NOT NULL THEN p.closure_reason ELSE '' END
        FROM bench_plan p
        LEFT JOIN auth_user u ON u.id = p.health_centre_id + %(off)s
        CROSS JOIN LATERAL (
            SELECT CASE WHEN p.r2_at IS NOT NULL THEN p.rdate0 + 3
                        WHEN p.wd_at IS NOT NULL THEN NULL
                        WHEN p.r1_at IS NOT NULL THEN p.rdate0 END AS ready_date,
                   CASE WHEN p.r2_at IS NOT NULL THEN p.r2_at
                        WHEN p.wd_at IS NOT NULL THEN NULL
                        ELSE p.r1_at END AS ready_notice_at,
                   CASE WHEN p.pchange_at IS NOT NULL THEN p.rdate0
                        WHEN p.notice_at IS NOT NULL THEN p.p0 END AS preliminary_ready_date
        ) AS r
        ORDER BY p.id
        """,  # noqa: S608
        {"off": user_offset},
    )


def insert_grants() -> None:
    """What grants.sync_episode writes: view and change for the ward's group from registration,
    and for the kommun's and health centre's groups from the first message sent to them."""
    content_type = ContentType.objects.get_for_model(Episode)
    permission_ids = list(
        Permission.objects.filter(
            content_type=content_type, codename__in=grants.CODENAMES
        ).values_list("id", flat=True)
    )
    assert len(permission_ids) == len(grants.CODENAMES)
    execute(
        """
        INSERT INTO discharges_episodegroupobjectpermission (content_object_id, group_id,
                                                             permission_id)
        SELECT x.id, o.group_id, perm.id
        FROM (
            SELECT id, ward_id AS org_id, a AS at FROM bench_plan
            UNION ALL
            SELECT id, kommun_id, shared_at FROM bench_plan WHERE shared_at IS NOT NULL
            UNION ALL
            SELECT id, health_centre_id, shared_at FROM bench_plan
            WHERE shared_at IS NOT NULL AND health_centre_id IS NOT NULL
        ) AS x
        JOIN discharges_organisation o ON o.id = x.org_id
        CROSS JOIN unnest(%(perms)s::bigint[]) AS perm(id)
        ORDER BY x.at, x.id, o.group_id, perm.id
        """,
        {"perms": permission_ids},
    )


def insert_receipts(now: datetime, user_offset: int) -> None:
    """Kvittenser: recipients acknowledge many of the ward's messages, the ward some of theirs."""
    execute(
        """
        INSERT INTO discharges_receipt (event_id, organisation_id, user_id, acknowledged_at)
        SELECT r.event_id, r.org_id, r.org_id + %(off)s, r.at
        FROM (
            SELECT e.id AS event_id, x.org_id,
                   date_trunc('second', e.occurred_at
                       + (0.2 + 30 * pg_temp.rnd(e.id, x.k)) * interval '1 hour') AS at,
                   pg_temp.rnd(e.id, x.k + 1) < x.p AS taken
            FROM discharges_episodeevent e
            JOIN discharges_episode ep ON ep.id = e.episode_id
            CROSS JOIN LATERAL (VALUES
                (ep.kommun_id, 0.75, 70,
                 e.kind IN ('admission_notice', 'ready_notice', 'ready_notice_withdrawn',
                            'preliminary_date_changed', 'discharge')),
                (ep.health_centre_id, 0.45, 72,
                 e.kind IN ('admission_notice', 'ready_notice', 'discharge')),
                (ep.ward_id, 0.30, 74,
                 e.kind IN ('admission_answer', 'named_care_contact', 'kommun_ready',
                            'homecoming_acknowledged', 'sip_invitation'))
            ) AS x(org_id, p, k, applies)
            WHERE x.applies AND x.org_id IS NOT NULL AND ep.shared_at IS NOT NULL
              AND e.occurred_at >= ep.shared_at
        ) AS r
        WHERE r.taken AND r.at <= %(now)s
        ORDER BY r.at
        """,
        {"off": user_offset, "now": now},
    )


def insert_consent(now: datetime, user_offset: int) -> None:
    """Samtycke for the first stay of a share of the patients (``CONSENT_SHARE``, drawn per
    patient), recorded by its ward two hours in; the episode's flag is the record's projection
    (consent is per episode: services.consent)."""
    execute(
        """
        WITH first_stay AS (
            SELECT DISTINCT ON (e.patient_id) e.id, e.patient_id, e.ward_id, e.admitted_at AS a
            FROM discharges_episode e
            WHERE pg_temp.rnd(e.patient_id, 18) < %(consent)s
            ORDER BY e.patient_id, e.admitted_at, e.id
        ), recorded AS (
            INSERT INTO discharges_consentrecord (episode_id, patient_id, action, recorded_by_id,
                                                  organisation_id, occurred_at, recorded_at, note)
            SELECT f.id, f.patient_id, 'given', f.ward_id + %(off)s, f.ward_id,
                   LEAST(%(now)s, f.a + interval '2 hours'),
                   LEAST(%(now)s, f.a + interval '2 hours'), ''
            FROM first_stay f
            ORDER BY f.a
            RETURNING episode_id
        )
        UPDATE discharges_episode e SET has_consent = true
        FROM recorded r WHERE e.id = r.episode_id
        """,
        {"off": user_offset, "now": now, "consent": CONSENT_SHARE},
    )
