"""The regional stream of demo episodes: who is admitted where and when, and how each stay
ends. Pure (no database) and deterministic for a given seed, day and time."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta

from demo import indicators
from demo.plans import (
    ENDING_SERVICES,
    EpisodePlan,
    PatientSpec,
    Step,
    hours,
    local_time,
    make_personnummer,
    months_between,
)
from demo.region import (
    HEALTH_CENTRES,
    HOSPITALS,
    KOMMUN_PROFILES,
    PROFILE_BY_CODE,
    PSYCHIATRY_SHARE,
    STRAIN,
    WardSpec,
)
from demo.story import EpisodeStory
from demo.vocabulary import MEN_OLD, MEN_YOUNG, SURNAMES, WOMEN_OLD, WOMEN_YOUNG
from discharges.clock import local_date
from discharges.models import ClosureReason


class Planner:
    """Draws the demo episodes. Deterministic for a given seed, day and time."""

    def __init__(self, rng: random.Random, now: datetime, months: int, per_month: int) -> None:
        self.rng = rng
        self.now = now
        # Messages up to a minute ago: everything is in the past when the services check it.
        self.cutoff = now - timedelta(minutes=1)
        self.today = local_date(now)
        self.months = months
        self.per_month = per_month
        self.start = self._months_back(self.today, months)
        self.used_numbers: set[str] = set()
        # Patients by kommun with the time their last stay ended (None: still in hospital).
        self.patients: dict[str, list[tuple[PatientSpec, datetime | None]]] = defaultdict(list)
        self.dead: set[str] = set()
        # Worklist items kept unsent on purpose (at least two of each).
        self.overdue_notices = 0
        self.overdue_sips = 0
        self.contacts = self._named_contacts()

    # -- people --

    @staticmethod
    def _months_back(day: date, months: int) -> date:
        index = day.year * 12 + day.month - 1 - months
        year, month = divmod(index, 12)
        return date(year, month + 1, min(day.day, 28))

    def _named_contacts(self) -> dict[str, list[tuple[str, str]]]:
        """Two or three fasta vårdkontakter per hälsocentral, with phone numbers."""
        contacts: dict[str, list[tuple[str, str]]] = {}
        for spec in HEALTH_CENTRES:
            prefix = PROFILE_BY_CODE[spec.kommuner[0]].phone_prefix
            people = []
            for _ in range(self.rng.choice((2, 3))):
                title = self.rng.choice(("Distriktssköterska", "Sjuksköterska", "Vårdsamordnare"))
                first = self.rng.choice(WOMEN_YOUNG + WOMEN_YOUNG + MEN_YOUNG)
                name = f"{first} {self.rng.choice(SURNAMES)}, {title.lower()}"
                digits = "".join(str(self.rng.randrange(10)) for _ in range(6))
                people.append((name, f"{prefix}-{digits[:2]} {digits[2:4]} {digits[4:]}"))
            contacts[spec.key] = people
        return contacts

    def new_patient(
        self,
        kommun: str,
        *,
        born: date | None = None,
        first_name: str | None = None,
        female: bool | None = None,
        health_centre: str | None = None,
        psychiatric: bool = False,
    ) -> PatientSpec:
        rng = self.rng
        if female is None:
            female = rng.random() < 0.55
        if born is None:
            if psychiatric:
                year = rng.randint(1950, 2004)
            elif rng.random() < 0.8:
                # Most are in their eighties: born 1925-1960, most often around 1942.
                year = round(rng.triangular(1925, 1960, 1942))
            else:
                year = rng.randint(1961, 2003)
            born = date(year, 1, 1) + timedelta(days=rng.randrange(365))
        if first_name is None:
            young = born.year > 1960
            pool = (
                (WOMEN_YOUNG if young else WOMEN_OLD)
                if female
                else (MEN_YOUNG if young else MEN_OLD)
            )
            first_name = rng.choice(pool)
        while True:
            serial = rng.randint(98, 99) * 10 + rng.choice(
                (0, 2, 4, 6, 8) if female else (1, 3, 5, 7, 9)
            )
            number = make_personnummer(born, serial)
            if number not in self.used_numbers:
                break
            born += timedelta(days=1)
        self.used_numbers.add(number)
        profile = PROFILE_BY_CODE[kommun]
        place = rng.choice(profile.places)
        address = (
            f"{rng.choice(place.streets)} {rng.randint(1, 60)}, "
            f"{place.postcode} {rng.randint(10, 99)} {place.town}"
        )
        if health_centre is None:
            serving = [spec for spec in HEALTH_CENTRES if kommun in spec.kommuner]
            health_centre = rng.choices(serving, weights=[s.weight for s in serving])[0].key
        return PatientSpec(
            number, f"{first_name} {rng.choice(SURNAMES)}", address, kommun, health_centre
        )

    def patient_for(self, kommun: str, admitted_at: datetime, psychiatric: bool) -> PatientSpec:
        """A returning patient of the kommun (not in hospital now) or a new one."""
        if self.rng.random() < 0.18:
            free = [
                spec
                for spec, ended in self.patients[kommun]
                if ended is not None
                and ended < admitted_at - timedelta(days=2)
                and spec.personnummer not in self.dead
            ]
            if free:
                return self.rng.choice(free)
        return self.new_patient(kommun, psychiatric=psychiatric)

    def remember(self, plan: EpisodePlan, died: bool = False) -> None:
        entries = self.patients[plan.patient.kommun]
        entries[:] = [e for e in entries if e[0].personnummer != plan.patient.personnummer]
        entries.append((plan.patient, plan.end))
        if died:
            self.dead.add(plan.patient.personnummer)

    # -- the regional stream --

    def poisson(self, mean: float) -> int:
        limit, k, product = math.exp(-mean), 0, self.rng.random()
        while product > limit:
            k += 1
            product *= self.rng.random()
        return k

    def admissions(self) -> Iterator[tuple[str, datetime]]:
        """(kommun code, admission time) for every day of the window, in time order."""
        shares = [p.share for p in KOMMUN_PROFILES]
        codes = [p.code for p in KOMMUN_PROFILES]
        hour_weights = (1, 1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 7, 7, 7, 6, 6, 5, 5, 4, 3, 2, 2, 1)
        per_day = self.per_month * 12 / 365
        day = self.start
        while day <= self.today:
            weekend = day.weekday() >= 5
            batch = []
            for _ in range(self.poisson(per_day * (0.8 if weekend else 1.08))):
                hour = self.rng.choices(range(24), weights=hour_weights)[0]
                at = local_time(day, hour + self.rng.random())
                if at < self.cutoff - hours(2):
                    batch.append((self.rng.choices(codes, weights=shares)[0], at))
            yield from sorted(batch, key=lambda item: item[1])
            day += timedelta(days=1)

    def choose_ward(self, kommun: str) -> WardSpec:
        rng = self.rng
        home = PROFILE_BY_CODE[kommun].hospital
        hospital = home if rng.random() < 0.88 else "nus"
        spec = next(h for h in HOSPITALS if h.key == hospital)
        if rng.random() < PSYCHIATRY_SHARE:
            psych = [w for w in spec.wards if w.care_type == "psykiatri"]
            return psych[0] if psych else HOSPITALS[0].wards[-1]
        somatic = [w for w in spec.wards if w.care_type == "somatik"]
        return rng.choices(somatic, weights=[w.weight for w in somatic])[0]

    def ready_days(self, kommun: str, ready_date: date, psychiatric: bool) -> int:
        rng = self.rng
        days = rng.choices(
            (0, 1, 2, 3, 4, 5, 6, 8, 10, 14), weights=(46, 29, 12, 5, 3, 2, 1.5, 0.8, 0.4, 0.3)
        )[0]
        if psychiatric and rng.random() < 0.3:
            days += rng.randint(1, 4)
        strain = STRAIN.get((kommun, months_between(ready_date, self.today)))
        if strain:
            days = max(days, 1) + 3 + int(rng.expovariate(1 / strain))
        return days

    def plan_region(self) -> list[EpisodePlan]:
        plans = []
        for kommun, admitted_at in self.admissions():
            ward = self.choose_ward(kommun)
            patient = self.patient_for(kommun, admitted_at, ward.care_type == "psykiatri")
            plan, died = self.plan_episode(patient, ward, admitted_at)
            self.remember(plan, died)
            plans.append(plan)
        return plans

    def plan_episode(
        self, patient: PatientSpec, ward: WardSpec, admitted_at: datetime
    ) -> tuple[EpisodePlan, bool]:
        """Draw one stay's messages. Returns the plan and whether the patient died."""
        rng = self.rng
        outcome = rng.choices(
            ("normal", "not_covered", "died", "transferred", "no_needs", "no_notice"),
            weights=(90.5, 3, 1.2, 1, 0.8, 1.5),
        )[0]
        plan = EpisodePlan(patient, ward.key, admitted_at, [])
        plan.admission_type = indicators.admission_type(
            indicators.stream(plan, "admission"), ward.care_type == "psykiatri"
        )
        if rng.random() < 0.006:
            self._wrong_recipient(plan)
        if outcome == "not_covered":
            plan.end = admitted_at + hours(rng.uniform(3, 40))
            plan.steps.append(
                Step(plan.end, "ward", "close_episode", {"reason": ClosureReason.NOT_COVERED})
            )
            return self.finish(plan), False
        story = EpisodeStory(self, plan, ward, outcome)
        story.draw()
        return self.finish(plan), outcome == "died"

    def _wrong_recipient(self, plan: EpisodePlan) -> None:
        """The ward first picks another hälsocentral (or kommun) and corrects it later."""
        rng = self.rng
        kommun = plan.patient.kommun
        others = [s for s in HEALTH_CENTRES if s.key != plan.patient.health_centre]
        same_kommun = [s for s in others if kommun in s.kommuner]
        if same_kommun and rng.random() < 0.6:
            plan.health_centre = rng.choice(same_kommun).key
        else:
            wrong = rng.choice([p.code for p in KOMMUN_PROFILES if p.code != kommun])
            plan.kommun = wrong
            plan.health_centre = next(s.key for s in HEALTH_CENTRES if wrong in s.kommuner)

    def finish(self, plan: EpisodePlan) -> EpisodePlan:
        """Drop what cannot happen (after the end, or not yet), order the messages."""
        steps = plan.steps
        if plan.end is not None:
            steps = [
                s
                for s in steps
                if not s.before_end or s.at < plan.end or s.service in ENDING_SERVICES
            ]
        steps.sort(key=lambda s: s.at)
        # An unfinished stay ends at its last message before now (the steps are in order).
        plan.steps = [s for s in steps if s.at <= self.cutoff]
        if plan.end is not None and plan.end > self.cutoff:
            plan.end = None
        return plan

    def consents(self, plans: Sequence[EpisodePlan]) -> list[tuple[PatientSpec, str, datetime]]:
        """About half of the patients consent, recorded by the ward of their first stay."""
        seen: dict[str, tuple[PatientSpec, str, datetime]] = {}
        for plan in plans:
            number = plan.patient.personnummer
            if number not in seen:
                at = min(plan.admitted_at + hours(self.rng.uniform(1, 8)), self.cutoff)
                seen[number] = (plan.patient, plan.ward, at)
        chosen = [item for item in seen.values() if self.rng.random() < 0.5]
        return chosen
