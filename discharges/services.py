"""The one write path: a service function per message of a discharge.

Every function checks that the actor may send the message, that the step is valid in the
episode's current state, appends the event and updates the projection, all in one transaction
that holds the episode's row lock. Pages, the API, the CSV import, the demo data and the tests
call these functions; nothing else writes episodes or events.

Persistence is delegated to a *recorder*: ``SingleRecorder`` (the default) locks, checks the
version and saves one event at a time; ``discharges.imports.BatchRecorder`` runs the very same
checks and projection in memory and saves a whole file in bulk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from discharges import grants
from discharges.bulk import new_instance
from discharges.clock import local_date
from discharges.models import (
    ACTIVE_STATUSES,
    CareType,
    ClosureReason,
    ConsentAction,
    ConsentRecord,
    Destination,
    Episode,
    EpisodeEvent,
    EpisodeStatus,
    EventKind,
    HealthCentre,
    Kommun,
    Membership,
    Organisation,
    OrganisationKind,
    Patient,
    Receipt,
    Role,
    TrackColour,
    Ward,
)
from discharges.personnummer import normalise_personnummer
from discharges.projection import apply_event
from discharges.selectors import acting_organisation, forget_memberships, party_of

_CARETYPE_VALUES = frozenset(CareType.values)
_TRACKCOLOUR_VALUES = frozenset(TrackColour.values)
_DESTINATION_VALUES = frozenset(Destination.values)
_CLOSUREREASON_VALUES = frozenset(ClosureReason.values)

# --- Errors -----------------------------------------------------------------------------------


class Refused(Exception):
    """A message that may not be sent now. Nothing was changed.

    ``field`` names the input that is wrong (None when it is the step itself).
    """

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotPermitted(Refused):
    """The actor's organisation or role may not send this message."""

    status_code = 403


class Stale(Refused):
    """The write was based on an older version of the episode."""

    status_code = 409


# --- Actors -----------------------------------------------------------------------------------

# The role that sends messages on behalf of each kind of organisation.
SENDER_ROLE = {
    OrganisationKind.WARD: Role.WARD_STAFF,
    OrganisationKind.KOMMUN: Role.KOMMUN_PLANNER,
    OrganisationKind.HEALTH_CENTRE: Role.HC_COORDINATOR,
}


@dataclass(frozen=True)
class Actor:
    """A user acting for one organisation."""

    user: AbstractBaseUser
    organisation: Organisation


def organisation_region_code(organisation: Organisation) -> str | None:
    specific = organisation.specific
    if isinstance(specific, Kommun):
        return specific.code[:2]
    if isinstance(specific, Ward):
        return specific.hospital.region.code
    if isinstance(specific, HealthCentre):
        return specific.region.code
    return None


def is_integration(actor: Actor) -> bool:
    """Integration accounts act for any organisation of their region (e.g. the import)."""
    region_code = organisation_region_code(actor.organisation)
    return Membership.objects.filter(
        user=actor.user, role=Role.INTEGRATION, organisation__as_region__code=region_code
    ).exists()


def check_actor(actor: Actor) -> bool:
    """Raise NotPermitted unless the user may send for the organisation.

    Returns True when the actor is an integration account (no back-dating limit).
    """
    role = SENDER_ROLE.get(OrganisationKind(actor.organisation.kind))
    if (
        role
        and Membership.objects.filter(
            user=actor.user, organisation_id=actor.organisation.pk, role=role
        ).exists()
    ):
        return False
    if is_integration(actor):
        return True
    raise NotPermitted(
        _("%(user)s may not send messages for %(organisation)s.")
        % {"user": actor.user, "organisation": actor.organisation}
    )


# --- The recorders ----------------------------------------------------------------------------

Party = str  # "ward" | "kommun" | "health_centre"
Check = Callable[[Episode, dict[str, Any], datetime], None]


@dataclass(frozen=True)
class Message:
    kind: str
    parties: tuple[Party, ...]
    occurred_at: datetime
    data: dict[str, Any]
    check: Check


