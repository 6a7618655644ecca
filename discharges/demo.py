"""Demo data for Region Västerbotten: organisations, users, patients, 18 months of episodes.

``seed()`` is what ``python manage.py seed_demo`` runs. It is idempotent: when the demo
integration account exists the data is already there and nothing is written. Otherwise, in one
transaction, it

1. fetches Region 24 and its 15 kommuner (loaded by a migration) and creates the hospitals, wards
   and hälsocentraler of the region;
2. creates one user per role (memberships through ``services.add_membership``);
3. plans episodes with ``random.Random(seed)`` (pure: no database) — the four case descriptions
   of seed 001 (Pontus, Mikael, Anna, Olle) plus a regional stream of admissions whose ready
   days are skewed so that some kommuner exceed an average of 3.0 for a stretch of months;
4. sends every message through ``discharges.services`` exactly as the pages do, with the
   integration account acting for the organisation that sends it (so back-dating is allowed);
5. loads Västerbotten's agreement (payment/agreements/vasterbotten.toml) unless the region has
   one, and computes the monthly statistics, so the dashboards have the history at once.

Every time below is an aware datetime in UTC; times of day are chosen in Europe/Stockholm.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

import payment
from analysis.statistics import compute_statistics
from discharges import services
from discharges.models import (
    ClosureReason,
    ConsentRecord,
    Destination,
    Episode,
    EpisodeEvent,
    EpisodeStatus,
    HealthCentre,
    Hospital,
    Kommun,
    Membership,
    Organisation,
    Patient,
    Receipt,
    Region,
    Role,
    Ward,
)
from discharges.personnummer import luhn_check_digit
from payment.loader import load_agreement
from payment.models import Agreement

# --- Constants --------------------------------------------------------------------------------

# Demo logins only: printed by the command on every run, never used outside demo installs.
DEMO_PASSWORD = "svu-demo-2026"  # noqa: S105
# The account that authors the historical messages; its presence marks the demo data as loaded.
INTEGRATION_USERNAME = "integration.svu"
REGION_CODE = "24"
DEFAULT_SEED = 1
DEFAULT_MONTHS = 18
# Admissions per month across the region. The real figure is 150-250 discharges a month; every
# message goes through the services one at a time, so the default keeps the first run of
# `make run` well under a minute on SQLite. Raise it with --per-month for a fuller picture.
DEFAULT_PER_MONTH = 80
# Region Västerbotten's organisation number 232100-0222 as HSA-id prefix.
HSA_PREFIX = "SE2321000222-"

TZ = ZoneInfo(settings.TIME_ZONE)


# --- Static data: places, organisations, people -----------------------------------------------


@dataclass(frozen=True)
class Place:
    town: str
    postcode: str  # the first three digits; the last two are drawn
    streets: tuple[str, ...]


@dataclass(frozen=True)
class KommunProfile:
    code: str
    share: float  # of the region's admissions
    hospital: str  # key of the home hospital
    phone_prefix: str
    places: tuple[Place, ...]


KOMMUN_PROFILES: tuple[KommunProfile, ...] = (
    KommunProfile(
        "2480",
        0.40,
        "nus",
        "090",
        (
            Place(
                "Umeå",
                "903",
                ("Storgatan", "Kungsgatan", "Rådhusesplanaden", "Skolgatan", "Västra Esplanaden"),
            ),
            Place("Umeå", "906", ("Ersbodavägen", "Gimonäsvägen", "Släggvägen", "Kolvägen")),
            Place(
                "Umeå", "907", ("Ålidhemsgatan", "Tvistevägen", "Historiegränd", "Mariehemsvägen")
            ),
            Place("Holmsund", "913", ("Kajvägen", "Strandvägen", "Jägarvägen")),
            Place("Sävar", "918", ("Kyrkvägen", "Sävarvägen")),
            Place("Hörnefors", "914", ("Bruksvägen", "Skolvägen")),
        ),
    ),
    KommunProfile(
        "2482",
        0.28,
        "skl",
        "0910",
        (
            Place("Skellefteå", "931", ("Kanalgatan", "Nygatan", "Storgatan", "Viktoriagatan")),
            Place("Skellefteå", "931", ("Morö backe", "Klockarbergsvägen", "Mossgatan")),
            Place("Skelleftehamn", "932", ("Hamnvägen", "Rönnskärsvägen")),
            Place("Bureå", "932", ("Storvägen", "Burevägen")),
            Place("Ursviken", "932", ("Örnvägen", "Lotsvägen")),
        ),
    ),
    KommunProfile(
        "2481",
        0.055,
        "lyl",
        "0950",
        (
            Place("Lycksele", "921", ("Storgatan", "Köpmangatan", "Skolgatan", "Hedvägen")),
            Place("Kristineberg", "921", ("Gruvvägen",)),
        ),
    ),
    KommunProfile(
        "2460", 0.035, "nus", "0935", (Place("Vännäs", "911", ("Storgatan", "Järnvägsgatan")),)
    ),
    KommunProfile(
        "2462",
        0.03,
        "lyl",
        "0940",
        (Place("Vilhelmina", "912", ("Storgatan", "Volgsjövägen", "Tallvägen")),),
    ),
    KommunProfile(
        "2401", 0.03, "nus", "0930", (Place("Nordmaling", "914", ("Kyrkovägen", "Centrumvägen")),)
    ),
    KommunProfile(
        "2409", 0.03, "nus", "0934", (Place("Robertsfors", "915", ("Storgatan", "Bruksgatan")),)
    ),
    KommunProfile(
        "2421", 0.025, "lyl", "0951", (Place("Storuman", "923", ("Blå vägen", "Skolgatan")),)
    ),
    KommunProfile(
        "2404", 0.025, "nus", "0933", (Place("Vindeln", "922", ("Granvägen", "Kungsvägen")),)
    ),
    KommunProfile(
        "2417", 0.02, "skl", "0918", (Place("Norsjö", "935", ("Storgatan", "Skolgatan")),)
    ),
    KommunProfile(
        "2418", 0.015, "skl", "0953", (Place("Malå", "930", ("Storgatan", "Tjärnvägen")),)
    ),
    KommunProfile(
        "2425", 0.015, "lyl", "0942", (Place("Dorotea", "917", ("Storgatan", "Fjällvägen")),)
    ),
    KommunProfile(
        "2463", 0.015, "lyl", "0941", (Place("Åsele", "919", ("Storgatan", "Torggatan")),)
    ),
    KommunProfile(
        "2422", 0.012, "lyl", "0952", (Place("Sorsele", "924", ("Storgatan", "Vindelvägen")),)
    ),
    KommunProfile(
        "2403", 0.012, "nus", "0932", (Place("Bjurholm", "916", ("Storgatan", "Örnviksvägen")),)
    ),
)
PROFILE_BY_CODE = {p.code: p for p in KOMMUN_PROFILES}

# Strained months: (kommun code, months before the current month) -> mean extra ready days.
# In a strained month nobody goes home within 3 days (no places in short-term housing), so the
# kommun's average exceeds 3.0 whatever the draw, even with a single discharge. Skellefteå has
# five such months a year ago (liable for a while under a 3-months-in rule, then free again);
# Lycksele has had five up to last month (liable now); Vilhelmina and Storuman have single bad
# months; Umeå stays under.
STRAIN: dict[tuple[str, int], float] = {
    **{("2482", ago): 1.5 for ago in range(9, 14)},
    **{("2481", ago): 1.5 for ago in range(1, 6)},
    ("2462", 7): 0.5,
    ("2421", 11): 0.5,
}


@dataclass(frozen=True)
class WardSpec:
    key: str  # also the suffix of the nurse's username
    name: str
    care_type: str
    speciality: str  # medicine | geriatrics | orthopaedics | surgery | stroke | psychiatry
    weight: float  # share of the hospital's somatic admissions (psychiatry is chosen apart)


@dataclass(frozen=True)
class HospitalSpec:
    key: str
    name: str
    hsa_suffix: str
    wards: tuple[WardSpec, ...]


HOSPITALS: tuple[HospitalSpec, ...] = (
    HospitalSpec(
        "nus",
        "Norrlands universitetssjukhus",
        "1000",
        (
            WardSpec("avd1-nus", "Avdelning 1 medicin", "somatik", "medicine", 0.30),
            WardSpec("geriatrik-nus", "Geriatrik", "somatik", "geriatrics", 0.27),
            WardSpec("ortopedi-nus", "Ortopedi", "somatik", "orthopaedics", 0.18),
            WardSpec("kirurgi-nus", "Kirurgi", "somatik", "surgery", 0.10),
            WardSpec("stroke-nus", "Strokeenheten", "somatik", "stroke", 0.15),
            WardSpec("psyk1-nus", "Psykiatrisk avdelning 1", "psykiatri", "psychiatry", 0.0),
        ),
    ),
    HospitalSpec(
        "skl",
        "Skellefteå lasarett",
        "2000",
        (
            WardSpec("med2-skl", "Medicinavdelning 2", "somatik", "medicine", 0.45),
            WardSpec("geriatrik-skl", "Geriatrik", "somatik", "geriatrics", 0.25),
            WardSpec("ortopedi-skl", "Ortopedi", "somatik", "orthopaedics", 0.30),
            WardSpec("psyk-skl", "Psykiatrisk avdelning", "psykiatri", "psychiatry", 0.0),
        ),
    ),
    HospitalSpec(
        "lyl",
        "Lycksele lasarett",
        "3000",
        (
            WardSpec("medicin-lyl", "Medicinavdelning", "somatik", "medicine", 0.70),
            WardSpec("kirortop-lyl", "Kirurgi och ortopedi", "somatik", "orthopaedics", 0.30),
        ),
    ),
)
PSYCHIATRY_SHARE = 0.09


@dataclass(frozen=True)
class HealthCentreSpec:
    key: str
    name: str
    kommuner: tuple[str, ...]
    weight: float = 1.0  # among the hälsocentraler serving the same kommun


HEALTH_CENTRES: tuple[HealthCentreSpec, ...] = (
    HealthCentreSpec("ersboda", "Ersboda hälsocentral", ("2480",), 1.0),
    HealthCentreSpec("alidhem", "Ålidhem hälsocentral", ("2480",), 1.0),
    HealthCentreSpec("mariehem", "Mariehems hälsocentral", ("2480",), 0.8),
    HealthCentreSpec("holmsund", "Holmsunds hälsocentral", ("2480",), 0.5),
    HealthCentreSpec("skelleftea-centrum", "Skellefteå Centrum hälsocentral", ("2482",), 1.2),
    HealthCentreSpec("moro-backe", "Morö Backe hälsocentral", ("2482",), 0.8),
    HealthCentreSpec("burea", "Bureå hälsocentral", ("2482",), 0.4),
    HealthCentreSpec("lycksele", "Lycksele hälsocentral", ("2481",)),
    HealthCentreSpec("vannas", "Vännäs hälsocentral", ("2460", "2403"), 1.0),
    HealthCentreSpec("bjurholm", "Bjurholms hälsocentral", ("2403",), 2.0),
    HealthCentreSpec("nordmaling", "Nordmalings hälsocentral", ("2401",)),
    HealthCentreSpec("vindeln", "Vindelns hälsocentral", ("2404",)),
    HealthCentreSpec("robertsfors", "Robertsfors hälsocentral", ("2409",)),
    HealthCentreSpec("norsjo", "Norsjö hälsocentral", ("2417",)),
    HealthCentreSpec("mala", "Malå hälsocentral", ("2418",)),
    HealthCentreSpec("storuman", "Storumans hälsocentral", ("2421",)),
    HealthCentreSpec("sorsele", "Sorsele hälsocentral", ("2422",)),
    HealthCentreSpec("dorotea", "Dorotea hälsocentral", ("2425",)),
    HealthCentreSpec("vilhelmina", "Vilhelmina hälsocentral", ("2462",)),
    HealthCentreSpec("asele", "Åsele hälsocentral", ("2463",)),
)


@dataclass(frozen=True)
class UserSpec:
    username: str
    first_name: str
    last_name: str
    role: str
    organisation: str  # "region", "kommun:<code>", "ward:<key>" or "hc:<key>"


WARD_NURSES: dict[str, tuple[str, str]] = {
    "avd1-nus": ("Maria", "Lundström"),
    "geriatrik-nus": ("Karin", "Öberg"),
    "ortopedi-nus": ("Johanna", "Nordin"),
    "kirurgi-nus": ("Erik", "Sandström"),
    "stroke-nus": ("Sara", "Wikström"),
    "psyk1-nus": ("Anders", "Hedlund"),
    "med2-skl": ("Linnea", "Marklund"),
    "geriatrik-skl": ("Helena", "Boström"),
    "ortopedi-skl": ("Jonas", "Lidström"),
    "psyk-skl": ("Malin", "Burman"),
    "medicin-lyl": ("Elin", "Granlund"),
    "kirortop-lyl": ("Petra", "Stenlund"),
}

USERS: tuple[UserSpec, ...] = (
    *(
        UserSpec(f"sjukskoterska.{key}", first, last, Role.WARD_STAFF, f"ward:{key}")
        for key, (first, last) in WARD_NURSES.items()
    ),
    UserSpec("vardsamordnare.ersboda", "Annika", "Holmgren", Role.HC_COORDINATOR, "hc:ersboda"),
    UserSpec("vardsamordnare.alidhem", "Cecilia", "Berglund", Role.HC_COORDINATOR, "hc:alidhem"),
    UserSpec(
        "vardsamordnare.skelleftea",
        "Ulrika",
        "Hägglund",
        Role.HC_COORDINATOR,
        "hc:skelleftea-centrum",
    ),
    UserSpec("vardsamordnare.lycksele", "Therese", "Lindgren", Role.HC_COORDINATOR, "hc:lycksele"),
    UserSpec("planerare.umea", "Lena", "Forsberg", Role.KOMMUN_PLANNER, "kommun:2480"),
    UserSpec("planerare.skelleftea", "Mikaela", "Nyström", Role.KOMMUN_PLANNER, "kommun:2482"),
    UserSpec("planerare.lycksele", "Katarina", "Åström", Role.KOMMUN_PLANNER, "kommun:2481"),
    UserSpec("processledare", "Jeanette", "Westerlund", Role.PROCESS_LEAD, "region"),
    UserSpec("partssammansatt", "Göran", "Lundqvist", Role.JOINT_GROUP, "region"),
    UserSpec("admin", "Per", "Strömberg", Role.ADMIN, "region"),
    UserSpec(INTEGRATION_USERNAME, "SVU", "Integration", Role.INTEGRATION, "region"),
)

WOMEN_OLD = (
    "Hildur", "Margareta", "Elisabeth", "Eva", "Birgitta", "Kerstin", "Marianne", "Ingrid",
    "Gunilla", "Karin", "Britt", "Ulla", "Inger", "Barbro", "Gun", "Siv", "Maj", "Elsa",
    "Astrid", "Gunnel", "Solveig", "Berit", "Majvor", "Ingegerd", "Agneta", "Märta", "Signe",
    "Aina", "Greta", "Rut",
)  # fmt: skip
MEN_OLD = (
    "Lars", "Karl", "Erik", "Per", "Nils", "Jan", "Bengt", "Sven", "Gunnar", "Olof", "Bo",
    "Lennart", "Göran", "Stig", "Rolf", "Kjell", "Åke", "Sture", "Gösta", "Ture", "Evert",
    "Helge", "Bertil", "Ingvar", "Rune", "Leif", "Hans", "Tore", "Arne", "Ragnar",
)  # fmt: skip
WOMEN_YOUNG = (
    "Sara", "Emma", "Linnea", "Maria", "Elin", "Johanna", "Hanna", "Frida", "Malin", "Sofia",
    "Ida", "Jenny", "Camilla", "Therese", "Lina",
)  # fmt: skip
MEN_YOUNG = (
    "Johan", "Andreas", "Mattias", "Jonas", "Fredrik", "Daniel", "Marcus", "Niklas", "Viktor",
    "Simon", "Henrik", "Oskar", "Robin", "Emil", "Anton",
)  # fmt: skip
SURNAMES = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
    "Svensson", "Gustafsson", "Lindberg", "Lundberg", "Lundgren", "Holmgren", "Sjöberg",
    "Marklund", "Lindström", "Öberg", "Nordin", "Burman", "Boström", "Lidström", "Wikström",
    "Westerlund", "Hedlund", "Sandström", "Granlund", "Berglund", "Forsberg", "Nyström",
    "Åström", "Lundqvist", "Strömberg", "Nordström", "Öhman", "Lindgren", "Hällgren",
    "Vikström", "Brännström", "Grahn", "Stenlund", "Hägglund", "Bergström", "Sehlstedt",
    "Hörnlund", "Nygren", "Jonsson", "Sundqvist", "Lundmark", "Norberg",
)  # fmt: skip

REASONS: dict[str, tuple[str, ...]] = {
    "medicine": (
        "Pneumoni", "Hjärtsvikt, försämring", "KOL-exacerbation", "Urinvägsinfektion med "
        "förvirring", "Förmaksflimmer med snabb kammarfrekvens", "Nedsatt allmäntillstånd",
        "Dehydrering", "Erysipelas", "Anemi", "Diabetes, dålig metabol kontroll", "Covid-19",
    ),
    "geriatrics": (
        "Fall i hemmet, nedsatt allmäntillstånd", "Förvirringstillstånd", "Urinvägsinfektion",
        "Pneumoni hos sköra äldre", "Yrsel och upprepade fall", "Demens med BPSD, försämring",
        "Trycksår och nutritionsproblem",
    ),
    "orthopaedics": (
        "Höftledsfraktur", "Kotkompression efter fall", "Handledsfraktur, nedsatt ADL",
        "Knäprotesoperation", "Bäckenfraktur", "Axelfraktur",
    ),
    "surgery": ("Ileus", "Gallstensanfall", "Divertikulit", "Tarmresektion", "Bråckoperation"),
    "stroke": ("Hjärninfarkt", "Hjärnblödning", "TIA med kvarstående yrsel", "Hjärninfarkt, afasi"),
    "psychiatry": (
        "Depression med suicidtankar", "Psykos", "Bipolär sjukdom, manisk episod",
        "Ångestsyndrom, nedsatt funktion", "Schizofreni, försämring",
    ),
}  # fmt: skip

# Length of stay up to the ready date, by speciality: (days, weights).
LENGTH_OF_STAY: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "medicine": ((1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15), (8, 14, 16, 15, 12, 9, 7, 5, 6, 4, 4)),
    "geriatrics": ((2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 18), (5, 8, 10, 12, 12, 11, 10, 10, 8, 7, 7)),
    "orthopaedics": ((2, 3, 4, 5, 6, 7, 8, 10), (6, 12, 16, 16, 14, 12, 10, 8)),
    "surgery": ((1, 2, 3, 4, 5, 7, 10), (12, 18, 18, 14, 12, 8, 5)),
    "stroke": ((3, 4, 5, 7, 9, 12, 15, 20), (5, 8, 12, 14, 14, 12, 10, 8)),
    "psychiatry": ((3, 5, 7, 10, 14, 18, 25, 35), (6, 8, 12, 14, 16, 14, 12, 8)),
}

KOMMUN_SERVICES = (
    "Hemtjänst morgon och kväll", "Hemtjänst 3 ggr/dag och trygghetslarm", "Trygghetslarm",
    "Hemsjukvård, läkemedelsövertagande", "Matdistribution och städ", "Dagverksamhet 2 dgr/v",
    "Hemtjänst och hemsjukvård, såromläggning", "Boendestöd",
)  # fmt: skip
HC_SERVICES = (
    "Diabetesmottagning", "Distriktssköterska, såromläggning", "Astma/KOL-mottagning",
    "Hjärtsviktsmottagning", "Läkemedelsgenomgång planerad", "Psykosocialt team",
)  # fmt: skip
SOCIAL_NETWORK = (
    "Bor med make", "Bor med maka", "Ensamboende, dotter i närheten", "Ensamboende, son hjälper "
    "med inköp", "Ensamboende, inga anhöriga i närheten", "Sambo, barn på annan ort",
    "Ensamboende, god man",
)  # fmt: skip
AIDS = (
    "Rollator", "Rullstol och rollator", "Duschpall, toalettförhöjning", "Inga", "Hemvårdssäng",
    "Rollator, trygghetslarm", "Inkontinenshjälpmedel",
)  # fmt: skip
WITHDRAWAL_REASONS = (
    "Feber, infektionsprover tas", "Försämrad andning", "Nytillkommen förvirring",
    "Fall på avdelningen, röntgen planerad",
)  # fmt: skip


# --- Small helpers ----------------------------------------------------------------------------


def local_time(day: date, hours: float) -> datetime:
    """``day`` at ``hours`` (e.g. 13.5 = 13:30) Stockholm time, as an aware UTC datetime."""
    minutes = max(0, min(round(hours * 60), 24 * 60 - 1))
    wall = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=TZ)
    return wall.astimezone(UTC)


def local_date(at: datetime) -> date:
    return at.astimezone(TZ).date()


def months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def make_personnummer(born: date, serial: int) -> str:
    """A valid 12-digit personnummer; serials 980-999 are the range Skatteverket keeps for tests."""
    nine = f"{born:%y%m%d}{serial:03d}"
    return f"{born:%Y%m%d}{serial:03d}{luhn_check_digit(nine)}"


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


# --- Organisations ----------------------------------------------------------------------------


@dataclass
class DemoOrganisations:
    region: Region
    kommuner: dict[str, Kommun]
    hospitals: dict[str, Hospital]
    wards: dict[str, Ward]
    health_centres: dict[str, HealthCentre]
    wards_by_id: dict[int, Ward] = field(default_factory=dict)

    def by_key(self, key: str) -> Organisation:
        kind, _sep, name = key.partition(":")
        if kind == "region":
            return self.region
        if kind == "kommun":
            return self.kommuner[name]
        if kind == "ward":
            return self.wards[name]
        return self.health_centres[name]


def ensure_organisations() -> DemoOrganisations:
    """Fetch Region 24 and its kommuner; create or find its hospitals, wards, hälsocentraler."""
    region = Region.objects.get(code=REGION_CODE)
    kommuner = {k.code: k for k in Kommun.objects.filter(region=region)}
    missing = {p.code for p in KOMMUN_PROFILES} - set(kommuner)
    if missing:
        raise RuntimeError(f"Kommuner missing from the database: {sorted(missing)}")
    hospitals: dict[str, Hospital] = {}
    wards: dict[str, Ward] = {}
    for spec in HOSPITALS:
        hospital, _created = Hospital.objects.get_or_create(
            name=spec.name,
            region=region,
            defaults={"hsa_id": f"{HSA_PREFIX}{spec.hsa_suffix}"},
        )
        hospitals[spec.key] = hospital
        for number, ward_spec in enumerate(spec.wards, start=1):
            ward, _created = Ward.objects.get_or_create(
                name=ward_spec.name,
                hospital=hospital,
                defaults={
                    "care_type": ward_spec.care_type,
                    "hsa_id": f"{HSA_PREFIX}{int(spec.hsa_suffix) + number}",
                },
            )
            wards[ward_spec.key] = ward
    health_centres: dict[str, HealthCentre] = {}
    for number, hc_spec in enumerate(HEALTH_CENTRES, start=1):
        hc, _created = HealthCentre.objects.get_or_create(
            name=hc_spec.name,
            region=region,
            defaults={"hsa_id": f"{HSA_PREFIX}{5000 + number}"},
        )
        hc.kommuner.add(*(kommuner[code] for code in hc_spec.kommuner))
        health_centres[hc_spec.key] = hc
    # Fetch again with the relations the services follow (ward -> hospital -> region,
    # hälsocentral -> region), so that checking an actor costs no extra queries.
    wards = {
        key: Ward.objects.select_related("hospital__region").get(pk=w.pk)
        for key, w in wards.items()
    }
    health_centres = {
        key: HealthCentre.objects.select_related("region").get(pk=hc.pk)
        for key, hc in health_centres.items()
    }
    wards_by_id = {w.pk: w for w in wards.values()}
    return DemoOrganisations(region, kommuner, hospitals, wards, health_centres, wards_by_id)


# --- Users ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Login:
    username: str
    name: str
    role: str
    organisation: str
    password: str


def create_users(orgs: DemoOrganisations) -> dict[str, Any]:
    """One user per role, with memberships through the service. Returns users by username."""
    user_model = get_user_model()
    # One hash for all: hashing is deliberately slow, and the demo password is the same anyway.
    password_hash = make_password(DEMO_PASSWORD)
    users: dict[str, Any] = {}
    for spec in USERS:
        user, _created = user_model.objects.get_or_create(
            username=spec.username,
            defaults={
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "email": f"{spec.username}@demo.svu.invalid",
                "password": password_hash,
                "is_staff": spec.role == Role.ADMIN,
                "is_superuser": spec.role == Role.ADMIN,
            },
        )
        services.add_membership(
            user=user, organisation=orgs.by_key(spec.organisation), role=spec.role
        )
        users[spec.username] = user
    return users


def demo_logins() -> list[Login]:
    """The demo users' logins as they are in the database (one row per membership).

    The password is shown only for accounts that still have the demo password: they all share
    the integration account's hash (comparing hashes avoids a slow password check per user).
    """
    order = {spec.username: index for index, spec in enumerate(USERS)}
    memberships = Membership.objects.filter(user__username__in=order).select_related(
        "user", "organisation"
    )
    demo_hash = (
        get_user_model()
        .objects.filter(username=INTEGRATION_USERNAME)
        .values_list("password", flat=True)
        .first()
    )
    logins = []
    for m in sorted(memberships, key=lambda m: (order[m.user.username], m.pk)):
        logins.append(
            Login(
                username=m.user.username,
                name=m.user.get_full_name(),
                role=str(Role(m.role).label),
                organisation=str(m.organisation.specific),
                password=DEMO_PASSWORD if m.user.password == demo_hash else "",
            )
        )
    return logins


def demo_data_exists() -> bool:
    return get_user_model().objects.filter(username=INTEGRATION_USERNAME).exists()


# --- Plans (pure: no database) ----------------------------------------------------------------

Party = str  # "ward" | "kommun" | "health_centre"
ENDING_SERVICES = ("register_discharge", "close_episode")


@dataclass(frozen=True)
class PatientSpec:
    personnummer: str
    name: str
    address: str
    kommun: str  # code
    health_centre: str  # key


@dataclass(frozen=True)
class Step:
    """One message: ``service`` is the name of the function in ``discharges.services``."""

    at: datetime
    party: Party
    service: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    before_end: bool = True  # must happen while the episode is active
    receipt_by: tuple[Party, ...] = ()  # recipients that acknowledge it (recent episodes only)


@dataclass
class EpisodePlan:
    patient: PatientSpec
    ward: str  # key
    admitted_at: datetime
    steps: list[Step]
    kommun: str | None = None  # registered with another kommun than the patient's (corrected)
    health_centre: str | None = None  # likewise for the hälsocentral
    end: datetime | None = None  # discharge or closure; None while active


@dataclass
class Plan:
    episodes: list[EpisodePlan]
    consents: list[tuple[PatientSpec, str, datetime]]  # patient, ward key, when


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

    def add(self, at: datetime, party: Party, service: str, **kwargs: Any) -> Step:
        before_end = kwargs.pop("_before_end", True)
        receipt_by = kwargs.pop("_receipt_by", ())
        step = Step(at, party, service, kwargs, before_end, receipt_by)
        self.plan.steps.append(step)
        return step

    def draw(self) -> None:
        rng, plan = self.rng, self.plan
        admitted = plan.admitted_at
        admitted_day = local_date(admitted)
        days, weights = LENGTH_OF_STAY[self.ward.speciality]
        los = rng.choices(days, weights=weights)[0]

        # 1. Admission notice: within 24 h, about one in ten late.
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
        if send_notice:
            if rng.random() > 0.04:
                offset = rng.choice((-2, -1, 0, 0, 0, 1, 1, 2, 3))
                self.preliminary = max(admitted_day, ready_date + timedelta(days=offset))
            self.add(
                notice,
                "ward",
                "send_admission_notice",
                preliminary_ready_date=self.preliminary,
                reason=rng.choice(REASONS[self.ward.speciality]),
                _receipt_by=("kommun", "health_centre"),
            )
            self.preliminary_changes(notice, first_ready, ready_date)
            self.answers(notice)
        # Wrongly addressed episodes are corrected a few hours in.
        if plan.kommun or plan.health_centre:
            self.add(
                admitted + hours(rng.uniform(2, 20)),
                "ward",
                "change_recipients",
                kommun=self.kommun,
                health_centre=plan.patient.health_centre,
            )

        # 2. Track colour and whether a SIP is needed (red is seen early).
        assessed_within = rng.uniform(1, 12) if track_colour == "red" else rng.uniform(1, 30)
        track_at = (notice if send_notice else admitted) + hours(assessed_within)
        track_at = min(track_at, first_ready - hours(1))
        sip_needed = {"green": rng.random() < 0.12, "yellow": rng.random() < 0.6, "red": True}[
            track_colour
        ]
        self.assessed = rng.random() < 0.97
        if self.assessed:
            self.add(
                track_at, "ward", "assess_track_colour", colour=track_colour, sip_needed=sip_needed
            )

        # 3. Ready notice (sometimes withdrawn and sent again), ready days, discharge.
        ready_at = first_ready
        if self.outcome == "normal" and rng.random() < 0.03:
            withdrawn = ready_at + hours(rng.uniform(4, 30))
            self.add(ready_at, "ward", "send_ready_notice", ready_date=ready_date)
            self.add(
                withdrawn,
                "ward",
                "withdraw_ready_notice",
                reason=rng.choice(WITHDRAWAL_REASONS),
            )
            ready_date = local_date(withdrawn) + timedelta(days=rng.randint(2, 6))
            ready_at = self.ready_notice_time(ready_date)
            if rng.random() < 0.5 and send_notice and self.preliminary != ready_date:
                self.add(
                    withdrawn + hours(rng.uniform(1, 6)),
                    "ward",
                    "change_preliminary_date",
                    preliminary_ready_date=ready_date,
                )
                self.preliminary = ready_date

        if self.outcome in ("died", "transferred", "no_needs"):
            self.closure(notice if send_notice else admitted, ready_at, track_colour, sip_needed)
            return

        self.add(
            ready_at,
            "ward",
            "send_ready_notice",
            ready_date=ready_date,
            _receipt_by=("kommun", "health_centre"),
        )
        wait = self.p.ready_days(self.kommun, ready_date, self.psychiatric)
        sip_held_in_hospital: datetime | None = None
        if track_colour == "red":
            wait = max(wait, 1)
            sip_held_in_hospital = self.red_sip(track_at, ready_at, ready_date)
        discharge = self.discharge_time(ready_at, ready_date, wait)
        plan.end = discharge
        self.kommun_side(notice if send_notice else None, ready_at, discharge, sip_held_in_hospital)
        destination = self.destination(wait)
        self.add(
            discharge, "ward", "register_discharge", destination=destination, _before_end=False
        )
        if sip_needed and track_colour != "red":
            # Without an admission notice the hälsocentral learns of the stay from the ready notice.
            shared = notice if send_notice else ready_at
            self.sip_after(shared, track_at, ready_date, discharge)

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
        self.add(held_at, "health_centre", "record_sip_held", held_date=meeting_day)
        return held_at

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
        self.add(
            local_time(recorded_day, rng.uniform(13, 17)),
            "health_centre",
            "record_sip_held",
            held_date=meeting_day,
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


# --- The four case descriptions of seed 001 ---------------------------------------------------


def plan_cases(planner: Planner) -> list[EpisodePlan]:
    """Pontus, Mikael, Anna and Olle, at Umeå wards within the last weeks."""
    today = planner.today

    def day(ago: int) -> date:
        return today - timedelta(days=ago)

    def at(ago: int, clock: float) -> datetime:
        return local_time(day(ago), clock)

    def born(age: int, ago: int, month: int, dom: int) -> date:
        """A birthday that makes the patient ``age`` years old on admission."""
        admitted = day(ago)
        not_yet = (month, dom) > (admitted.month, admitted.day)
        return date(admitted.year - age - (1 if not_yet else 0), month, dom)

    def person(first: str, surname: str, age: int, ago: int, female: bool, hc: str) -> PatientSpec:
        spec = planner.new_patient(
            "2480",
            born=born(age, ago, 3 + len(first), 10 + len(surname)),
            first_name=first,
            female=female,
            health_centre=hc,
        )
        return PatientSpec(spec.personnummer, f"{first} {surname}", spec.address, "2480", hc)

    def contact(hc: str) -> dict[str, str]:
        name, phone = planner.contacts[hc][0]
        return {"name": name, "phone": phone}

    # Pontus, 27, appendicitis: not covered by the act; no admission notice, no named contact.
    pontus = EpisodePlan(
        person("Pontus", "Lindqvist", 27, 12, False, "alidhem"),
        "kirurgi-nus",
        at(12, 21.6),
        [Step(at(10, 10.25), "ward", "close_episode", {"reason": ClosureReason.NOT_COVERED})],
    )

    # Mikael, 65, pneumonia: same help as before; he has a current SIP, so no new invitation.
    mikael = EpisodePlan(
        person("Mikael", "Öberg", 65, 20, False, "ersboda"),
        "avd1-nus",
        at(20, 14.1),
        [
            Step(
                at(20, 18.5),
                "ward",
                "send_admission_notice",
                {"preliminary_ready_date": day(16), "reason": "Pneumoni"},
                receipt_by=("kommun", "health_centre"),
            ),
            Step(
                at(19, 9.2),
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
                at(19, 11),
                "health_centre",
                "answer_admission",
                {"current_services": True, "services": "Astma/KOL-mottagning, aktuell SIP"},
            ),
            Step(at(19, 13.3), "health_centre", "name_care_contact", contact("ersboda")),
            Step(
                at(19, 15), "ward", "assess_track_colour", {"colour": "green", "sip_needed": False}
            ),
            Step(
                at(17, 10), "ward", "change_preliminary_date", {"preliminary_ready_date": day(15)}
            ),
            Step(at(15, 10.3), "ward", "send_ready_notice", {"ready_date": day(15)}),
            Step(at(15, 11.5), "kommun", "mark_sol_planning_done"),
            Step(at(15, 12.9), "kommun", "mark_kommun_ready"),
            Step(at(15, 13.1), "kommun", "acknowledge_homecoming", {"homecoming_at": at(15, 16)}),
            Step(at(15, 16.1), "ward", "register_discharge", {"destination": Destination.HOME}),
        ],
    )

    # Anna, 81, hip fracture: had home help, now also needs home health care; SIP after discharge.
    anna = EpisodePlan(
        person("Anna", "Holmgren", 81, 26, True, "ersboda"),
        "ortopedi-nus",
        at(26, 8.5),
        [
            Step(
                at(26, 15),
                "ward",
                "send_admission_notice",
                {"preliminary_ready_date": day(20), "reason": "Höftledsfraktur vänster efter fall"},
                receipt_by=("kommun", "health_centre"),
            ),
            Step(
                at(25, 9.5),
                "kommun",
                "answer_admission",
                {
                    "current_services": True,
                    "services": "Hemtjänst 2 ggr/dag, trygghetslarm",
                    "social_network": "Ensamboende, dotter i Umeå",
                    "aids": "Rollator",
                },
            ),
            Step(at(25, 10.5), "health_centre", "answer_admission", {"current_services": False}),
            Step(at(25, 13), "health_centre", "name_care_contact", contact("ersboda")),
            Step(
                at(24, 14), "ward", "assess_track_colour", {"colour": "yellow", "sip_needed": True}
            ),
            Step(
                at(22, 11), "ward", "change_preliminary_date", {"preliminary_ready_date": day(19)}
            ),
            Step(at(19, 9.75), "ward", "send_ready_notice", {"ready_date": day(19)}),
            Step(at(19, 13), "kommun", "mark_sol_planning_done"),
            Step(at(19, 14), "kommun", "mark_hsl_planning_done"),
            Step(
                at(18, 10),
                "health_centre",
                "send_sip_invitation",
                {"meeting_at": at(8, 10)},
                receipt_by=("kommun",),
            ),
            Step(at(18, 11), "kommun", "mark_kommun_ready"),
            Step(at(18, 11.1), "kommun", "acknowledge_homecoming", {"homecoming_at": at(18, 14)}),
            Step(at(18, 14.2), "ward", "register_discharge", {"destination": Destination.HOME}),
            Step(
                at(8, 15.5),
                "health_centre",
                "record_sip_held",
                {"held_date": day(8)},
                before_end=False,
            ),
        ],
    )

    # Olle, 45, stroke: complex needs (red); SIP in hospital before discharge.
    olle = EpisodePlan(
        person("Olle", "Sandberg", 45, 30, False, "alidhem"),
        "stroke-nus",
        at(30, 3.25),
        [
            Step(
                at(29, 10),
                "ward",
                "send_admission_notice",
                {"preliminary_ready_date": day(23), "reason": "Hjärninfarkt, högersidig svaghet"},
                receipt_by=("kommun", "health_centre"),
            ),
            Step(
                at(29, 14),
                "kommun",
                "answer_admission",
                {
                    "current_services": False,
                    "social_network": "Sambo, två barn",
                    "aids": "Inga",
                },
            ),
            Step(at(29, 15), "health_centre", "answer_admission", {"current_services": False}),
            Step(at(29, 15.5), "health_centre", "name_care_contact", contact("alidhem")),
            Step(at(28, 11), "ward", "assess_track_colour", {"colour": "red", "sip_needed": True}),
            Step(
                at(27, 9.5),
                "health_centre",
                "send_sip_invitation",
                {"meeting_at": at(22, 13)},
                receipt_by=("ward", "kommun"),
            ),
            Step(
                at(26, 10), "ward", "change_preliminary_date", {"preliminary_ready_date": day(22)}
            ),
            Step(
                at(24, 10), "ward", "change_preliminary_date", {"preliminary_ready_date": day(21)}
            ),
            Step(at(22, 15), "health_centre", "record_sip_held", {"held_date": day(22)}),
            Step(at(22, 16), "kommun", "mark_sol_planning_done"),
            Step(at(22, 16.2), "kommun", "mark_hsl_planning_done"),
            Step(at(21, 9), "kommun", "mark_kommun_ready"),
            Step(at(21, 11.5), "ward", "send_ready_notice", {"ready_date": day(21)}),
            Step(at(21, 13), "kommun", "acknowledge_homecoming", {"homecoming_at": at(20, 10)}),
            Step(at(20, 10.25), "ward", "register_discharge", {"destination": Destination.HOME}),
        ],
    )
    plans = [pontus, mikael, anna, olle]
    for plan in plans:
        plan.end = next(s.at for s in plan.steps if s.service in ENDING_SERVICES)
        planner.finish(plan)
    return plans


# --- Execution: every message through the services -------------------------------------------


@dataclass
class Counts:
    patients: int = 0
    episodes: int = 0
    events: int = 0
    receipts: int = 0
    consents: int = 0


class Executor:
    def __init__(self, orgs: DemoOrganisations, integration_user: Any) -> None:
        self.orgs = orgs
        self.user = integration_user
        self.patients: dict[str, Patient] = {}
        self.kommun_by_id = {k.pk: k for k in orgs.kommuner.values()}
        self.hc_by_id = {hc.pk: hc for hc in orgs.health_centres.values()}
        self.counts = Counts()

    def actor(self, organisation: Organisation) -> services.Actor:
        return services.Actor(self.user, organisation)

    def patient(self, spec: PatientSpec) -> Patient:
        patient = self.patients.get(spec.personnummer)
        if patient is None:
            patient = services.register_patient(
                personnummer=spec.personnummer,
                kommun=self.orgs.kommuner[spec.kommun],
                name=spec.name,
                address=spec.address,
                health_centre=self.orgs.health_centres[spec.health_centre],
            )
            self.patients[spec.personnummer] = patient
            self.counts.patients += 1
        return patient

    def party_organisation(self, episode: Episode, party: Party) -> Organisation:
        if party == "ward":
            return self.orgs.wards_by_id[episode.ward_id]
        if party == "kommun":
            return self.kommun_by_id[episode.kommun_id]
        return self.hc_by_id[episode.health_centre_id]

    def run(self, plan: EpisodePlan, *, with_receipts: bool) -> Episode:
        ward = self.orgs.wards[plan.ward]
        episode = services.register_episode(
            actor=self.actor(ward),
            patient=self.patient(plan.patient),
            ward=ward,
            admitted_at=plan.admitted_at,
            kommun=self.orgs.kommuner[plan.kommun] if plan.kommun else None,
            health_centre=(
                self.orgs.health_centres[plan.health_centre] if plan.health_centre else None
            ),
        )
        self.counts.episodes += 1
        self.counts.events += 1
        receipts: list[tuple[EpisodeEvent, Organisation]] = []
        for step in plan.steps:
            kwargs = dict(step.kwargs)
            if step.service == "change_recipients":
                kwargs["kommun"] = self.orgs.kommuner[kwargs["kommun"]]
                kwargs["health_centre"] = self.orgs.health_centres[kwargs["health_centre"]]
            organisation = self.party_organisation(episode, step.party)
            function: Callable[..., EpisodeEvent] = getattr(services, step.service)
            event = function(
                actor=self.actor(organisation), episode=episode, occurred_at=step.at, **kwargs
            )
            self.counts.events += 1
            if with_receipts and not (plan.kommun or plan.health_centre):
                for party in step.receipt_by:
                    if party != "ward" and episode.shared_at is None:
                        continue
                    receipts.append((event, self.party_organisation(episode, party)))
        for event, organisation in receipts:
            services.acknowledge_receipt(
                actor=self.actor(organisation),
                event=event,
                occurred_at=min(event.occurred_at + hours(2), timezone.now()),
            )
            self.counts.receipts += 1
        return episode

    def consent(self, spec: PatientSpec, ward_key: str, at: datetime) -> None:
        """Samtycke, recorded by the ward of the patient's first stay a few hours into it."""
        services.record_consent(
            actor=self.actor(self.orgs.wards[ward_key]),
            patient=self.patients[spec.personnummer],
            occurred_at=at,
            note="Muntligt samtycke",
        )
        self.counts.consents += 1


