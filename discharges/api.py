"""REST API: views validate, call a selector or a service, serialize. Reads are access-logged.

Message input is validated by the same form classes as the pages (discharges.forms), so each
message's fields are defined once.
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from discharges import access_log, selectors, services
from discharges.forms import MESSAGE_FORMS
from discharges.http import api_user
from discharges.models import AccessAction, Episode, EpisodeEvent
from discharges.pagination import ScopePagination, count_with


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Refusals from the services become 400/403/409 with the field named."""
    if isinstance(exc, services.Refused):
        body = {"detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=exc.status_code)
    return drf_exception_handler(exc, context)


class EpisodeListSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    name = serializers.CharField(source="patient.name")
    personnummer = serializers.CharField(source="patient.personnummer")

    class Meta:
        model = Episode
        fields = [
            "id",
            "reference",
            "status",
            "version",
            "name",
            "personnummer",
            "preliminary_ready_date",
            "ready_date",
            "discharged_at",
        ]


class EventSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name")
    # The payload, hidden where the reader may not see it (drf-stubs type ``data`` as the
    # serializer's output property; here it is a field of the same name).
    data = serializers.SerializerMethodField()  # type: ignore[assignment]

    class Meta:
        model = EpisodeEvent
        fields = ["id", "seq", "kind", "organisation", "occurred_at", "recorded_at", "data"]

    def get_data(self, event: EpisodeEvent) -> dict[str, Any] | None:
        hidden = self.context.get("hidden_event_ids", set())
        return None if event.pk in hidden else event.data


class EpisodeList(ListAPIView):
    """The episodes the user's organisations may see, newest admission first."""

    serializer_class = EpisodeListSerializer
    pagination_class = ScopePagination

    def get_queryset(self) -> Any:
        user = api_user(self.request)
        status = self.request.query_params.get("status", "all")
        queryset = selectors.episode_list(user, status=status)
        if status == "all":
            queryset = count_with(queryset, lambda: selectors.visible_count(user))
        return queryset

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        ids = [row["id"] for row in response.data["results"]]
        access_log.log_access(
            api_user(request), Episode.objects.filter(pk__in=ids), AccessAction.API_LIST
        )
        return response


class EpisodeDetail(APIView):
    """One episode as the user may see it (hidden fields are null) with its timeline."""

    @extend_schema(responses={200: OpenApiResponse(description="Episode with timeline")})
    def get(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        episode = selectors.get_visible_episode(user, pk)
        access_log.log_access(user, [episode], AccessAction.API_VIEW)
        view = selectors.present_episode(user, episode)
        entries = selectors.timeline(user, episode)
        hidden = {e.event.pk for e in entries if not e.show_data}
        events = EventSerializer(
            [e.event for e in entries], many=True, context={"hidden_event_ids": hidden}
        ).data
        return Response(
            {
                "id": episode.pk,
                "version": episode.version,
                "details_visible": view.details,
                "fields": view.fields,
                "tasks": [t.code for t in view.tasks],
                "available_messages": services.available_kinds(episode, view.party),
                "events": events,
            }
        )


def _form_data(data: Any) -> dict[str, Any]:
    """The message's fields for its form: JSON booleans to the strings the form choices use.

    A body that is not an object, or a field that is a list or an object, is refused (400):
    the form would read them as text.
    """
    if isinstance(data, QueryDict):
        data = data.dict()
    if not isinstance(data, dict):
        raise serializers.ValidationError({"detail": _("Send the message as a JSON object.")})
    out = {}
    for key, value in data.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif not isinstance(value, str | int | float | None):
            raise serializers.ValidationError({key: [_("Give a text, a number or true/false.")]})
        out[key] = value
    return out


class SendMessage(APIView):
    """Send one message (kind in the URL); ``version`` is the episode version it is based on.
    400: invalid input (field named) or a step out of order; 403: not your message to send;
    404: not your episode; 409: the episode changed since ``version``."""

    @extend_schema(request=None, responses={201: OpenApiResponse(description="The new event")})
    def post(self, request: Request, pk: int, kind: str) -> Response:
        user = api_user(request)
        episode = selectors.get_visible_episode(user, pk)
        if kind not in MESSAGE_FORMS:
            return Response({"detail": "unknown message kind"}, status=404)
        form_class, service = MESSAGE_FORMS[kind]
        form = form_class(data=_form_data(request.data))
        if not form.is_valid():
            return Response({"errors": form.errors.get_json_data()}, status=400)
        event = service(
            actor=services.actor_for(user, episode),
            episode=episode,
            **form.service_kwargs(),
        )
        return Response(
            {"event": EventSerializer(event).data, "version": episode.version},
            status=status.HTTP_201_CREATED,
        )


class Acknowledge(APIView):
    """Kvittens of one message by the user's organisation."""

    @extend_schema(request=None, responses={201: OpenApiResponse(description="Acknowledged")})
    def post(self, request: Request, pk: int, event_id: int) -> Response:
        user = api_user(request)
        episode = selectors.get_visible_episode(user, pk)
        event = EpisodeEvent.objects.filter(pk=event_id, episode=episode).first()
        organisation = selectors.acting_organisation(user, episode)
        if event is None or organisation is None:
            return Response({"detail": "not found"}, status=404)
        receipt = services.acknowledge_receipt(
            actor=services.Actor(user, organisation), event=event
        )
        return Response({"acknowledged_at": receipt.acknowledged_at}, status=201)
