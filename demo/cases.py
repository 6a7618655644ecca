"""The four case descriptions of seed 001 (Pontus, Mikael, Anna, Olle), at Umeå wards within
the last weeks: fixed messages at fixed times before today, so the demo always shows them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from demo.planner import Planner
from demo.plans import ENDING_SERVICES, EpisodePlan, PatientSpec, Step, local_time
from discharges.models import ClosureReason, Destination


class CaseCalendar:
    """Days and times counted back from today, and the cases' patients and named contacts."""

    def __init__(self, planner: Planner) -> None:
        self.planner = planner
        self.today = planner.today

    def day(self, ago: int) -> date:
        return self.today - timedelta(days=ago)

    def at(self, ago: int, clock: float) -> datetime:
        return local_time(self.day(ago), clock)

    def born(self, age: int, ago: int, month: int, dom: int) -> date:
        """A birthday that makes the patient ``age`` years old on admission."""
        admitted = self.day(ago)
        not_yet = (month, dom) > (admitted.month, admitted.day)
        return date(admitted.year - age - (1 if not_yet else 0), month, dom)

    def person(
        self, first: str, surname: str, age: int, ago: int, female: bool, hc: str
    ) -> PatientSpec:
        spec = self.planner.new_patient(
            "2480",
            born=self.born(age, ago, 3 + len(first), 10 + len(surname)),
            first_name=first,
            female=female,
            health_centre=hc,
        )
        return PatientSpec(spec.personnummer, f"{first} {surname}", spec.address, "2480", hc)

    def contact(self, hc: str) -> dict[str, str]:
        name, phone = self.planner.contacts[hc][0]
        return {"name": name, "phone": phone}


def plan_cases(planner: Planner) -> list[EpisodePlan]:
    """Pontus, Mikael, Anna and Olle, in this order (each draws its patient's personnummer and
    address from the planner's random stream)."""
    calendar = CaseCalendar(planner)
    plans = [case(calendar) for case in (pontus, mikael, anna, olle)]
    for plan in plans:
        plan.end = next(s.at for s in plan.steps if s.service in ENDING_SERVICES)
        planner.finish(plan)
    return plans


def pontus(c: CaseCalendar) -> EpisodePlan:
    """Pontus, 27, appendicitis: not covered by the act; no admission notice, no named contact."""
    return EpisodePlan(
        c.person("Pontus", "Lindqvist", 27, 12, False, "alidhem"),
        "kirurgi-nus",
        c.at(12, 21.6),
        [Step(c.at(10, 10.25), "ward", "close_episode", {"reason": ClosureReason.NOT_COVERED})],
    )


def mikael(c: CaseCalendar) -> EpisodePlan:
    """Mikael, 65, pneumonia: same help as before; he has a current SIP, so no new invitation."""
    return EpisodePlan(
        c.person("Mikael", "Öberg", 65, 20, False, "ersboda"),
        "avd1-nus",
        c.at(20, 14.1),
        [
            Step(
                c.at(20, 18.5),
                "ward",
                "send_admission_notice",
                {"preliminary_ready_date": c.day(16), "reason": "Pneumoni"},
                receipt_by=("kommun", "health_centre"),
            ),
            Step(
                c.at(19, 9.2),
                "kommun",
                "answer_admission",
                {
                    "current_services": True,
                    "services": "Hemtjänst morgon och kväll, städ och inköp varannan vecka",
                    "social_network": "Bor med maka",
                    "aids": "Rollator",
                },
                receipt_by=("ward",),
            ),
            Step(
                c.at(19, 11),
                "health_centre",
                "answer_admission",
                {"current_services": True, "services": "Astma/KOL-mottagning, aktuell SIP"},
            ),
            Step(c.at(19, 13.3), "health_centre", "name_care_contact", c.contact("ersboda")),
            Step(
                c.at(19, 15),
                "ward",
                "assess_track_colour",
                {"colour": "green", "sip_needed": False},
            ),
            Step(
                c.at(17, 10),
                "ward",
                "change_preliminary_date",
                {"preliminary_ready_date": c.day(15)},
            ),
            Step(c.at(15, 10.3), "ward", "send_ready_notice", {"ready_date": c.day(15)}),
            Step(c.at(15, 11.5), "kommun", "mark_sol_planning_done"),
            Step(c.at(15, 12.9), "kommun", "mark_kommun_ready"),
            Step(
                c.at(15, 13.1), "kommun", "acknowledge_homecoming", {"homecoming_at": c.at(15, 16)}
            ),
            Step(c.at(15, 16.1), "ward", "register_discharge", {"destination": Destination.HOME}),
        ],
    )