# --- Follow-up: the agreement and the monthly statistics -------------------------------------

AGREEMENT_FILE = Path(payment.__file__).resolve().parent / "agreements" / "vasterbotten.toml"


def prepare_follow_up() -> None:
    """Load Västerbotten's agreement (unless the region has one) and compute the monthly
    statistics, so that the dashboards and liability pages show the demo history at once."""
    if not Agreement.objects.filter(region__code=REGION_CODE).exists():
        load_agreement(AGREEMENT_FILE)
    compute_statistics()


# --- Entry points -----------------------------------------------------------------------------


@dataclass
class SeedResult:
    created: bool
    counts: Counts | None = None
    seconds: float = 0.0


def build_plan(*, seed: int, months: int, per_month: int, now: datetime) -> tuple[Planner, Plan]:
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    planner = Planner(rng, now, months, per_month)
    cases = plan_cases(planner)
    region = planner.plan_region()
    episodes = sorted(region + cases, key=lambda p: p.admitted_at)
    return planner, Plan(episodes, planner.consents(episodes))


def seed(
    *,
    seed: int = DEFAULT_SEED,
    months: int = DEFAULT_MONTHS,
    per_month: int = DEFAULT_PER_MONTH,
    now: datetime | None = None,
) -> SeedResult:
    """Load the demo data unless it is there already."""
    if demo_data_exists():
        return SeedResult(created=False)
    started = timezone.now()
    now = now or started
    with transaction.atomic():
        orgs = ensure_organisations()
        users = create_users(orgs)
        integration_user = users[INTEGRATION_USERNAME]
        planner, plan = build_plan(seed=seed, months=months, per_month=per_month, now=now)
        # Receipts carry no time of their own (they are stamped now), so only the messages of
        # the last week's stays are acknowledged.
        recent = planner.cutoff - timedelta(days=8)
        executor = Executor(orgs, integration_user)
        for episode_plan in plan.episodes:
            last = episode_plan.steps[-1].at if episode_plan.steps else episode_plan.admitted_at
            executor.run(episode_plan, with_receipts=last >= recent)
        for patient, ward_key, at in plan.consents:
            executor.consent(patient, ward_key, at)
        prepare_follow_up()
    seconds = (timezone.now() - started).total_seconds()
    return SeedResult(True, executor.counts, seconds)


