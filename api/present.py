"""The API's answers built from the selectors' results (plain dicts for api.serializers)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from api.serializers import event_dict, label, task_dict
from discharges import selectors, services
from discharges.models import CareType, Destination, Episode, EpisodeStatus, TrackColour
from discharges.worklists import WorklistRow


def _details(episode: Episode) -> dict[str, Any]:
    return {
        "hospital": episode.ward.hospital.name,
        "ward_id": episode.ward_id,
        "ward": episode.ward.name,
        "care_type": episode.care_type,
        "care_type_label": label(CareType, episode.care_type),
        "kommun_code": episode.kommun.code,
        "kommun": episode.kommun.name,
        "health_centre_id": episode.health_centre_id,
        "health_centre": episode.health_centre.name if episode.health_centre else "",
        "admitted_at": episode.admitted_at,
        "admission_notice_at": episode.admission_notice_at,
        "admission_reason": episode.admission_reason,
        "preliminary_date_changes": episode.preliminary_date_changes,
        "track_colour": episode.track_colour or "",
        "track_colour_label": label(TrackColour, episode.track_colour),
        "named_contact": episode.named_contact,
        "sip_needed": episode.sip_needed,
        "sip_invitation_at": episode.sip_invitation_at,
        "sip_held_date": episode.sip_held_date,
        "kommun_ready_at": episode.kommun_ready_at,
        "destination": episode.destination or "",
        "destination_label": label(Destination, episode.destination),
        "ready_days": episode.ready_days,
    }


def detail(user: User, episode: Episode) -> dict[str, Any]:
    """The episode as ``selectors.present_episode`` lets the user see it, with its timeline."""
    view = selectors.present_episode(user, episode)
    entries = selectors.timeline(user, episode)
    patient = episode.patient
    return {
        "id": episode.pk,
        "reference": episode.reference,
        "version": episode.version,
        "status": episode.status,
        "status_label": label(EpisodeStatus, episode.status),
        "party": view.party,
        "patient": {"name": patient.name, "personnummer": patient.personnummer},
        "address": patient.address,
        "preliminary_ready_date": episode.preliminary_ready_date,
        "ready_date": episode.ready_date,
        "discharged_at": episode.discharged_at,
        "homecoming_at": episode.homecoming_at,
        "homecoming_proposed_at": episode.homecoming_proposed_at,
        "details_visible": view.details,
        "details": _details(episode) if view.details else None,
        "tasks": [task_dict(t) for t in view.tasks],
        "available_messages": services.available_kinds(episode, view.party),
        "events": [
            event_dict(
                e.event,
                show_data=e.show_data,
                acknowledged=e.acknowledged_by_me,
                can_ack=e.can_acknowledge,
            )
            for e in entries
        ],
    }


def worklist_row(row: WorklistRow) -> dict[str, Any]:
    episode = row.episode
    urgency = "overdue" if row.overdue else "due_today" if row.due_today else "later"
    return {
        "episode_id": episode.pk,
        "reference": episode.reference,
        "version": episode.version,
        "status": episode.status,
        "status_label": label(EpisodeStatus, episode.status),
        "party": row.party,
        "patient": {"name": episode.patient.name, "personnummer": episode.patient.personnummer},
        "expected_date": row.expected,
        "days_ready": row.days_ready,
        "unacknowledged": row.unacknowledged,
        "urgency": urgency,
        "tasks": [task_dict(t) for t in row.tasks],
    }