def actor_for(user: AbstractBaseUser, episode: Episode) -> Actor:
    """The user acting for their organisation that is a party of the episode (pages, API)."""
    organisation = acting_organisation(user, episode)
    if organisation is None:  # visible but not a party: cannot happen with group grants
        raise NotPermitted(_("You are not a party of this episode."))
    return Actor(user, organisation)


PARTY_NAMES = {
    "ward": gettext_lazy("the ward"),
    "kommun": gettext_lazy("the municipality"),
    "health_centre": gettext_lazy("the health centre"),
}


def build_event(
    episode: Episode, actor: Actor, message: Message, *, integration: bool
) -> EpisodeEvent:
    """Check ``message`` against the episode's state and build its event (not saved).

    Applies the event to ``episode`` in memory. Shared by both recorders.
    """
    party = party_of(episode, actor.organisation)
    if party not in message.parties:
        raise NotPermitted(
            _("Only %(parties)s of this episode may send “%(kind)s”.")
            % {
                "parties": _(" or ").join(str(PARTY_NAMES[p]) for p in message.parties),
                "kind": EventKind(message.kind).label,
            }
        )
    if not integration:  # integration accounts record history as the source system had it
        _require_shared(episode, party)
    SPECS[message.kind].state(episode)
    # Integration accounts move older history in: no back-dating limit.
    check_time(message.occurred_at, episode, unlimited_backdate=integration)
    message.check(episode, message.data, message.occurred_at)
    data = message.data
    if "party" in data:
        # The sender's role in the episode as it stands under the lock (not as the caller saw it).
        data = {**data, "party": party}
    event = new_event(
        episode.pk, episode.version + 1, message.kind, actor, message.occurred_at, data
    )
    apply_event(episode, event)
    return event


def new_event(
    episode_id: int | None,
    seq: int,
    kind: str,
    actor: Actor,
    occurred_at: datetime,
    data: dict[str, Any],
) -> EpisodeEvent:
    """An unsaved event (this runs for every message: 600,000 times in a 100,000-row import)."""
    return new_instance(
        EpisodeEvent,
        episode_id=episode_id,
        seq=seq,
        kind=kind,
        author_id=actor.user.pk,
        organisation_id=actor.organisation.pk,
        occurred_at=occurred_at,
        recorded_at=timezone.now(),
        data=data,
    )


def check_time(occurred_at: datetime, episode: Episode | None, *, unlimited_backdate: bool) -> None:
    if timezone.is_naive(occurred_at):
        raise Refused(_("The time must include a time zone."), field="occurred_at")
    now = timezone.now()
    if occurred_at > now + settings.SVU_FUTURE_TOLERANCE:
        raise Refused(_("The time is in the future."), field="occurred_at")
    if not unlimited_backdate and occurred_at < now - settings.SVU_MAX_BACKDATE:
        raise Refused(
            _("The time may be back-dated at most %(days)s days.")
            % {"days": settings.SVU_MAX_BACKDATE.days},
            field="occurred_at",
        )
    if episode is not None and episode.admitted_at and occurred_at < episode.admitted_at:
        raise Refused(_("The time is before the admission."), field="occurred_at")


class SingleRecorder:
    """Saves one event at a time under the episode's row lock."""

    def check_actor(self, actor: Actor) -> bool:
        return check_actor(actor)

    def register(self, actor: Actor, episode: Episode, event: EpisodeEvent) -> Episode:
        external_id = episode.external_id
        if external_id and Episode.objects.filter(external_id=external_id).exists():
            raise Refused(_("An episode with this id already exists."), field="external_id")
        try:
            with transaction.atomic():
                episode.save()
        except IntegrityError as exc:  # registered by someone else just now
            raise Refused(
                _("An episode with this id already exists."), field="external_id"
            ) from exc
        with transaction.atomic():
            event.episode_id = episode.pk
            event.save()
            grants.sync_episode(episode)
        return episode

    def append(
        self, actor: Actor, episode: Episode, message: Message, expected_version: int | None
    ) -> EpisodeEvent:
        unlimited = self.check_actor(actor)
        with transaction.atomic():
            locked = Episode.objects.select_for_update().get(pk=episode.pk)
            if expected_version is not None and locked.version != expected_version:
                raise Stale(
                    _(
                        "The episode has changed since you opened it (version %(yours)s, now "
                        "%(now)s). Reload and try again."
                    )
                    % {"yours": expected_version, "now": locked.version},
                    field="version",
                )
            before = grants.audience(locked)
            event = build_event(locked, actor, message, integration=unlimited)
            event.save()
            locked.save()
            if grants.audience(locked) != before:
                grants.sync_episode(locked)
        # The caller's instance reflects the new state without another query.
        for field in Episode._meta.concrete_fields:
            setattr(episode, field.attname, getattr(locked, field.attname))
        return event


