"""A seeded region for the follow-up dashboard tests: stored statistics and liability rows for
the 15 kommuner of Region Västerbotten, written directly (the pages read only these tables).

``seed_region()`` writes 16 months up to the last complete month, "somatik" and "psykiatri"
rows drawn by ``random.Random(10)`` and their sum as "all", so that a test can compute every
expected figure from the stored rows itself. Some cells are set by hand:

| kommun | month | what |
|---|---|---|
| 2480 Umeå | 1 back | somatik 36 / 131 days, psykiatri 4 / 14: all 40 / 145 = 3.625: 3,63 |
| 2480 Umeå | 2 back | all 3 episodes (somatik 3): a small cell of the kommun planner's own kommun |
| 2482 Skellefteå | 2 back | all 2 episodes (somatik 2): a small cell of the other kommun |
| 2403 Bjurholm | 1 back | psykiatri 1 episode, 4 ready days ("1 vårdtillfälle, 4 dagar") |
| 2480 Umeå | 3..1 back | liable, 16 liable days and 148 800 kr in month 1 back |

The Västerbotten agreement is loaded (threshold 3,0); the population aged 65+ is stored for
every kommun but 2403 Bjurholm for the years the period needs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from analysis.models import MonthlyStatistic
from analysis.queries import add_months, last_complete_month
from discharges.models import Kommun, KommunPopulation
from payment.loader import load_agreement
from payment.models import Agreement, MonthlyLiability

AGREEMENT = Path(settings.BASE_DIR) / "payment" / "agreements" / "vasterbotten.toml"
SMALL = ("2403", "2418", "2422", "2425", "2463")  # Bjurholm, Malå, Sorsele, Dorotea, Åsele


@dataclass(frozen=True)
class Seeded:
    agreement: Agreement
    last: date  # the last complete month
    months: list[date]  # the default period: 13 months up to ``last``
    computed_at: datetime

    def back(self, count: int) -> date:
        return add_months(self.last, 1 - count)


def counts(rng: random.Random, episodes: int, ready_days: int | None = None) -> dict[str, int]:
    """A consistent set of stored counts for ``episodes`` episodes."""
    if ready_days is None:
        ready_days = sum(rng.choice((0, 0, 1, 1, 2, 3, 4, 6)) for _ in range(episodes))
    same_day = min(episodes, rng.randint(0, episodes // 2 + 1)) if ready_days else episodes
    same_day = min(same_day, episodes - (1 if ready_days else 0))
    sip_needed = rng.randint(0, episodes)
    known = rng.randint(0, episodes)
    green = rng.randint(0, episodes)
    yellow = rng.randint(0, episodes - green)
    red = rng.randint(0, episodes - green - yellow)
    return {
        "episodes": episodes,
        "ready_days": ready_days,
        "episodes_3plus": min(episodes - same_day, ready_days // 3),
        "same_day": same_day,
        "episodes_1plus": episodes - same_day,
        "named_contact": rng.randint(0, episodes),
        "sip_needed": sip_needed,
        "sip_invited_in_time": rng.randint(0, sip_needed),
        "sip_held": rng.randint(0, sip_needed),
        "preliminary_known": known,
        "preliminary_accurate": rng.randint(0, known),
        "preliminary_changes": rng.randint(0, 2 * episodes),
        "admission_notice_late": rng.randint(0, episodes // 3),
        "track_green": green,
        "track_yellow": yellow,
        "track_red": red,
        "track_blue": 0,
    }


HAND_SET: dict[tuple[str, int], dict[str, tuple[int, int] | None]] = {
    ("2480", 1): {"somatik": (36, 131), "psykiatri": (4, 14)},
    ("2480", 2): {"somatik": (3, 7), "psykiatri": None},
    ("2482", 2): {"somatik": (2, 5), "psykiatri": None},
    ("2403", 1): {"somatik": None, "psykiatri": (1, 4)},
}


def _rows(
    kommun: Kommun, month: date, back: int, rng: random.Random, now: datetime
) -> list[MonthlyStatistic]:
    hand = HAND_SET.get((kommun.code, back))
    parts: dict[str, dict[str, int]] = {}
    for care_type in ("somatik", "psykiatri"):
        if hand is not None:
            given = hand[care_type]
            if given is not None:
                parts[care_type] = counts(rng, *given)
            continue
        size = rng.randint(1, 4) if kommun.code in SMALL else rng.randint(5, 40)
        if care_type == "psykiatri":
            size = max(1, size // 4)
        parts[care_type] = counts(rng, size)
    total = {name: sum(p[name] for p in parts.values()) for name in next(iter(parts.values()))}
    rows = [
        MonthlyStatistic(
            kommun=kommun,
            care_type=care_type,
            month=month,
            computed_at=now,
            sip_days_median=None,
            **values,
        )
        for care_type, values in [*parts.items(), ("all", total)]
    ]
    rows[-1].sip_days_median = None if not total["sip_held"] else rng.choice((2, 4, 7))
    return rows


def seed_region() -> Seeded:
    now = timezone.now()
    agreement, _created = load_agreement(AGREEMENT)
    agreement.refresh_from_db()
    last = last_complete_month(timezone.localdate())
    rng = random.Random(10)  # noqa: S311 (test data)
    kommuner = list(Kommun.objects.filter(code__startswith="24").order_by("code"))
    stats: list[MonthlyStatistic] = []
    for back in range(16, 0, -1):
        month = add_months(last, 1 - back)
        for kommun in kommuner:
            stats.extend(_rows(kommun, month, back, rng, now))
    MonthlyStatistic.objects.bulk_create(stats)
    umea = next(k for k in kommuner if k.code == "2480")
    liabilities = []
    for back in range(16, 0, -1):
        month = add_months(last, 1 - back)
        for kommun in kommuner:
            liable = kommun == umea and back <= 3
            days = {1: 16, 2: 3, 3: 9}.get(back, 0) if liable else 0
            for care_type in ("all", "somatik", "psykiatri"):
                share = days if care_type in ("all", "somatik") else 0
                liabilities.append(
                    MonthlyLiability(
                        agreement=agreement,
                        kommun=kommun,
                        care_type=care_type,
                        month=month,
                        state="liable" if liable else "free",
                        liable_days=share,
                        amount_sek=share * 9300,
                        computed_at=now,
                    )
                )
    MonthlyLiability.objects.bulk_create(liabilities)
    years = {add_months(last, -n).year - 1 for n in range(16)}
    KommunPopulation.objects.bulk_create(
        KommunPopulation(kommun=k, year=y, inhabitants_65plus=1000 + 37 * int(k.code[2:]))
        for k in kommuner
        if k.code != "2403"
        for y in years
    )
    months = [add_months(last, -n) for n in range(12, -1, -1)]
    return Seeded(agreement, last, months, now)
