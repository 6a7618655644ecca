"""Building import CSV files and running the commands, for the import, statistics and report tests.

- ``pnr(serial)``: a valid 12-digit personnummer (check digit from ``luhn_check_digit``).
- ``row(...)``: one CSV row as a dict of strings, every column spelled out by the caller.
- ``stay(...)``: a row derived from a ready date and a discharge date with the usual times
  (admitted five days before the ready date at 08:00, admission notice two hours later, ready
  notice at 09:00 on the ready date, discharge at 14:00), each prerequisite switchable.
- ``full_row()`` / ``minimal_row()``: the import tests' rows A-1 (every column filled: a
  red-track stay in Umeå with a SIP, discharged home) and B-1 (only the required facts).
- ``write_csv`` / ``import_csv_file`` / ``report``: files under pytest's ``tmp_path`` and the
  management commands through ``call_command`` (messages in English).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.utils import translation

from discharges.personnummer import luhn_check_digit

# The columns of the issue, in its order: required, then optional.
REQUIRED = (
    "episode_id", "personnummer", "kommun", "care_type", "admitted_at", "admission_notice_at",
    "preliminary_ready_date", "ready_date", "ready_notice_at", "sip_needed",
    "sip_invitation_at", "discharged_at",
)  # fmt: skip
OPTIONAL = (
    "hospital", "ward", "health_centre", "track_colour", "named_contact", "sip_held_date",
    "destination",
)  # fmt: skip
COLUMNS = REQUIRED + OPTIONAL

AGREEMENTS = Path(__file__).resolve().parent.parent / "payment" / "agreements"


def pnr(serial: int, born: date = date(1940, 5, 17)) -> str:
    """A valid personnummer YYYYMMDDNNNC for ``born`` with serial number ``serial`` (0-999)."""
    nine = f"{born:%y%m%d}{serial:03d}"
    return f"{born:%Y}{nine[2:]}{luhn_check_digit(nine)}"


def bad_check_digit(number: str) -> str:
    """``number`` with its check digit changed: the Luhn check then fails."""
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def row(episode_id: str, personnummer: str, **values: Any) -> dict[str, str]:
    """A CSV row; columns not given are empty ("not sent / not known")."""
    data = dict.fromkeys(COLUMNS, "")
    data.update(episode_id=episode_id, personnummer=personnummer)
    for key, value in values.items():
        if key not in data:
            raise KeyError(f"no column {key}")
        data[key] = "" if value is None else str(value)
    return data


def stay(
    episode_id: str,
    serial: int,
    ready: date,
    discharge: date | None,
    *,
    kommun: str = "2480",
    care_type: str = "somatik",
    admission_notice: bool = True,
    ready_notice: str | None = "09:00",
    sip_invitation_day: date | None = None,
    sip_needed: bool | None = None,
    **extra: Any,
) -> dict[str, str]:
    """A stay with a ready date: ``ready_notice`` is the notice's local clock time (None: the
    ready date is known but no notice was sent); ``sip_invitation_day`` sends the invitation
    at 08:30 that day (and implies ``sip_needed``)."""
    admitted = ready - timedelta(days=5)
    if sip_invitation_day is not None and sip_needed is None:
        sip_needed = True
    return row(
        episode_id,
        pnr(serial),
        kommun=kommun,
        care_type=care_type,
        admitted_at=f"{admitted}T08:00",
        admission_notice_at=f"{admitted}T10:00" if admission_notice else "",
        ready_date=ready.isoformat(),
        ready_notice_at=f"{ready}T{ready_notice}" if ready_notice else "",
        sip_needed={True: "ja", False: "nej", None: ""}[sip_needed],
        sip_invitation_at=f"{sip_invitation_day}T08:30" if sip_invitation_day else "",
        discharged_at=f"{discharge}T14:00" if discharge else "",
        **extra,
    )


def full_row(**overrides: Any) -> dict[str, str]:
    """Every column filled: a red-track stay in Umeå with a SIP, discharged home."""
    values: dict[str, Any] = {
        "kommun": "2480",
        "care_type": "somatik",
        "admitted_at": "2026-03-02T08:00",
        "admission_notice_at": "2026-03-02T10:30",
        "preliminary_ready_date": "2026-03-09",
        "ready_date": "2026-03-10",
        "ready_notice_at": "2026-03-10T09:15",
        "sip_needed": "ja",
        "sip_invitation_at": "2026-03-11T13:00",
        "discharged_at": "2026-03-16T11:45",
        "hospital": "Norrlands universitetssjukhus",
        "ward": "Avdelning 4 medicin",
        "health_centre": "Ålidhems hälsocentral",
        "track_colour": "röd",
        "named_contact": "ja",
        "sip_held_date": "2026-03-13",
        "destination": "ordinary_home",
    }
    values.update(overrides)
    return row(values.pop("episode_id", "A-1"), values.pop("personnummer", pnr(1)), **values)


def minimal_row(**overrides: Any) -> dict[str, str]:
    """Only the required facts: registered, nothing sent yet."""
    values: dict[str, Any] = {
        "kommun": "2482",
        "care_type": "psykiatri",
        "admitted_at": "2026-04-01T22:10",
    }
    values.update(overrides)
    return row(values.pop("episode_id", "B-1"), values.pop("personnummer", pnr(2)), **values)


def csv_text(
    rows: list[dict[str, str]],
    columns: tuple[str, ...] | list[str] = COLUMNS,
    *,
    delimiter: str = ",",
    lineterminator: str = "\n",
) -> str:
    """The rows as CSV text (``delimiter=";"``, ``lineterminator="\r\n"``: as Swedish Excel
    writes it; a cell holding a line break, the separator or a quote is quoted)."""
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=list(columns), delimiter=delimiter, lineterminator=lineterminator
    )
    writer.writeheader()
    for data in rows:
        writer.writerow({c: data.get(c, "") for c in columns})
    return out.getvalue()


def write_csv(
    path: Path,
    rows: list[dict[str, str]],
    columns: tuple[str, ...] | list[str] = COLUMNS,
    **form: str,
) -> Path:
    """``csv_text`` written as UTF-8; ``form`` as for csv_text."""
    path.write_text(csv_text(rows, columns, **form), encoding="utf-8")
    return path


def run_command(name: str, *args: Any, **options: Any) -> tuple[str, str]:
    """Run a management command in English; returns (stdout, stderr). Errors propagate."""
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command(name, *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def import_csv_file(path: Path) -> str:
    """``import_episodes PATH``; returns its summary line."""
    return run_command("import_episodes", str(path))[0]


def import_rows(tmp_path: Path, rows: list[dict[str, str]], name: str = "episodes.csv") -> str:
    return import_csv_file(write_csv(tmp_path / name, rows))


def load_agreement(path: Path) -> str:
    return run_command("load_agreement", str(path))[0]


def load_shipped(name: str) -> str:
    """Load payment/agreements/<name>.toml."""
    return load_agreement(AGREEMENTS / f"{name}.toml")


def report(agreement: str, first: str, last: str, *, detail: bool = True) -> dict[str, Any]:
    """``payment_report`` as JSON, parsed."""
    args = ["--agreement", agreement, "--from", first, "--to", last]
    if detail:
        args.append("--detail")
    out, _err = run_command("payment_report", *args)
    return json.loads(out)
