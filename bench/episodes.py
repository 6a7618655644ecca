"""The measurements: the scoped episode list and one episode's timeline, server-side.

Two levels, both inside this Django process (no network round-trip):

* selector: the read path the views call (the first page of 50 of ``selectors.episode_list``,
  alone and with ``present_episode`` for each row; ``selectors.timeline`` for one episode), with
  a freshly loaded user each time, as in a request;
* page: ``django.test.Client`` GETs of the pages and API endpoints (middleware, session, view,
  template or serializer, access log), skipped with a note while a URL does not exist yet.

Each measurement is warmed up twice, then timed ``repeat`` times; the query count comes from one
more run under ``CaptureQueriesContext``. The figures are those of the application as it is
(selectors, paginators, indexes, statistics target and connection settings of discharges/ and
svu/settings.py); ``check_schema`` first verifies that the benchmark database has the indexes
the models declare and nothing left over.
"""

from __future__ import annotations

import math
import os
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from bench.country import BIG_KOMMUN_USER, KOMMUN_USER, SMALL_KOMMUN_USER, WARD_USER
from discharges import selectors
from discharges.models import Episode, EpisodeEvent, EpisodeGroupObjectPermission, Membership

TARGET_MS = 50.0
WARMUP = 2


@dataclass
class Result:
    level: str
    name: str
    samples_ms: list[float] = field(default_factory=list)
    queries: int | None = None
    note: str = ""
    counts_for_target: bool = True

    @property
    def skipped(self) -> bool:
        return not self.samples_ms

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def minimum(self) -> float:
        return min(self.samples_ms)

    @property
    def verdict(self) -> str:
        if self.skipped:
            return "skipped"
        if not self.counts_for_target:
            return "(info)"
        return "yes" if self.median < TARGET_MS else "NO"


def measure(
    level: str,
    name: str,
    fn: Callable[[Any], object],
    setup: Callable[[], Any],
    repeat: int,
    *,
    counts_for_target: bool = True,
    note: str = "",
) -> Result:
    """Time ``fn(setup())``; ``setup`` is not timed (e.g. loading a fresh user)."""
    result = Result(level, name, note=note, counts_for_target=counts_for_target)
    for _ in range(WARMUP):
        fn(setup())
    for _ in range(repeat):
        arg = setup()
        started = time.perf_counter()
        fn(arg)
        result.samples_ms.append((time.perf_counter() - started) * 1000)
    arg = setup()
    with CaptureQueriesContext(connection) as captured:
        fn(arg)
    result.queries = len(captured.captured_queries)
    return result


# --- The scenarios ------------------------------------------------------------------------------


def fresh_user(pk: int) -> Callable[[], AbstractBaseUser]:
    """A user loaded anew, as the authentication middleware does for each request."""
    user_model = get_user_model()
    return lambda: user_model.objects.get(pk=pk)


def first_rows(user: AbstractBaseUser, status: str | None = None) -> list[Episode]:
    """The first page's rows, as the list page and the API list read them (patient fields and
    the episode's own)."""
    return list(selectors.episode_list(user, status=status)[:50])


def first_page(user: AbstractBaseUser, status: str | None = None) -> list[selectors.EpisodeView]:
    """The first page's rows, each presented with ``present_episode`` (ward, hospital, kommun,
    health centre: what a list showing details would read, prefetching them; the list page and
    the API list show the patient only and do not call it)."""
    rows = selectors.episode_list(user, status=status).prefetch_related(
        "ward__hospital", "kommun", "health_centre"
    )[:50]
    return [selectors.present_episode(user, ep) for ep in rows]


