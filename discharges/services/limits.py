"""Limits on the free texts a service stores outside an event's payload (the payload's own are
``discharges.events.TEXT_LIMITS``): the patient's name and address, an episode's external id,
a consent note. Forms and the API declare the same limits; the services hold them for every
caller, the import included."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _

from discharges.services.errors import Refused


def checked_text(
    model: type[models.Model], field: str, value: str | None, *, input_name: str | None = None
) -> str:
    """``value`` if it fits the model field's ``max_length`` and holds no NUL character
    (PostgreSQL refuses one); else Refused naming ``input_name`` (default: the field)."""
    text = value or ""
    model_field = model._meta.get_field(field)
    limit = model_field.max_length if isinstance(model_field, models.Field) else None
    name = input_name or field
    if "\x00" in text:
        raise Refused(_("The text holds a character that is not allowed."), field=name)
    if limit is not None and len(text) > limit:
        raise Refused(
            _("At most %(limit)s characters here; the text has %(length)s.")
            % {"limit": limit, "length": len(text)},
            field=name,
        )
    return text
