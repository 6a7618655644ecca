"""The API's documentation page, in Swedish: the endpoints, and each message with who sends it
and its fields, read from the forms and specs the API itself validates with (so it cannot
drift from them). The machine-readable schema stays at /api/schema/."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from discharges import services
from discharges.forms import MESSAGE_FORMS, IdChoiceField
from discharges.http import AuthenticatedHttpRequest
from discharges.models import EventKind


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
            for name, field in form_class.base_fields.items()
            if name != "confirmed"  # the page's "send anyway": the API never warns
        ]
        senders = _(" or ").join(str(services.PARTY_NAMES[party]) for party in spec.parties)
        docs.append(MessageDoc(kind, str(EventKind(kind).label), senders, fields))
    return docs


@login_required
def api_docs(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "discharges/api_docs.html", {"messages_doc": message_docs()})