def typical_episode(user: AbstractBaseUser) -> Episode:
    """An episode in the user's scope with the median number of events (its latest one)."""
    visible = selectors.visible_episodes(user)
    versions = sorted(visible.values_list("version", flat=True))
    median = versions[len(versions) // 2]
    episode = visible.filter(version=median, status="discharged").order_by("-admitted_at").first()
    assert episode is not None
    return episode


def page_url(name: str, args: list[Any] | None = None, fallback: str | None = None) -> str | None:
    """The URL of a named page, or of a literal path that resolves; None when absent."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        pass
    if fallback is None:
        return None
    try:
        resolve(fallback.split("?")[0])
    except Resolver404:
        return None
    return fallback


def measure_get(
    level: str,
    name: str,
    client: Client,
    url: str | None,
    repeat: int,
    *,
    counts_for_target: bool = True,
) -> Result:
    """Time a GET of ``url`` (200 expected); a missing or failing page is reported, not fatal."""
    if url is None:
        return Result(level, name, note="no such URL yet")
    try:
        response = client.get(url)
    except Exception as exc:  # a view being written may fail; report it, do not stop
        return Result(level, name, note=f"error: {type(exc).__name__}: {exc}"[:90])
    if response.status_code != 200:
        return Result(level, name, note=f"HTTP {response.status_code} for {url}")

    def get(_: object) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return measure(
        level, f"{name}  {url}", get, lambda: None, repeat, counts_for_target=counts_for_target
    )


def measure_user(username: str, repeat: int) -> tuple[list[Result], dict[str, Any]]:
    """Every figure for one user: the selectors, then the pages and API endpoints."""
    user = get_user_model().objects.get(username=username)
    load = fresh_user(user.pk)
    episode = typical_episode(load())
    facts = user_facts(user, episode)
    results = selector_results(load, repeat)
    results += timeline_results(load, episode, facts["episode_events"], repeat)
    results += page_results(user, episode, repeat)
    return results, facts


def user_facts(user: AbstractBaseUser, episode: Episode) -> dict[str, Any]:
    """Who the user is and what they see, for the table's title."""
    membership = Membership.objects.select_related("organisation").get(user=user)
    return {
        "organisation": str(membership.organisation.specific),
        "role": membership.get_role_display(),
        "visible": selectors.visible_episodes(user).count(),
        "visible_active": selectors.visible_episodes(user).active().count(),
        "episode": episode,
        "episode_events": EpisodeEvent.objects.filter(episode=episode).count(),
    }


def selector_results(load: Callable[[], AbstractBaseUser], repeat: int) -> list[Result]:
    """The list's first page (alone, with ``present_episode``; all and active) and, for
    information, the counts."""
    return [
        measure("selector", "episode_list(user)[:50]", first_rows, load, repeat),
        measure(
            "selector",
            "episode_list(user, status='active')[:50]",
            lambda u: first_rows(u, "active"),
            load,
            repeat,
        ),
        measure(
            "selector",
            "episode_list(user)[:50] + present_episode x50",
            first_page,
            load,
            repeat,
        ),
        measure(
            "selector",
            "episode_list(user, status='active')[:50] + present",
            lambda u: first_page(u, "active"),
            load,
            repeat,
        ),
        measure(
            "selector",
            "visible_count(user)  (the paginator's count, status all)",
            selectors.visible_count,
            load,
            repeat,
            counts_for_target=False,
        ),
        measure(
            "selector",
            "episode_list(user, status='active').count()",
            lambda u: selectors.episode_list(u, status="active").count(),
            load,
            repeat,
            counts_for_target=False,
        ),
        measure(
            "selector",
            "episode_list(user, status='discharged').count()",
            lambda u: selectors.episode_list(u, status="discharged").count(),
            load,
            repeat,
            counts_for_target=False,
            note="COUNT(*)",
        ),
    ]


def timeline_results(
    load: Callable[[], AbstractBaseUser], episode: Episode, events: int, repeat: int
) -> list[Result]:
    """One episode's timeline, alone and as the detail page reads it."""
    loaded_episode = (
        Episode.objects.select_related("patient", "ward", "ward__hospital", "kommun")
        .filter(pk=episode.pk)
        .get
    )
    return [
        measure(
            "selector",
            f"timeline(user, episode)  ({events} events)",
            lambda args: selectors.timeline(*args),
            lambda: (load(), loaded_episode()),
            repeat,
        ),
        measure(
            "selector",
            "get_visible_episode + present_episode + timeline",
            lambda u: detail(u, episode.pk),
            load,
            repeat,
        ),
    ]


def page_results(user: AbstractBaseUser, episode: Episode, repeat: int) -> list[Result]:
    """GETs of the list page (default, all, discharged), the detail page and the API."""
    client = Client()
    client.force_login(user)
    list_url = page_url("discharges:episode_list", fallback="/episodes/")
    return [
        measure_get("page", "list, default filter", client, list_url, repeat),
        measure_get(
            "page",
            "list, all",
            client,
            f"{list_url}?status=all" if list_url else None,
            repeat,
        ),
        measure_get(
            "page",
            "list, discharged",
            client,
            f"{list_url}?status=discharged" if list_url else None,
            repeat,
            counts_for_target=False,
        ),
        measure_get(
            "page",
            "detail",
            client,
            page_url("discharges:episode_detail", [episode.pk], f"/episodes/{episode.pk}/"),
            repeat,
        ),
        measure_get(
            "API", "list", client, page_url("api:episode_list", fallback="/api/episodes/"), repeat
        ),
        measure_get(
            "API",
            "detail",
            client,
            page_url("api:episode_detail", [episode.pk], f"/api/episodes/{episode.pk}/"),
            repeat,
        ),
    ]


def detail(user: AbstractBaseUser, pk: int) -> list[selectors.TimelineEntry]:
    view = selectors.present_episode(user, selectors.get_visible_episode(user, pk))
    return selectors.timeline(user, view.episode)


# --- Output -------------------------------------------------------------------------------------


def print_table(title: str, results: list[Result]) -> None:
    print(f"\n{title}")
    header = (
        f"  {'level':<9}{'what':<62}{'median':>8}{'p95':>8}{'min':>8}{'queries':>9}  {'< 50 ms':<8}"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    for r in results:
        if r.skipped:
            print(f"  {r.level:<9}{r.name:<62}{'':>8}{'':>8}{'':>8}{'':>9}  skipped: {r.note}")
            continue
        print(
            f"  {r.level:<9}{r.name[:61]:<62}{r.median:>8.1f}{r.p95:>8.1f}{r.minimum:>8.1f}"
            f"{r.queries:>9}  {r.verdict:<8}{r.note}"
        )


def explain(user: AbstractBaseUser) -> None:
    """EXPLAIN ANALYZE of the scoped queries the list and the detail really run."""
    episode = typical_episode(user)
    cases: list[tuple[str, Callable[[], object]]] = [
        ("list, first page", lambda: list(selectors.episode_list(user)[:50])),
        (
            "list (active), first page",
            lambda: list(selectors.episode_list(user, status="active")[:50]),
        ),
        ("count, status all (visible_count)", lambda: selectors.visible_count(user)),
        (
            "count, status active",
            lambda: selectors.episode_list(user, status="active").count(),
        ),
        ("get_visible_episode", lambda: selectors.get_visible_episode(user, episode.pk)),
    ]
    for title, fn in cases:
        with CaptureQueriesContext(connection) as captured:
            fn()
        scoped = [q["sql"] for q in captured.captured_queries if "discharges_episode" in q["sql"]]
        for sql in scoped[:1]:
            print(f"\nEXPLAIN (ANALYZE, BUFFERS) of {title}:")
            if title == "list, first page":
                print(f"  SQL: {sql}")
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                for (line,) in cursor.fetchall():
                    print(f"  {line}")


EXTRA_USERS = (WARD_USER, SMALL_KOMMUN_USER, BIG_KOMMUN_USER)
SERVER_SETTINGS = (
    "server_version_num",
    "shared_buffers",
    "work_mem",
    "effective_cache_size",
    "random_page_cost",
    "max_parallel_workers_per_gather",
    "jit",
)


def print_environment() -> None:
    """What the figures depend on: the machine's load and the server's settings."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s)",
            [list(SERVER_SETTINGS)],
        )
        settings = dict(cursor.fetchall())
    print(
        f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (1 min), "
        f"CPU reference {cpu_reference_ms():.1f} ms. "
        "PostgreSQL: " + ", ".join(f"{name}={settings.get(name, '?')}" for name in SERVER_SETTINGS)
    )


def cpu_reference_ms() -> float:
    """A fixed pure-Python loop (median of 7): the machine's speed at the moment, which the load
    average does not show (a shared host may run slower at the same load)."""
    samples = []
    for _ in range(7):
        started = time.perf_counter()
        sum(i * i for i in range(300_000))
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


# Django's own index and constraint names (foreign keys, unique fields, unique_together); any
# other index must be declared in the models.
AUTO_INDEX_NAME = re.compile(r"_([0-9a-f]{8}(_like|_uniq)?|key|pkey)$")
GRANT_TABLE = EpisodeGroupObjectPermission._meta.db_table


def check_schema() -> bool:
    """Print and check what the read path relies on: every index the discharges models declare
    exists (a partial one with its condition), no index is left that they no longer declare
    (such as episode_grant_idx, dropped by migration 0006), the grants' group_id has migration
    0007's statistics target, and the web connection runs without parallel workers."""
    ok = True
    declared: dict[str, bool] = {}  # name -> partial
    tables = set()
    for model in apps.get_app_config("discharges").get_models(include_auto_created=True):
        if not model._meta.managed or model._meta.proxy:
            continue
        tables.add(model._meta.db_table)
        for index in model._meta.indexes:
            declared[index.name] = index.condition is not None
        for constraint in model._meta.constraints:
            declared[constraint.name] = getattr(constraint, "condition", None) is not None
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT ic.relname, i.indpred IS NOT NULL, pg_relation_size(ic.oid)
            FROM pg_index i
            JOIN pg_class ic ON ic.oid = i.indexrelid
            JOIN pg_class c ON c.oid = i.indrelid
            WHERE c.relname = ANY(%s) AND pg_table_is_visible(c.oid)
            """,
            [sorted(tables)],
        )
        present = {name: (partial, size) for name, partial, size in cursor.fetchall()}
        cursor.execute(
            "SELECT attstattarget FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attname = 'group_id'",
            [GRANT_TABLE],
        )
        (group_target,) = cursor.fetchone()
        cursor.execute("SELECT current_setting('max_parallel_workers_per_gather')")
        (workers,) = cursor.fetchone()
    missing = sorted(name for name in declared if name not in present)
    wrong = sorted(
        name
        for name, is_partial in declared.items()
        if present.get(name, (is_partial,))[0] != is_partial
    )
    leftover = sorted(
        name for name in present if name not in declared and not AUTO_INDEX_NAME.search(name)
    )
    partial = ", ".join(
        f"{name} ({present[name][1] / 2**20:.1f} MB)"
        for name, is_partial in sorted(declared.items())
        if is_partial and name in present
    )
    print(
        f"Schema: {len(declared)} declared indexes present"
        + (f" EXCEPT {', '.join(missing)}" if missing else "")
        + (f"; partial: {partial}" if partial else "")
        + f"; undeclared: {', '.join(leftover) or 'none'}"
        + f"; grants' group_id statistics target {group_target}"
        + f"; max_parallel_workers_per_gather on the web connection {workers}."
    )
    if missing or wrong or leftover:
        ok = False
        print(
            "  WARNING: the benchmark database's indexes differ from the models "
            f"(missing {missing}, partial/not partial {wrong}, undeclared {leftover}): "
            "the figures do not describe the application. Run with --regenerate."
        )
    return ok


# What the summary shows of each user: (level, figure name up to its two-space note, column).
SUMMARY_COLUMNS = (
    ("selector", "episode_list(user)[:50]", "list"),
    ("selector", "episode_list(user, status='active')[:50]", "list active"),
    ("selector", "timeline(user, episode)", "timeline"),
    ("selector", "get_visible_episode + present_episode + timeline", "detail"),
    ("page", "list, default filter", "/episodes/"),
    ("page", "list, all", "?status=all"),
    ("page", "detail", "/episodes/<pk>/"),
    ("API", "list", "API list"),
    ("API", "detail", "API detail"),
)


def print_summary(measured: list[tuple[str, list[Result]]]) -> bool:
    """One line per user: the median (queries) of each figure judged against the target."""
    print("\nSummary: median ms (queries) of the figures judged against 50 ms")
    width = 16
    print(f"  {'user':<20}" + "".join(f"{title:>{width}}" for _, _, title in SUMMARY_COLUMNS))
    every = True
    for username, results in measured:
        cells = []
        for level, prefix, _ in SUMMARY_COLUMNS:
            found = next(
                (
                    r
                    for r in results
                    if r.level == level and (r.name == prefix or r.name.startswith(f"{prefix}  "))
                ),
                None,
            )
            if found is None or found.skipped:
                cells.append("-")
                continue
            cells.append(f"{found.median:.1f} ({found.queries})")
        print(f"  {username:<20}" + "".join(f"{cell:>{width}}" for cell in cells))
        every = every and all(r.verdict != "NO" for r in results)
    print(
        "  Every judged figure of every user under 50 ms."
        if every
        else "  NOT every judged figure is under 50 ms: see NO above."
    )
    return every


def run(repeat: int, *, explain_queries: bool = False, extra_users: bool = True) -> bool:
    """Measure and print; returns True when the kommun user's figures meet the target."""
    print(
        f"\nDatabase: {Episode.objects.count():,} episodes, "
        f"{EpisodeEvent.objects.count():,} events, "
        f"{EpisodeGroupObjectPermission.objects.count():,} grant rows. "
        f"Warm-up {WARMUP}, then {repeat} timed runs; times in ms, server-side."
    )
    print_environment()
    check_schema()
    users = [KOMMUN_USER, *(EXTRA_USERS if extra_users else ())]
    # The health centre's coordinator too (issue 15 names the three parties): made by
    # bench/worklists.py, which measures every user's worklist below.
    from bench.worklists import health_centre_user, print_worklists

    listed = [*users, health_centre_user()] if extra_users else users
    ok = True
    measured: list[tuple[str, list[Result]]] = []
    for username in listed:
        results, facts = measure_user(username, repeat)
        measured.append((username, results))
        title = (
            f"{facts['role']}, {facts['organisation']} ({username}): "
            f"{facts['visible']:,} episodes visible, {facts['visible_active']:,} active; "
            f"timeline of episode {facts['episode'].pk} ({facts['episode_events']} events)"
        )
        print_table(title, results)
        print(f"  (load average now {os.getloadavg()[0]:.2f})")
        if username == KOMMUN_USER:
            ok = all(r.verdict != "NO" for r in results)
        if explain_queries and username == KOMMUN_USER:
            explain(get_user_model().objects.get(username=username))
    print_summary(measured)
    # The worklists (bench/worklists.py), beside the lists and the timeline.
    worklists_ok = print_worklists(users, repeat)
    return ok and worklists_ok
