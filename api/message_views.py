"""The message endpoints: one view class per kind of ``discharges.forms.MESSAGE_FORMS``, each
with its own request schema, validated by the page's form and sent by the page's service."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import invalid
from api.idempotency import idempotent
from api.messages import example_body, message_form_data, request_serializer
from api.schema import IDEMPOTENCY_KEY, IF_MATCH, errors
from api.serializers import MessageResultSerializer, event_dict
from api.views import etag, form_errors
from discharges import selectors, services
from discharges.forms import MESSAGE_FORMS
from discharges.http import api_user
from discharges.models import EventKind


def if_match(request: Request) -> str | None:
    """The version in ``If-Match`` ("7", W/"7" or 7), as the form reads it."""
    value = request.headers.get("If-Match")
    if value is None:
        return None
    value = value.strip()
    if value.startswith("W/"):
        value = value[2:]
    return value.strip('"')


class SendMessage(APIView):
    """Base of the generated views; ``kind`` names the message."""

    kind = ""

    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        self.episode = episode = selectors.get_visible_episode(user, pk)
        data = message_form_data(request.data, self.kind)
        header = if_match(request)
        if header is not None:
            if data.get("version", header) != header:
                raise invalid({"version": [_("The version differs from If-Match.")]})
            data["version"] = header
        form_class, service = MESSAGE_FORMS[self.kind]
        form = form_class(data=data, episode=episode)
        if not form.is_valid():
            raise invalid(form_errors(form))
        event = service(
            actor=services.actor_for(user, episode), episode=episode, **form.service_kwargs()
        )
        body = MessageResultSerializer(
            {"event": event_dict(event, show_data=True), "version": episode.version}
        ).data
        return Response(body, status=201, headers={"ETag": etag(episode.version)})


def _senders(kind: str) -> str:
    parties = services.SPECS[kind].parties
    return ", ".join(str(services.PARTY_NAMES[p]) for p in parties)


def view_for(kind: str) -> type[APIView]:
    """The view of one message kind, with its schema."""
    label = str(EventKind(kind).label)

    def send(self: SendMessage, request: Request, pk: int) -> Response:
        return SendMessage.post(self, request, pk)

    post = extend_schema(
        operation_id=f"messages_{kind}",
        summary=label,
        description=f"{label}. Skickas av: {_senders(kind)}. "
        "Versionen (fältet version eller If-Match) är den episodversion meddelandet utgår från.",
        request=request_serializer(kind),
        examples=[
            OpenApiExample(kind, value=example_body(kind), request_only=True),
            OpenApiExample(
                "201",
                response_only=True,
                status_codes=["201"],
                value={
                    "event": {
                        "id": 4711,
                        "seq": 4,
                        "kind": kind,
                        "kind_label": label,
                        "organisation_id": 3,
                        "organisation": "Avdelning 4 medicin",
                        "occurred_at": "2026-11-29T14:02:00+01:00",
                        "recorded_at": "2026-11-29T14:02:01+01:00",
                        "data": {},
                        "acknowledged_by_me": False,
                        "can_acknowledge": False,
                    },
                    "version": 4,
                },
            ),
        ],
        parameters=[IDEMPOTENCY_KEY, IF_MATCH],
        responses={201: MessageResultSerializer, **errors(409, 422)},
        tags=["meddelanden"],
    )(send)
    camel = "".join(part.capitalize() for part in kind.split("_"))
    attrs: dict[str, Any] = {"kind": kind, "post": post, "__doc__": label}
    return type(f"Send{camel}", (SendMessage,), attrs)


MESSAGE_VIEWS = {kind: view_for(kind) for kind in MESSAGE_FORMS}
