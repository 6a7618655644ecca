"""The measurements: the scoped episode list and one episode's timeline, server-side.

Two levels, both inside this Django process (no network round-trip):

* selector: the read path the views call (``selectors.episode_list`` + ``present_episode`` for
  the first page of 50; ``selectors.timeline`` for one episode), with a freshly loaded user each
  time, as in a request;
* page: ``django.test.Client`` GETs of the pages and API endpoints (middleware, session, view,
  template or serializer, access log), skipped with a note while a URL does not exist yet.

Each measurement is warmed up twice, then timed ``repeat`` times; the query count comes from one
more run under ``CaptureQueriesContext``.
"""

from __future__ import annotations

import contextlib
import math
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from bench import proposals
from bench.generate import BIG_KOMMUN_USER, KOMMUN_USER, SMALL_KOMMUN_USER, WARD_USER
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


def first_page(user: AbstractBaseUser, status: str | None = None) -> list[selectors.EpisodeView]:
    return [
        selectors.present_episode(user, ep)
        for ep in selectors.episode_list(user, status=status)[:50]
    ]


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


def measure_get(level: str, name: str, client: Client, url: str | None, repeat: int) -> Result:
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

    return measure(level, f"{name}  {url}", get, lambda: None, repeat)


def measure_user(
    username: str, repeat: int, *, proposed: bool = False
) -> tuple[list[Result], dict[str, Any]]:
    user_model = get_user_model()
    user = user_model.objects.get(username=username)
    load = fresh_user(user.pk)
    membership = Membership.objects.select_related("organisation").get(user=user)
    episode = typical_episode(load())
    facts = {
        "organisation": str(membership.organisation.specific),
        "role": membership.get_role_display(),
        "visible": selectors.visible_episodes(user).count(),
        "visible_active": selectors.visible_episodes(user).active().count(),
        "episode": episode,
        "episode_events": EpisodeEvent.objects.filter(episode=episode).count(),
    }
    results = [
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
            "episode_list(user).count()  (the paginator's)",
            lambda u: selectors.episode_list(u).count(),
            load,
            repeat,
            counts_for_target=False,
        ),
    ]
    if proposed:
        results.append(
            measure(
                "selector",
                "count of the unfiltered list from the grants",
                proposals.unfiltered_count,
                load,
                repeat,
                counts_for_target=False,
            )
        )
    results.append(
        measure(
            "selector",
            "episode_list(user, status='active').count()",
            lambda u: selectors.episode_list(u, status="active").count(),
            load,
            repeat,
            counts_for_target=False,
        )
    )
    loaded_episode = (
        Episode.objects.select_related("patient", "ward", "ward__hospital", "kommun")
        .filter(pk=episode.pk)
        .get
    )
    results.append(
        measure(
            "selector",
            f"timeline(user, episode)  ({facts['episode_events']} events)",
            lambda args: selectors.timeline(*args),
            lambda: (load(), loaded_episode()),
            repeat,
        )
    )
    results.append(
        measure(
            "selector",
            "get_visible_episode + present_episode + timeline",
            lambda u: detail(u, episode.pk),
            load,
            repeat,
        )
    )
    client = Client()
    client.force_login(user)
    list_url = page_url("discharges:episode_list", fallback="/episodes/")
    results += [
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
    return results, facts


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
        ("list count (the paginator's)", lambda: selectors.episode_list(user).count()),
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
        f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (1 min). "
        "PostgreSQL: " + ", ".join(f"{name}={settings.get(name, '?')}" for name in SERVER_SETTINGS)
    )


def run(
    repeat: int,
    *,
    explain_queries: bool = False,
    extra_users: bool = True,
    with_proposals: bool = False,
) -> bool:
    """Measure and print; returns True when the kommun user's figures meet the target."""
    print(
        f"\nDatabase: {Episode.objects.count():,} episodes, "
        f"{EpisodeEvent.objects.count():,} events, "
        f"{EpisodeGroupObjectPermission.objects.count():,} grant rows. "
        f"Warm-up {WARMUP}, then {repeat} timed runs; times in ms, server-side."
    )
    print_environment()
    users = [KOMMUN_USER, *(EXTRA_USERS if extra_users else ())]
    ok = True
    rounds: list[tuple[str, bool]] = [("as the code is", False)]
    if with_proposals:
        rounds.append(("WITH THE PROPOSED CHANGES (bench/proposals.py)", True))
    for label, proposed in rounds:
        print(f"\n=== {label} ===")
        context = proposals.applied() if proposed else contextlib.nullcontext()
        with context:
            for username in users:
                results, facts = measure_user(username, repeat, proposed=proposed)
                title = (
                    f"{facts['role']}, {facts['organisation']} ({username}): "
                    f"{facts['visible']:,} episodes visible, {facts['visible_active']:,} active; "
                    f"timeline of episode {facts['episode'].pk} "
                    f"({facts['episode_events']} events)"
                )
                print_table(title, results)
                print(f"  (load average now {os.getloadavg()[0]:.2f})")
                if username == KOMMUN_USER and not proposed:
                    ok = all(r.verdict != "NO" for r in results)
                if explain_queries and username == KOMMUN_USER:
                    explain(get_user_model().objects.get(username=username))
    return ok
