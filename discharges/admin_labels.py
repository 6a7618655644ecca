"""Swedish names in the admin for what the models and the third-party apps leave in English.

Django derives a field's label from its name when it has no verbose name ("ward", "user:"), and
the admin shows an app without one by its label ("AXES", "OTP_TOTP"); django-axes, django-otp
and django-celery-beat ship no Swedish. ``name_in_swedish`` sets the names on the running
models: ``Field.verbose_name``, ``Options.verbose_name(_plural)``, ``AppConfig.verbose_name``
and a property's ``short_description``. Migrations read ``Field._verbose_name`` and
``Options.original_attrs``, so ``makemigrations`` sees no change (``make test`` checks it).
Every name has the message context "admin": it cannot clash with another app's msgid.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.utils.translation import pgettext_lazy

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as Promise
else:
    from django.utils.functional import Promise


def _a(text: str) -> Promise:
    return pgettext_lazy("admin", text)


SITE_HEADER = _a("SVU – administration")
INDEX_TITLE = _a("Administration")

APPS: dict[str, Promise] = {
    "axes": _a("Login attempts"),
    "otp_totp": _a("Two-step verification"),
    "django_celery_beat": _a("Scheduled tasks"),
}

MODELS: dict[tuple[str, str], tuple[Promise, Promise]] = {
    ("axes", "accessattempt"): (_a("login attempt"), _a("login attempts")),
    ("axes", "accessfailurelog"): (_a("failed login"), _a("failed logins")),
    ("axes", "accesslog"): (_a("login log entry"), _a("login log")),
    ("otp_totp", "totpdevice"): (_a("authenticator app"), _a("authenticator apps")),
    ("django_celery_beat", "periodictask"): (_a("scheduled task"), _a("scheduled tasks")),
    ("django_celery_beat", "crontabschedule"): (_a("cron schedule"), _a("cron schedules")),
    ("django_celery_beat", "intervalschedule"): (_a("interval"), _a("intervals")),
    ("django_celery_beat", "solarschedule"): (_a("solar event"), _a("solar events")),
    ("django_celery_beat", "clockedschedule"): (_a("point in time"), _a("points in time")),
}

_ACCESS = {
    "user_agent": _a("browser"),
    "ip_address": _a("IP address"),
    "username": _a("user name"),
    "http_accept": _a("HTTP Accept"),
    "path_info": _a("path"),
    "attempt_time": _a("time"),
}
FIELDS: dict[tuple[str, str], dict[str, Promise]] = {
    ("discharges", "organisation"): {"group": _a("group")},
    ("discharges", "kommun"): {"region": _a("region")},
    ("discharges", "hospital"): {"region": _a("region")},
    ("discharges", "healthcentre"): {"region": _a("region")},
    ("discharges", "ward"): {"hospital": _a("hospital")},
    ("discharges", "membership"): {"user": _a("user"), "organisation": _a("organisation")},
    ("discharges", "patientidentitychange"): {"patient": _a("patient")},
    ("discharges", "episode"): {
        "patient": _a("patient"),
        "ward": _a("ward"),
        "kommun": _a("municipality"),
        "health_centre": _a("health centre"),
    },
    ("discharges", "episodeevent"): {"episode": _a("episode")},
    ("discharges", "receipt"): {
        "event": _a("message"),
        "organisation": _a("organisation"),
        "user": _a("user"),
    },
    ("discharges", "consentrecord"): {
        "episode": _a("episode"),
        "patient": _a("patient"),
        "recorded_by": _a("recorded by"),
        "organisation": _a("organisation"),
    },
    ("axes", "accessattempt"): {
        **_ACCESS,
        "get_data": _a("GET data"),
        "post_data": _a("POST data"),
        "failures_since_start": _a("failed logins"),
    },
    ("axes", "accessfailurelog"): {**_ACCESS, "locked_out": _a("locked out")},
    ("axes", "accesslog"): {**_ACCESS, "logout_time": _a("logged out")},
    ("otp_totp", "totpdevice"): {
        "user": _a("user"),
        "name": _a("name"),
        "confirmed": _a("confirmed"),
        "created_at": _a("created"),
        "last_used_at": _a("last used"),
    },
    ("django_celery_beat", "periodictask"): {
        "name": _a("name"),
        "task": _a("task"),
        "interval": _a("interval"),
        "crontab": _a("cron schedule"),
        "solar": _a("solar event"),
        "clocked": _a("point in time"),
        "args": _a("positional arguments"),
        "kwargs": _a("keyword arguments"),
        "queue": _a("queue"),
        "priority": _a("priority"),
        "expires": _a("expires"),
        "one_off": _a("once only"),
        "start_time": _a("starts"),
        "enabled": _a("enabled"),
        "last_run_at": _a("last run"),
        "total_run_count": _a("runs"),
        "date_changed": _a("changed"),
        "description": _a("description"),
    },
}


def _model(app_label: str, model_name: str) -> Any:
    try:
        return apps.get_model(app_label, model_name)
    except LookupError:  # an app this installation does without
        return None


def name_in_swedish() -> None:
    """Set the Swedish names (called once, when the admin is loaded)."""
    for label, name in APPS.items():
        with contextlib.suppress(LookupError):  # an app this installation does without
            apps.get_app_config(label).verbose_name = name
    for (app_label, model_name), (singular, plural) in MODELS.items():
        model = _model(app_label, model_name)
        if model is not None:
            model._meta.verbose_name = singular
            model._meta.verbose_name_plural = plural
    for (app_label, model_name), fields in FIELDS.items():
        model = _model(app_label, model_name)
        if model is None:
            continue
        for field_name, name in fields.items():
            model._meta.get_field(field_name).verbose_name = name
    episode = _model("discharges", "episode")
    episode.reference.fget.short_description = _a("reference")
