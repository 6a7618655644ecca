"""discharges.logging: no personnummer in a log line, wherever it comes from."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from discharges.logging import RedactPersonnummerFilter
from discharges.personnummer import normalise_personnummer

NUMBER = "191212121212"
HYPHENATED = "19121212-1212"
SHORT = "121212-1212"


@pytest.fixture
def log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger whose only handler writes to a buffer through the filter, as in settings."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    handler.addFilter(RedactPersonnummerFilter())
    logger = logging.getLogger("tests.svu.redaction")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    yield logger, stream
    logger.handlers = []


def assert_clean(output: str) -> None:
    assert "[personnummer]" in output
    for digits in ("1212121212", "121212-1212", "121212+1212"):
        assert digits not in output


@pytest.mark.parametrize("number", [NUMBER, HYPHENATED, SHORT, "121212+1212"])
def test_it_redacts_a_personnummer_in_the_message(
    number: str, log: tuple[logging.Logger, io.StringIO]
) -> None:
    logger, stream = log
    logger.warning(f"patient {number} not found")
    output = stream.getvalue()
    assert_clean(output)
    assert "WARNING tests.svu.redaction patient [personnummer] not found" in output


def test_it_redacts_a_personnummer_in_percent_args(log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log
    logger.info("patient %s, episode %d", HYPHENATED, 42)
    output = stream.getvalue()
    assert_clean(output)
    assert "patient [personnummer], episode 42" in output


def test_it_redacts_a_personnummer_in_mapping_args(log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log
    logger.info("patient %(pnr)s", {"pnr": NUMBER})
    assert_clean(stream.getvalue())


def test_it_redacts_a_personnummer_in_exception_text(
    log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = log
    try:
        raise ValueError(f"no patient with personnummer {NUMBER}")
    except ValueError:
        logger.exception("lookup failed for %s", SHORT)
    output = stream.getvalue()
    assert_clean(output)
    assert "Traceback" in output
    assert "ValueError: no patient with personnummer [personnummer]" in output


def test_it_redacts_a_validation_error_quoting_the_input(
    log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = log
    try:
        try:
            normalise_personnummer("191212121213")
        except ValidationError as exc:
            raise RuntimeError(f"bad input 191212121213: {exc.code}") from exc
    except RuntimeError:
        logger.error("import row rejected", exc_info=True)
    output = stream.getvalue()
    assert "191212121213" not in output
    assert "bad input [personnummer]: checksum" in output


def test_it_keeps_a_message_with_broken_args(log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log
    # Too few arguments: the raw message is kept (redacted) instead of losing the record.
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "pnr %s %s", (NUMBER,), None)
    assert RedactPersonnummerFilter().filter(record) is True
    assert record.args is None
    assert NUMBER not in record.getMessage()
    logger.handle(record)
    assert "pnr %s %s" in stream.getvalue()


def test_it_leaves_other_messages_alone(log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log
    logger.info("episode %s version %d at %s", "SVU-17", 3, "2025-03-12 09:30")
    assert "episode SVU-17 version 3 at 2025-03-12 09:30" in stream.getvalue()
    assert "[personnummer]" not in stream.getvalue()


def test_it_is_on_every_handler_of_the_settings() -> None:
    config = settings.LOGGING
    assert config["filters"]["redact_personnummer"]["()"] == (
        "discharges.logging.RedactPersonnummerFilter"
    )
    for name, handler in config["handlers"].items():
        assert "redact_personnummer" in handler.get("filters", []), name
