"""A personnummer typed into the list's name search never travels as a GET, and gunicorn's
access log carries no query string (issue 7, point 6).

- The list's "Namn eller id" search is a GET form: a query shaped like a personnummer or
  samordningsnummer (10 or 12 digits, with or without - or +) is not searched, not echoed in
  the page or its links, and the page points to the personnummer search (a POST).
- The name search field refuses such input in the browser already (``pattern``).
- gunicorn (docker-compose.yml, the Dockerfile) runs with svu/gunicorn_conf.py: its access log
  line holds the path without the query string and no referrer; its error log is redacted.
"""

from __future__ import annotations

import html
import importlib
import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from django.test import Client
from gunicorn.config import Config
from gunicorn.glogging import Logger

from discharges.models import AccessAction, AccessLogEntry, Episode
from discharges.personnummer import PERSONNUMMER_IN_TEXT
from tests.discharges.pages import LIST_URL, assert_no_number, links, listed_ids

ROOT = Path(__file__).resolve().parent.parent.parent
REFUSAL = "Sök på personnummer i fältet Personnummer"


def typed_forms(number: str) -> dict[str, str]:
    ten = number[2:]
    return {
        "twelve": number,
        "twelve-hyphen": f"{number[:8]}-{number[8:]}",
        "ten": ten,
        "ten-hyphen": f"{ten[:6]}-{ten[6:]}",
        "ten-plus": f"{ten[:6]}+{ten[6:]}",
        "inside-a-name": f"Greta {number[:8]}-{number[8:]}",
        "spaced": f" {number} ",
    }


@pytest.mark.parametrize(
    "form",
    ["twelve", "twelve-hyphen", "ten", "ten-hyphen", "ten-plus", "inside-a-name", "spaced"],
)
def test_a_personnummer_in_the_name_search_is_refused_and_not_echoed(
    form: str, nurse: Client, noticed: Episode
) -> None:
    number = noticed.patient.personnummer
    typed = typed_forms(number)[form]
    response = nurse.get(LIST_URL, {"status": "all", "q": typed})
    assert response.status_code == 200
    assert listed_ids(response) == set()
    # Neither the input field, the pager nor any link carries the number back.
    assert response.context["query"] == ""
    content = response.content.decode()
    without_rows = content.replace(f"{number[:8]}-{number[8:]}", "")  # no row is listed anyway
    assert_no_number(without_rows, number)
    for link in links(response.content):
        assert_no_number(link, number)
    # The page says where to search instead.
    [error] = response.context["filter_errors"]
    assert REFUSAL in error
    assert f'<li class="error">{error}</li>' in content
    # Nothing was read, so nothing is logged as read.
    assert not AccessLogEntry.objects.filter(action=AccessAction.LIST).exists()


def test_a_name_or_an_id_is_still_searched(nurse: Client, noticed: Episode) -> None:
    by_name = nurse.get(LIST_URL, {"status": "all", "q": noticed.patient.name})
    assert listed_ids(by_name) == {noticed.pk}
    assert not by_name.context.get("filter_errors")
    short_number = nurse.get(LIST_URL, {"status": "all", "q": "4711"})
    assert short_number.status_code == 200
    assert not short_number.context.get("filter_errors")


def test_the_name_search_field_refuses_a_personnummer_in_the_browser(
    nurse: Client, noticed: Episode
) -> None:
    page = nurse.get(LIST_URL).content.decode()
    [field] = re.findall(r"<input[^>]*name=\"q\"[^>]*>", page)
    pattern = re.search(r'pattern="([^"]*)"', field)
    assert pattern is not None, field
    # The browser anchors the pattern to the whole value (HTML: ^(?:pattern)$).
    browser = re.compile(f"^(?:{html.unescape(pattern.group(1))})$")
    number = noticed.patient.personnummer
    for typed in typed_forms(number).values():
        assert not browser.match(typed.strip()), typed
    for allowed in ("Greta Lindqvist", "SVU-12", "LC-2024-000123", "4711"):
        assert browser.match(allowed), allowed


# --- gunicorn ---------------------------------------------------------------------------------


def access_line(fmt: str, uri: str, referer: str) -> str:
    """The access log line gunicorn writes with ``fmt`` for a GET of ``uri``."""
    cfg = Config()
    cfg.set("access_log_format", fmt)
    logger = Logger(cfg)
    path, _sep, query = uri.partition("?")
    request = SimpleNamespace(
        method="GET", uri=uri, path=path, query=query, version=(1, 1), headers=[]
    )
    response = SimpleNamespace(status="200 OK", sent=1234, headers=[])
    environ = {
        "REMOTE_ADDR": "10.0.0.1",
        "REQUEST_METHOD": "GET",
        "RAW_URI": uri,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": referer,
        "HTTP_USER_AGENT": "Firefox",
    }
    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=12))
    return fmt % atoms


def gunicorn_settings() -> Any:
    """svu/gunicorn_conf.py, the file gunicorn is started with."""
    return importlib.import_module("svu.gunicorn_conf")


def test_the_access_log_format_leaves_out_the_query_string_and_the_referrer() -> None:
    gunicorn_conf = gunicorn_settings()
    number = "194103151010"
    uri = f"/episodes/?q={number}"
    line = access_line(gunicorn_conf.access_log_format, uri, f"http://svu/episodes/?q={number}")
    assert "/episodes/" in line
    assert "GET" in line
    assert " 200 " in line
    assert number not in line
    assert not PERSONNUMMER_IN_TEXT.search(line)
    # The reproduction: gunicorn's default format writes the number.
    assert number in access_line(Config().access_log_format, uri, "")
    assert gunicorn_conf.accesslog == "-"


def test_the_error_log_is_redacted(tmp_path: Path) -> None:
    gunicorn_conf = gunicorn_settings()
    cfg = Config()
    cfg.set("errorlog", str(tmp_path / "error.log"))
    cfg.set("logger_class", "svu.gunicorn_conf.RedactingLogger")
    logger = cfg.logger_class(cfg)
    logger.error("Error handling request %s", "/episodes/?q=19410315-1010")
    written = (tmp_path / "error.log").read_text()
    assert "Error handling request /episodes/?q=[personnummer]" in written
    assert "1010" not in written
    assert gunicorn_conf.logger_class == "svu.gunicorn_conf.RedactingLogger"


def test_compose_and_the_dockerfile_run_gunicorn_with_the_config_file() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    command = compose["services"]["web"]["command"]
    assert "gunicorn svu.wsgi:application" in command
    assert "--config svu/gunicorn_conf.py" in command
    assert "--access-logfile" not in command  # set in the config file, with its format
    dockerfile = (ROOT / "Dockerfile").read_text()
    [cmd] = [line for line in dockerfile.splitlines() if line.startswith("CMD ")]
    assert '"--config", "svu/gunicorn_conf.py"' in cmd
    assert '"svu.wsgi:application"' in cmd
