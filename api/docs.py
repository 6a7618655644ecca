"""The API's documentation for people, in Swedish, at /api/docs/: the endpoints, the answers,
and each message with who sends it and its fields, read from the forms and specs the API itself
validates with (so it cannot drift from them); and Swagger UI at /api/docs/swagger/, from the
vendored drf-spectacular-sidecar (nothing fetched from elsewhere), its start script served apart
(the CSP allows no inline script or style). The schema is at /api/schema/."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.views import SpectacularSwaggerSplitView

from api.messages import form_fields
from discharges import services
from discharges.forms import MESSAGE_FORMS, IdChoiceField
from discharges.http import AuthenticatedHttpRequest
from discharges.models import EventKind


class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    title = "SVU API"


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    what: Promise


ENDPOINTS = [
    Endpoint(
        "GET",
        "/api/v1/episodes/",
        gettext_lazy(
            "Your episodes, newest admission first, 50 a page; filters status, care_type, "
            "kommun (code), ward (id), admitted_from, admitted_to. The personal identity "
            "number is never a parameter."
        ),
    ),
    Endpoint(
        "POST",
        "/api/v1/episodes/",
        gettext_lazy(
            "Register a stay (the ward): personnummer, ward, admitted_at; name, address "
            "and kommun for a new patient; external_id, your own id of the stay."
        ),
    ),
    Endpoint(
        "GET",
        "/api/v1/episodes/<id>/",
        gettext_lazy(
            "One episode: what you may see of it (without consent the other organisations "
            "see only name, personal identity number, address and the expected discharge "
            "time), what waits for you, the messages you may send now and its messages."
        ),
    ),
    Endpoint(
        "POST",
        "/api/v1/episodes/<id>/messages/<kind>/",
        gettext_lazy("Send a message (below), one address per kind."),
    ),
    Endpoint(
        "POST",
        "/api/v1/episodes/<id>/events/<event id>/acknowledge/",
        gettext_lazy("Acknowledge receipt (kvittens) of another organisation's message."),
    ),
    Endpoint(
        "POST",
        "/api/v1/episodes/<id>/acknowledge/",
        gettext_lazy("Acknowledge every message of the episode that waits for your organisation."),
    ),
    Endpoint(
        "GET",
        "/api/v1/worklist/",
        gettext_lazy("What waits for your organisations, overdue first."),
    ),
    Endpoint(
        "POST",
        "/api/v1/patients/lookup/",
        gettext_lazy(
            "Your episodes of a patient, by personal identity number in the body (never "
            "in the address)."
        ),
    ),
    Endpoint(
        "GET",
        "/api/v1/liability/",
        gettext_lazy(
            "The liability report (invoice basis) you may see: from, to (YYYY-MM), "
            "kommun, agreement."
        ),
    ),
    Endpoint(
        "GET",
        "/api/v1/statistics/",
        gettext_lazy(
            "The monthly statistics you may see: from, to (YYYY-MM), kommun, care_type; "
            "small numbers hidden."
        ),
    ),
    Endpoint(
        "GET",
        "/api/v1/indicators/",
        gettext_lazy(
            "Seed 003's indicators (Region Halland 2019) as counts per kommun, health centre, "
            "care type and month: from, to (YYYY-MM), kommun, care_type; a count whose base "
            "is small is hidden."
        ),
    ),
]

ANSWERS = [
    (
        "200/201",
        gettext_lazy("done: what was read, or the new event and the episode's new version"),
    ),
    (
        "400",
        gettext_lazy("invalid input or a step out of order: every bad field named, in Swedish"),
    ),
    ("401", gettext_lazy("no token, or one unknown, expired or revoked")),
    ("403", gettext_lazy("your organisation may not send it")),
    ("404", gettext_lazy("not your episode, or none")),
    ("409", gettext_lazy("the episode has changed since the version you sent: read it again")),
    ("422", gettext_lazy("the Idempotency-Key was used for another request")),
    ("429", gettext_lazy("too many requests from your token: wait Retry-After seconds")),
]


@dataclass(frozen=True)
class FieldDoc:
    name: str
    label: str
    required: bool
    form: str  # how the value is written


@dataclass(frozen=True)
class MessageDoc:
    kind: str
    label: str
    senders: str
    fields: list[FieldDoc]


def _form_of(field: forms.Field) -> str:
    if isinstance(field, forms.DateTimeField):
        return _("date and time, ISO 8601 (2026-11-29T14:02, Swedish time unless an offset)")
    if isinstance(field, forms.DateField):
        return _("date, ISO 8601 (2026-11-29)")
    if isinstance(field, IdChoiceField):
        return _("id")
    choices: list[tuple[Any, Any]] = list(getattr(field, "choices", []))
    if isinstance(field, forms.TypedChoiceField) and {"true", "false"} <= {
        str(value) for value, _label in choices
    }:
        return _("true or false")
    if isinstance(field, forms.ChoiceField):
        codes = [str(value) for value, _label in choices if value != ""]
        return _("one of: %(codes)s") % {"codes": ", ".join(codes)}
    if isinstance(field, forms.IntegerField):
        return _("integer")
    limit = getattr(field, "max_length", None)
    return _("text, at most %(limit)s characters") % {"limit": limit} if limit else _("text")


def message_docs() -> list[MessageDoc]:
    """Each message the API accepts, in the order of the flow."""
    docs = []
    for kind, (form_class, _service) in MESSAGE_FORMS.items():
        spec = services.SPECS[kind]
        fields = [
            FieldDoc(name, str(field.label or name), field.required, _form_of(field))
            for name, field in form_fields(form_class).items()
        ]
        senders = _(" or ").join(str(services.PARTY_NAMES[party]) for party in spec.parties)
        docs.append(MessageDoc(kind, str(EventKind(kind).label), senders, fields))
    return docs


@login_required
def api_docs(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = {"messages_doc": message_docs(), "endpoints": ENDPOINTS, "answers": ANSWERS}
    return render(request, "api/docs.html", context)
