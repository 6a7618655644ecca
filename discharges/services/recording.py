"""Recording a message: the checks every message goes through, and the two recorders.

Persistence is delegated to a *recorder* (the ``Recorder`` protocol): ``SingleRecorder`` (the
default) locks, checks the version and saves one event at a time; ``BatchRecorder``
(``discharges.services.batch``, used by the import) runs the very same checks and projection
in memory and saves a whole file in bulk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _

from discharges import grants, signals
from discharges.bulk import new_instance
from discharges.events import check_payload
from discharges.models import Episode, EpisodeEvent, EventKind
from discharges.projection import apply_event, as_date, as_datetime
from discharges.selectors import party_of
from discharges.services import ranges
from discharges.services.actors import Actor, check_actor
from discharges.services.errors import NotPermitted, Refused, Stale
from discharges.services.specs import PARTY_NAMES, SPECS, Party, require_shared

# An input check: raises Refused naming the field when the message's data does not fit the
# episode (the state check, SPECS[kind].state, has already passed).
Check = Callable[[Episode, Any, datetime], None]


def _no_input_check(ep: Episode, data: Any, at: datetime) -> None:
    return None


@dataclass(frozen=True)
class Message:
    kind: str
    parties: tuple[Party, ...]
    occurred_at: datetime
    data: Any  # the kind's payload (discharges.events.PAYLOADS)
    check: Check


def message(
    kind: str, occurred_at: datetime | None, data: Any, check: Check = _no_input_check
) -> Message:
    """A message of ``kind`` sent now unless ``occurred_at`` back-dates it."""
    check_payload(kind, data)
    return Message(kind, SPECS[kind].parties, occurred_at or timezone.now(), data, check)


class Recorder(Protocol):
    """Where messages are checked and saved: one at a time, or a whole import in bulk."""

    def check_actor(self, actor: Actor) -> bool:
        """Raise NotPermitted unless the actor may send; True for integration accounts."""
        ...

    def now(self) -> datetime:
        """The time messages are recorded at (and checked against)."""
        ...

    def register(self, actor: Actor, episode: Episode, event: EpisodeEvent) -> Episode: ...

    def append(
        self, actor: Actor, episode: Episode, message: Message, expected_version: int | None
    ) -> EpisodeEvent: ...


def build_event(
    episode: Episode,
    actor: Actor,
    message: Message,
    *,
    integration: bool,
    now: datetime | None = None,
) -> EpisodeEvent:
    """Check ``message`` against the episode's state and build its event (not saved).

    Applies the event to ``episode`` in memory. Shared by both recorders; call it on the
    episode as it stands under its row lock (or, in an import, in the batch's memory).
    ``now``: the time it is recorded at (default: now; an import reads its clock per batch).
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
        require_shared(episode, party)
    SPECS[message.kind].state(episode)
    # Integration accounts move older history in: no back-dating limit.
    now = now or timezone.now()
    check_time(message.occurred_at, episode, unlimited_backdate=integration, now=now)
    message.check(episode, message.data, message.occurred_at)
    check_dates(episode, message, integration=integration)
    data = message.data
    if "party" in data:
        # The sender's role in the episode as it stands under the lock (not as the caller saw it).
        data = {**data, "party": party}
    event = new_event(
        episode.id, episode.version + 1, message.kind, actor, message.occurred_at, data, now
    )
    apply_event(episode, event)
    return event


def check_dates(episode: Episode, message: Message, *, integration: bool) -> None:
    """The message's planning dates lie within the stay and, unless an integration account
    sends it, no further back than the message may be back-dated (services/ranges.py)."""
    spec = SPECS[message.kind]
    for name in spec.stay_dates:
        raw = message.data[name]
        value = (as_datetime(raw) if "T" in raw else as_date(raw)) if raw else None
        ranges.check_in_stay(value, episode, name)
    if not integration:
        for name in spec.backdate_limited:
            day = as_date(message.data[name])
            if day is not None:
                ranges.check_backdated_date(day, message.occurred_at, name)


def new_event(
    episode_id: int | None,
    seq: int,
    kind: str,
    actor: Actor,
    occurred_at: datetime,
    data: Any,
    recorded_at: datetime | None = None,
) -> EpisodeEvent:
    """An unsaved event (this runs for every message: 600,000 times in a 100,000-row import),
    recorded now unless ``recorded_at`` says when. As ``new_instance`` builds it, its fields
    set one by one: a third of the time of building it from keyword arguments."""
    event: EpisodeEvent = EpisodeEvent.__new__(EpisodeEvent)
    values = event.__dict__
    values.update(_EVENT_DEFAULTS)
    values["episode_id"] = episode_id
    values["seq"] = seq
    values["kind"] = kind
    values["author_id"] = actor.user.id  # .id, not .pk (a property call): 600,000 times
    values["organisation_id"] = actor.organisation.id
    values["occurred_at"] = occurred_at
    values["recorded_at"] = recorded_at or timezone.now()
    values["data"] = data
    values["_state"] = ModelState()
    return event


def _event_defaults() -> dict[str, Any]:
    """The default of each field of an event that ``new_event`` does not set (the key)."""
    given = {"episode_id", "seq", "kind", "author_id", "organisation_id", "occurred_at",
             "recorded_at", "data"}  # fmt: skip
    blank = new_instance(EpisodeEvent, **dict.fromkeys(given)).__dict__
    return {name: value for name, value in blank.items() if name not in given | {"_state"}}


_EVENT_DEFAULTS = _event_defaults()


def check_time(
    occurred_at: datetime,
    episode: Episode | None,
    *,
    unlimited_backdate: bool,
    field: str = "occurred_at",
    now: datetime | None = None,
) -> None:
    """When a message happened: aware, not in the future, not before 1900, not before the
    admission, and back-dated at most ``SVU_MAX_BACKDATE`` (but by integration accounts).
    ``now``: the time it is checked at (default: now)."""
    if timezone.is_naive(occurred_at):
        raise Refused(_("The time must include a time zone."), field=field)
    now = now or timezone.now()
    if occurred_at > now + ranges.limit("SVU_FUTURE_TOLERANCE"):
        raise Refused(_("The time is in the future."), field=field)
    ranges.check_not_ancient(occurred_at, field)
    if not unlimited_backdate and occurred_at < now - ranges.limit("SVU_MAX_BACKDATE"):
        raise Refused(
            _("The time may be back-dated at most %(days)s days.")
            % {"days": settings.SVU_MAX_BACKDATE.days},
            field=field,
        )
    if episode is not None and episode.admitted_at and occurred_at < episode.admitted_at:
        raise Refused(_("The time is before the admission."), field=field)


class SingleRecorder:
    """Saves one event at a time under the episode's row lock."""

    def check_actor(self, actor: Actor) -> bool:
        return check_actor(actor)

    def now(self) -> datetime:
        return timezone.now()

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
            signals.announce(event, grants.audience(episode))
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
            after = grants.audience(locked)
            if after != before:
                grants.sync_episode(locked)
            signals.announce(event, after)
        # The caller's instance reflects the new state without another query.
        for field in Episode._meta.concrete_fields:
            setattr(episode, field.attname, getattr(locked, field.attname))
        return event


SINGLE = SingleRecorder()


def send(
    actor: Actor,
    episode: Episode,
    message: Message,
    expected_version: int | None,
    recorder: Recorder | None,
) -> EpisodeEvent:
    return (recorder or SINGLE).append(actor, episode, message, expected_version)


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