_SINGLE = SingleRecorder()


def _send(
    actor: Actor,
    episode: Episode,
    message: Message,
    expected_version: int | None,
    recorder: Any,
) -> EpisodeEvent:
    return (recorder or _SINGLE).append(actor, episode, message, expected_version)


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- State checks -----------------------------------------------------------------------------


def _require_active(episode: Episode) -> None:
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


# --- Registration -----------------------------------------------------------------------------


def register_patient(
    *,
    personnummer: str,
    kommun: Kommun,
    name: str = "",
    address: str = "",
    health_centre: HealthCentre | None = None,
) -> Patient:
    """Find the patient by personnummer or create them; returns the patient.

    For an existing patient, the given name, address, kommun and hälsocentral update the record
    (they are the current folkbokföring facts).
    """
    try:
        number = normalise_personnummer(personnummer)
    except Exception as exc:
        raise Refused(" ".join(getattr(exc, "messages", [str(exc)])), field="personnummer") from exc
    patient, created = Patient.objects.get_or_create(
        personnummer=number,
        defaults={
            "name": name,
            "address": address,
            "kommun": kommun,
            "health_centre": health_centre,
        },
    )
    if not created:
        changed = False
        for attr, value in (("name", name), ("address", address)):
            if value and getattr(patient, attr) != value:
                setattr(patient, attr, value)
                changed = True
        if patient.kommun_id != kommun.pk or (
            health_centre and patient.health_centre_id != health_centre.pk
        ):
            patient.kommun = kommun
            patient.health_centre = health_centre or patient.health_centre
            changed = True
        if changed:
            patient.save()
    return patient


def build_registration(
    *,
    actor: Actor,
    patient: Patient,
    ward: Ward,
    admitted_at: datetime,
    kommun: Kommun | None = None,
    health_centre: HealthCentre | None = None,
    care_type: str | None = None,
    external_id: str | None = None,
    unlimited_backdate: bool,
) -> tuple[Episode, EpisodeEvent]:
    """Check a registration and build the unsaved episode and its first event."""
    if actor.organisation.pk != ward.pk:
        raise NotPermitted(_("Only the ward itself may register an episode there."))
    check_time(admitted_at, None, unlimited_backdate=True)
    care_type = care_type or ward.care_type
    if care_type not in _CARETYPE_VALUES:
        raise Refused(_("Unknown care type."), field="care_type")
    kommun = kommun or patient.kommun
    if health_centre is None and patient.health_centre_id:
        health_centre = patient.health_centre
    episode = new_instance(Episode)
    event = new_event(
        None,
        1,
        EventKind.REGISTERED,
        actor,
        admitted_at,
        {
            "external_id": external_id or None,
            "patient_id": patient.pk,
            "ward_id": ward.pk,
            "kommun_id": kommun.pk,
            "health_centre_id": health_centre.pk if health_centre else None,
            "care_type": care_type,
            "admitted_at": admitted_at.isoformat(),
        },
    )
    apply_event(episode, event)
    return episode, event