# --- Summaries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    patients: int
    episodes: int
    events: int
    receipts: int
    consents: int
    by_status: dict[str, int]
    months_over: dict[str, list[str]]  # "2482 Skellefteå" -> ["2025-11", ...]


def monthly_figures() -> dict[tuple[str, str], tuple[int, int]]:
    """(kommun code, "YYYY-MM" of discharge) -> (episodes, ready days), as R2 of DOMAIN.md."""
    figures: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    rows = Episode.objects.filter(
        status=EpisodeStatus.DISCHARGED, ready_date__isnull=False
    ).values_list("kommun__code", "discharge_date", "ready_days")
    for code, discharged, days in rows:
        entry = figures[(code, month_key(discharged))]
        entry[0] += 1
        entry[1] += days
    return {key: (n, total) for key, (n, total) in figures.items()}


def months_over(threshold: float = 3.0) -> dict[str, list[str]]:
    names = dict(Kommun.objects.filter(region__code=REGION_CODE).values_list("code", "name"))
    over: dict[str, list[str]] = defaultdict(list)
    for (code, month), (n, total) in sorted(monthly_figures().items()):
        if code in names and n and total / n > threshold:
            over[f"{code} {names[code]}"].append(month)
    return dict(over)


def summary() -> Summary:
    by_status = {
        str(EpisodeStatus(status).label): Episode.objects.filter(status=status).count()
        for status in EpisodeStatus.values
    }
    return Summary(
        patients=Patient.objects.count(),
        episodes=Episode.objects.count(),
        events=EpisodeEvent.objects.count(),
        receipts=Receipt.objects.count(),
        consents=ConsentRecord.objects.count(),
        by_status=by_status,
        months_over=months_over(),
    )
