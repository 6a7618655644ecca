"""The analyses the monthly statistics call for, and the notices of new ones.

Seed 000: when a kommun's average ready days exceed 3 in a calendar month, a joint analysis
starts. Run after every computation of the statistics (the Celery task, the command, the demo):
every ended kommun-month whose average is over its agreement's threshold (R3, on the exact
ratio) gets one analysis, per care type where the agreement keeps somatik and psykiatri
apart, else for all care. A month still running is left until it has ended (its average
moves until then); a recompute never opens a second analysis, and refreshes the open ones.
Kommuner of a region without an agreement in force are not analysed automatically; a
processledare can still start an analysis by hand.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from functools import partial

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from analysis.analyses.models import Analysis, AnalysisNotice, Trigger
from analysis.analyses.services import ensure_analysis
from analysis.models import MonthlyStatistic, StatCareType
from discharges.models import Membership, OrganisationKind, Role
from payment import rules
from payment.models import Agreement
from payment.rules import month_start

logger = logging.getLogger(__name__)


def _agreements() -> dict[str, list[Agreement]]:
    """Each region's agreements, latest first month first."""
    by_region: dict[str, list[Agreement]] = defaultdict(list)
    for agreement in Agreement.objects.select_related("region").order_by("-first_month", "-pk"):
        by_region[agreement.region.code].append(agreement)
    return by_region


def _in_force(agreements: list[Agreement], month: date) -> Agreement | None:
    return next((a for a in agreements if a.first_month <= month), None)


def over_months(*, today: date | None = None) -> list[MonthlyStatistic]:
    """The stored kommun-months (care type as the agreement groups them) whose average is over
    the threshold of the agreement in force, among the months that have ended."""
    current = month_start(today or timezone.localdate())
    agreements = _agreements()
    found = []
    stats = MonthlyStatistic.objects.filter(month__lt=current, episodes__gt=0).select_related(
        "kommun"
    )
    for stat in stats.order_by("month", "kommun__code", "care_type"):
        agreement = _in_force(agreements.get(stat.kommun.code[:2], []), stat.month)
        if agreement is None:
            continue
        apart = stat.care_type != StatCareType.ALL
        if apart != agreement.separate_care_types:
            continue
        figures = rules.MonthFigures(
            stat.month, stat.episodes, stat.ready_days, stat.episodes_3plus
        )
        if rules.is_over(figures, agreement.threshold_days):
            found.append(stat)
    return found


def open_triggered_analyses(*, today: date | None = None) -> list[Analysis]:
    """Open the analyses the stored statistics call for; returns the new ones (after telling
    the region's processledare and group)."""
    new: list[Analysis] = []
    for stat in over_months(today=today):
        analysis, created = ensure_analysis(
            kommun=stat.kommun,
            care_type=stat.care_type,
            month=stat.month,
            trigger=Trigger.AUTOMATIC,
        )
        if created:
            new.append(analysis)
    if new:
        notify(new)
    return new


def recipients(region_code: str) -> list[User]:
    """The region's processledare (at the region or one of its hospitals) and group members."""
    memberships = Membership.objects.filter(
        role__in=[Role.PROCESS_LEAD, Role.JOINT_GROUP],
        organisation__kind__in=[OrganisationKind.REGION, OrganisationKind.HOSPITAL],
    ).select_related("user", "organisation")
    users = {
        m.user_id: m.user
        for m in memberships
        if m.user.is_active and m.organisation.region_code == region_code
    }
    return [users[pk] for pk in sorted(users)]


def notify(analyses: Iterable[Analysis]) -> None:
    """A notice on the start page of each recipient, and an e-mail where one is configured
    (after the commit; kommun, month and number of patients only, never a patient)."""
    by_region: dict[str, list[Analysis]] = defaultdict(list)
    for analysis in analyses:
        by_region[analysis.kommun.code[:2]].append(analysis)
    for code, region_analyses in by_region.items():
        users = recipients(code)
        AnalysisNotice.objects.bulk_create(
            [AnalysisNotice(user=u, analysis=a) for u in users for a in region_analyses],
            ignore_conflicts=True,
        )
        if settings.SVU_ANALYSIS_EMAIL:
            addresses = [u.email for u in users if u.email]
            transaction.on_commit(partial(_mail, region_analyses, addresses))


def _mail(analyses: list[Analysis], addresses: list[str]) -> None:
    if not addresses:
        return
    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            ngettext(
                "%(kommun)s, %(month)s: average %(average)s days, %(n)s patient with 3 or more "
                "ready days.",
                "%(kommun)s, %(month)s: average %(average)s days, %(n)s patients with 3 or "
                "more ready days.",
                a.patients.count(),
            )
            % {
                "kommun": a.kommun,
                "month": f"{a.month:%Y-%m}",
                "average": a.average,
                "n": a.patients.count(),
            }
            for a in analyses
        ]
        subject = _("SVU: new analyses of delayed discharge")
        body = "\n".join([_("New analyses of delayed discharge have started:"), "", *lines])
    try:
        send_mail(subject, body, None, addresses)
    except OSError:
        # The notices on the start page are written; a mail server that is down must not
        # undo them or fail the statistics task.
        logger.warning("analysis notice e-mail not sent to %s recipients", len(addresses))
