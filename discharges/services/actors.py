"""Who acts: a user for one organisation, and whether they may send for it."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from discharges.choices import SENDING_ROLE_BY_KIND
from discharges.models import Membership, Organisation, OrganisationKind, Role
from discharges.selectors import acting_organisation
from discharges.services.errors import NotPermitted

# The role that sends messages on behalf of each kind of organisation.
SENDER_ROLE = SENDING_ROLE_BY_KIND


@dataclass(frozen=True)
class Actor:
    """A user acting for one organisation."""

    user: User
    organisation: Organisation


def is_integration(actor: Actor) -> bool:
    """Integration accounts act for any organisation of their region (e.g. the import)."""
    return Membership.objects.filter(
        user=actor.user,
        role=Role.INTEGRATION,
        organisation__as_region__code=actor.organisation.region_code,
    ).exists()


def check_actor(actor: Actor) -> bool:
    """Raise NotPermitted unless the user may send for the organisation.

    Returns True when the actor is an integration account (no back-dating limit).
    """
    role = SENDER_ROLE.get(OrganisationKind(actor.organisation.kind))
    # The sending role, or the organisation's own system account (an integration membership
    # at the ward, health centre or kommun itself: its journal system, by API token), which
    # sends within the same limits as its staff.
    roles = [r for r in (role, Role.INTEGRATION) if r]
    if (
        role
        and Membership.objects.filter(
            user=actor.user, organisation_id=actor.organisation.pk, role__in=roles
        ).exists()
    ):
        return False
    if is_integration(actor):
        return True
    raise NotPermitted(
        _("%(user)s may not send messages for %(organisation)s.")
        % {"user": actor.user, "organisation": actor.organisation}
    )


def actor_for(user: User, episode: object) -> Actor:
    """The user acting for their organisation that is a party of the episode (pages, API)."""
    organisation = acting_organisation(user, episode)  # type: ignore[arg-type]
    if organisation is None:  # visible but not a party: cannot happen with group grants
        raise NotPermitted(_("You are not a party of this episode."))
    return Actor(user, organisation)