def register_episode(
    *,
    actor: Actor,
    patient: Patient,
    ward: Ward,
    admitted_at: datetime,
    kommun: Kommun | None = None,
    health_centre: HealthCentre | None = None,
    care_type: str | None = None,
    external_id: str | None = None,
    recorder: Any = None,
) -> Episode:
    """The ward registers a stay (vårdtillfälle). Kommun and hälsocentral default to the
    patient's folkbokföringskommun and listing; they see the episode from the first message
    sent to them (the admission or ready notice)."""
    recorder = recorder or _SINGLE
    unlimited = recorder.check_actor(actor)
    episode, event = build_registration(
        actor=actor,
        patient=patient,
        ward=ward,
        admitted_at=admitted_at,
        kommun=kommun,
        health_centre=health_centre,
        care_type=care_type,
        external_id=external_id,
        unlimited_backdate=unlimited,
    )
    return recorder.register(actor, episode, event)


# --- The messages -----------------------------------------------------------------------------
#
# Each kind has its senders and a *state check* (is the step valid in the episode's current
# state?) in SPECS; each service adds the checks of its own input. Pages ask SPECS which messages
# a party may send now (``available_kinds``), so they offer exactly what the services accept.

WARD: tuple[Party, ...] = ("ward",)
KOMMUN: tuple[Party, ...] = ("kommun",)
HEALTH_CENTRE: tuple[Party, ...] = ("health_centre",)
RECIPIENTS: tuple[Party, ...] = ("kommun", "health_centre")
ANY_PARTY: tuple[Party, ...] = ("ward", "kommun", "health_centre")


def _no_input_check(ep: Episode, data: dict[str, Any], at: datetime) -> None:
    return None


def _state_admission_notice(ep: Episode) -> None:
    _require_active(ep)
    if ep.admission_notice_at is not None:
        raise Refused(_("The admission notice has already been sent."))


def _state_planning(ep: Episode) -> None:
    _require_active(ep)
    _require_notice(ep)
    if ep.status == EpisodeStatus.READY:
        raise Refused(_("The patient is already ready for discharge."))


def _state_answer(ep: Episode) -> None:
    _require_active(ep)
    _require_notice(ep)


def _state_ready(ep: Episode) -> None:
    _require_active(ep)
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


def _state_sip_cancel(ep: Episode) -> None:
    _require_not_closed(ep)
    if ep.sip_initiative_at is None and ep.sip_invitation_at is None:
        raise Refused(_("There is no SIP to cancel."))
    if ep.sip_cancelled_at is not None:
        raise Refused(_("The SIP is already cancelled."))
    if ep.sip_held_date is not None:
        raise Refused(_("The SIP has been held; it cannot be cancelled."))


def _state_once(field: str, label: Any) -> Callable[[Episode], None]:
    def check(ep: Episode) -> None:
        _require_active(ep)
        if getattr(ep, field) is not None:
            raise Refused(str(label))

    return check


@dataclass(frozen=True)
class Spec:
    parties: tuple[Party, ...]
    state: Callable[[Episode], None]
    # Offered on pages and the API; False for what only imported history records.
    offered: bool = True


SPECS: dict[str, Spec] = {
    EventKind.ADMISSION_NOTICE: Spec(WARD, _state_admission_notice),
    EventKind.PRELIMINARY_DATE_CHANGED: Spec(WARD, _state_planning),
    EventKind.ADMISSION_ANSWER: Spec(RECIPIENTS, _state_answer),
    EventKind.NAMED_CARE_CONTACT: Spec(HEALTH_CENTRE, _require_active),
    EventKind.TRACK_COLOUR: Spec(WARD, _require_active),
    EventKind.READY_NOTICE: Spec(WARD, _state_ready),
    EventKind.READY_DATE_RECORDED: Spec(WARD, _state_ready, offered=False),
    EventKind.READY_NOTICE_WITHDRAWN: Spec(WARD, _state_is_ready),
    EventKind.SIP_INITIATIVE: Spec(ANY_PARTY, _state_sip_initiative),
    EventKind.SIP_INVITATION: Spec(HEALTH_CENTRE, _state_sip_invitation),
    EventKind.SIP_HELD: Spec(HEALTH_CENTRE, _state_sip_held),
    EventKind.SIP_CANCELLED: Spec(ANY_PARTY, _state_sip_cancel),
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
    EventKind.HOMECOMING_ACKNOWLEDGED: Spec(KOMMUN, _state_is_ready),
    EventKind.DISCHARGE: Spec(WARD, _require_active),
    EventKind.CLOSED: Spec(WARD, _require_active),
    EventKind.RECIPIENTS_CHANGED: Spec(WARD, _require_active),
}


