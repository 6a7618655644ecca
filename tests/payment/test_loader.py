"""`python manage.py load_agreement PATH`: upsert by name; an invalid file is refused with the
key named and nothing stored."""

from __future__ import annotations

import io
from datetime import date, time
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from payment.models import Agreement, DailyAmount
from tests.csvfiles import AGREEMENTS, load_agreement, run_command

pytestmark = pytest.mark.django_db

VALID = """
name = "test-avtal"
title = "Testavtal"
region = "24"
first_month = "2026-01"
model = "kommun_average"
threshold_days = 4.5
months_to_enter = 2
months_to_exit = 4
separate_care_types = true
sip_invitation_required = false
sip_invitation_days = 5

[daily_amounts]
2025 = 9000
2026 = 9500
"""


def write(tmp_path: Path, text: str, name: str = "avtal.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path) -> tuple[list[str], str]:
    """(stderr lines, CommandError text) of a refused load."""
    err = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("load_agreement", str(path), stdout=io.StringIO(), stderr=err)
    return err.getvalue().splitlines(), str(info.value)


def amounts(agreement: Agreement) -> dict[int, int]:
    return dict(agreement.daily_amounts.values_list("year", "amount_sek"))


def test_shipped_agreements_load() -> None:
    assert load_agreement(AGREEMENTS / "vasterbotten.toml").startswith(
        "agreement vasterbotten created: Region Västerbotten och länets kommuner"
    )
    assert load_agreement(AGREEMENTS / "jamtland.toml").startswith("agreement jamtland created")

    vb = Agreement.objects.get(name="vasterbotten")
    assert vb.region.code == "24"
    assert vb.first_month == date(2022, 1, 1)
    assert vb.model == "kommun_average"
    assert vb.threshold_days == Decimal("3.00")
    assert (vb.months_to_enter, vb.months_to_exit) == (3, 3)
    assert vb.separate_care_types is False
    assert (vb.sip_invitation_required, vb.sip_invitation_days) == (True, 3)
    assert vb.notice_cutoff is None and vb.liability_from_day is None
    assert amounts(vb) == {2022: 9300, 2023: 9300, 2024: 9300, 2025: 9300, 2026: 9300}

    jh = Agreement.objects.get(name="jamtland")
    assert jh.region.code == "23"
    assert jh.model == "per_episode"
    assert jh.notice_cutoff == time(12, 0)
    assert jh.liability_from_day == 3
    assert amounts(jh) == {2026: 9300}
    terms = jh.terms()
    assert terms.notice_cutoff == time(12, 0) and terms.liability_from_day == 3


def test_every_key_is_stored(tmp_path: Path) -> None:
    load_agreement(write(tmp_path, VALID))
    a = Agreement.objects.get(name="test-avtal")
    assert a.title == "Testavtal"
    assert a.first_month == date(2026, 1, 1)
    assert a.threshold_days == Decimal("4.50")
    assert (a.months_to_enter, a.months_to_exit) == (2, 4)
    assert a.separate_care_types is True
    assert a.sip_invitation_required is False
    assert a.sip_invitation_days == 5
    assert amounts(a) == {2025: 9000, 2026: 9500}


def test_loading_again_updates_by_name(tmp_path: Path) -> None:
    load_agreement(write(tmp_path, VALID))
    first = Agreement.objects.get(name="test-avtal")
    changed = (
        VALID.replace('title = "Testavtal"', 'title = "Testavtal, version 2"')
        .replace("threshold_days = 4.5\n", "")  # omitted: back to the default 3.00
        .replace("2025 = 9000\n", "")  # the 2025 amount is removed
        .replace("2026 = 9500", "2026 = 9600\n2027 = 9900")
    )
    out = load_agreement(write(tmp_path, changed, "v2.toml"))
    assert out.startswith("agreement test-avtal updated: Testavtal, version 2")
    assert Agreement.objects.count() == 1
    second = Agreement.objects.get(name="test-avtal")
    assert second.pk == first.pk
    assert second.title == "Testavtal, version 2"
    assert second.threshold_days == Decimal("3.00")
    assert amounts(second) == {2026: 9600, 2027: 9900}
    assert DailyAmount.objects.filter(agreement=second).count() == 2


def test_switching_model_clears_the_per_episode_terms(tmp_path: Path) -> None:
    per_episode = VALID.replace('model = "kommun_average"', 'model = "per_episode"').replace(
        "months_to_enter = 2\n", 'notice_cutoff = "12:00"\nliability_from_day = 4\n'
    )
    load_agreement(write(tmp_path, per_episode))
    a = Agreement.objects.get(name="test-avtal")
    assert (a.notice_cutoff, a.liability_from_day) == (time(12, 0), 4)
    load_agreement(write(tmp_path, VALID, "back.toml"))
    a.refresh_from_db()
    assert a.model == "kommun_average"
    assert (a.notice_cutoff, a.liability_from_day) == (None, None)
    a.terms()  # the rule functions accept the stored terms


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('region = "24"', 'region = "99"', "key region: unknown länskod '99'"),
        ('first_month = "2026-01"', 'first_month = "2026-13"',
         'key first_month: must be a month, "YYYY-MM"'),
        ('first_month = "2026-01"', 'first_month = "2026-01-01"',
         'key first_month: must be a month, "YYYY-MM"'),
        ('model = "kommun_average"', 'model = "kommunsnitt"',
         "key model: must be one of kommun_average, per_episode"),
        ("threshold_days = 4.5", "threshold_days = 3.001",
         "key threshold_days: must be a number >= 0 with at most 2 decimals"),
        ("threshold_days = 4.5", 'threshold_days = "3"',
         "key threshold_days: must be a number >= 0 with at most 2 decimals"),
        ("months_to_enter = 2", "months_to_enter = 0",
         "key months_to_enter: must be a whole number >= 1"),
        ("months_to_exit = 4", "months_to_exit = true",
         "key months_to_exit: must be a whole number >= 1"),
        ("separate_care_types = true", 'separate_care_types = "ja"',
         "key separate_care_types: must be true or false"),
        ("sip_invitation_days = 5", 'sip_invitation_days = 5\nnotice_cutoff = "12"',
         'key notice_cutoff: must be a clock time, "HH:MM"'),
        ("2025 = 9000", "2025 = -1", "key daily_amounts.2025: must be a whole number >= 0"),
        ("2025 = 9000", "25 = 9000", "key daily_amounts.25: the key must be a year (YYYY)"),
        ('title = "Testavtal"', 'title = "Testavtal"\nfirst_month_x = "2026-01"',
         "key first_month_x: unknown key"),
        ('name = "test-avtal"', 'name = "Test avtal"',
         "key name: lower-case letters, digits, - and _ (at most 64)"),
        ('title = "Testavtal"\n', "", "key title: required"),
    ],
)  # fmt: skip
def test_invalid_key_is_named_and_nothing_is_stored(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert old in VALID
    lines, message = refused(write(tmp_path, VALID.replace(old, new)))
    assert lines == [expected]
    assert message == "avtal.toml refused; nothing was stored"
    assert Agreement.objects.count() == 0
    assert DailyAmount.objects.count() == 0


def test_refused_update_leaves_the_stored_agreement(tmp_path: Path) -> None:
    load_agreement(write(tmp_path, VALID))
    bad = VALID.replace('title = "Testavtal"', 'title = "Ändrad"').replace(
        "months_to_enter = 2", "months_to_enter = -3"
    )
    lines, _message = refused(write(tmp_path, bad, "bad.toml"))
    assert lines == ["key months_to_enter: must be a whole number >= 1"]
    a = Agreement.objects.get(name="test-avtal")
    assert a.title == "Testavtal" and a.months_to_enter == 2
    assert amounts(a) == {2025: 9000, 2026: 9500}


def test_every_invalid_key_is_listed(tmp_path: Path) -> None:
    bad = (
        VALID.replace('region = "24"', 'region = "99"')
        .replace('model = "kommun_average"', 'model = "x"')
        .replace("[daily_amounts]\n2025 = 9000\n2026 = 9500\n", "")
    )
    lines, _message = refused(write(tmp_path, bad))
    assert sorted(lines) == sorted(
        [
            "key daily_amounts: required",
            "key region: unknown länskod '99'",
            "key model: must be one of kommun_average, per_episode",
        ]
    )


def test_not_toml_and_missing_file(tmp_path: Path) -> None:
    lines, _message = refused(write(tmp_path, 'name = "x"\nthis is not toml'))
    assert len(lines) == 1 and lines[0].startswith("file avtal.toml: not valid TOML")
    with pytest.raises(CommandError, match="no such file"):
        run_command("load_agreement", str(tmp_path / "missing.toml"))
