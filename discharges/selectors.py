"""The one read path: what a user may see, and how much of it.

Views, the API and exports get episodes only through ``visible_episodes`` /
``get_visible_episode``; an episode out of scope is a 404, the same answer as a missing one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import BooleanField, Case, F, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from discharges.choices import holds_grants
from discharges.deadlines import (
    ADMISSION_NOTICE_WITHIN,
    SIP_INVITATION_WITHIN_DAYS,
    Task,
    pending_tasks,
)
from discharges.models import (
    ACTIVE_STATUSES,
    Episode,
    EpisodeEvent,
    EpisodeGroupObjectPermission,
    EpisodeStatus,
    EventKind,
    Kommun,
    Membership,
    Organisation,
    OrganisationKind,
    PatientIdentityChange,
    Receipt,
    Role,
)


def memberships_of(user: User) -> list[Membership]:
    """The user's memberships, cached on the user object for the request."""
    cached = getattr(user, "_svu_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user).select_related("organisation").order_by("id")
        )
        user._svu_memberships = cached  # type: ignore[attr-defined]
    return cached


def forget_memberships(user: User) -> None:
    """Drop the memberships cached on the user object, after they changed."""
    user.__dict__.pop("_svu_memberships", None)
    user.__dict__.pop("_svu_membership_regions", None)


def party_memberships(user: User) -> list[Membership]:
    """The memberships that hold their organisation's episode grants: the sending role of a
    ward, health centre or kommun (and integration accounts). A processledare or
    partssammansatt member sees follow-up aggregates, never episodes."""
    return [m for m in memberships_of(user) if holds_grants(m.organisation.kind, m.role)]


def organisation_ids(user: User) -> set[int]:
    """The organisations the user acts for in episodes (see ``party_memberships``)."""
    return {m.organisation_id for m in party_memberships(user)}


def has_role(user: User, *roles: str) -> bool:
    return any(m.role in roles for m in memberships_of(user))


def view_permission_id(user: User) -> int:
    """discharges.view_episode's id, looked up once per request (cached on the user object;
    not in a module global, which would outlive a test database's permissions)."""
    cached = getattr(user, "_svu_view_permission_id", None)
    if cached is None:
        cached = Permission.objects.get(
            content_type=ContentType.objects.get_for_model(Episode), codename="view_episode"
        ).pk
        user._svu_view_permission_id = cached  # type: ignore[attr-defined]
    return cached


def view_grants(user: User) -> QuerySet[EpisodeGroupObjectPermission]:
    """The view grants held by the groups of the organisations the user acts for in episodes
    (the role decides, not the membership alone: ``party_memberships``)."""
    group_ids = sorted(
        {gid for m in party_memberships(user) if (gid := m.organisation.group_id) is not None}
    )
    return EpisodeGroupObjectPermission.objects.filter(
        group_id__in=group_ids, permission_id=view_permission_id(user)
    )


def visible_episodes(user: User) -> QuerySet[Episode]:
    """Episodes the user's organisations hold a view grant on (never all, not even for admins).

    The grants are django-guardian's direct foreign-key group permissions, as
    ``get_objects_for_user`` reads them; the query is written as one semi-join with the group
    and permission ids as literals, because guardian's ``IN (...) OR IN (...)`` form makes
    PostgreSQL scan all episodes (bench/README.md: 78-300 ms instead of 5-30 ms at 1,000,000
    episodes). Only group grants are ever written (discharges/grants.py).
    """
    if not user.is_authenticated:
        return Episode.objects.none()
    return Episode.objects.filter(pk__in=view_grants(user).values("content_object_id"))


def visible_count(user: User) -> int:
    """How many episodes the user may see, counted on the grant index (the unfiltered list)."""
    return view_grants(user).values("content_object_id").distinct().count()


