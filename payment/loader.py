"""Agreements from TOML files: validated key by key, upserted by ``name`` in one transaction."""

from __future__ import annotations

import re
import tomllib
from datetime import date, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction

from discharges.models import Region
from payment.models import Agreement, DailyAmount, LiabilityModel

KEYS = {
    "name", "title", "region", "first_month", "model", "threshold_days", "months_to_enter",
    "months_to_exit", "separate_care_types", "sip_invitation_required", "sip_invitation_days",
    "notice_cutoff", "liability_from_day", "daily_amounts",
}  # fmt: skip
REQUIRED = ("name", "title", "region", "first_month", "model", "daily_amounts")


class AgreementInvalid(Exception):
    """The file was refused; ``errors`` name each key that is wrong. Nothing was stored."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _int(errors: list[str], key: str, value: Any, minimum: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        errors.append(f"key {key}: must be a whole number >= {minimum}")
        return None
    return value


def _bool(errors: list[str], key: str, value: Any) -> bool | None:
    if not isinstance(value, bool):
        errors.append(f"key {key}: must be true or false")
        return None
    return value


def parse_agreement(data: dict[str, Any]) -> dict[str, Any]:
    """Validate the TOML table; returns model field values plus ``daily_amounts``."""
    errors: list[str] = []
    for key in sorted(set(data) - KEYS):
        errors.append(f"key {key}: unknown key")
    for key in REQUIRED:
        if key not in data:
            errors.append(f"key {key}: required")
    values: dict[str, Any] = {}
    name = data.get("name")
    if "name" in data and not (isinstance(name, str) and re.fullmatch(r"[a-z0-9_-]{1,64}", name)):
        errors.append("key name: lower-case letters, digits, - and _ (at most 64)")
    values["name"] = name
    title = data.get("title")
    if "title" in data and not (isinstance(title, str) and title.strip()):
        errors.append("key title: must be a non-empty string")
    values["title"] = title
    region_code = data.get("region")
    if "region" in data:
        region = Region.objects.filter(code=str(region_code)).first()
        if region is None:
            errors.append(f"key region: unknown länskod {region_code!r}")
        values["region"] = region
    _parse_terms(data, values, errors)
    amounts = _parse_daily_amounts(data, errors)
    if errors:
        raise AgreementInvalid(errors)
    values["daily_amounts"] = amounts
    return values


def _parse_terms(data: dict[str, Any], values: dict[str, Any], errors: list[str]) -> None:
    """The agreement's terms: first month, model, threshold, counts, flags and cut-off."""
    if "first_month" in data:
        raw = data["first_month"]
        try:
            if not isinstance(raw, str) or not re.fullmatch(r"\d{4}-\d{2}", raw):
                raise ValueError
            values["first_month"] = date.fromisoformat(f"{raw}-01")
        except ValueError:
            errors.append('key first_month: must be a month, "YYYY-MM"')
    if "model" in data:
        if data["model"] not in LiabilityModel.values:
            errors.append(f"key model: must be one of {', '.join(LiabilityModel.values)}")
        values["model"] = data["model"]
    if "threshold_days" in data:
        raw = data["threshold_days"]
        try:
            if isinstance(raw, bool) or not isinstance(raw, int | float):
                raise InvalidOperation
            threshold = Decimal(str(raw))
            if (
                threshold < 0
                or threshold >= 1000
                or threshold != threshold.quantize(Decimal("0.01"))
            ):
                raise InvalidOperation
            values["threshold_days"] = threshold
        except InvalidOperation:
            errors.append("key threshold_days: must be a number >= 0 with at most 2 decimals")
    for key, minimum in (
        ("months_to_enter", 1), ("months_to_exit", 1), ("sip_invitation_days", 0),
        ("liability_from_day", 1),
    ):  # fmt: skip
        if key in data:
            values[key] = _int(errors, key, data[key], minimum)
    for key in ("separate_care_types", "sip_invitation_required"):
        if key in data:
            values[key] = _bool(errors, key, data[key])
    if "notice_cutoff" in data:
        raw = data["notice_cutoff"]
        try:
            if not isinstance(raw, str) or not re.fullmatch(r"\d{2}:\d{2}", raw):
                raise ValueError
            values["notice_cutoff"] = time.fromisoformat(raw)
        except ValueError:
            errors.append('key notice_cutoff: must be a clock time, "HH:MM"')


def _parse_daily_amounts(data: dict[str, Any], errors: list[str]) -> dict[int, int]:
    """``[daily_amounts]``: year = SEK per day."""
    amounts: dict[int, int] = {}
    if "daily_amounts" in data:
        table = data["daily_amounts"]
        if not isinstance(table, dict) or not table:
            errors.append("key daily_amounts: must be a table of year = SEK per day")
        else:
            for year, amount in table.items():
                if not re.fullmatch(r"\d{4}", str(year)):
                    errors.append(f"key daily_amounts.{year}: the key must be a year (YYYY)")
                elif _int(errors, f"daily_amounts.{year}", amount, 0) is not None:
                    amounts[int(year)] = amount
    return amounts


@transaction.atomic
def load_agreement(path: Path) -> tuple[Agreement, bool]:
    """Upsert the agreement in ``path`` by its name. Returns (agreement, created)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise AgreementInvalid([f"file {path.name}: not valid TOML ({exc})"]) from exc
    values = parse_agreement(data)
    amounts = values.pop("daily_amounts")
    name = values.pop("name")
    defaults = {
        field.name: field.get_default()
        for field in Agreement._meta.concrete_fields
        if field.name not in ("id", "name", "updated_at") and field.has_default()
    }
    defaults.update(notice_cutoff=None, liability_from_day=None)
    defaults.update(values)
    agreement, created = Agreement.objects.update_or_create(name=name, defaults=defaults)
    agreement.daily_amounts.all().delete()
    DailyAmount.objects.bulk_create(
        DailyAmount(agreement=agreement, year=year, amount_sek=amount)
        for year, amount in sorted(amounts.items())
    )
    agreement.terms()  # the rule functions accept these terms
    return agreement, created
