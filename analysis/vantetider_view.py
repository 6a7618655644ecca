"""The national export as a download for the processledare of a region (``analysis.vantetider``):
Swedish CSV (``;``, decimal comma, UTF-8 with BOM) with the national column names. Thin: read
the period, check the user may see the region's figures unsuppressed, write the rows."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from analysis.queries import Query
from analysis.vantetider import COLUMNS, BadExport, find_region, parse_period, vantetider_rows
from discharges.exports import CSV_CONTENT_TYPE, swedish_csv
from discharges.http import AuthenticatedHttpRequest
from discharges.selectors import small_number_scope


def may_export(user: User, region_code: str) -> bool:
    """The region's processledare: they see its figures without the small-number rule, as
    the national export reports them."""
    _own, regions = small_number_scope(user)
    return region_code in regions


def vantetider_link(user: User, region_code: str, query: Query) -> str:
    """The download's address for the page's period, or "" for a user who may not export."""
    if not may_export(user, region_code):
        return ""
    url = reverse("analysis:vantetider", args=[region_code])
    return f"{url}?from={query.first:%Y-%m}&to={query.last:%Y-%m}"


@login_required
def download(request: AuthenticatedHttpRequest, region: str) -> HttpResponse:
    if not may_export(request.user, region):
        raise Http404
    try:
        names = (_("From"), _("To"))
        first, last = parse_period(request.GET.get("from"), request.GET.get("to"), names)
        found = find_region(region)
    except BadExport as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    rows = [row.values() for row in vantetider_rows(found, first, last)]
    response = HttpResponse(swedish_csv(COLUMNS, rows), content_type=CSV_CONTENT_TYPE)
    name = f"vantetider-{found.code}-{first:%Y-%m}-{last:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