def get_visible_episode(user: User, episode_id: Any) -> Episode:
    try:
        return (
            visible_episodes(user)
            .select_related("patient", "ward", "ward__hospital", "kommun", "health_centre")
            .get(pk=int(episode_id))
        )
    except (Episode.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def acting_organisation_id(user: User, episode: Any, mine: set[int] | None = None) -> int | None:
    """The id of the user's organisation that is a party of the episode (ward first).
    ``episode``: anything with the three parties' ids; ``mine``: ``organisation_ids(user)``
    when the caller asks for many episodes."""
    if mine is None:
        mine = organisation_ids(user)
    parties = (episode.ward_id, episode.kommun_id, episode.health_centre_id)
    return next((org_id for org_id in parties if org_id in mine), None)


def acting_organisation(user: User, episode: Episode) -> Organisation | None:
    """The user's organisation that is a party of the episode (ward first)."""
    org_id = acting_organisation_id(user, episode)
    return next((m.organisation for m in memberships_of(user) if m.organisation_id == org_id), None)


def party_of(episode: Episode, organisation: Organisation) -> str | None:
    """The organisation's part in the episode: "ward", "kommun", "health_centre" or None."""
    org_id = organisation.id  # an import asks this per message: .pk is a property call
    if org_id == episode.ward_id:
        return "ward"
    if org_id == episode.kommun_id:
        return "kommun"
    if org_id is not None and org_id == episode.health_centre_id:
        return "health_centre"
    return None


def party_for_user(user: User, episode: Episode) -> str | None:
    org = acting_organisation(user, episode)
    return party_of(episode, org) if org is not None else None


def can_see_details(user: User, episode: Episode) -> bool:
    """Beyond name, personnummer, address and expected discharge time (Privacy): only the ward,
    or every party once the episode's ward has recorded the patient's consent for it."""
    return episode.ward_id in organisation_ids(user) or episode.has_consent


def episodes_with_details(user: User, episode_ids: Iterable[int]) -> set[int]:
    """Of ``episode_ids``, those the user may see the details of, by ``can_see_details``'s rule
    (for lists of many episodes, e.g. the API's: one query)."""
    return {pk for pk, details in visible_with_details(user, episode_ids).items() if details}


def id_list(ids: Iterable[int]) -> Any:
    """The right side of ``pk__in`` for a long list of ids (a download's tens of thousands):
    on PostgreSQL one array parameter, ``IN (SELECT unnest(%s::bigint[]))``, where a list
    gives a placeholder per id that Django and psycopg process one by one (~0.4 s for 35,000
    ids, issue 15); elsewhere the list itself."""
    ids = [int(pk) for pk in ids]
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [ids])
    return ids