def _require_shared(episode: Episode, party: Party | None) -> None:
    """Kommun and hälsocentral act on an episode once a message has been sent to them."""
    if party != "ward" and episode.shared_at is None:
        raise NotPermitted(_("The episode has not been shared with you yet."))


def available_kinds(episode: Episode, party: Party | None) -> list[str]:
    """The messages ``party`` may send on the episode in its current state."""
    try:
        _require_shared(episode, party)
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


def _message(
    kind: str,
    occurred_at: datetime | None,
    data: dict[str, Any],
    check: Check = _no_input_check,
) -> Message:
    return Message(kind, SPECS[kind].parties, occurred_at or timezone.now(), data, check)


def _check_preliminary(ep: Episode, data: dict[str, Any], at: datetime) -> None:
    value = data.get("preliminary_ready_date")
    if value is not None and date.fromisoformat(value) < local_date(ep.admitted_at):
        raise Refused(
            _("The preliminary ready date is before the admission."),
            field="preliminary_ready_date",
        )


def send_admission_notice(
    *,
    actor: Actor,
    episode: Episode,
    preliminary_ready_date: date | None,
    reason: str = "",
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Any = None,
) -> EpisodeEvent:
    """Inskrivningsmeddelande: the ward tells kommun and hälsocentral, within 24 h."""
    data = {
        "preliminary_ready_date": _iso(preliminary_ready_date),
        "reason": reason,
    }
    message = _message(EventKind.ADMISSION_NOTICE, occurred_at, data, _check_preliminary)
    return _send(actor, episode, message, expected_version, recorder)


def _check_preliminary_change(ep: Episode, data: dict[str, Any], at: datetime) -> None:
    if data["preliminary_ready_date"] == _iso(ep.preliminary_ready_date):
        raise Refused(
            _("That is already the preliminary ready date."), field="preliminary_ready_date"
        )
    _check_preliminary(ep, data, at)


def change_preliminary_date(
    *,
    actor: Actor,
    episode: Episode,
    preliminary_ready_date: date,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Any = None,
) -> EpisodeEvent:
    data = {"preliminary_ready_date": preliminary_ready_date.isoformat()}
    message = _message(
        EventKind.PRELIMINARY_DATE_CHANGED, occurred_at, data, _check_preliminary_change
    )
    return _send(actor, episode, message, expected_version, recorder)


def answer_admission(
    *,
    actor: Actor,
    episode: Episode,
    current_services: bool,
    services: str = "",
    social_network: str = "",
    aids: str = "",
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Any = None,
) -> EpisodeEvent:
    """Svar på inskrivning from kommun or hälsocentral: current services, network, aids."""
    data = {
        "party": None,  # set by build_event from the locked episode
        "current_services": current_services,
        "services": services,
        "social_network": social_network,
        "aids": aids,
    }
    message = _message(EventKind.ADMISSION_ANSWER, occurred_at, data)
    return _send(actor, episode, message, expected_version, recorder)


def _check_contact(ep: Episode, data: dict[str, Any], at: datetime) -> None:
    if not data["name"]:
        raise Refused(_("Give the named care contact's name."), field="name")


def name_care_contact(
    *,
    actor: Actor,
    episode: Episode,
    name: str,
    phone: str = "",
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Any = None,
) -> EpisodeEvent:
    """The hälsocentral names the fast vårdkontakt."""
    data = {"name": name.strip(), "phone": phone.strip()}
    message = _message(EventKind.NAMED_CARE_CONTACT, occurred_at, data, _check_contact)
    return _send(actor, episode, message, expected_version, recorder)


