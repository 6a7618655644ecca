"""The follow-up pages (/follow-up/): the region overview, a kommun's page and their tables as
CSV and XLSX. Thin: read the query (``analysis.queries``), the stored rows
(``analysis.figures.load``) and build the page (``analysis.dashboards``, ``kommun_page``).

Aggregates only: no page here shows or links to an episode. A bad parameter is a 400 whose
page says in Swedish what to change; a kommun outside the user's follow-up is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from analysis import dashboards, deviation_counts, exports, overview_cache
from analysis.figures import CELL_FIELDS, OVERVIEW_FIELDS, Data, Viewer, load, viewer_for
from analysis.kommun_page import kommun_page
from analysis.models import StatCareType
from analysis.queries import BadQuery, Query, add_months, last_complete_month, parse_query
from analysis.vantetider_view import vantetider_link
from discharges.http import AuthenticatedHttpRequest
from discharges.models import Kommun, Region
from discharges.selectors import follow_up_kommuner
from payment.rules import month_start


def _scope(request: AuthenticatedHttpRequest) -> list[Kommun]:
    kommuner = list(follow_up_kommuner(request.user).order_by("code"))
    if not kommuner:
        raise Http404
    return kommuner


def _regions(kommuner: list[Kommun]) -> list[Region]:
    return sorted({k.region.code: k.region for k in kommuner}.values(), key=lambda r: r.code)


def _read(request: AuthenticatedHttpRequest, kommuner: list[Kommun]) -> Query:
    today = timezone.localdate()
    return parse_query(request.GET, today=today, regions={r.code for r in _regions(kommuner)})


def _load_overview(shown: list[Kommun], query: Query) -> Data:
    """The overview's stored rows: five counts, two of each kommun-month, and the liability
    of the months not free (the liable ones are shaded)."""
    return load(shown, query, fields=OVERVIEW_FIELDS, cell_fields=CELL_FIELDS, free_cells=False)


def _title(kommuner: list[Kommun]) -> str:
    regions = _regions(kommuner)
    return regions[0].name if len(regions) == 1 else _("All regions")


def _choices(kommuner: list[Kommun], query: Query | None) -> dict[str, Any]:
    """What the period and care type form offers, and the quick periods."""
    today = timezone.localdate()
    last = last_complete_month(today)
    presets = [
        (_("Last 13 months"), add_months(last, -12), last),
        (_("24 months"), add_months(last, -23), last),
        (_("60 months"), add_months(last, -59), last),
        (_("This year so far"), month_start(today).replace(month=1), month_start(today)),
    ]
    care_type = query.care_type if query else StatCareType.ALL
    region = query.region if query else ""
    return {
        "query": query,
        "care_types": [
            (StatCareType.ALL, pgettext("follow-up", "All care types")),
            (StatCareType.SOMATIC, _("Somatic care")),
            (StatCareType.PSYCHIATRIC, _("Psychiatric care")),
        ],
        "regions": _regions(kommuner),
        "presets": [
            (
                label,
                Query(first, to, care_type, region).params(),
                query is not None and (query.first, query.last) == (first, to),
            )
            for label, first, to in presets
        ],
        "current_month": month_start(today),
    }


def _bad_query(
    request: AuthenticatedHttpRequest,
    kommuner: list[Kommun],
    exc: BadQuery,
    kommun: Kommun | None = None,
) -> HttpResponse:
    context = {**_choices(kommuner, None), "error": str(exc), "kommun": kommun}
    template = "analysis/kommun.html" if kommun else "analysis/dashboard.html"
    return render(request, template, context, status=400)


def _notes(viewer: Viewer, query: Query) -> list[str]:
    notes = []
    if query.last == month_start(timezone.localdate()):
        notes.append(_("The current month is not over: its figures grow as patients leave."))
    notes.append(
        _(
            "A figure built on fewer than %(n)s episodes reads %(h)s, except for the "
            "municipality's own staff and the processledare."
        )
        % {"n": viewer.threshold, "h": viewer.hidden_text}
    )
    return notes


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    kommuner = _scope(request)
    code = request.GET.get("kommun")
    if code:  # the address of the first version of this page
        rest = request.GET.copy()
        del rest["kommun"]
        url = reverse("analysis:kommun", args=[code])
        return HttpResponseRedirect(f"{url}?{rest.urlencode()}" if rest else url)
    try:
        query = _read(request, kommuner)
    except BadQuery as exc:
        return _bad_query(request, kommuner, exc)
    shown = [k for k in kommuner if not query.region or k.code.startswith(query.region)]
    viewer = viewer_for(request.user)
    params = query.params()
    pattern = reverse("analysis:kommun", args=["0000"])  # once, not once per kommun
    title = _title(shown)

    def link(kommun: Kommun) -> str:
        return f"{pattern.replace('0000', kommun.code)}?{params}"

    def build() -> overview_cache.Built:
        data = _load_overview(shown, query)
        return dashboards.overview(data, viewer, link, title), data.computed_at

    page, computed_at = overview_cache.overview(shown, query, viewer, title, build)
    context = {
        **_choices(kommuner, query),
        "page": page,
        "computed_at": computed_at,
        "notes": _notes(viewer, query),
        "params": params,
        "deviation_counts": deviation_counts.overview(shown, query),  # issue 14
        "deviation_counts_label": _("Municipality"),
    }
    return render(request, "analysis/dashboard.html", context)


def _kommun(kommuner: list[Kommun], code: str) -> Kommun:
    kommun = next((k for k in kommuner if k.code == code), None)
    if kommun is None:
        raise Http404
    return kommun


@login_required
def kommun(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    kommuner = _scope(request)
    target = _kommun(kommuner, code)
    try:
        query = _read(request, kommuner)
    except BadQuery as exc:
        return _bad_query(request, kommuner, exc, target)
    viewer = viewer_for(request.user)
    data = load([target], query)
    context = {
        **_choices(kommuner, query),
        "kommun": target,
        "page": kommun_page(data, viewer, target),
        "vantetider_url": vantetider_link(request.user, target.code[:2], query),
        "data": data,
        "notes": _notes(viewer, query),
        "params": query.params(region=""),
        "overview_params": query.params(),
        "deviation_counts": deviation_counts.for_kommun(target, query),  # issue 14
        "deviation_counts_label": _("Month"),
    }
    return render(request, "analysis/kommun.html", context)


def _filename(name: str, scope: str, query: Query) -> str:
    care = {"all": "alla"}.get(query.care_type, query.care_type)
    return f"uppfoljning-{name}-{scope}-{query.first:%Y-%m}-{query.last:%Y-%m}-{care}"


def _refused(exc: BadQuery) -> HttpResponse:
    return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")


@login_required
def export(request: AuthenticatedHttpRequest, table: str, fmt: str) -> HttpResponse:
    kommuner = _scope(request)
    if fmt not in exports.FORMATS:
        raise Http404
    try:
        query = _read(request, kommuner)
    except BadQuery as exc:
        return _refused(exc)
    shown = [k for k in kommuner if not query.region or k.code.startswith(query.region)]
    if table not in dashboards.OVERVIEW_TABLES:
        raise Http404
    data = _load_overview(shown, query)
    chosen = dashboards.overview_table(table, data, viewer_for(request.user), _title(shown))
    scope = f"region-{query.region}" if query.region else "alla-kommuner"
    if len(_regions(shown)) == 1:
        scope = f"region-{shown[0].code[:2]}"
    return exports.table_response(chosen, fmt, _filename(table, scope, query))


@login_required
def kommun_export(
    request: AuthenticatedHttpRequest, code: str, table: str, fmt: str
) -> HttpResponse:
    kommuner = _scope(request)
    target = _kommun(kommuner, code)
    if fmt not in exports.FORMATS:
        raise Http404
    try:
        query = _read(request, kommuner)
    except BadQuery as exc:
        return _refused(exc)
    page = kommun_page(load([target], query), viewer_for(request.user), target)
    tables = page.tables()
    if table not in tables:
        raise Http404
    return exports.table_response(tables[table], fmt, _filename(table, target.code, query))
