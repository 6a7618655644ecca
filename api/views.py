"""The API's views (v1): each validates, calls a selector or a service, and shapes the answer.

Reads go through discharges.selectors and are access-logged; writes through
discharges.services. Scoping is theirs: out of scope is the same 404 as a missing id.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import present
from api.errors import ApiError, invalid
from api.filters import EpisodeFilters, RegisterForm, register_wards
from api.idempotency import idempotent
from api.messages import json_form_data
from api.schema import EXAMPLES, IDEMPOTENCY_KEY, errors
from api.serializers import (
    EpisodeDetailSerializer,
    EpisodeSummarySerializer,
    PatientLookupResultSerializer,
    PatientLookupSerializer,
    ReceiptSerializer,
    ReceiptsSerializer,
    WorklistSerializer,
    episode_summary,
)
from discharges import access_log, selectors, services, worklists
from discharges.forms import PersonnummerSearchForm
from discharges.http import api_user
from discharges.models import AccessAction, Episode, EpisodeEvent, Patient
from discharges.pagination import ScopePagination, count_with


def form_errors(form: forms.Form) -> dict[str, list[str]]:
    return {
        ("non_field_errors" if name == "__all__" else name): [str(m) for m in messages]
        for name, messages in form.errors.items()
    }


def etag(version: int) -> str:
    return f'"{version}"'


def summaries(user: Any, episodes: list[Episode]) -> list[dict[str, Any]]:
    details = selectors.episodes_with_details(user, [e.pk for e in episodes])
    return [episode_summary(e, e.pk in details) for e in episodes]


class EpisodeList(GenericAPIView):
    serializer_class = EpisodeSummarySerializer
    pagination_class = ScopePagination

    def get_queryset(self) -> QuerySet[Episode]:
        user = api_user(self.request)
        form = EpisodeFilters(self.request.query_params)
        if not form.is_valid():
            raise invalid(form_errors(form))
        data = form.cleaned_data
        queryset = selectors.episode_list(user, status=data["status"])
        # Care type and admission lie beyond the basic fields: filtered only where they are seen.
        sees = Q(ward_id__in=sorted(selectors.organisation_ids(user))) | Q(has_consent=True)
        narrowed = False
        if data["care_type"]:
            queryset, narrowed = queryset.filter(sees, care_type=data["care_type"]), True
        if data["admitted_from"]:
            queryset, narrowed = queryset.filter(sees, admitted_at__gte=data["admitted_from"]), True
        if data["admitted_to"]:
            queryset, narrowed = queryset.filter(sees, admitted_at__lt=data["admitted_to"]), True
        if data["kommun"]:
            queryset, narrowed = queryset.filter(kommun__code=data["kommun"]), True
        if data["ward"]:
            queryset, narrowed = queryset.filter(ward_id=data["ward"]), True
        if data["status"] == "all" and not narrowed:
            queryset = count_with(queryset, lambda: selectors.visible_count(user))
        return queryset

    @extend_schema(
        operation_id="episodes_list",
        summary="Episoder du får se",
        description=(
            "Episoderna som anroparens organisationer får se, senaste inskrivning "
            "först, 50 per sida."
        ),
        parameters=EpisodeFilters.parameters(),
        responses={200: EpisodeSummarySerializer(many=True), **errors()},
        examples=[EXAMPLES["list"]],
        tags=["episoder"],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        episodes = list(page or [])
        access_log.log_access(api_user(request), episodes, AccessAction.API_LIST)
        data = EpisodeSummarySerializer(summaries(api_user(request), episodes), many=True).data
        return self.get_paginated_response(data)

    @extend_schema(
        operation_id="episodes_register",
        summary="Registrera ett vårdtillfälle",
        description=(
            "Avdelningen registrerar en episod; en känd patient (personnummer) "
            "registreras som lagrad."
        ),
        request=RegisterForm.serializer(),
        parameters=[IDEMPOTENCY_KEY],
        responses={201: EpisodeSummarySerializer, **errors(422)},
        examples=[
            EXAMPLES["episode"],
            OpenApiExample(
                "register",
                request_only=True,
                value={
                    "personnummer": "19410315-1234",
                    "name": "Greta Lindqvist",
                    "address": "Storgatan 1, 903 26 Umeå",
                    "kommun_code": "2480",
                    "admitted_at": "2026-11-29T08:30:00+01:00",
                    "admission_type": "akut",
                    "external_id": "COSMIC-4711",
                },
            ),
        ],
        tags=["episoder"],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        user = api_user(request)
        wards = register_wards(user)
        if not wards:
            raise ApiError(403, "forbidden", _("Only a ward registers episodes."))
        raw = json_form_data(request.data, RegisterForm.api_fields())
        if not raw.get("ward") and len(wards) == 1:
            raw["ward"] = str(wards[0].pk)  # a ward's own system account: its ward
        form = RegisterForm(raw, wards=wards)
        if not form.is_valid():
            raise invalid(form_errors(form))
        data = form.cleaned_data
        known = services.find_patient(data["personnummer"])
        if known is None and (missing := services.missing_for_new_patient(data)):
            raise invalid({f: [_("A new patient needs this.")] for f in missing})
        episode = services.register_stay(
            actor=services.Actor(user, data["ward"]), known=known, data=data
        )
        access_log.log_access(user, [episode], AccessAction.API_VIEW, detail="register")
        body = EpisodeSummarySerializer(episode_summary(episode, True)).data
        return Response(body, status=201, headers={"ETag": etag(episode.version)})


class EpisodeDetail(APIView):
    @extend_schema(
        operation_id="episodes_detail",
        summary="En episod med tidslinje",
        description="Fält du inte får se (utan samtycke) är null; ETag är episodens version.",
        responses={200: EpisodeDetailSerializer, **errors()},
        tags=["episoder"],
    )
    def get(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        episode = selectors.get_visible_episode(user, pk)
        access_log.log_access(user, [episode], AccessAction.API_VIEW)
        body = EpisodeDetailSerializer(present.detail(user, episode)).data
        return Response(body, headers={"ETag": etag(episode.version)})


class Acknowledge(APIView):
    @extend_schema(
        operation_id="events_acknowledge",
        summary="Kvittera ett meddelande",
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: ReceiptSerializer, **errors(422)},
        examples=[EXAMPLES["receipt"]],
        tags=["kvittenser"],
    )
    @idempotent
    def post(self, request: Request, pk: int, event_id: int) -> Response:
        user = api_user(request)
        episode = selectors.get_visible_episode(user, pk)
        event = EpisodeEvent.objects.filter(pk=event_id, episode=episode).first()
        if event is None:
            raise ApiError(404, "not_found", _("Not found."))
        receipt = services.acknowledge_receipt(actor=services.actor_for(user, episode), event=event)
        body = ReceiptSerializer(
            {"event_id": event.pk, "acknowledged_at": receipt.acknowledged_at}
        ).data
        return Response(body, status=201)


class AcknowledgeAll(APIView):
    @extend_schema(
        operation_id="events_acknowledge_all",
        summary="Kvittera alla meddelanden i en episod",
        description=(
            "Alla meddelanden från andra organisationer som din organisation inte "
            "kvitterat; alla eller inget."
        ),
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: ReceiptsSerializer, **errors(422)},
        examples=[EXAMPLES["receipts"]],
        tags=["kvittenser"],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        episode = selectors.get_visible_episode(user, pk)
        receipts = services.acknowledge_all(
            actor=services.actor_for(user, episode), episode=episode
        )
        rows = [{"event_id": r.event_id, "acknowledged_at": r.acknowledged_at} for r in receipts]
        return Response(ReceiptsSerializer({"receipts": rows}).data)


class Worklist(APIView):
    @extend_schema(
        operation_id="worklist",
        summary="Att göra",
        description=(
            "Det som väntar på anroparens organisationer: försenat först, sedan det "
            "som förfaller i dag."
        ),
        responses={200: WorklistSerializer, **errors()},
        examples=[EXAMPLES["worklist"]],
        tags=["att göra"],
    )
    def get(self, request: Request) -> Response:
        user = api_user(request)
        rows = worklists.worklist(user)
        access_log.log_access(
            user, [row.episode for row in rows], AccessAction.WORKLIST, detail="api"
        )
        return Response(WorklistSerializer({"rows": [present.worklist_row(r) for r in rows]}).data)


class PatientLookup(APIView):
    @extend_schema(
        operation_id="patients_lookup",
        summary="Sök patient på personnummer",
        description=(
            "Personnumret skickas i innehållet (aldrig i adressen); svaret är de "
            "episoder du får se."
        ),
        request=PatientLookupSerializer,
        responses={200: PatientLookupResultSerializer, **errors()},
        examples=[
            EXAMPLES["lookup"],
            OpenApiExample("lookup", request_only=True, value={"personnummer": "19410315-1234"}),
        ],
        tags=["patienter"],
    )
    def post(self, request: Request) -> Response:
        user = api_user(request)
        form = PersonnummerSearchForm(json_form_data(request.data, {"personnummer"}))
        if not form.is_valid():
            raise invalid(form_errors(form))
        patient = Patient.objects.filter(personnummer=form.cleaned_data["personnummer"]).first()
        episodes: list[Episode] = []
        if patient is not None:
            episodes = list(
                selectors.visible_episodes(user)
                .filter(patient=patient)
                .select_related("patient")
                .order_by("-admitted_at", "-id")[:100]
            )
        access_log.log_access(user, episodes, AccessAction.API_LIST, detail="personnummer")
        return Response(PatientLookupResultSerializer({"episodes": summaries(user, episodes)}).data)


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@permission_classes([AllowAny])
def not_found(request: Request, **kwargs: Any) -> Response:
    """Any other path under /api/: the API's 404, not the pages'."""
    raise ApiError(404, "not_found", _("Not found."))