def _check_colour(ep: Episode, data: dict[str, Any], at: datetime) -> None:
    # An assessment may give only the SIP need (e.g. imported history without a colour).
    if data["colour"] == "" and data["sip_needed"] is not None:
        return
    if data["colour"] not in _TRACKCOLOUR_VALUES:
        raise Refused(_("Unknown track colour."), field="colour")


def assess_track_colour(
    *,
    actor: Actor,
    episode: Episode,
    colour: str,
    sip_needed: bool | None = None,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Any = None,
) -> EpisodeEvent:
    """Planeringsunderlag: the ward's track colour and whether a SIP is needed."""
    data = {"colour": colour, "sip_needed": sip_needed}
    message = _message(EventKind.TRACK_COLOUR, occurred_at, data, _check_colour)
    return _send(actor, episode, message, expected_version, recorder)


def _check_ready(ep: Episode, data: dict[str, Any], at: datetime) -> None:
    if date.fromisoformat(data["ready_date"]) < local_date(ep.admitted_at):
        raise Refused(_("The ready date is before the admission."), field="ready_date")


def send_ready_notice(
    *,
    actor: Actor,
    episode: Episode,
    ready_date: date,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Any = None,
) -> EpisodeEvent:
    """Utskrivningsklar: the ready date and, as ``occurred_at``, the time it was sent."""
    data = {"ready_date": ready_date.isoformat()}
    message = _message(EventKind.READY_NOTICE, occurred_at, data, _check_ready)
    return _send(actor, episode, message, expected_version, recorder)


def record_ready_date(
    *,
    actor: Actor,
    episode: Episode,
    ready_date: date,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Any = None,
) -> EpisodeEvent:
    """A ready date known without a ready notice having been sent (imported history).

    The episode is ready from that date, but R5's "ready notice sent" prerequisite is unmet.
    """
    data = {"ready_date": ready_date.isoformat()}
    message = _message(EventKind.READY_DATE_RECORDED, occurred_at, data, _check_ready)
    return _send(actor, episode, message, expected_version, recorder)


def _check_withdraw(ep: Episode, data: dict[str, Any], at: datetime) -> None:
    if ep.ready_notice_at and at < ep.ready_notice_at:
        raise Refused(_("The withdrawal is before the ready notice."), field="occurred_at")


def withdraw_ready_notice(
    *,
    actor: Actor,
    episode: Episode,
    reason: str = "",
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Any = None,
) -> EpisodeEvent:
    """The patient got worse: back to planning."""
    data = {"reason": reason}
    message = _message(EventKind.READY_NOTICE_WITHDRAWN, occurred_at, data, _check_withdraw)
    return _send(actor, episode, message, expected_version, recorder)


def take_sip_initiative(
    *,
    actor: Actor,
    episode: Episode,
    note: str = "",
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Any = None,
) -> EpisodeEvent:
    """Initiativ till SIP: any of the parties asks for a joint plan."""
    message = _message(EventKind.SIP_INITIATIVE, occurred_at, {"note": note})
    return _send(actor, episode, message, expected_version, recorder)


def send_sip_invitation(
    *,
    actor: Actor,
    episode: Episode,
    meeting_at: datetime | None = None,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Any = None,
) -> EpisodeEvent:
    """Kallelse till SIP, sent by the fast vårdkontakt (deadline: ready date + 3 days)."""
    message = _message(EventKind.SIP_INVITATION, occurred_at, {"meeting_at": _iso(meeting_at)})
    return _send(actor, episode, message, expected_version, recorder)


def _check_sip_held(ep: Episode, data: dict[str, Any], at: datetime) -> None:
    held = date.fromisoformat(data["held_date"])
    if ep.sip_invitation_at and held < local_date(ep.sip_invitation_at):
        raise Refused(_("The SIP cannot be held before the invitation."), field="held_date")
    if held > local_date(at):
        raise Refused(_("The SIP date is in the future."), field="held_date")


def record_sip_held(
    *,
    actor: Actor,
    episode: Episode,
    held_date: date,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Any = None,
) -> EpisodeEvent:
    data = {"held_date": held_date.isoformat()}
    message = _message(EventKind.SIP_HELD, occurred_at, data, _check_sip_held)
    return _send(actor, episode, message, expected_version, recorder)


