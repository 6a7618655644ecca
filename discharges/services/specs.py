"""Which party may send each kind of message, and in which states of the episode.

Each kind has its senders and a *state check* (is the step valid in the episode's current
state?) in SPECS; each service adds the checks of its own input. Pages ask SPECS which messages
a party may send now (``available_kinds``), so they offer exactly what the services accept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from discharges.models import ACTIVE_STATUSES, Episode, EpisodeStatus, EventKind
from discharges.services.errors import NotPermitted, Refused

Party = str  # "ward" | "kommun" | "health_centre"

PARTY_NAMES = {
    "ward": gettext_lazy("the ward"),
    "kommun": gettext_lazy("the municipality"),
    "health_centre": gettext_lazy("the health centre"),
}

WARD: tuple[Party, ...] = ("ward",)
KOMMUN: tuple[Party, ...] = ("kommun",)
HEALTH_CENTRE: tuple[Party, ...] = ("health_centre",)
RECIPIENTS: tuple[Party, ...] = ("kommun", "health_centre")
ANY_PARTY: tuple[Party, ...] = ("ward", "kommun", "health_centre")


def require_active(episode: Episode) -> None:
    if episode.status not in ACTIVE_STATUSES:
        raise Refused(
            _("The episode is %(status)s; no more planning messages can be sent.")
            % {"status": EpisodeStatus(episode.status).label.lower()}
        )


def _require_notice(episode: Episode) -> None:
    if episode.admission_notice_at is None:
        raise Refused(_("No admission notice has been sent yet."))


def _require_not_closed(episode: Episode) -> None:
    if episode.status == EpisodeStatus.CLOSED:
        raise Refused(_("The episode is closed."))


def _state_admission_notice(ep: Episode) -> None:
    require_active(ep)
    if ep.admission_notice_at is not None:
        raise Refused(_("The admission notice has already been sent."))


def _state_planning(ep: Episode) -> None:
    require_active(ep)
    _require_notice(ep)
    if ep.status == EpisodeStatus.READY:
        raise Refused(_("The patient is already ready for discharge."))


def _state_answer(ep: Episode) -> None:
    require_active(ep)
    _require_notice(ep)


def _state_ready(ep: Episode) -> None:
    require_active(ep)
    if ep.status == EpisodeStatus.READY:
        raise Refused(_("A ready notice has already been sent; withdraw it first."))


def _state_is_ready(ep: Episode) -> None:
    if ep.status != EpisodeStatus.READY:
        raise Refused(_("The patient is not ready for discharge."))


def _state_sip_initiative(ep: Episode) -> None:
    _require_not_closed(ep)
    if ep.sip_cancelled_at is None and (ep.sip_initiative_at or ep.sip_invitation_at):
        raise Refused(_("A SIP is already under way."))


def _state_sip_invitation(ep: Episode) -> None:
    _require_not_closed(ep)
    if ep.sip_invitation_at and ep.sip_cancelled_at is None:
        raise Refused(_("A SIP invitation has already been sent."))


def _state_sip_held(ep: Episode) -> None:
    _require_not_closed(ep)
    if ep.sip_invitation_at is None or ep.sip_cancelled_at is not None:
        raise Refused(_("No SIP invitation is in force."))
    if ep.sip_held_date is not None:
        raise Refused(_("The SIP has already been recorded as held."))


def _state_sip_follow_up(ep: Episode) -> None:
    _require_not_closed(ep)
    if ep.sip_held_date is None:
        raise Refused(_("No SIP has been held."))
    if ep.sip_follow_up_done_date is not None:
        raise Refused(_("The SIP follow-up is already recorded as done."))


def _state_preliminary_recorded(ep: Episode) -> None:
    require_active(ep)
    if ep.admission_notice_at is not None:
        raise Refused(_("The admission notice has been sent; change its preliminary date instead."))
    if ep.preliminary_ready_date is not None:
        raise Refused(_("A preliminary ready date is already recorded."))


def _state_sip_held_recorded(ep: Episode) -> None:
    _require_not_closed(ep)
    if ep.sip_invitation_at is not None and ep.sip_cancelled_at is None:
        raise Refused(_("A SIP invitation is in force; record the SIP as held instead."))
    if ep.sip_held_date is not None:
        raise Refused(_("The SIP has already been recorded as held."))


def _state_sip_cancel(ep: Episode) -> None:
    _require_not_closed(ep)
    if ep.sip_initiative_at is None and ep.sip_invitation_at is None:
        raise Refused(_("There is no SIP to cancel."))
    if ep.sip_cancelled_at is not None:
        raise Refused(_("The SIP is already cancelled."))
    if ep.sip_held_date is not None:
        raise Refused(_("The SIP has been held; it cannot be cancelled."))


def _state_once(field: str, label: Promise) -> Callable[[Episode], None]:
    def check(ep: Episode) -> None:
        require_active(ep)
        if getattr(ep, field) is not None:
            raise Refused(str(label))

    return check


@dataclass(frozen=True)
class Spec:
    parties: tuple[Party, ...]
    state: Callable[[Episode], None]
    # Offered on pages and the API; False for what only imported history records.
    offered: bool = True
    # Payload fields holding a planning date or time: within the stay (services/ranges.py).
    stay_dates: tuple[str, ...] = ()
    # Payload fields whose date may be back-dated no more than the message itself.
    backdate_limited: tuple[str, ...] = ()


SPECS: dict[str, Spec] = {
    EventKind.ADMISSION_NOTICE: Spec(
        WARD, _state_admission_notice, stay_dates=("preliminary_ready_date",)
    ),
    EventKind.PRELIMINARY_DATE_CHANGED: Spec(
        WARD, _state_planning, stay_dates=("preliminary_ready_date",)
    ),
    # Imported history: a preliminary date known without its admission notice (R5 reports
    # the notice missing).
    EventKind.PRELIMINARY_DATE_RECORDED: Spec(
        WARD, _state_preliminary_recorded, offered=False, stay_dates=("preliminary_ready_date",)
    ),
    EventKind.ADMISSION_ANSWER: Spec(RECIPIENTS, _state_answer),
    EventKind.NAMED_CARE_CONTACT: Spec(HEALTH_CENTRE, require_active),
    EventKind.TRACK_COLOUR: Spec(WARD, require_active),
    EventKind.READY_NOTICE: Spec(
        WARD, _state_ready, stay_dates=("ready_date",), backdate_limited=("ready_date",)
    ),
    EventKind.READY_DATE_RECORDED: Spec(
        WARD,
        _state_ready,
        offered=False,
        stay_dates=("ready_date",),
        backdate_limited=("ready_date",),
    ),
    EventKind.READY_NOTICE_WITHDRAWN: Spec(WARD, _state_is_ready),
    EventKind.SIP_INITIATIVE: Spec(ANY_PARTY, _state_sip_initiative),
    EventKind.SIP_INVITATION: Spec(
        HEALTH_CENTRE, _state_sip_invitation, stay_dates=("meeting_at",)
    ),
    EventKind.SIP_HELD: Spec(HEALTH_CENTRE, _state_sip_held, stay_dates=("held_date",)),
    # Imported history: a SIP held without a recorded invitation (R5 reports it missing).
    EventKind.SIP_HELD_RECORDED: Spec(
        HEALTH_CENTRE, _state_sip_held_recorded, offered=False, stay_dates=("held_date",)
    ),
    EventKind.SIP_CANCELLED: Spec(ANY_PARTY, _state_sip_cancel),
    # After the discharge too: the follow-up is planned for after the patient went home.
    EventKind.SIP_FOLLOW_UP_DONE: Spec(ANY_PARTY, _state_sip_follow_up),
    EventKind.SOL_PLANNING_DONE: Spec(
        KOMMUN,
        _state_once(
            "sol_planning_done_at", gettext_lazy("SoL planning is already marked as done.")
        ),
    ),
    EventKind.HSL_PLANNING_DONE: Spec(
        KOMMUN,
        _state_once(
            "hsl_planning_done_at", gettext_lazy("HSL planning is already marked as done.")
        ),
    ),
    EventKind.KOMMUN_READY: Spec(
        KOMMUN,
        _state_once(
            "kommun_ready_at", gettext_lazy("The municipality is already marked as ready.")
        ),
    ),
    EventKind.HOMECOMING_PROPOSED: Spec(WARD, _state_is_ready, stay_dates=("homecoming_at",)),
    EventKind.HOMECOMING_ACKNOWLEDGED: Spec(KOMMUN, _state_is_ready, stay_dates=("homecoming_at",)),
    EventKind.DISCHARGE: Spec(WARD, require_active),
    EventKind.CLOSED: Spec(WARD, require_active),
    EventKind.RECIPIENTS_CHANGED: Spec(WARD, require_active),
}


def require_shared(episode: Episode, party: Party | None) -> None:
    """Kommun and hälsocentral act on an episode once a message has been sent to them."""
    if party != "ward" and episode.shared_at is None:
        raise NotPermitted(_("The episode has not been shared with you yet."))


def available_kinds(episode: Episode, party: Party | None) -> list[str]:
    """The messages ``party`` may send on the episode in its current state."""
    try:
        require_shared(episode, party)
    except NotPermitted:
        return []
    kinds = []
    for kind, spec in SPECS.items():
        if party not in spec.parties or not spec.offered:
            continue
        try:
            spec.state(episode)
        except Refused:
            continue
        kinds.append(kind)
    return kinds
