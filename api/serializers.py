"""What the API answers, as serializers (they give the OpenAPI schema its response shapes).

Values are codes (``"status": "discharged"``), times ISO 8601 with Europe/Stockholm's offset,
and a Swedish label sits beside a code in a ``*_label`` field. The views build plain dicts
from the selectors' results; these serializers only shape them.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from discharges.models import CareType, Destination, EpisodeStatus, EventKind, TrackColour

_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)")


def local_moments(value: Any) -> Any:
    """A message's stored data with every time in it given in Swedish time (ISO 8601 with
    Europe/Stockholm's offset), as every other time of the API."""
    if isinstance(value, dict):
        return {key: local_moments(item) for key, item in value.items()}
    if isinstance(value, list):
        return [local_moments(item) for item in value]
    if isinstance(value, str) and _MOMENT.fullmatch(value):
        try:
            moment = datetime.fromisoformat(value)
            return timezone.localtime(moment).isoformat()
        except (ValueError, OverflowError):
            return value
    return value


def label(choices: Any, value: str | None) -> str:
    if not value:
        return ""
    return str(dict(choices.choices).get(value, value))


class TaskSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    due = serializers.CharField(allow_null=True, help_text="Datum eller tidpunkt (ISO 8601)")
    overdue = serializers.BooleanField()


class PatientSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    personnummer = serializers.CharField(help_text="12 siffror, ÅÅÅÅMMDDNNNN")


class EpisodeSummarySerializer(serializers.Serializer[Any]):
    """One episode in a list (what every party may see; hidden fields are null)."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    version = serializers.IntegerField()
    status = serializers.ChoiceField(choices=EpisodeStatus.choices)
    status_label = serializers.CharField()
    patient = PatientSerializer()
    preliminary_ready_date = serializers.DateField(allow_null=True)
    ready_date = serializers.DateField(allow_null=True)
    discharged_at = serializers.DateTimeField(allow_null=True)
    details_visible = serializers.BooleanField()
    care_type = serializers.ChoiceField(choices=CareType.choices, allow_null=True)
    care_type_label = serializers.CharField(allow_null=True)
    admitted_at = serializers.DateTimeField(allow_null=True)


class EpisodePageSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = EpisodeSummarySerializer(many=True)


class DetailsSerializer(serializers.Serializer[Any]):
    """Fields beyond the basic ones: the ward's, or every party's under the patient's consent."""

    hospital = serializers.CharField()
    ward_id = serializers.IntegerField()
    ward = serializers.CharField()
    care_type = serializers.ChoiceField(choices=CareType.choices)
    care_type_label = serializers.CharField()
    kommun_code = serializers.CharField()
    kommun = serializers.CharField()
    health_centre_id = serializers.IntegerField(allow_null=True)
    health_centre = serializers.CharField()
    admitted_at = serializers.DateTimeField()
    admission_notice_at = serializers.DateTimeField(allow_null=True)
    admission_reason = serializers.CharField(allow_blank=True)
    preliminary_date_changes = serializers.IntegerField()
    track_colour = serializers.ChoiceField(choices=TrackColour.choices, allow_blank=True)
    track_colour_label = serializers.CharField(allow_blank=True)
    named_contact = serializers.CharField(allow_blank=True)
    sip_needed = serializers.BooleanField(allow_null=True)
    sip_invitation_at = serializers.DateTimeField(allow_null=True)
    sip_held_date = serializers.DateField(allow_null=True)
    kommun_ready_at = serializers.DateTimeField(allow_null=True)
    destination = serializers.ChoiceField(choices=Destination.choices, allow_blank=True)
    destination_label = serializers.CharField(allow_blank=True)
    ready_days = serializers.IntegerField(allow_null=True)


class EventSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    seq = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=EventKind.choices)
    kind_label = serializers.CharField()
    organisation_id = serializers.IntegerField()
    organisation = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    recorded_at = serializers.DateTimeField()
    data = serializers.DictField(  # type: ignore[assignment]
        allow_null=True, help_text="Meddelandets innehåll; null där du inte får se det"
    )
    acknowledged_by_me = serializers.BooleanField()
    can_acknowledge = serializers.BooleanField()


class EpisodeDetailSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    version = serializers.IntegerField()
    status = serializers.ChoiceField(choices=EpisodeStatus.choices)
    status_label = serializers.CharField()
    party = serializers.ChoiceField(
        choices=[("ward", "ward"), ("kommun", "kommun"), ("health_centre", "health_centre")],
        allow_null=True,
    )
    patient = PatientSerializer()
    address = serializers.CharField(allow_blank=True)
    preliminary_ready_date = serializers.DateField(allow_null=True)
    ready_date = serializers.DateField(allow_null=True)
    discharged_at = serializers.DateTimeField(allow_null=True)
    homecoming_at = serializers.DateTimeField(allow_null=True)
    homecoming_proposed_at = serializers.DateTimeField(allow_null=True)
    details_visible = serializers.BooleanField()
    details = DetailsSerializer(allow_null=True)
    tasks = TaskSerializer(many=True)
    available_messages = serializers.ListField(child=serializers.CharField())
    events = EventSerializer(many=True)


class MessageResultSerializer(serializers.Serializer[Any]):
    event = EventSerializer()
    version = serializers.IntegerField(help_text="Episodens nya version")


class ReceiptSerializer(serializers.Serializer[Any]):
    event_id = serializers.IntegerField()
    acknowledged_at = serializers.DateTimeField()


class ReceiptsSerializer(serializers.Serializer[Any]):
    receipts = ReceiptSerializer(many=True)


class WorklistRowSerializer(serializers.Serializer[Any]):
    episode_id = serializers.IntegerField()
    reference = serializers.CharField()
    version = serializers.IntegerField()
    status = serializers.ChoiceField(choices=EpisodeStatus.choices)
    status_label = serializers.CharField()
    party = serializers.CharField()
    patient = PatientSerializer()
    expected_date = serializers.DateField(allow_null=True)
    days_ready = serializers.IntegerField(allow_null=True)
    unacknowledged = serializers.IntegerField()
    urgency = serializers.ChoiceField(
        choices=[("overdue", "overdue"), ("due_today", "due_today"), ("later", "later")]
    )
    tasks = TaskSerializer(many=True)


class WorklistSerializer(serializers.Serializer[Any]):
    rows = WorklistRowSerializer(many=True)


class PatientLookupSerializer(serializers.Serializer[Any]):
    personnummer = serializers.CharField(
        max_length=13, help_text="10 eller 12 siffror, med eller utan skiljetecken"
    )


class PatientLookupResultSerializer(serializers.Serializer[Any]):
    episodes = EpisodeSummarySerializer(many=True)


class ErrorSerializer(serializers.Serializer[Any]):
    error = serializers.CharField(help_text="Felkod, t.ex. invalid, not_found, stale")
    detail = serializers.CharField(help_text="Förklaring på svenska")
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField())
    )
    current_version = serializers.IntegerField(required=False, allow_null=True)
    retry_after = serializers.IntegerField(required=False)


def episode_summary(episode: Any, details: bool) -> dict[str, Any]:
    return {
        "id": episode.pk,
        "reference": episode.reference,
        "version": episode.version,
        "status": episode.status,
        "status_label": label(EpisodeStatus, episode.status),
        "patient": {"name": episode.patient.name, "personnummer": episode.patient.personnummer},
        "preliminary_ready_date": episode.preliminary_ready_date,
        "ready_date": episode.ready_date,
        "discharged_at": episode.discharged_at,
        "details_visible": details,
        "care_type": episode.care_type if details else None,
        "care_type_label": label(CareType, episode.care_type) if details else None,
        "admitted_at": episode.admitted_at if details else None,
    }


def event_dict(
    event: Any, *, show_data: bool, acknowledged: bool = False, can_ack: bool = False
) -> dict[str, Any]:
    return {
        "id": event.pk,
        "seq": event.seq,
        "kind": event.kind,
        "kind_label": label(EventKind, event.kind),
        "organisation_id": event.organisation_id,
        "organisation": event.organisation.name,
        "occurred_at": event.occurred_at,
        "recorded_at": event.recorded_at,
        "data": local_moments(event.data) if show_data else None,
        "acknowledged_by_me": acknowledged,
        "can_acknowledge": can_ack,
    }


def task_dict(task: Any) -> dict[str, Any]:
    due = task.due
    if isinstance(due, datetime):
        due = timezone.localtime(due).isoformat()
    elif due is not None:
        due = due.isoformat()
    return {"code": task.code, "label": str(task.label), "due": due, "overdue": task.overdue}