def anna(c: CaseCalendar) -> EpisodePlan:
    """Anna, 81, hip fracture: had home help, now also needs home health care; SIP after
    discharge."""
    return EpisodePlan(
        c.person("Anna", "Holmgren", 81, 26, True, "ersboda"),
        "ortopedi-nus",
        c.at(26, 8.5),
        [
            Step(
                c.at(26, 15),
                "ward",
                "send_admission_notice",
                {
                    "preliminary_ready_date": c.day(20),
                    "reason": "Höftledsfraktur vänster efter fall",
                },
                receipt_by=("kommun", "health_centre"),
            ),
            Step(
                c.at(25, 9.5),
                "kommun",
                "answer_admission",
                {
                    "current_services": True,
                    "services": "Hemtjänst 2 ggr/dag, trygghetslarm",
                    "social_network": "Ensamboende, dotter i Umeå",
                    "aids": "Rollator",
                },
            ),
            Step(c.at(25, 10.5), "health_centre", "answer_admission", {"current_services": False}),
            Step(c.at(25, 13), "health_centre", "name_care_contact", c.contact("ersboda")),
            Step(
                c.at(24, 14),
                "ward",
                "assess_track_colour",
                {"colour": "yellow", "sip_needed": True},
            ),
            Step(
                c.at(22, 11),
                "ward",
                "change_preliminary_date",
                {"preliminary_ready_date": c.day(19)},
            ),
            Step(c.at(19, 9.75), "ward", "send_ready_notice", {"ready_date": c.day(19)}),
            Step(c.at(19, 13), "kommun", "mark_sol_planning_done"),
            Step(c.at(19, 14), "kommun", "mark_hsl_planning_done"),
            Step(
                c.at(18, 10),
                "health_centre",
                "send_sip_invitation",
                {"meeting_at": c.at(8, 10)},
                receipt_by=("kommun",),
            ),
            Step(c.at(18, 11), "kommun", "mark_kommun_ready"),
            Step(
                c.at(18, 11.1), "kommun", "acknowledge_homecoming", {"homecoming_at": c.at(18, 14)}
            ),
            Step(c.at(18, 14.2), "ward", "register_discharge", {"destination": Destination.HOME}),
            Step(
                c.at(8, 15.5),
                "health_centre",
                "record_sip_held",
                {"held_date": c.day(8)},
                before_end=False,
            ),
        ],
    )


def olle(c: CaseCalendar) -> EpisodePlan:
    """Olle, 45, stroke: complex needs (red); SIP in hospital before discharge."""
    return EpisodePlan(
        c.person("Olle", "Sandberg", 45, 30, False, "alidhem"),
        "stroke-nus",
        c.at(30, 3.25),
        [
            Step(
                c.at(29, 10),
                "ward",
                "send_admission_notice",
                {"preliminary_ready_date": c.day(23), "reason": "Hjärninfarkt, högersidig svaghet"},
                receipt_by=("kommun", "health_centre"),
            ),
            Step(
                c.at(29, 14),
                "kommun",
                "answer_admission",
                {
                    "current_services": False,
                    "social_network": "Sambo, två barn",
                    "aids": "Inga",
                },
            ),
            Step(c.at(29, 15), "health_centre", "answer_admission", {"current_services": False}),
            Step(c.at(29, 15.5), "health_centre", "name_care_contact", c.contact("alidhem")),
            Step(
                c.at(28, 11), "ward", "assess_track_colour", {"colour": "red", "sip_needed": True}
            ),
            Step(
                c.at(27, 9.5),
                "health_centre",
                "send_sip_invitation",
                {"meeting_at": c.at(22, 13)},
                receipt_by=("ward", "kommun"),
            ),
            Step(
                c.at(26, 10),
                "ward",
                "change_preliminary_date",
                {"preliminary_ready_date": c.day(22)},
            ),
            Step(
                c.at(24, 10),
                "ward",
                "change_preliminary_date",
                {"preliminary_ready_date": c.day(21)},
            ),
            Step(c.at(22, 15), "health_centre", "record_sip_held", {"held_date": c.day(22)}),
            Step(c.at(22, 16), "kommun", "mark_sol_planning_done"),
            Step(c.at(22, 16.2), "kommun", "mark_hsl_planning_done"),
            Step(c.at(21, 9), "kommun", "mark_kommun_ready"),
            Step(c.at(21, 11.5), "ward", "send_ready_notice", {"ready_date": c.day(21)}),
            Step(c.at(21, 13), "kommun", "acknowledge_homecoming", {"homecoming_at": c.at(20, 10)}),
            Step(c.at(20, 10.25), "ward", "register_discharge", {"destination": Destination.HOME}),
        ],
    )
