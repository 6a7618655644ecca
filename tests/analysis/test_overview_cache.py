"""The follow-up overview's cached figures (analysis/overview_cache.py): a cached page equals
the uncached one, every write the overview reads shows at once, viewers of different
small-number classes never share figures, and a cache hit reads fewer queries."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from django.contrib.auth.models import AbstractUser
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analysis.dashboards import Overview
from analysis.html import escape as table_escape
from analysis.overview_cache import Shown, shown_form
from analysis.statistics import compute_statistics
from discharges.models import Kommun
from discharges.population import import_population
from payment.monthly import store_monthly_liability
from tests.analysis.dashboard_data import Seeded, seed_region
from tests.conftest import Personas, clear_cache, login

OVERVIEW = reverse("analysis:dashboard")
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"|csrftoken[^;"]*')
# The charts' element ids come from a counter of the process: each build numbers them anew.
IDS = r"(chart|hatch)-\d+"


@pytest.fixture
def seeded(db: None) -> Seeded:
    return seed_region()


@pytest.fixture(autouse=True)
def cleared() -> Iterator[None]:
    clear_cache()
    yield
    clear_cache()


def figures(page: Overview | Shown) -> str:
    """The page's figures, charts and tables as the page shows them, without the charts'
    element ids (an uncached page is an Overview, a cached one its Shown form)."""
    form = shown_form(page) if isinstance(page, Overview) else page
    return re.sub(IDS, r"\1-N", repr(form))


def get(client: Client, *, cached: bool, url: str = OVERVIEW) -> tuple[Overview | Shown, bytes]:
    with override_settings(SVU_FOLLOW_UP_CACHE_SECONDS=3600 if cached else 0):
        response = client.get(url)
    assert response.status_code == 200
    html = re.sub(IDS.encode(), rb"\1-N", CSRF.sub(b"", response.content))
    return response.context["page"], html


def same_as_uncached(client: Client, url: str = OVERVIEW) -> Overview | Shown:
    """The cached page (read twice: stored, then from the cache) equals the uncached one."""
    stored, stored_html = get(client, cached=True, url=url)
    hit, hit_html = get(client, cached=True, url=url)
    fresh, fresh_html = get(client, cached=False, url=url)
    assert figures(stored) == figures(hit) == figures(fresh)
    assert stored_html == hit_html == fresh_html
    return hit


@pytest.mark.parametrize("url", [OVERVIEW, f"{OVERVIEW}?months=24&care_type=psykiatri"])
def test_the_cached_overview_equals_the_uncached_one(
    url: str, personas: Personas, seeded: Seeded
) -> None:
    client = login(personas.joint_group)
    same_as_uncached(client, url)


def _recompute() -> None:
    compute_statistics()  # no episodes in the seeded region: every figure goes


def _liability_only() -> None:
    store_monthly_liability()


def _population() -> None:
    import_population(
        "kommun;year;inhabitants_65plus\n2480;2020;1\n2480;2021;1\n2480;2022;1\n"
        "2480;2023;1\n2480;2024;1\n2480;2025;1\n2480;2026;1\n"
    )


def _agreement(seeded: Seeded) -> None:
    seeded.agreement.threshold_days = Decimal("1.0")
    seeded.agreement.save()


def _kommun_name() -> None:
    umea = Kommun.objects.get(code="2480")
    umea.name = "Umeå kommun (nytt namn)"
    umea.save()


WRITES: dict[str, Callable[[Seeded], None]] = {
    "recompute": lambda _s: _recompute(),
    "liability": lambda _s: _liability_only(),
    "population import": lambda _s: _population(),
    "agreement": _agreement,
    "kommun": lambda _s: _kommun_name(),
}


@pytest.mark.parametrize("write", list(WRITES), ids=list(WRITES))
def test_each_write_the_overview_reads_shows_at_once(
    write: str, personas: Personas, seeded: Seeded
) -> None:
    client = login(personas.processledare)
    before = same_as_uncached(client)
    WRITES[write](seeded)
    after = same_as_uncached(client)
    assert figures(after) != figures(before)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("joint_group", "processledare"),
        ("processledare", "joint_group"),
        ("joint_group", "kommun_planner"),
        ("kommun_planner", "joint_group"),
    ],
)
def test_viewers_of_different_suppression_classes_never_share_figures(
    first: str, second: str, personas: Personas, seeded: Seeded
) -> None:
    users: dict[str, AbstractUser] = {
        name: getattr(personas, name) for name in ("joint_group", "processledare", "kommun_planner")
    }
    one, two = login(users[first]), login(users[second])
    # Each viewer's cached page is their own uncached one, whoever filled the cache first.
    first_page = same_as_uncached(one)
    second_page = same_as_uncached(two)
    assert figures(first_page) != figures(second_page)


def test_a_cache_hit_reads_fewer_queries(personas: Personas, seeded: Seeded) -> None:
    client = login(personas.joint_group)
    get(client, cached=False)  # warm: session, content types

    def queries(cached: bool) -> int:
        with CaptureQueriesContext(connection) as captured:
            get(client, cached=cached)
        return len(captured)

    uncached = queries(False)
    stored = queries(True)
    hit = queries(True)
    assert stored == uncached + 1  # the generation
    assert hit <= uncached - 6  # statistics, sums, computed_at, liability, its sums, terms


@pytest.mark.parametrize(
    "text", ["", "3,63", "Umeå", "<5", "a & b", '"x"', "it's", "<script>&'\"</script>", "=1+2"]
)
def test_the_tables_escape_as_html_escape_does(text: str) -> None:
    assert table_escape(text) == html.escape(text)
