"""The load test's simulated users (locust), started headless by ``bench/load.py``.

Each simulated user takes a prepared session (``BENCH_LOAD_PLAN``, a JSON file written by
bench/load.py: session cookies and the episodes each may read or write) and loops without
think time (a closed loop): Att göra most often, then episode pages, the episode list and its
refresh, a change of the preliminary date (ward nurses: the episode page for the form's
version and CSRF token, then the POST) and "kvittera alla" (kommun planners and health
centres). No patient data is logged: request names are the route, not the URL.
"""

from __future__ import annotations

import json
import os
import random
import re
from datetime import date, timedelta
from itertools import count
from typing import Any

from locust import HttpUser, constant, task

PLAN: dict[str, Any] = json.loads(open(os.environ["BENCH_LOAD_PLAN"]).read())  # noqa: SIM115
_NEXT = count()
VERSION = re.compile(r'name="version" value="(\d+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Staff(HttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        n = next(_NEXT)
        session = PLAN["sessions"][n % len(PLAN["sessions"])]
        self.role: str = session["role"]
        self.client.cookies.set("sessionid", session["sessionid"])
        self.client.cookies.set("csrftoken", session["csrftoken"])
        self.csrf: str = session["csrftoken"]
        self.episodes: list[int] = session["episodes"] or [0]
        self.writable: list[int] = session["writable"]
        self.rng = random.Random(n)

    def _episode(self) -> int:
        return self.rng.choice(self.episodes)

    @task(8)
    def worklist(self) -> None:
        self.client.get("/", name="worklist /")

    @task(5)
    def episode_page(self) -> None:
        self.client.get(f"/episodes/{self._episode()}/", name="episode page")

    @task(2)
    def episode_list(self) -> None:
        self.client.get("/episodes/", name="episode list")

    @task(2)
    def write(self) -> None:
        if self.role == "ward" and self.writable:
            self._change_preliminary_date()
        else:
            self._acknowledge_all()

    def _change_preliminary_date(self) -> None:
        pk = self.rng.choice(self.writable)
        page = self.client.get(f"/episodes/{pk}/", name="episode page")
        found = VERSION.search(page.text)
        if not found:
            return
        # A new date: the service refuses the current one ("already the preliminary ready
        # date"), so dates the page shows are left out.
        days = [date.today() + timedelta(days=n) for n in range(1, 10)]  # noqa: DTZ011
        day = self.rng.choice([d for d in days if f"<dd>{d.isoformat()}</dd>" not in page.text])
        with self.client.post(
            f"/episodes/{pk}/messages/{PLAN['preliminary_slug']}/",
            data={
                "csrfmiddlewaretoken": self.csrf,
                "version": found.group(1),
                "preliminary_ready_date": day.isoformat(),
                "confirmed": "1",
            },
            headers={"Referer": f"{self.host}/episodes/{pk}/"},
            allow_redirects=False,
            name="write: preliminary date",
            catch_response=True,
        ) as response:
            if response.status_code in (302, 303):
                response.success()
            else:
                response.failure(f"HTTP {response.status_code}")

    def _acknowledge_all(self) -> None:
        pk = self._episode()
        with self.client.post(
            f"/episodes/{pk}/acknowledge-all/",
            data={"csrfmiddlewaretoken": self.csrf},
            headers={"Referer": f"{self.host}/"},
            allow_redirects=False,
            name="write: acknowledge all",
            catch_response=True,
        ) as response:
            if response.status_code in (302, 303):
                response.success()
            else:
                response.failure(f"HTTP {response.status_code}")
