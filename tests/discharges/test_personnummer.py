"""discharges.personnummer: parsing, normalising, masking and redacting Swedish ID numbers."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from discharges.models import Patient
from discharges.personnummer import (
    birth_date,
    format_personnummer,
    is_coordination_number,
    luhn_check_digit,
    mask_personnummer,
    normalise_personnummer,
    redact,
    validate_personnummer,
)
from tests.conftest import personnummer_for

TODAY = date(2025, 6, 1)
# Skatteverket's own test number: 12 December 1912, serial 121, check digit 2.
TOLVAN = "191212121212"


def error_code(value: str, today: date = TODAY) -> str | None:
    with pytest.raises(ValidationError) as info:
        normalise_personnummer(value, today=today)
    return info.value.code


def wrong_check_digit(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def test_it_computes_the_luhn_check_digit_as_skatteverket() -> None:
    assert luhn_check_digit("121212121") == 2
    assert luhn_check_digit("811218987") == 6


def test_it_accepts_a_valid_12_digit_number_unchanged() -> None:
    assert normalise_personnummer(TOLVAN, today=TODAY) == TOLVAN


def test_it_accepts_a_12_digit_number_with_hyphen() -> None:
    assert normalise_personnummer("19121212-1212", today=TODAY) == TOLVAN


@pytest.mark.parametrize("value", ["8112189876", "811218-9876", " 811218-9876 ", "811218 9876"])
def test_it_normalises_a_10_digit_number_to_12_digits(value: str) -> None:
    assert normalise_personnummer(value, today=TODAY) == "198112189876"


def test_it_puts_a_10_digit_number_in_the_latest_century_that_is_in_the_past() -> None:
    assert normalise_personnummer("121212-1212", today=TODAY) == "201212121212"


def test_it_puts_a_birthday_later_this_year_in_the_previous_century() -> None:
    number = personnummer_for(date(1925, 7, 1), 123)
    short = number[2:8] + "-" + number[8:]
    assert normalise_personnummer(short, today=TODAY) == number


def test_it_reads_the_plus_separator_as_aged_100_or_more() -> None:
    assert normalise_personnummer("121212+1212", today=TODAY) == TOLVAN


def test_it_refuses_a_wrong_check_digit_with_code_checksum() -> None:
    assert error_code(wrong_check_digit(TOLVAN)) == "checksum"
    assert error_code("811218-9877") == "checksum"


@pytest.mark.parametrize(
    "value",
    [
        "199913011234",  # month 13
        "19990230" + "1234",  # 30 February
        "990230-1234",  # the same in the 10-digit form
        "199900011234",  # month 0
        "199901001234",  # day 0
    ],
)
def test_it_refuses_a_date_that_does_not_exist_with_code_date(value: str) -> None:
    assert error_code(value) == "date"


def test_it_refuses_a_birth_date_in_the_future_with_code_date() -> None:
    tomorrow = personnummer_for(date(2025, 6, 2), 123)
    assert error_code(tomorrow) == "date"


def test_it_accepts_a_birth_date_today() -> None:
    today = personnummer_for(TODAY, 123)
    assert normalise_personnummer(today, today=TODAY) == today


def test_it_accepts_a_samordningsnummer_with_day_plus_60() -> None:
    number = personnummer_for(date(1985, 3, 7), 456, coordination=True)
    assert number[6:8] == "67"
    assert normalise_personnummer(number, today=TODAY) == number
    assert normalise_personnummer(number[2:8] + "-" + number[8:], today=TODAY) == number
    assert is_coordination_number(number)
    assert birth_date(number) == date(1985, 3, 7)


def test_it_refuses_a_samordningsnummer_with_a_wrong_check_digit() -> None:
    number = personnummer_for(date(1985, 3, 7), 456, coordination=True)
    assert error_code(wrong_check_digit(number)) == "checksum"


def test_it_refuses_a_samordningsnummer_whose_day_does_not_exist() -> None:
    # Day 92 = 32 + 60.
    nine = "850392456"
    assert error_code(f"19{nine}{luhn_check_digit(nine)}") == "date"


def test_it_tells_a_personnummer_from_a_samordningsnummer() -> None:
    assert not is_coordination_number(TOLVAN)
    assert birth_date(TOLVAN) == date(1912, 12, 12)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "abc",
        "12345",
        "19121212-12123",  # a digit too many after the separator
        "1912121212121",  # 13 digits
        "191212/1212",
        "19121212--1212",
        "19121212-121X",
    ],
)
def test_it_refuses_a_wrong_format_with_code_format(value: str) -> None:
    assert error_code(value) == "format"


def test_it_validates_the_stored_form_as_12_digits_without_separator() -> None:
    assert validate_personnummer(TOLVAN) is None  # no ValidationError
    with pytest.raises(ValidationError) as info:
        validate_personnummer("19121212-1212")
    assert info.value.code == "format"


@pytest.mark.parametrize(
    ("value", "code"),
    [("121212-1212", "format"), ("191212121213", "checksum"), ("199913011234", "date")],
)
def test_it_refuses_an_invalid_number_in_the_patient_model(value: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        Patient(personnummer=value).clean_fields(exclude=["kommun", "health_centre"])
    errors = info.value.error_dict["personnummer"]
    assert [e.code for e in errors] == [code]


def test_it_accepts_a_valid_number_in_the_patient_model() -> None:
    patient = Patient(personnummer=TOLVAN, name="Tolvan")
    assert patient.clean_fields(exclude=["kommun", "health_centre"]) is None
    assert patient.is_coordination_number is False


def test_it_masks_the_last_four_digits() -> None:
    assert mask_personnummer(TOLVAN) == "19121212-****"
    assert Patient(personnummer=TOLVAN).masked_personnummer == "19121212-****"
    assert "1212" not in mask_personnummer(TOLVAN)[9:]


def test_it_formats_with_a_hyphen() -> None:
    assert format_personnummer(TOLVAN) == "19121212-1212"


@pytest.mark.parametrize(
    "text",
    [
        "patient 191212121212 saknas",
        "patient 19121212-1212 saknas",
        "patient 121212-1212 saknas",
        "patient 121212+1212 saknas",
        "patient 1212121212 saknas",
        "pnr=191212121212&x=1",
    ],
)
def test_it_redacts_a_personnummer_in_free_text(text: str) -> None:
    redacted = redact(text)
    assert "[personnummer]" in redacted
    assert "1212" not in redacted.replace("[personnummer]", "")


def test_it_redacts_every_number_in_a_text() -> None:
    assert redact("191212121212 och 811218-9876") == "[personnummer] och [personnummer]"


@pytest.mark.parametrize(
    "text", ["episode SVU-12345", "2025-06-01 12:00", "version 3 of 12", "telefon 090-785 00 00"]
)
def test_it_leaves_other_numbers_alone(text: str) -> None:
    assert redact(text) == text