def cancel_sip(
    *,
    actor: Actor,
    episode: Episode,
    reason: str = "",
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Any = None,
) -> EpisodeEvent:
    """SIP makulerad."""
    message = _message(EventKind.SIP_CANCELLED, occurred_at, {"reason": reason})
    return _send(actor, episode, message, expected_version, recorder)


def mark_sol_planning_done(
    *,
    actor: Actor,
    episode: Episode,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Any = None,
) -> EpisodeEvent:
    message = _message(EventKind.SOL_PLANNING_DONE, occurred_at, {})
    return _send(actor, episode, message, expected_version, recorder)


def mark_hsl_planning_done(
    *,
    actor: Actor,
    episode: Episode,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Any = None,
) -> EpisodeEvent:
    message = _message(EventKind.HSL_PLANNING_DONE, occurred_at, {})
    return _send(actor, episode, message, expected_version, recorder)


def mark_kommun_ready(
    *,
    actor: Actor,
    episode: Episode,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Any = None,
) -> EpisodeEvent:
    """Kommunklar: the municipality is ready to receive the patient."""
    message = _message(EventKind.KOMMUN_READY, occurred_at, {})
    return _send(actor, episode, message, expected_version, recorder)


def acknowledge_homecoming(
    *,
    actor: Actor,
    episode: Episode,
    homecoming_at: datetime,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Any = None,
) -> EpisodeEvent:
    """Tid för hemgång uppfattad: the kommun confirms the agreed time."""
    data = {"homecoming_at": homecoming_at.isoformat()}
    message = _message(EventKind.HOMECOMING_ACKNOWLEDGED, occurred_at, data)
    return _send(actor, episode, message, expected_version, recorder)


def _check_ends_history(ep: Episode, at: datetime) -> None:
    if ep.last_event_at and at < ep.last_event_at:
        raise Refused(_("The time is before the episode's latest message."), field="occurred_at")


def _check_discharge(ep: Episode, data: dict[str, Any], at: datetime) -> None:
    _check_ends_history(ep, at)
    # An empty destination means "not known" (imported history); pages always give one.
    if data["destination"] not in _DESTINATION_VALUES and data["destination"] != "":
        raise Refused(_("Unknown destination."), field="destination")
    if ep.ready_date is not None and local_date(at) < ep.ready_date:
        raise Refused(_("The discharge is before the ready date."), field="occurred_at")


def register_discharge(
    *,
    actor: Actor,
    episode: Episode,
    destination: str,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Any = None,
) -> EpisodeEvent:
    """Faktisk hemgång: the date and time the patient left, and where to."""
    data = {"destination": destination}
    message = _message(EventKind.DISCHARGE, occurred_at, data, _check_discharge)
    return _send(actor, episode, message, expected_version, recorder)


def _check_close(ep: Episode, data: dict[str, Any], at: datetime) -> None:
    _check_ends_history(ep, at)
    if data["reason"] not in _CLOSUREREASON_VALUES:
        raise Refused(_("Unknown reason for closing."), field="reason")


def close_episode(
    *,
    actor: Actor,
    episode: Episode,
    reason: str,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Any = None,
) -> EpisodeEvent:
    """Closed without discharge planning (died, no needs, moved to another hospital)."""
    message = _message(EventKind.CLOSED, occurred_at, {"reason": reason}, _check_close)
    return _send(actor, episode, message, expected_version, recorder)


def _check_recipients(ep: Episode, data: dict[str, Any], at: datetime) -> None:
    if data["kommun_id"] == ep.kommun_id and data["health_centre_id"] == ep.health_centre_id:
        raise Refused(_("Municipality and health centre are unchanged."))


def change_recipients(
    *,
    actor: Actor,
    episode: Episode,
    kommun: Kommun,
    health_centre: HealthCentre | None,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Any = None,
) -> EpisodeEvent:
    """The ward corrects the kommun or hälsocentral; the grants move with them."""
    data = {"kommun_id": kommun.pk, "health_centre_id": health_centre.pk if health_centre else None}
    message = _message(EventKind.RECIPIENTS_CHANGED, occurred_at, data, _check_recipients)
    return _send(actor, episode, message, expected_version, recorder)


