"""One row of Att göra, rendered in Python: a large kommun's list has 160 rows, rendered on every
change the page's refresh finds; the template language took 31 ms for them, ``format_html``
19 ms, plain escaped f-strings a few (bench/worklists.py). Every value from the database or a
translation goes through ``e`` (html.escape, as Django's own); the table around the rows is
templates/discharges/_worklist_rows.html."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from html import escape as e
from typing import Any

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext

from discharges.deadlines import Task
from discharges.personnummer import format_personnummer
from discharges.worklists import DUE_TODAY, OVERDUE, WorklistRow

register = template.Library()


@lru_cache(maxsize=8)
def _labels(language: str) -> dict[str, str]:
    """The row's fixed texts in ``language`` (the active one), translated and escaped once."""
    texts = {
        "patient": "Patient",
        "todo": "To do",
        "waiting": "Waiting since ready",
        "discharge": "Discharge",
        "due": "due",
        "overdue": "overdue",
        "today": "today",
        "new": "New",
        "long": "3 days or more",
        "homecoming": "Homecoming",
        "proposed": "Proposed",
        "ready": "Ready",
        "prel": "Prel.",
        "discharged": "Discharged",
        "acknowledge": "Acknowledge",
    }
    return {key: e(gettext(text)) for key, text in texts.items()}


def _minute(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _task(task: Task, labels: dict[str, str]) -> str:
    state = "overdue" if task.overdue else "today" if task.due_today else ""
    due = f' · <span class="nowrap">{labels["due"]} {e(task.due_label)}</span>' if task.due else ""
    mark = f" <strong>{labels['overdue' if task.overdue else 'today']}</strong>" if state else ""
    return f'<li class="{state}">{e(task.label)}{due}{mark}</li>'


def _discharge(row: WorklistRow, labels: dict[str, str]) -> str:
    ep = row.episode
    if ep.discharged_at:
        return f"{labels['discharged']} {_minute(ep.discharged_at)}"
    if ep.homecoming_at:
        return f"{labels['homecoming']} {_minute(ep.homecoming_at)}"
    if ep.homecoming_proposed_at:
        return f"{labels['proposed']} {_minute(ep.homecoming_proposed_at)}"
    if ep.ready_date:
        return f"{labels['ready']} {ep.ready_date:%Y-%m-%d}"
    if ep.preliminary_ready_date:
        return f"{labels['prel']} {ep.preliminary_ready_date:%Y-%m-%d}"
    return '<span class="muted">–</span>'


def _waiting(row: WorklistRow, labels: dict[str, str]) -> str:
    if row.days_ready is None:
        return '<span class="muted">–</span>'
    days = e(ngettext("%(days)s day", "%(days)s days", row.days_ready) % {"days": row.days_ready})
    if row.long_wait:
        return f'{days} <strong class="badge badge-long">{labels["long"]}</strong>'
    return days


def _actions(row: WorklistRow, base: str, csrf: str, labels: dict[str, str]) -> str:
    ep = row.episode
    action = f"{e(base)}{ep.pk}"
    token = f'<input type="hidden" name="csrfmiddlewaretoken" value="{e(csrf)}">'
    hidden = f'<span class="visually-hidden"> – {e(ep.reference)}</span>'
    forms = ""
    proposed = row.proposed_homecoming
    if proposed:
        label = e(gettext("Acknowledge homecoming %(time)s") % {"time": _minute(proposed)})
        forms += (
            f'<form method="post" action="{action}/messages/homecoming_acknowledged/">{token}'
            f'<input type="hidden" name="version" value="{ep.version}">'
            f'<input type="hidden" name="homecoming_at" value="{_minute(proposed)}">'
            '<input type="hidden" name="next" value="worklist">'
            f'<button type="submit" class="small">{label}{hidden}</button></form>'
        )
    if row.unacknowledged:
        label = (
            labels["acknowledge"]
            if row.unacknowledged == 1
            else e(gettext("Acknowledge all (%(count)s)") % {"count": row.unacknowledged})
        )
        forms += (
            f'<form method="post" action="{action}/acknowledge-all/">{token}'
            '<input type="hidden" name="next" value="worklist">'
            f'<button type="submit" class="small secondary">{label}{hidden}</button></form>'
        )
    return forms


@register.simple_tag(takes_context=True)
def worklist_row(context: Any, row: WorklistRow, base: str) -> SafeString:
    """The ``<tr>`` of one row (its id ``episode-<pk>``); ``base``: the episode list's address
    (/episodes/), below which discharges/urls.py hangs each episode's pages (reversed once per
    list, not per row)."""
    labels = _labels(get_language() or "sv")
    ep = row.episode
    classes = {OVERDUE: "overdue-row", DUE_TODAY: "today-row"}.get(row.urgency, "")
    new = ""
    if row.new:
        classes = f"{classes} new-row"
        new = f' <span class="badge badge-new">{labels["new"]}</span>'
    number = ep.patient.personnummer
    pnr = format_personnummer(number) if number and len(number) == 12 else number
    tasks = "".join(_task(task, labels) for task in row.tasks)
    actions = _actions(row, base, str(context.get("csrf_token", "")), labels)
    return mark_safe(  # noqa: S308 (every value escaped above)
        f'<tr id="episode-{ep.pk}" class="{classes}">'
        f'<td data-label="{labels["patient"]}"><a href="{e(base)}{ep.pk}/">'
        f"{e(ep.patient.name or ep.reference)}</a>{new}"
        f'<br><span class="pnr">{e(pnr)}</span> '
        f'<small class="muted nowrap">{e(ep.reference)}</small></td>'
        f'<td data-label="{labels["todo"]}"><ul class="tasks">{tasks}</ul></td>'
        f'<td data-label="{labels["waiting"]}" class="nowrap">{_waiting(row, labels)}</td>'
        f'<td data-label="{labels["discharge"]}" class="nowrap">{_discharge(row, labels)}</td>'
        f'<td class="actions">{actions}</td></tr>'
    )
