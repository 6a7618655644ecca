"""Seed 003's indicators for systems: ``/api/v1/indicators/``, the stored counts per kommun,
health centre, care type and month of discharge (``analysis.indicator_models``), scoped as the
follow-up pages are; each count hidden (null) when its base is under the small-number limit
for the caller, as on the kommun page."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from analysis.figures import Viewer
from analysis.indicator_models import INDICATOR_BASES, INDICATOR_COUNTS, MonthlyIndicators
from api.follow_up import PERIOD_PARAMETERS, monthly_rows
from api.schema import errors, ok
from api.serializers import label
from discharges.models import CareType

MAX_ROWS = 20000


class IndicatorSerializer(serializers.Serializer[Any]):
    kommun = serializers.CharField()
    kommun_name = serializers.CharField()
    health_centre = serializers.CharField(
        allow_null=True, help_text="Hälsocentralens namn; null för episoder utan listning"
    )
    care_type = serializers.ChoiceField(choices=CareType.choices)
    care_type_label = serializers.CharField()
    month = serializers.CharField()
    computed_at = serializers.DateTimeField()


for _name in INDICATOR_COUNTS:
    IndicatorSerializer._declared_fields[_name] = serializers.IntegerField(
        allow_null=True,
        help_text=f"null: under gränsen för små tal ({INDICATOR_BASES[_name]})",
    )


class IndicatorsSerializer(serializers.Serializer[Any]):
    rows = IndicatorSerializer(many=True)


def _row(row: MonthlyIndicators, viewer: Viewer) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kommun": row.kommun.code,
        "kommun_name": row.kommun.name,
        "health_centre": row.health_centre.name if row.health_centre else None,
        "care_type": row.care_type,
        "care_type_label": label(CareType, row.care_type),
        "month": f"{row.month:%Y-%m}",
        "computed_at": row.computed_at,
    }
    for name in INDICATOR_COUNTS:
        base = getattr(row, INDICATOR_BASES[name])
        out[name] = None if viewer.hides(row.kommun, base) else getattr(row, name)
    return out


class Indicators(APIView):
    @extend_schema(
        operation_id="indicators_monthly",
        summary="Indikatorer (Region Halland 2019)",
        description=(
            "Antal per kommun, hälsocentral, vårdform och utskrivningsmånad för indikatorerna "
            "1, 2, 5, 6, 7, 8, 11 och 12; andelarna räknas av antalen och deras bas."
        ),
        parameters=[
            *PERIOD_PARAMETERS,
            OpenApiParameter("care_type", str, enum=list(CareType.values)),
        ],
        responses={200: IndicatorsSerializer, **errors()},
        examples=[
            ok(
                200,
                {
                    "rows": [
                        {
                            "kommun": "2480",
                            "kommun_name": "Umeå",
                            "health_centre": "Ersboda hälsocentral",
                            "care_type": "somatic",
                            "care_type_label": "Somatisk vård",
                            "month": "2026-10",
                            "computed_at": "2026-11-01T03:00:00+01:00",
                            **dict.fromkeys(INDICATOR_COUNTS, 6),
                        }
                    ]
                },
            )
        ],
        tags=["uppföljning"],
    )
    def get(self, request: Request) -> Response:
        rows, viewer = monthly_rows(request, MonthlyIndicators, CareType.choices, "health_centre")
        body = [_row(row, viewer) for row in rows[:MAX_ROWS]]
        return Response(IndicatorsSerializer({"rows": body}).data)
