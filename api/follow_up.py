"""The follow-up the caller may see: the liability report (fakturaunderlag) and the monthly
statistics. Scoped by ``discharges.selectors.follow_up_kommuner`` as the pages are; patient-level
lines of the liability report by ``payment.selectors.visible_lines``; small numbers hidden by
``analysis.figures.viewer_for``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from analysis.figures import Viewer, viewer_for
from analysis.models import MonthlyStatistic, StatCareType
from api.errors import ApiError, invalid
from api.schema import errors, ok
from api.serializers import label
from discharges import access_log
from discharges.http import api_user
from discharges.models import AccessAction
from discharges.selectors import follow_up_kommuner
from payment.models import Agreement
from payment.reports import FIRST_MONTH, LAST_MONTH, ReportError, build_report, parse_month
from payment.rules import month_start
from payment.selectors import visible_lines

MAX_PERIOD_MONTHS = 120
MONTH = r"^[0-9]{4}-[0-9]{2}$"


class PeriodForm(forms.Form):
    """``from`` and ``to`` as months YYYY-MM (either order); the last twelve months by default."""

    kommun = forms.RegexField(regex=r"^[0-9]{4}$", required=False, max_length=4)

    def __init__(self, data: Any) -> None:
        super().__init__(data)
        self.fields["from"] = forms.CharField(required=False, max_length=7)
        self.fields["to"] = forms.CharField(required=False, max_length=7)

    def _month(self, name: str, default: date) -> date:
        value = self.cleaned_data.get(name) or ""
        if not value:
            return default
        try:
            return parse_month(value)
        except ReportError as exc:
            raise forms.ValidationError(
                _("Give a month YYYY-MM from %(first)s to %(last)s.")
                % {"first": f"{FIRST_MONTH:%Y-%m}", "last": f"{LAST_MONTH:%Y-%m}"}
            ) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = month_start(timezone.localdate())
        try:
            first = self._month("from", month_start(today - timedelta(days=330)))
            last = self._month("to", today)
        except forms.ValidationError as exc:
            raise forms.ValidationError({"from": exc.messages}) from exc
        first, last = min(first, last), max(first, last)
        if (last.year - first.year) * 12 + last.month - first.month >= MAX_PERIOD_MONTHS:
            raise forms.ValidationError(
                {
                    "to": [
                        _("The period may be at most %(months)s months.")
                        % {"months": MAX_PERIOD_MONTHS}
                    ]
                }
            )
        data["first"], data["last"] = first, last
        return data


def period(request: Request, **extra: forms.Field) -> dict[str, Any]:
    form = PeriodForm(request.query_params)
    form.fields.update(extra)
    if not form.is_valid():
        raise invalid({name: [str(m) for m in messages] for name, messages in form.errors.items()})
    return form.cleaned_data


def monthly_rows(
    request: Request, model: type[Any], care_types: list[tuple[str, Any]], *related: str
) -> tuple[Any, Viewer]:
    """The stored monthly rows of ``model`` (kommun, care_type, month) the caller follows up,
    narrowed by ``from``, ``to``, ``kommun`` and ``care_type``, with the caller's small-number
    rule; 403 for a caller who follows up no kommun, 400 naming a bad parameter."""
    user = api_user(request)
    kommuner = list(follow_up_kommuner(user))
    if not kommuner:
        raise ApiError(403, "forbidden", _("Your organisation follows up no municipality."))
    data = period(request, care_type=forms.ChoiceField(choices=care_types, required=False))
    rows = model.objects.filter(
        kommun__in=[k.pk for k in kommuner], month__gte=data["first"], month__lte=data["last"]
    ).select_related("kommun", *related)
    if data["kommun"]:
        rows = rows.filter(kommun__code=data["kommun"])
    if data["care_type"]:
        rows = rows.filter(care_type=data["care_type"])
    return rows, viewer_for(user)


PERIOD_PARAMETERS = [
    OpenApiParameter(
        "from",
        str,
        pattern=MONTH,
        description="Första månad ÅÅÅÅ-MM (standard: för elva månader sedan)",
    ),
    OpenApiParameter(
        "to", str, pattern=MONTH, description="Sista månad ÅÅÅÅ-MM (standard: denna månad)"
    ),
    OpenApiParameter("kommun", str, pattern="^[0-9]{4}$", description="En kommunkod, t.ex. 2480"),
]


class LiabilityRowSerializer(serializers.Serializer[Any]):
    kommun = serializers.CharField()
    care_type = serializers.CharField()
    month = serializers.CharField()
    episodes = serializers.IntegerField()
    ready_days = serializers.IntegerField()
    average = serializers.FloatField(allow_null=True)
    episodes_3plus = serializers.IntegerField()
    state = serializers.CharField()
    liable_days = serializers.IntegerField()
    amount_sek = serializers.IntegerField()


class LiabilityLineSerializer(serializers.Serializer[Any]):
    episode_id = serializers.CharField()
    kommun = serializers.CharField()
    care_type = serializers.CharField(allow_blank=True)
    ready_date = serializers.DateField()
    discharge_date = serializers.DateField()
    ready_days = serializers.IntegerField()
    liable_days = serializers.IntegerField()
    amount_sek = serializers.IntegerField()
    prerequisites_missing = serializers.ListField(child=serializers.CharField())


class LiabilitySerializer(serializers.Serializer[Any]):
    agreement = serializers.CharField(allow_null=True)
    rows = LiabilityRowSerializer(many=True)
    episodes = LiabilityLineSerializer(many=True)


class Liability(APIView):
    @extend_schema(
        operation_id="liability_report",
        summary="Betalningsansvar (fakturaunderlag)",
        description=(
            "Kommunens egna och regionens uppföljningsroller ser månadsraderna; "
            "episodraderna bara kommunens egna, för episoder de får se."
        ),
        parameters=[
            *PERIOD_PARAMETERS,
            OpenApiParameter("agreement", str, description="Överenskommelsens namn"),
        ],
        responses={200: LiabilitySerializer, **errors()},
        examples=[
            ok(
                200,
                {
                    "agreement": "vasterbotten",
                    "rows": [
                        {
                            "kommun": "2480",
                            "care_type": "all",
                            "month": "2026-10",
                            "episodes": 41,
                            "ready_days": 160,
                            "average": 3.9,
                            "episodes_3plus": 12,
                            "state": "liable",
                            "liable_days": 23,
                            "amount_sek": 226596,
                        }
                    ],
                    "episodes": [],
                },
            )
        ],
        tags=["uppföljning"],
    )
    def get(self, request: Request) -> Response:
        user = api_user(request)
        kommuner = list(follow_up_kommuner(user, liability=True).order_by("code"))
        if not kommuner:
            raise ApiError(
                403, "forbidden", _("Your organisation may not see the liability report.")
            )
        data = period(request, agreement=forms.SlugField(required=False, max_length=64))
        regions = {k.code[:2] for k in kommuner}
        agreements = list(
            Agreement.objects.filter(region__code__in=regions)
            .select_related("region")
            .order_by("name")
        )
        if not agreements:
            return Response(
                LiabilitySerializer({"agreement": None, "rows": [], "episodes": []}).data
            )
        agreement = next(
            (a for a in agreements if a.name == (data["agreement"] or agreements[0].name)), None
        )
        if agreement is None:
            raise invalid({"agreement": [_("No agreement of yours has that name.")]})
        codes = [k.code for k in kommuner if agreement.covers(k.code)]
        if data["kommun"]:
            if data["kommun"] not in codes:
                raise invalid({"kommun": [_("Not a municipality whose liability you may see.")]})
            codes = [data["kommun"]]
        try:
            report = build_report(agreement, data["first"], data["last"], kommun_codes=codes)
        except ReportError as exc:
            raise ApiError(400, "refused", str(exc)) from exc
        lines = visible_lines(user, report.episodes, kommuner)
        access_log.log_access_by_id(
            user,
            [line.pk for line in lines],
            AccessAction.API_LIST,
            detail="liability",
        )
        body = {
            "agreement": agreement.name,
            "rows": [row.as_json() for row in report.rows],
            "episodes": [line.as_json() for line in lines],
        }
        return Response(LiabilitySerializer(body).data)


class StatisticSerializer(serializers.Serializer[Any]):
    kommun = serializers.CharField()
    kommun_name = serializers.CharField()
    care_type = serializers.ChoiceField(choices=StatCareType.choices)
    care_type_label = serializers.CharField()
    month = serializers.CharField()
    hidden = serializers.BooleanField(
        help_text="Färre episoder än gränsen för små tal: talen är null"
    )
    episodes = serializers.IntegerField(allow_null=True)
    ready_days = serializers.IntegerField(allow_null=True)
    episodes_3plus = serializers.IntegerField(allow_null=True)
    same_day = serializers.IntegerField(allow_null=True)
    episodes_1plus = serializers.IntegerField(allow_null=True)
    named_contact = serializers.IntegerField(allow_null=True)
    sip_needed = serializers.IntegerField(allow_null=True)
    sip_invited_in_time = serializers.IntegerField(allow_null=True)
    sip_held = serializers.IntegerField(allow_null=True)
    sip_days_median = serializers.FloatField(allow_null=True)
    preliminary_known = serializers.IntegerField(allow_null=True)
    preliminary_accurate = serializers.IntegerField(allow_null=True)
    preliminary_changes = serializers.IntegerField(allow_null=True)
    admission_notice_late = serializers.IntegerField(allow_null=True)
    track_green = serializers.IntegerField(allow_null=True)
    track_yellow = serializers.IntegerField(allow_null=True)
    track_red = serializers.IntegerField(allow_null=True)
    track_blue = serializers.IntegerField(allow_null=True)
    computed_at = serializers.DateTimeField()


class StatisticsSerializer(serializers.Serializer[Any]):
    rows = StatisticSerializer(many=True)


COUNTS = [
    name
    for name in StatisticSerializer._declared_fields
    if name
    not in (
        "kommun",
        "kommun_name",
        "care_type",
        "care_type_label",
        "month",
        "hidden",
        "computed_at",
    )
]


def _statistic(row: MonthlyStatistic, hidden: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kommun": row.kommun.code,
        "kommun_name": row.kommun.name,
        "care_type": row.care_type,
        "care_type_label": label(StatCareType, row.care_type),
        "month": f"{row.month:%Y-%m}",
        "hidden": hidden,
        "computed_at": row.computed_at,
    }
    for name in COUNTS:
        value = getattr(row, name)
        out[name] = (
            None
            if hidden or value is None
            else (float(value) if name == "sip_days_median" else value)
        )
    return out


class Statistics(APIView):
    @extend_schema(
        operation_id="statistics_monthly",
        summary="Månadsstatistik",
        description=(
            "Kommunerna i anroparens region(er), per vårdform och månad (utskrivna episoder)."
        ),
        parameters=[
            *PERIOD_PARAMETERS,
            OpenApiParameter("care_type", str, enum=list(StatCareType.values)),
        ],
        responses={200: StatisticsSerializer, **errors()},
        examples=[
            ok(
                200,
                {
                    "rows": [
                        {
                            "kommun": "2480",
                            "kommun_name": "Umeå",
                            "care_type": "all",
                            "care_type_label": "All vård",
                            "month": "2026-10",
                            "hidden": False,
                            **dict.fromkeys(COUNTS, 4),
                            "computed_at": "2026-11-01T03:00:00+01:00",
                        }
                    ]
                },
            )
        ],
        tags=["uppföljning"],
    )
    def get(self, request: Request) -> Response:
        rows, viewer = monthly_rows(request, MonthlyStatistic, StatCareType.choices)
        body = [_statistic(row, viewer.hides(row.kommun, row.episodes)) for row in rows[:20000]]
        return Response(StatisticsSerializer({"rows": body}).data)
