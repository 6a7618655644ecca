"""The coded values of the domain (stored as codes, shown with Swedish labels)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    REGION = "region", _("Region")
    KOMMUN = "kommun", _("Municipality")
    HOSPITAL = "hospital", _("Hospital")
    WARD = "ward", _("Ward")
    HEALTH_CENTRE = "health_centre", _("Health centre")


class CareType(models.TextChoices):
    SOMATIC = "somatik", _("Somatic care")
    PSYCHIATRIC = "psykiatri", _("Psychiatric care")


class Role(models.TextChoices):
    WARD_STAFF = "ward_staff", _("Ward staff")
    HC_COORDINATOR = "hc_coordinator", _("Care coordinator (health centre)")
    KOMMUN_PLANNER = "kommun_planner", _("Municipal planner")
    PROCESS_LEAD = "processledare", _("Process lead")
    JOINT_GROUP = "partssammansatt", _("Joint group member")
    ADMIN = "admin", _("System administrator")
    INTEGRATION = "integration", _("System integration")


# Which roles a membership of each kind of organisation may carry. The parties of an episode
# (ward, health centre, kommun) have their sending role only: the follow-up roles
# (processledare, partssammansatt) sit at the region, where they see aggregates, not episodes.
ROLES_BY_KIND: dict[str, frozenset[str]] = {
    # The integration role at a ward, health centre or kommun: that organisation's system
    # account (its journal system, by API token), acting for it alone, as its staff do.
    OrganisationKind.WARD: frozenset({Role.WARD_STAFF, Role.INTEGRATION}),
    OrganisationKind.HEALTH_CENTRE: frozenset({Role.HC_COORDINATOR, Role.INTEGRATION}),
    OrganisationKind.KOMMUN: frozenset({Role.KOMMUN_PLANNER, Role.INTEGRATION}),
    OrganisationKind.REGION: frozenset(
        {Role.PROCESS_LEAD, Role.JOINT_GROUP, Role.ADMIN, Role.INTEGRATION}
    ),
    OrganisationKind.HOSPITAL: frozenset({Role.PROCESS_LEAD}),
}

# The role that sends an organisation's messages in an episode. Only its members join the
# organisation's group, which holds the organisation's episode grants.
SENDING_ROLE_BY_KIND: dict[str, str] = {
    OrganisationKind.WARD: Role.WARD_STAFF,
    OrganisationKind.HEALTH_CENTRE: Role.HC_COORDINATOR,
    OrganisationKind.KOMMUN: Role.KOMMUN_PLANNER,
}


def holds_grants(kind: str, role: str) -> bool:
    """Whether a membership with ``role`` at an organisation of ``kind`` gets the organisation's
    episode grants (its group): the sending role, and integration accounts as always (they
    act for the organisations of their region; the region's own group holds no grants)."""
    return SENDING_ROLE_BY_KIND.get(kind) == role or role == Role.INTEGRATION


class ConsentAction(models.TextChoices):
    GIVEN = "given", _("Consent given")
    WITHDRAWN = "withdrawn", _("Consent withdrawn")


class EpisodeStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    PLANNING = "planning", _("Planning")
    READY = "ready", _("Ready for discharge")
    DISCHARGED = "discharged", _("Discharged")
    CLOSED = "closed", _("Closed without discharge")


ACTIVE_STATUSES = (EpisodeStatus.REGISTERED, EpisodeStatus.PLANNING, EpisodeStatus.READY)


class TrackColour(models.TextChoices):
    GREEN = "green", _("Green: unchanged needs")
    YELLOW = "yellow", _("Yellow: new or changed needs")
    RED = "red", _("Red: complex needs")
    BLUE = "blue", _("Blue")


class AdmissionType(models.TextChoices):
    """How the patient came in (indicator 5 counts an akut readmission as unplanned)."""

    ACUTE = "akut", _("Acute")
    PLANNED = "planerad", _("Planned")


class SipPlace(models.TextChoices):
    """Where the SIP meeting was held (seed 003, indicator 11)."""

    VIDEO = "video", _("Video meeting")
    HOSPITAL = "hospital", _("At the hospital")
    HOME = "home", _("In the home")
    PHONE = "phone", _("By phone")


class NeedsOutcome(models.TextChoices):
    """The episode's outcome of needs at discharge (seed 003, indicators 6 and 7)."""

    UNCHANGED = "unchanged", _("Unchanged needs, with earlier municipal services")
    NEW_SOCIAL = "new_social", _("New needs of services from social services")
    NONE = "none", _("No need of municipal services")


class Destination(models.TextChoices):
    HOME = "ordinary_home", _("Ordinary home")
    SPECIAL_HOUSING = "special_housing", _("Special housing")
    SHORT_TERM = "short_term", _("Short-term placement")
    OTHER = "other", _("Other")


class ClosureReason(models.TextChoices):
    DIED = "died", _("The patient died")
    NO_NEEDS = "no_needs", _("No longer needs help after discharge")
    TRANSFERRED = "transferred", _("Moved to another hospital")
    NOT_COVERED = "not_covered", _("Not covered by the act")


class AccessAction(models.TextChoices):
    LIST = "list", _("List")
    VIEW = "view", _("View")
    WORKLIST = "worklist", _("Worklist")
    API_LIST = "api_list", _("API list")
    API_VIEW = "api_view", _("API view")
    EXPORT = "export", _("Export")
    WRITE = "write", _("Write")
