"""The one read path of the analyses: who sees which analyses, patients and columns.

- The processledare of a region sees every analysis of its kommuner at patient level.
- The partssammansatt grupp of a region sees them without names or personnummer: a running
  number per patient.
- A ward, hälsocentral or kommun sees an analysis only for the patients it had (episodes its
  grants show), fills its own column, and sees the other parties' columns where it may see
  the episode's details (the ward always, the others under consent: ``can_see_details``).

An analysis or patient out of scope is a 404, the same answer as a missing one. Reads never
write; the pages call ``log_read`` with the patients they show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from analysis.analyses.models import (
    OPEN_ACTION_STATUSES,
    Analysis,
    AnalysisPatient,
    ImprovementAction,
)
from discharges.access_log import append_rows, log_access
from discharges.choices import SENDING_ROLE_BY_KIND
from discharges.models import Organisation, OrganisationKind, Role
from discharges.selectors import (
    can_see_details,
    membership_regions,
    memberships_of,
    party_for_user,
    party_memberships,
    visible_episodes,
)

LEAD = "lead"  # the region's processledare: patient level
GROUP = "group"  # the partssammansatt grupp: running numbers, no names or personnummer
PARTY = "party"  # a ward, hälsocentral or kommun: its own patients and column


def region_roles(user: User) -> dict[str, tuple[str, Organisation]]:
    """Region code -> (LEAD or GROUP, the organisation the user follows up for). A
    processledare sits at a region or a hospital, the group at the region; LEAD wins.
    Cached on the user object for the request (every page's menu asks)."""
    cached: dict[str, tuple[str, Organisation]] | None = getattr(user, "_svu_region_roles", None)
    if cached is None:
        cached = _region_roles(user)
        user._svu_region_roles = cached  # type: ignore[attr-defined]
    return cached


def _region_roles(user: User) -> dict[str, tuple[str, Organisation]]:
    found: dict[str, tuple[str, Organisation]] = {}
    levels = {Role.PROCESS_LEAD: LEAD, Role.JOINT_GROUP: GROUP}
    follow_up = [
        (membership.organisation, level)
        for membership in memberships_of(user)
        if membership.organisation.kind in (OrganisationKind.REGION, OrganisationKind.HOSPITAL)
        and (level := levels.get(Role(membership.role))) is not None
    ]
    # The region codes of all memberships in one query per kind of organisation (shared with
    # the follow-up's scope), not ``Organisation.region_code``'s one query per membership.
    codes = membership_regions(user) if follow_up else {}
    for org, level in follow_up:
        code = codes.get(org.pk)
        if code is None:
            continue
        if code not in found or (level == LEAD and found[code][0] == GROUP):
            found[code] = (level, org)
    return found


def lead_regions(user: User) -> set[str]:
    return {code for code, (level, _org) in region_roles(user).items() if level == LEAD}


def _region_query(codes: set[str]) -> Q | None:
    query: Q | None = None
    for code in sorted(codes):
        part = Q(kommun__code__startswith=code)
        query = part if query is None else query | part
    return query


def _own_patients(user: User) -> QuerySet[AnalysisPatient]:
    """Analysis patients whose episode the user's organisations hold a grant on. Read from the
    analyses' side: a few thousand rows probing the grant index, not a kommun's grants."""
    return AnalysisPatient.objects.filter(episode_id__in=visible_episodes(user).values("pk"))


def visible_analyses(user: User) -> QuerySet[Analysis]:
    """The analyses the user may open: the region's for its follow-up roles, else those with
    a patient of the user's organisations."""
    query = _region_query(set(region_roles(user)))
    if party_memberships(user):
        own = Q(pk__in=_own_patients(user).values("analysis_id"))
        query = own if query is None else query | own
    if query is None:
        return Analysis.objects.none()
    return Analysis.objects.filter(query).select_related("kommun")


def may_use_analyses(user: User) -> bool:
    """Whether the analyses are for the user (menu, lists): a follow-up role of a region, or
    the sending role of a ward, hälsocentral or kommun (not an integration account)."""
    return bool(region_roles(user)) or any(
        SENDING_ROLE_BY_KIND.get(m.organisation.kind) == m.role for m in party_memberships(user)
    )


@dataclass(frozen=True)
class AnalysisAccess:
    """What one user may do with one analysis."""

    user: User
    analysis: Analysis
    level: str
    # The region (or hospital) a follow-up role acts for; None for a party.
    acting_for: Organisation | None
    # The patients a party had; None: all of them.
    patient_ids: frozenset[int] | None

    @property
    def identified(self) -> bool:
        """Names and personnummer are shown (everyone but the group)."""
        return self.level != GROUP

    @property
    def manages(self) -> bool:
        """Starts, closes, adds actions and follow-ups, builds PDFs: the processledare."""
        return self.level == LEAD

    @property
    def builds_pdf(self) -> bool:
        return self.level in (LEAD, GROUP)

    def patients(self) -> QuerySet[AnalysisPatient]:
        qs = AnalysisPatient.objects.filter(analysis=self.analysis).select_related(
            "episode__patient",
            "episode__ward__hospital",
            "episode__health_centre",
            "episode__kommun",
        )
        if self.patient_ids is not None:
            qs = qs.filter(pk__in=self.patient_ids)
        return qs.order_by("number")

    def patient(self, number: Any) -> AnalysisPatient:
        try:
            return self.patients().get(number=int(number))
        except (AnalysisPatient.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
            raise Http404 from exc

    def column_of(self, patient: AnalysisPatient) -> str | None:
        """The column the user fills for the patient (parties only)."""
        if self.level != PARTY:
            return None
        return party_for_user(self.user, patient.episode)

    def sees_all_columns(self, patient: AnalysisPatient) -> bool:
        return self.level != PARTY or can_see_details(self.user, patient.episode)


def get_access(user: User, analysis_id: Any) -> AnalysisAccess:
    """The user's access to the analysis; Http404 when it is missing or out of scope."""
    try:
        analysis = Analysis.objects.select_related("kommun", "agreement").get(pk=int(analysis_id))
    except (Analysis.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc
    role = region_roles(user).get(analysis.kommun.code[:2])
    if role is not None:
        level, organisation = role
        return AnalysisAccess(user, analysis, level, organisation, None)
    if not party_memberships(user):
        raise Http404
    own = frozenset(
        _own_patients(user).filter(analysis=analysis).values_list("pk", flat=True).order_by()
    )
    if not own:
        raise Http404
    return AnalysisAccess(user, analysis, PARTY, None, own)


def log_read(
    access: AnalysisAccess, patients: list[AnalysisPatient], action: str, detail: str
) -> None:
    """One access-log row per patient shown: a party as its organisation in the episode (as
    every page logs), a follow-up role as the region it follows up for."""
    episodes = [p.episode for p in patients]
    if access.level == PARTY:
        log_access(access.user, episodes, action, detail)
        return
    now = timezone.now()
    org_id = access.acting_for.pk if access.acting_for is not None else None
    append_rows(
        (now, access.user.pk, org_id, ep.pk, ep.patient_id, action, detail) for ep in episodes
    )


# --- Improvement actions across analyses ----------------------------------------------------


def open_actions(user: User) -> QuerySet[ImprovementAction]:
    """Open actions of the analyses the user may open, overdue first, then by due date. The
    follow-up roles see their regions'; a party the actions its organisations are responsible
    for."""
    regions = _region_query(set(region_roles(user)))
    query = Q(analysis__in=Analysis.objects.filter(regions)) if regions is not None else None
    own_orgs = {m.organisation_id for m in party_memberships(user)}
    if own_orgs:
        mine = Q(responsible_id__in=sorted(own_orgs))
        query = mine if query is None else query | mine
    if query is None:
        return ImprovementAction.objects.none()
    return (
        ImprovementAction.objects.filter(query, status__in=OPEN_ACTION_STATUSES)
        .select_related("analysis__kommun", "responsible")
        .order_by("due_date", "id")
    )


def analysis_actions(analysis: Analysis) -> list[ImprovementAction]:
    """The analysis's actions by due date, with their follow-ups (page and PDF)."""
    return list(
        ImprovementAction.objects.filter(analysis=analysis)
        .select_related("responsible")
        .prefetch_related("follow_ups__author")
        .order_by("due_date", "id")
    )
