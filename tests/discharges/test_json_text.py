"""The JSON of an import's events (discharges/bulk.py ``json_text``): orjson where JSON holds
the value natively, Django's encoder otherwise; the same values as Django's encoder either
way, which is what the pages store."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from discharges import bulk
from discharges.models import CareType, EventKind


@pytest.mark.parametrize(
    "data",
    [
        {"note": 'åäö "citat" \\ \n tab\t', "n": 3, "ok": True, "none": None},
        {"list": [1, 2.5, "x"], "nested": {"a": {"b": []}}},
        {"big": 2**70},  # orjson refuses: Django's encoder
        {"day": date(2026, 1, 2), "at": datetime(2026, 1, 2, 13, 5, 1, 123456, tzinfo=UTC)},
        {"amount": Decimal("9300.00")},
        {"kind": EventKind.REGISTERED, "care": CareType.PSYCHIATRIC},
    ],
)
def test_json_text_holds_the_values_djangos_encoder_gives(data: dict[str, Any]) -> None:
    text = bulk.json_text(data)
    assert json.loads(text) == json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def test_dates_and_times_are_written_as_the_pages_write_them() -> None:
    at = datetime(2026, 1, 2, 13, 5, 1, 123456, tzinfo=UTC)
    assert bulk.json_text({"at": at}) == DjangoJSONEncoder().encode({"at": at})
