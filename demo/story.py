"""The messages of one demo stay that is not closed at once: admission notice and answers,
track colour, ready notice, the kommun's planning, discharge or closure, SIP. Pure (no database).

``draw`` takes the steps in the order a stay goes; every random draw happens in a fixed order, so
a seed always gives the same history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from demo import indicators
from demo.plans import EpisodePlan, Party, Step, hours, local_time
from demo.region import LENGTH_OF_STAY, WardSpec
from demo.vocabulary import (
    AIDS,
    HC_SERVICES,
    KOMMUN_SERVICES,
    REASONS,
    SOCIAL_NETWORK,
    WITHDRAWAL_REASONS,
)
from discharges.clock import local_date
from discharges.models import Destination

if TYPE_CHECKING:
    from demo.planner import Planner


@dataclass
class Course:
    """The key moments of one stay, as far as they are drawn."""

    admitted: datetime
    notice: datetime  # when the admission notice is sent (or would have been)
    send_notice: bool
    track_colour: str
    ready_date: date
    ready_at: datetime  # when the (last) ready notice is sent
    track_at: datetime = field(init=False)  # set by EpisodeStory.assess
    sip_needed: bool = field(init=False)

    @property
    def since(self) -> datetime:
        """The admission notice if it is sent, else the admission: what the ward's assessment
        and a closure are timed from."""
        return self.notice if self.send_notice else self.admitted


class EpisodeStory:
    """The messages of one stay that is not closed at once."""

    def __init__(self, planner: Planner, plan: EpisodePlan, ward: WardSpec, outcome: str) -> None:
        self.p = planner
        self.rng = planner.rng
        self.plan = plan
        self.ward = ward
        self.outcome = outcome
        self.kommun = plan.patient.kommun
        self.psychiatric = ward.care_type == "psykiatri"
        self.preliminary: date | None = None  # the latest preliminary ready date sent
        self.assessed = False  # whether the track colour (and SIP need) was assessed
        self.homecoming: datetime | None = None  # the agreed time, set with the discharge
        self.extra = indicators.stream(plan, "story")  # issue 14's fields: their own draws

    def add(self, at: datetime, party: Party, service: str, **kwargs: Any) -> Step:
        before_end = kwargs.pop("_before_end", True)
        receipt_by = kwargs.pop("_receipt_by", ())
        step = Step(at, party, service, kwargs, before_end, receipt_by)
        self.plan.steps.append(step)
        return step

    def draw(self) -> None:
        course = self.draw_course()
        if course.send_notice:
            self.admission_notice(course)
        self.correct_recipients()
        self.assess(course)
        if self.outcome == "normal" and self.rng.random() < 0.03:
            self.withdraw_ready_notice(course)
        if self.outcome in ("died", "transferred", "no_needs"):
            self.closure(course.since, course.ready_at, course.track_colour, course.sip_needed)
            return
        self.ready_and_discharge(course)

    # -- the steps of a stay, in the order ``draw`` takes them --

    def draw_course(self) -> Course:
        """The length of stay, when the admission notice goes (about one in ten after 24 h),
        the track colour and the ready date; a few notices stay unsent on purpose."""
        rng, admitted = self.rng, self.plan.admitted_at
        admitted_day = local_date(admitted)
        days, weights = LENGTH_OF_STAY[self.ward.speciality]
        los = rng.choices(days, weights=weights)[0]
        send_notice = self.outcome != "no_notice"
        late = rng.random() < 0.10
        notice = admitted + hours(rng.uniform(25, 60) if late else rng.uniform(0.5, 22))
        track_colour = rng.choices(("green", "yellow", "red"), weights=(57, 33, 10))[0]
        if track_colour == "red":
            los = max(los, 4)
        ready_date = max(admitted_day + timedelta(days=los), local_date(notice) + timedelta(days=1))
        first_ready = self.ready_notice_time(ready_date)
        if (
            send_notice
            and admitted < self.p.cutoff - hours(26)
            and first_ready > self.p.cutoff
            and (self.p.overdue_notices < 2 or rng.random() < 0.25)
        ):
            send_notice = False  # an overdue admission notice on the ward's worklist
            self.p.overdue_notices += 1
        if not send_notice and track_colour == "red":
            # A SIP in hospital needs the hälsocentral, which sees nothing before a notice.
            track_colour = "yellow"
        return Course(admitted, notice, send_notice, track_colour, ready_date, first_ready)

    def admission_notice(self, course: Course) -> None:
        """The admission notice with a preliminary ready date, its changes and the answers."""
        rng = self.rng
        if rng.random() > 0.04:
            offset = rng.choice((-2, -1, 0, 0, 0, 1, 1, 2, 3))
            admitted_day = local_date(course.admitted)
            self.preliminary = max(admitted_day, course.ready_date + timedelta(days=offset))
        self.add(
            course.notice,
            "ward",
            "send_admission_notice",
            preliminary_ready_date=self.preliminary,
            reason=rng.choice(REASONS[self.ward.speciality]),
            _receipt_by=("kommun", "health_centre"),
        )
        self.preliminary_changes(course.notice, course.ready_at, course.ready_date)
        self.answers(course.notice)

    def correct_recipients(self) -> None:
        """Wrongly addressed episodes are corrected a few hours in."""
        plan = self.plan
        if plan.kommun or plan.health_centre:
            self.add(
                plan.admitted_at + hours(self.rng.uniform(2, 20)),
                "ward",
                "change_recipients",
                kommun=self.kommun,
                health_centre=plan.patient.health_centre,
            )

    def assess(self, course: Course) -> None:
        """Track colour and whether a SIP is needed (red is seen early)."""
        rng = self.rng
        red = course.track_colour == "red"
        assessed_within = rng.uniform(1, 12) if red else rng.uniform(1, 30)
        track_at = course.since + hours(assessed_within)
        course.track_at = min(track_at, course.ready_at - hours(1))
        # Both draws are taken whatever the colour, so that the stream of draws stays the same.
        course.sip_needed = {
            "green": rng.random() < 0.12,
            "yellow": rng.random() < 0.6,
            "red": True,
        }[course.track_colour]
        self.assessed = rng.random() < 0.97
        if self.assessed:
            self.add(
                course.track_at,
                "ward",
                "assess_track_colour",
                colour=course.track_colour,
                sip_needed=course.sip_needed,
            )

    def withdraw_ready_notice(self, course: Course) -> None:
        """A ready notice sent, withdrawn (the patient got worse) and due again days later."""
        rng = self.rng
        withdrawn = course.ready_at + hours(rng.uniform(4, 30))
        self.add(course.ready_at, "ward", "send_ready_notice", ready_date=course.ready_date)
        self.add(withdrawn, "ward", "withdraw_ready_notice", reason=rng.choice(WITHDRAWAL_REASONS))
        course.ready_date = local_date(withdrawn) + timedelta(days=rng.randint(2, 6))
        course.ready_at = self.ready_notice_time(course.ready_date)
        if rng.random() < 0.5 and course.send_notice and self.preliminary != course.ready_date:
            self.add(
                withdrawn + hours(rng.uniform(1, 6)),
                "ward",
                "change_preliminary_date",
                preliminary_ready_date=course.ready_date,
            )
            self.preliminary = course.ready_date

    def ready_and_discharge(self, course: Course) -> None:
        """The ready notice, the ready days the kommun takes, its planning, the discharge and a
        SIP in hospital (red) or after discharge."""
        self.add(
            course.ready_at,
            "ward",
            "send_ready_notice",
            ready_date=course.ready_date,
            _receipt_by=("kommun", "health_centre"),
        )
        wait = self.p.ready_days(self.kommun, course.ready_date, self.psychiatric)
        sip_held_in_hospital: datetime | None = None
        if course.track_colour == "red":
            wait = max(wait, 1)
            sip_held_in_hospital = self.red_sip(course.track_at, course.ready_at, course.ready_date)
        discharge = self.discharge_time(course.ready_at, course.ready_date, wait)
        self.plan.end = discharge
        notice = course.notice if course.send_notice else None
        self.kommun_side(notice, course.ready_at, discharge, sip_held_in_hospital)
        destination = self.destination(wait)
        self.add(
            discharge,
            "ward",
            "register_discharge",
            destination=destination,
            needs_outcome=indicators.needs_outcome(self.extra, course.track_colour),
            _before_end=False,
        )
        if course.sip_needed and course.track_colour != "red":
            # Without an admission notice the hälsocentral learns of the stay from the ready notice.
            shared = course.notice if course.send_notice else course.ready_at
            self.sip_after(shared, course.track_at, course.ready_date, discharge)

    # -- pieces --

    def ready_notice_time(self, ready_date: date) -> datetime:
        rng = self.rng
        slot = rng.choices(("morning", "afternoon", "evening"), weights=(60, 32, 8))[0]
        start, end = {"morning": (8, 12), "afternoon": (12, 16), "evening": (16, 20)}[slot]
        return local_time(ready_date, rng.uniform(start, end))

    def preliminary_changes(self, notice: datetime, ready_at: datetime, ready_date: date) -> None:
        rng = self.rng
        count = rng.choices((0, 1, 2, 3), weights=(45, 30, 17, 8))[0]
        span = (ready_at - notice).total_seconds() / 3600 - 3
        if count == 0 or span <= 1:
            return
        times = sorted(notice + hours(2 + rng.uniform(0, span)) for _ in range(count))
        admitted_day = local_date(self.plan.admitted_at)
        for index, at in enumerate(times):
            last = index == count - 1
            offset = rng.choice((0, 0, 1, -1, 2, -2)) if last else rng.choice((-2, -1, 1, 2, 3))
            value = max(admitted_day, ready_date + timedelta(days=offset))
            if value == self.preliminary:
                continue
            self.add(at, "ward", "change_preliminary_date", preliminary_ready_date=value)
            self.preliminary = value

    def answers(self, notice: datetime) -> None:
        rng = self.rng
        hc = self.plan.patient.health_centre
        if rng.random() < 0.95:
            current = rng.random() < 0.7
            self.add(
                notice + hours(rng.uniform(0.5, 26)),
                "kommun",
                "answer_admission",
                current_services=current,
                services=rng.choice(KOMMUN_SERVICES) if current else "",
                social_network=rng.choice(SOCIAL_NETWORK),
                aids=rng.choice(AIDS),
                _receipt_by=("ward",),
            )
        if rng.random() < 0.88:
            current = rng.random() < 0.6
            self.add(
                notice + hours(rng.uniform(1, 40)),
                "health_centre",
                "answer_admission",
                current_services=current,
                services=rng.choice(HC_SERVICES) if current else "",
                social_network="",
                aids="",
                _receipt_by=("ward",),
            )
        if rng.random() < 0.87:
            name, phone = rng.choice(self.p.contacts[hc])
            self.add(
                notice + hours(rng.uniform(2, 50)),
                "health_centre",
                "name_care_contact",
                name=name,
                phone=phone,
                _receipt_by=("ward", "kommun"),
            )

    def discharge_time(self, ready_at: datetime, ready_date: date, wait: int) -> datetime:
        rng = self.rng
        if wait == 0 and local_time(ready_date, 21) - ready_at < hours(1.5):
            wait = 1  # a ready notice late in the evening: home the next day
        if wait == 0:
            latest = min(ready_at + hours(6), local_time(ready_date, 22.5))
            planned = ready_at + (latest - ready_at) * rng.uniform(0.35, 1.0)
        else:
            planned = local_time(ready_date + timedelta(days=wait), rng.uniform(9, 16.5))
        # Homecoming is agreed on the quarter hour; the patient leaves a little after.
        planned = planned.replace(minute=planned.minute - planned.minute % 15, second=0)
        self.homecoming = max(planned, ready_at + hours(0.75))
        return self.homecoming + timedelta(minutes=rng.randint(0, 40))

    def kommun_side(
        self,
        notice: datetime | None,
        ready_at: datetime,
        discharge: datetime,
        sip_held: datetime | None,
    ) -> None:
        """SoL/HSL planning, kommunklar and the acknowledged time for homecoming."""
        rng = self.rng
        if notice is not None:
            lead = rng.uniform(0.5, 20) if rng.random() < 0.7 else rng.uniform(20, 40)
            kommun_ready = max(discharge - hours(lead), notice + hours(2))
            if sip_held is not None:
                kommun_ready = max(kommun_ready, min(sip_held + hours(1), discharge - hours(0.5)))
            span = kommun_ready - notice
            if rng.random() < 0.92:
                self.add(notice + span * rng.uniform(0.3, 0.9), "kommun", "mark_sol_planning_done")
            if rng.random() < 0.5:
                self.add(notice + span * rng.uniform(0.3, 0.95), "kommun", "mark_hsl_planning_done")
            if rng.random() < 0.96:
                self.add(kommun_ready, "kommun", "mark_kommun_ready", _receipt_by=("ward",))
        else:
            kommun_ready = ready_at
        if rng.random() < 0.95:
            acknowledged = max(ready_at + hours(rng.uniform(0.2, 2.5)), kommun_ready + hours(0.1))
            if acknowledged >= discharge - timedelta(minutes=5):
                acknowledged = ready_at + (discharge - ready_at) * rng.uniform(0.3, 0.8)
            self.add(
                acknowledged,
                "kommun",
                "acknowledge_homecoming",
                homecoming_at=self.homecoming,
                _receipt_by=("ward",),
            )

    def destination(self, wait: int) -> str:
        # Long waits are often waits for a place in short-term or special housing.
        weights = (45, 20, 30, 5) if wait >= 3 else (80, 7, 10, 3)
        return self.rng.choices(
            (
                Destination.HOME,
                Destination.SPECIAL_HOUSING,
                Destination.SHORT_TERM,
                Destination.OTHER,
            ),
            weights=weights,
        )[0]

    def red_sip(self, track_at: datetime, ready_at: datetime, ready_date: date) -> datetime:
        """Red track: the fast vårdkontakt invites to a SIP held in hospital before discharge."""
        rng = self.rng
        invited = min(track_at + hours(rng.uniform(2, 20)), ready_at - hours(3))
        if rng.random() < 0.4:
            self.add(
                track_at + (invited - track_at) * rng.uniform(0.1, 0.8),
                rng.choice(("ward", "kommun")),
                "take_sip_initiative",
                note="Komplexa behov, SIP på sjukhuset",
            )
        invited_day = local_date(invited)
        meeting_day = ready_date - timedelta(days=rng.choice((0, 1, 1, 2)))
        meeting_day = min(max(meeting_day, invited_day + timedelta(days=1)), ready_date)
        self.add(
            invited,
            "health_centre",
            "send_sip_invitation",
            meeting_at=local_time(meeting_day, 13),
            _receipt_by=("ward", "kommun"),
        )
        held_at = max(local_time(meeting_day, rng.uniform(14.5, 16)), invited + hours(1))
        self.sip_held(held_at, meeting_day, in_hospital=True, _before_end=True)
        return held_at

    def sip_held(self, at: datetime, held: date, *, in_hospital: bool, _before_end: bool) -> None:
        """The SIP held, where, and its follow-up planned and (mostly) done."""
        planned, done = indicators.follow_up(self.extra, held)
        self.add(
            at,
            "health_centre",
            "record_sip_held",
            held_date=held,
            place=indicators.sip_place(self.extra, in_hospital),
            follow_up_date=planned,
            _before_end=_before_end,
        )
        if done is not None:
            self.add(
                local_time(done, 15),
                "health_centre",
                "record_sip_follow_up_done",
                done_date=done,
                _before_end=False,
            )

    def sip_after(
        self, shared: datetime, track_at: datetime, ready_date: date, discharge: datetime
    ) -> None:
        """A SIP invited around the ready date and held at home after discharge."""
        rng = self.rng
        today = self.p.today
        overdue_window = today - timedelta(days=12) <= ready_date <= today - timedelta(days=4)
        if overdue_window and self.assessed and (self.p.overdue_sips < 2 or rng.random() < 0.6):
            self.p.overdue_sips += 1
            return  # an overdue SIP invitation on the hälsocentral's worklist
        offset = rng.choices(
            (-2, -1, 0, 1, 2, 3, 4, 5, 6, 8), weights=(5, 8, 20, 20, 15, 12, 8, 5, 4, 3)
        )[0]
        invited = local_time(ready_date + timedelta(days=offset), rng.uniform(8, 16))
        invited = max(invited, shared + hours(rng.uniform(2, 8)), track_at + hours(1))
        if rng.random() < 0.3:
            initiative = track_at + (invited - track_at) * rng.uniform(0.1, 0.9)
            self.add(
                initiative,
                # Kommun and hälsocentral act only once the stay is shared with them.
                rng.choice(("ward", "kommun", "health_centre")) if initiative > shared else "ward",
                "take_sip_initiative",
                note="Behov av SIP efter hemgång",
                _before_end=False,
            )
        meeting_day = max(local_date(discharge), local_date(invited)) + timedelta(
            days=rng.randint(3, 20)
        )
        self.add(
            invited,
            "health_centre",
            "send_sip_invitation",
            meeting_at=local_time(meeting_day, rng.choice((9, 10, 13.5))),
            _before_end=False,
            _receipt_by=("kommun",),
        )
        if rng.random() < 0.06:
            # Cancelled the day before and invited again.
            cancelled = local_time(meeting_day - timedelta(days=1), rng.uniform(8, 12))
            cancelled = max(cancelled, invited + hours(1))
            self.add(
                cancelled,
                "health_centre",
                "cancel_sip",
                reason=rng.choice(("Patienten sjuk", "Anhörig kunde inte delta")),
                _before_end=False,
            )
            invited = cancelled + hours(rng.uniform(20, 96))
            meeting_day = local_date(invited) + timedelta(days=rng.randint(5, 12))
            self.add(
                invited,
                "health_centre",
                "send_sip_invitation",
                meeting_at=local_time(meeting_day, 10),
                _before_end=False,
            )
        recorded_day = meeting_day + timedelta(days=rng.choice((0, 0, 1, 2)))
        self.sip_held(
            local_time(recorded_day, rng.uniform(13, 17)),
            meeting_day,
            in_hospital=False,
            _before_end=False,
        )

    def closure(
        self, since: datetime, ready_at: datetime, track_colour: str, sip_needed: bool
    ) -> None:
        """Closed without discharge: died, moved to another hospital or no longer needs help."""
        rng = self.rng
        span = max((ready_at - since).total_seconds() / 3600, 6)
        if self.outcome == "died" and rng.random() < 0.3:
            # Died while waiting for the kommun.
            self.add(ready_at, "ward", "send_ready_notice", ready_date=local_date(ready_at))
            closed = ready_at + hours(rng.uniform(10, 60))
        else:
            closed = since + hours(rng.uniform(0.3, 0.95) * span)
        noticed = any(s.service == "send_admission_notice" for s in self.plan.steps)
        if sip_needed and track_colour == "red" and noticed:
            invited = since + hours(rng.uniform(2, 8))
            if invited < closed - hours(2):
                self.add(invited, "health_centre", "send_sip_invitation")
                self.add(
                    closed - hours(rng.uniform(0.2, 1.5)),
                    "health_centre",
                    "cancel_sip",
                    reason="Vårdtillfället avslutat",
                )
        self.plan.end = closed
        self.add(closed, "ward", "close_episode", reason=self.outcome, _before_end=False)
