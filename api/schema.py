"""Pieces of the OpenAPI schema shared by the views: the error answers every endpoint may give."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from api.serializers import ErrorSerializer

_ERRORS = {
    400: (
        "Ogiltiga uppgifter: varje felaktigt fält namnges i fields",
        "invalid",
        "Förfrågan har ogiltiga fält.",
        {"version": ["Detta fält måste fyllas i."]},
    ),
    401: (
        "Ingen eller ogiltig token",
        "not_authenticated",
        "Token är okänd, har gått ut eller är återkallad.",
        {},
    ),
    403: ("Organisationen får inte göra detta", "forbidden", "Du får inte göra detta.", {}),
    404: (
        "Finns inte, eller ligger utanför din behörighet (samma svar)",
        "not_found",
        "Hittades inte.",
        {},
    ),
    409: (
        "Episoden har ändrats sedan den version du utgick från",
        "stale",
        "Episoden har ändrats; läs den igen.",
        {"version": ["Episoden har ändrats; läs den igen."]},
    ),
    422: (
        "Idempotency-Key har använts för en annan förfrågan",
        "idempotency_key_reused",
        "Denna Idempotency-Key användes för en annan förfrågan; använd en ny nyckel.",
        {},
    ),
    429: (
        "För många förfrågningar från denna token",
        "rate_limited",
        "För många förfrågningar; försök igen om 30 sekunder.",
        {},
    ),
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The error answers ``codes`` as the schema describes them (one shape, api.errors)."""
    out = {}
    for code in (400, 401, 403, 404, 429, *codes):
        description, error, detail, fields = _ERRORS[code]
        example: dict[str, Any] = {"error": error, "detail": detail, "fields": fields}
        if code == 409:
            example["current_version"] = 7
        out[code] = OpenApiResponse(
            ErrorSerializer,
            description=description,
            examples=[
                OpenApiExample(error, value=example, response_only=True, status_codes=[str(code)])
            ],
        )
    return out


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Samma nyckel och samma innehåll igen ger det första svaret och sparar "
        "inget två gånger; samma nyckel med annat innehåll ger 422. Nycklar sparas "
        "24 timmar per token."
    ),
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Episodens version som skrivningen utgår från (som fältet version); en äldre ger 409."
    ),
)


def only_v1(endpoints: list[tuple[Any, ...]], **kwargs: Any) -> list[tuple[Any, ...]]:
    """The schema's paths: version 1 (the aliases of before v1 are the same views)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


def ok(status: int, value: Any) -> OpenApiExample:
    """An example of a successful answer."""
    return OpenApiExample(str(status), value=value, response_only=True, status_codes=[str(status)])


PATIENT = {"name": "Greta Lindqvist", "personnummer": "194103151017"}
EPISODE = {
    "id": 33,
    "reference": "SVU-33",
    "version": 2,
    "status": "planning",
    "status_label": "Planering",
    "patient": PATIENT,
    "preliminary_ready_date": "2026-12-03",
    "ready_date": None,
    "discharged_at": None,
    "details_visible": False,
    "care_type": None,
    "care_type_label": None,
    "admitted_at": None,
}
TASK = {
    "code": "answer",
    "label": "Svara på inskrivningsmeddelandet",
    "due": None,
    "overdue": False,
}
EXAMPLES = {
    "list": ok(200, {"count": 1, "next": None, "previous": None, "results": [EPISODE]}),
    "episode": ok(
        201, {**EPISODE, "version": 1, "status": "registered", "status_label": "Registrerad"}
    ),
    "lookup": ok(200, {"episodes": [EPISODE]}),
    "receipt": ok(201, {"event_id": 4711, "acknowledged_at": "2026-11-29T14:02:00+01:00"}),
    "receipts": ok(
        200, {"receipts": [{"event_id": 4711, "acknowledged_at": "2026-11-29T14:02:00+01:00"}]}
    ),
    "worklist": ok(
        200,
        {
            "rows": [
                {
                    "episode_id": 33,
                    "reference": "SVU-33",
                    "version": 2,
                    "status": "planning",
                    "status_label": "Planering",
                    "party": "kommun",
                    "patient": PATIENT,
                    "expected_date": "2026-12-03",
                    "days_ready": None,
                    "unacknowledged": 1,
                    "urgency": "later",
                    "tasks": [TASK],
                }
            ]
        },
    ),
}
