"""One endpoint per message kind, generated from ``discharges.forms.MESSAGE_FORMS``.

Each kind's request schema is derived from its page form, and the request is validated by that
same form and sent by the same service as the page: a field added to a message's form shows up
in the API, its schema and its documentation by itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from discharges.forms import MESSAGE_FORMS, IdChoiceField, MessageForm

# The page's "send anyway" after its warnings: the API never warns, so never asks.
PAGE_ONLY_FIELDS = ("confirmed",)


def _is_yes_no(field: forms.Field) -> bool:
    values = {str(value) for value, _label in getattr(field, "choices", [])}
    return isinstance(field, forms.TypedChoiceField) and {"true", "false"} <= values


def schema_field(name: str, field: forms.Field) -> serializers.Field[Any, Any, Any, Any]:
    """The serializer field documenting a form field (the form itself validates)."""
    required = field.required and name != "version"  # version may come as If-Match
    common: dict[str, Any] = {
        "required": required,
        "help_text": field.help_text or field.label or name,
    }
    if not field.required:
        common["allow_null"] = True
    if name == "version":
        common["help_text"] = gettext_lazy(
            "The episode version the message is based on (or the If-Match header)."
        )
        return serializers.IntegerField(min_value=0, **common)
    if isinstance(field, forms.DateTimeField):
        return serializers.DateTimeField(**common)
    if isinstance(field, forms.DateField):
        return serializers.DateField(**common)
    if isinstance(field, IdChoiceField):
        return serializers.IntegerField(min_value=1, **common)
    if _is_yes_no(field):
        return serializers.BooleanField(**common)
    if isinstance(field, forms.ChoiceField):
        codes = [str(value) for value, _label in list(getattr(field, "choices", [])) if value != ""]
        return serializers.ChoiceField(choices=codes, **common)
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(**common)
    max_length = getattr(field, "max_length", None)
    return serializers.CharField(max_length=max_length, allow_blank=not field.required, **common)


def form_fields(form_class: type[MessageForm]) -> dict[str, forms.Field]:
    return {
        name: field
        for name, field in form_class.base_fields.items()
        if name not in PAGE_ONLY_FIELDS
    }


@cache
def request_serializer(kind: str) -> type[serializers.Serializer[Any]]:
    """The request schema of one message kind."""
    form_class, _service = MESSAGE_FORMS[kind]
    attrs: dict[str, Any] = {
        name: schema_field(name, field) for name, field in form_fields(form_class).items()
    }
    camel = "".join(part.capitalize() for part in kind.split("_"))
    return type(f"{camel}Message", (serializers.Serializer,), attrs)


def json_form_data(data: Any, known: Iterable[str]) -> dict[str, str]:
    """A JSON body as a form's data: true/false as the forms' choices, null as empty.

    A body that is not an object, an unknown field, or a list or object as a value is a 400
    naming the field (a form would read it as text or drop it silently)."""
    if not isinstance(data, dict):
        raise serializers.ValidationError(
            {"non_field_errors": [_("Send the body as a JSON object.")]}
        )
    known = set(known)
    errors: dict[str, list[str]] = {}
    out: dict[str, str] = {}
    for key, value in data.items():
        if key not in known:
            errors[str(key)[:100]] = [_("There is no such field here.")]
        elif isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif value is None:
            out[key] = ""
        elif isinstance(value, str | int | float):
            out[key] = str(value)
        else:
            errors[key] = [_("Give a text, a number or true/false.")]
    if errors:
        raise serializers.ValidationError(errors)
    return out


def message_form_data(data: Any, kind: str) -> dict[str, str]:
    """The message's body for its form; the page's own fields are read (and checked) by the
    form as on the page, though the schema does not offer them."""
    return json_form_data(data, MESSAGE_FORMS[kind][0].base_fields)


def example_value(name: str, field: forms.Field) -> Any:
    """A plausible value of a form field, for the schema's examples."""
    if name == "version":
        return 3
    if isinstance(field, forms.DateTimeField):
        return "2026-12-01T10:00:00+01:00"
    if isinstance(field, forms.DateField):
        return "2026-12-01"
    if isinstance(field, IdChoiceField):
        return 12
    if _is_yes_no(field):
        return True
    if isinstance(field, forms.ChoiceField):
        codes = [str(value) for value, _label in list(getattr(field, "choices", [])) if value != ""]
        return codes[0] if codes else ""
    if isinstance(field, forms.IntegerField):
        return 1
    return str(field.label or name)[: getattr(field, "max_length", None) or 100]


def example_body(kind: str) -> dict[str, Any]:
    """An example request of one message kind (every field but the optional time)."""
    fields = form_fields(MESSAGE_FORMS[kind][0])
    return {name: example_value(name, f) for name, f in fields.items() if name != "occurred_at"}
