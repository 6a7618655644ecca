"""Why a kommun-month has its state and why an episode has its liable days, in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from payment import rules
from payment.models import Agreement, LiabilityModel
from payment.reports import EpisodeLine, Report

PREREQUISITE_LABELS = {
    "admission_notice": gettext_lazy("No admission notice was sent."),
    "ready_notice": gettext_lazy("No ready notice was sent."),
    "sip_invitation": gettext_lazy("The SIP invitation was missing or later than the deadline."),
}


@dataclass(frozen=True)
class DayReason:
    day: date
    liable: bool
    reason: str


def prerequisite_texts(missing: list[str]) -> list[str]:
    return [str(PREREQUISITE_LABELS[code]) for code in missing]


def explain_episode(line: EpisodeLine, agreement: Agreement, report: Report) -> list[DayReason]:
    """One reason per waiting day (ready date < day <= discharge date)."""
    terms = agreement.terms()
    group = line.care_type if agreement.separate_care_types else "all"
    liable_state = {s.month: s.liable for s in report.states.get((line.kommun, group), [])}
    liable_set = set(line.liable_dates)
    reasons = []
    day = line.ready_date
    while day < line.discharge_date:
        day = date.fromordinal(day.toordinal() + 1)
        if line.prerequisites_missing:
            reason = _("Not liable: a prerequisite is missing.")
        elif day < terms.first_month:
            reason = _("Not liable: before the agreement's first month.")
        elif agreement.model == LiabilityModel.PER_EPISODE:
            start = line.liability_start
            if start is None or day < start:
                reason = _("Not liable: before the liability starts (%(start)s).") % {
                    "start": start
                }
            else:
                reason = _("Liable: from %(start)s, day %(n)s after the ready notice.") % {
                    "start": start,
                    "n": terms.liability_from_day or 3,
                }
        elif liable_state.get(rules.month_start(day)):
            reason = _("Liable: the municipality is liable in %(month)s.") % {
                "month": f"{day:%Y-%m}"
            }
        else:
            reason = _("Not liable: the municipality is free in %(month)s.") % {
                "month": f"{day:%Y-%m}"
            }
        reasons.append(DayReason(day, day in liable_set, reason))
    return reasons


def explain_month(states: list[rules.MonthState], agreement: Agreement) -> str:
    """A sentence on the month's state from the run of preceding months (R4)."""
    if not states:
        return _("The month is before the agreement's first month: the municipality is free.")
    current = states[-1]
    previous = states[-2] if len(states) > 1 else None
    enter, leave = agreement.months_to_enter, agreement.months_to_exit
    threshold = number_format(agreement.threshold_days, 2)
    if current.liable:
        if previous is None or not previous.liable:
            text = _(
                "Liable: the %(n)s months before were over %(t)s days on average in a row."
            ) % {"n": enter, "t": threshold}
        else:
            text = _("Liable: still liable from earlier months.")
    elif previous is not None and previous.liable:
        text = _("Free again: %(n)s months in a row at or under %(t)s days.") % {
            "n": leave,
            "t": threshold,
        }
    else:
        text = _("Free: fewer than %(n)s months in a row over %(t)s days.") % {
            "n": enter,
            "t": threshold,
        }
    if current.changes_next_month:
        text += " " + (
            _("From the next month the municipality is free.")
            if current.liable
            else _("From the next month the municipality is liable.")
        )
    else:
        needed = (leave if current.liable else enter) - current.streak
        text += " " + _("%(streak)s of %(needed)s months toward the next change.") % {
            "streak": current.streak,
            "needed": current.streak + needed,
        }
    return text