def visible_with_details(user: User, episode_ids: Iterable[int]) -> dict[int, bool]:
    """Of ``episode_ids``, those the user may see, each with whether they may also see its
    details (``can_see_details``'s rule: their own ward's episode, or consent recorded): one
    query for both (the liability month page asks it of ~3,000 lines of a large kommun)."""
    details = Case(
        When(ward_id__in=organisation_ids(user), then=Value(True)),
        When(has_consent=True, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    return dict(
        visible_episodes(user)
        .filter(pk__in=id_list(episode_ids))
        .annotate(with_details=details)
        .values_list("pk", "with_details")
    )


# Fields every party of the episode may see, with or without consent.
BASIC_FIELDS = (
    "reference",
    "status",
    "name",
    "personnummer",
    "address",
    "preliminary_ready_date",
    "ready_date",
    "discharged_at",
    "homecoming_at",
    "homecoming_proposed_at",
)


@dataclass(frozen=True)
class EpisodeView:
    """What one user may see of an episode; hidden fields are None."""

    episode: Episode
    details: bool
    party: str | None
    fields: dict[str, Any]
    tasks: list[Task]


def present_episode(user: User, episode: Episode, *, now: datetime | None = None) -> EpisodeView:
    now = now or timezone.now()
    details = can_see_details(user, episode)
    party = party_for_user(user, episode)
    patient = episode.patient
    fields: dict[str, Any] = {
        "reference": episode.reference,
        "status": episode.get_status_display(),
        "name": patient.name,
        "personnummer": patient.personnummer,
        "address": patient.address,
        "preliminary_ready_date": episode.preliminary_ready_date,
        "ready_date": episode.ready_date,
        "discharged_at": episode.discharged_at,
        "homecoming_at": episode.homecoming_at,
        "homecoming_proposed_at": episode.homecoming_proposed_at,
    }
    detail_fields = {
        "hospital": episode.ward.hospital.name,
        "ward": episode.ward.name,
        "care_type": episode.get_care_type_display(),
        "kommun": str(episode.kommun),
        "health_centre": episode.health_centre.name if episode.health_centre else "",
        "admitted_at": episode.admitted_at,
        "admission_type": episode.get_admission_type_display() if episode.admission_type else "",
        "admission_notice_at": episode.admission_notice_at,
        "admission_reason": episode.admission_reason,
        "preliminary_date_changes": episode.preliminary_date_changes,
        "track_colour": episode.get_track_colour_display() if episode.track_colour else "",
        "named_contact": episode.named_contact,
        "sip_needed": episode.sip_needed,
        "sip_invitation_at": episode.sip_invitation_at,
        "sip_held_date": episode.sip_held_date,
        "sip_place": episode.get_sip_place_display() if episode.sip_place else "",
        "sip_follow_up_date": episode.sip_follow_up_date,
        "sip_follow_up_done_date": episode.sip_follow_up_done_date,
        "kommun_ready_at": episode.kommun_ready_at,
        "destination": episode.get_destination_display() if episode.destination else "",
        "needs_outcome": episode.get_needs_outcome_display() if episode.needs_outcome else "",
        "ready_days": episode.ready_days,
    }
    for key, value in detail_fields.items():
        fields[key] = value if details else None
    tasks = pending_tasks(episode, party, now, timezone.localdate(now)) if party else []
    return EpisodeView(episode=episode, details=details, party=party, fields=fields, tasks=tasks)


@dataclass(frozen=True)
class TimelineEntry:
    event: EpisodeEvent
    show_data: bool
    acknowledged_by_me: bool
    can_acknowledge: bool


def timeline(user: User, episode: Episode) -> list[TimelineEntry]:
    """The episode's messages in order. Message contents are shown to their author's
    organisation and, as for the episode's fields, to the ward or under consent."""
    my_orgs = organisation_ids(user)
    details = can_see_details(user, episode)
    party_org = acting_organisation(user, episode)
    events = list(
        EpisodeEvent.objects.filter(episode=episode)
        .select_related("organisation", "author")
        .order_by("seq")
    )
    acknowledged = set()
    if party_org is not None:
        acknowledged = set(
            Receipt.objects.filter(event__episode=episode, organisation=party_org).values_list(
                "event_id", flat=True
            )
        )
    return [
        TimelineEntry(
            event=event,
            show_data=details or event.organisation_id in my_orgs,
            acknowledged_by_me=event.pk in acknowledged,
            can_acknowledge=party_org is not None
            and event.organisation_id != party_org.pk
            and event.kind != EventKind.REGISTERED  # the ward's own record, no message
            and event.pk not in acknowledged,
        )
        for event in events
    ]


@dataclass(frozen=True)
class IdentityEntry:
    """One change of the patient's details as a user sees it on an episode page."""

    change: PatientIdentityChange
    show_author: bool  # by one of this episode's parties or of the user's organisations
    show_kommun: bool  # kommun and listing are details, as for the episode's fields


def identity_history(user: User, episode: Episode) -> list[IdentityEntry]:
    """The patient's recorded changes of name, address, kommun and listing, oldest first.
    Who made a change is named when it is a party of this episode or the user's own
    organisation; another ward's change shows no ward (it would tell of another stay)."""
    known = {episode.ward_id, episode.kommun_id, episode.health_centre_id}
    known |= organisation_ids(user)
    details = can_see_details(user, episode)
    changes = (
        PatientIdentityChange.objects.filter(patient_id=episode.patient_id)
        .select_related(
            "author", "organisation", "old_kommun", "kommun", "old_health_centre", "health_centre"
        )
        .order_by("changed_at", "id")
    )
    return [IdentityEntry(c, c.organisation_id in known, details) for c in changes]


def episode_list(user: User, *, status: str | None = None, query: str = "") -> QuerySet[Episode]:
    """The scoped episode list, newest admission first, with the patient (what the list
    shows). Joining more costs at national scale: with multi-table inheritance every
    organisation is two joins, and planning a seven-table join alone took 9 ms (bench/).
    ``query`` finds a name (any part) under the status filter, and an episode by its reference
    (SVU-1536 or 1536) or external id whatever its status: those name one episode."""
    wanted = Q()
    if status == "active":
        wanted = Q(status__in=ACTIVE_STATUSES)
    elif status in EpisodeStatus.values:
        wanted = Q(status=status)
    query = query.strip()
    if query:
        wanted = (wanted & Q(patient__name__icontains=query)) | Q(external_id=query)
        reference = _REFERENCE.fullmatch(query)
        if reference:
            wanted |= Q(pk=int(reference.group(1)))
    return (
        visible_episodes(user)
        .filter(wanted)
        .select_related("patient")
        .order_by("-admitted_at", "-id")
    )


# A reference as the pages show it (SVU-1536), or its number alone (1536).
_REFERENCE = re.compile(r"(?i)(?:svu\s*-?\s*)?0*([0-9]{1,18})")


def overdue_admission_notices(user: User, now: datetime | None = None) -> QuerySet[Episode]:
    """Active episodes whose admission notice is unsent more than 24 h after admission."""
    now = now or timezone.now()
    return visible_episodes(user).filter(
        status__in=ACTIVE_STATUSES,
        admission_notice_at__isnull=True,
        admitted_at__lt=now - ADMISSION_NOTICE_WITHIN,
    )


def overdue_sip_invitations(user: User, today: date | None = None) -> QuerySet[Episode]:
    """Episodes needing a SIP whose invitation is unsent after ready date + 3 days."""
    today = today or timezone.localdate()
    return (
        visible_episodes(user)
        .filter(
            sip_needed=True,
            ready_date__lt=today - timedelta(days=SIP_INVITATION_WITHIN_DAYS),
            sip_invitation_at__isnull=True,
        )
        .exclude(status=EpisodeStatus.CLOSED)
    )


# --- Follow-up: which kommuner a user may follow up (aggregates) and invoice (liability) ------

# Region roles that see every kommun of the region's follow-up and liability.
REGION_FOLLOW_UP_ROLES = (Role.PROCESS_LEAD, Role.JOINT_GROUP, Role.ADMIN)


# Where each kind of organisation finds its region's code, from the organisation's row.
_REGION_CODE_PATHS = (
    "as_region__code",
    "as_kommun__region__code",
    "as_hospital__region__code",
    "as_ward__hospital__region__code",
    "as_health_centre__region__code",
)


def membership_regions(user: User) -> dict[int, str]:
    """The region code of each organisation the user is a member of: one query whatever the
    number and kinds of memberships (``Organisation.region_code`` costs one per membership,
    21 for a member of every region), cached on the user object for the request."""
    cached: dict[int, str] | None = getattr(user, "_svu_membership_regions", None)
    if cached is None:
        ids = sorted({m.organisation_id for m in memberships_of(user)})
        cached = {}
        if ids:
            rows = (
                Organisation.objects.filter(pk__in=ids)
                .order_by()
                .annotate(region=Coalesce(*(F(path) for path in _REGION_CODE_PATHS)))
                .values_list("pk", "region")
            )
            cached = {pk: code for pk, code in rows if code is not None}
        user._svu_membership_regions = cached  # type: ignore[attr-defined]
    return cached


def follow_up_scope(user: User, *, liability: bool = False) -> tuple[set[int], set[str]]:
    """The kommun ids and region codes whose follow-up the user may see (the rule of
    ``follow_up_kommuner``), without a query beyond the user's memberships."""
    memberships = memberships_of(user)
    codes = membership_regions(user)
    if liability:
        own = {
            m.organisation_id for m in memberships if m.organisation.kind == OrganisationKind.KOMMUN
        }
        regions = {
            codes.get(m.organisation_id)
            for m in memberships
            if m.organisation.kind == OrganisationKind.REGION and m.role in REGION_FOLLOW_UP_ROLES
        }
    else:
        own = set()
        regions = {codes.get(m.organisation_id) for m in memberships}
    return own, {code for code in regions if code is not None}


def follow_up_kommuner(user: User, *, liability: bool = False) -> QuerySet[Kommun]:
    """The kommuner whose follow-up the user may see.

    Monthly statistics are aggregates: every member sees the kommuner of their region(s).
    Liability (the invoice basis, ``liability=True``) is for a kommun's own members and the
    region's follow-up roles (``REGION_FOLLOW_UP_ROLES``).
    """
    own, regions = follow_up_scope(user, liability=liability)
    if not own and not regions:
        return Kommun.objects.none()
    query = Q(pk__in=sorted(own))
    for code in sorted(regions):
        query |= Q(code__startswith=code)
    return Kommun.objects.filter(query).select_related("region")


def small_number_scope(user: User) -> tuple[set[int], set[str]]:
    """Who sees figures built on fewer episodes than the small-number threshold: a kommun's own
    staff (the kommun ids of their memberships) and the processledare of a region (its code,
    whether the processledare sits at the region or at one of its hospitals). Everyone else
    sees such a figure as "<5" on the follow-up pages and in their exports."""
    memberships = memberships_of(user)
    codes = membership_regions(user)
    own = {m.organisation_id for m in memberships if m.organisation.kind == OrganisationKind.KOMMUN}
    regions = {codes.get(m.organisation_id) for m in memberships if m.role == Role.PROCESS_LEAD}
    return own, {code for code in regions if code is not None}


def may_see_liability(user: User) -> bool:
    """Whether the liability pages are for the user (the menu), by the rule above."""
    return any(
        m.organisation.kind == OrganisationKind.KOMMUN
        or (m.organisation.kind == OrganisationKind.REGION and m.role in REGION_FOLLOW_UP_ROLES)
        for m in memberships_of(user)
    )