# --- Receipts and consent ---------------------------------------------------------------------


def acknowledge_receipt(
    *, actor: Actor, event: EpisodeEvent, occurred_at: datetime | None = None
) -> Receipt:
    """Kvittens: a recipient organisation confirms it has read a message."""
    integration = check_actor(actor)
    at = occurred_at or timezone.now()
    check_time(at, None, unlimited_backdate=integration)
    if at < event.occurred_at:
        raise Refused(_("The receipt is before the message."), field="occurred_at")
    episode = event.episode
    party = party_of(episode, actor.organisation)
    if party is None:
        raise NotPermitted(_("Only a party of the episode can acknowledge its messages."))
    if event.organisation_id == actor.organisation.pk:
        raise Refused(_("An organisation does not acknowledge its own message."))
    _require_shared(episode, party)
    with transaction.atomic():
        receipt, created = Receipt.objects.get_or_create(
            event=event,
            organisation=actor.organisation,
            defaults={"user": actor.user, "acknowledged_at": at},
        )
    if not created:
        raise Refused(_("The message has already been acknowledged."))
    return receipt


def _record_consent(
    actor: Actor, patient: Patient, action: str, occurred_at: datetime | None, note: str
) -> ConsentRecord:
    integration = check_actor(actor)
    if (
        actor.organisation.kind != OrganisationKind.WARD
        or not patient.episodes.filter(ward_id=actor.organisation.pk).exists()
    ):
        raise NotPermitted(_("Consent is recorded by the ward caring for the patient."))
    at = occurred_at or timezone.now()
    check_time(at, None, unlimited_backdate=integration)
    with transaction.atomic():
        locked = Patient.objects.select_for_update().get(pk=patient.pk)
        wants = action == ConsentAction.GIVEN
        if locked.has_consent == wants:
            raise Refused(
                _("Consent is already in force.")
                if wants
                else _("There is no consent to withdraw.")
            )
        record = ConsentRecord.objects.create(
            patient=locked,
            action=action,
            recorded_by=actor.user,
            organisation=actor.organisation,
            occurred_at=at,
            note=note,
        )
        Patient.objects.filter(pk=patient.pk).update(has_consent=wants)
    patient.has_consent = wants
    return record


def record_consent(
    *, actor: Actor, patient: Patient, occurred_at: datetime | None = None, note: str = ""
) -> ConsentRecord:
    """Samtycke: the patient agrees that more than the basic data is shared."""
    return _record_consent(actor, patient, ConsentAction.GIVEN, occurred_at, note)


def withdraw_consent(
    *, actor: Actor, patient: Patient, occurred_at: datetime | None = None, note: str = ""
) -> ConsentRecord:
    return _record_consent(actor, patient, ConsentAction.WITHDRAWN, occurred_at, note)


# --- Memberships ------------------------------------------------------------------------------


def add_membership(*, user: AbstractBaseUser, organisation: Organisation, role: str) -> Membership:
    """Give a user a role in an organisation and put them in its group (its grants)."""
    from discharges.models import ROLES_BY_KIND

    if role not in ROLES_BY_KIND.get(organisation.kind, frozenset()):
        raise Refused(
            _("The role %(role)s does not exist at a %(kind)s.")
            % {
                "role": dict(Role.choices).get(role, role),
                "kind": OrganisationKind(organisation.kind).label.lower(),
            },
            field="role",
        )
    with transaction.atomic():
        membership, _created = Membership.objects.get_or_create(
            user=user, organisation=organisation, role=role
        )
        user.groups.add(organisation.group)
    forget_memberships(user)
    return membership


def remove_membership(*, membership: Membership) -> None:
    with transaction.atomic():
        user, organisation = membership.user, membership.organisation
        membership.delete()
        if not Membership.objects.filter(user=user, organisation=organisation).exists():
            user.groups.remove(organisation.group)
    forget_memberships(user)
