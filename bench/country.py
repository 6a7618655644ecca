"""The country the benchmark generates: hospitals, wards and health centres in all 21 regions
(ORM), one sending user per organisation, the patients (bulk SQL), and the benchmark's users.

Names, streets and hospital names come from ``demo.vocabulary``, the words the demo uses too.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from bench.sql import execute, scalar
from demo.vocabulary import FIRST_NAMES, HOSPITALS_BY_REGION, STREETS, SURNAMES
from discharges import services
from discharges.models import CareType, HealthCentre, Hospital, Kommun, Region, Role, Ward

# --- The country ----------------------------------------------------------------------------------

# Rough populations of the larger kommuner; the others get a deterministic draw (median ~15,000).
KOMMUN_POPULATION: dict[str, int] = {
    "0180": 985_000,  # Stockholm
    "1480": 600_000,  # Göteborg
    "1280": 360_000,  # Malmö
    "0380": 245_000,  # Uppsala
    "0580": 166_000,  # Linköping
    "1880": 158_000,  # Örebro
    "1980": 158_000,  # Västerås
    "1283": 152_000,  # Helsingborg
    "0581": 145_000,  # Norrköping
    "0680": 145_000,  # Jönköping
    "2480": 132_000,  # Umeå
    "1281": 128_000,  # Lund
    "0126": 115_000,  # Huddinge
    "1490": 115_000,  # Borås
    "0182": 108_000,  # Nacka
    "0484": 107_000,  # Eskilstuna
    "1380": 104_000,  # Halmstad
    "2180": 103_000,  # Gävle
    "0181": 100_000,  # Södertälje
    "2281": 99_000,  # Sundsvall
    "0127": 96_000,  # Botkyrka
    "0780": 96_000,  # Växjö
    "1780": 96_000,  # Karlstad
    "0136": 95_000,  # Haninge
    "1290": 86_000,  # Kristianstad
    "2580": 79_000,  # Luleå
    "2482": 75_000,  # Skellefteå
    "0160": 75_000,  # Täby
    "0880": 70_000,  # Kalmar
    "1080": 66_000,  # Karlskrona
    "2380": 64_000,  # Östersund
    "2080": 60_000,  # Falun
    "0138": 50_000,  # Tyresö
    "0162": 33_000,  # Danderyd
    "2584": 22_000,  # Kiruna
    "2460": 9_000,  # Vännäs
    "2403": 2_400,  # Bjurholm
}

# Ward specialities: name, care type, relative number of patients needing discharge planning.
SPECIALITIES: list[tuple[str, str, int]] = [
    ("Medicin", CareType.SOMATIC, 5),
    ("Geriatrik", CareType.SOMATIC, 5),
    ("Ortopedi", CareType.SOMATIC, 3),
    ("Kardiologi", CareType.SOMATIC, 2),
    ("Strokeenhet", CareType.SOMATIC, 3),
    ("Kirurgi", CareType.SOMATIC, 2),
    ("Infektion", CareType.SOMATIC, 2),
    ("Lungmedicin", CareType.SOMATIC, 2),
    ("Njurmedicin", CareType.SOMATIC, 1),
    ("Onkologi", CareType.SOMATIC, 1),
    ("Akutvårdsavdelning", CareType.SOMATIC, 3),
    ("Rehabilitering", CareType.SOMATIC, 2),
    ("Allmänpsykiatri", CareType.PSYCHIATRIC, 1),
    ("Äldrepsykiatri", CareType.PSYCHIATRIC, 1),
]
TARGET_WARDS = 450
PEOPLE_PER_HEALTH_CENTRE = 9_000
# Regions where primary care is called hälsocentral rather than vårdcentral.
HALSOCENTRAL_REGIONS = {"23", "24", "25"}

CONSENT_SHARE = 0.65

# The benchmark's users (created through services.add_membership like real ones).
KOMMUN_USER = "bench-kommun-2480"
SMALL_KOMMUN_USER = "bench-kommun-2403"
BIG_KOMMUN_USER = "bench-kommun-0180"
WARD_USER = "bench-ward"
BENCH_KOMMUN_CODE = "2480"
SMALL_KOMMUN_CODE = "2403"
BIG_KOMMUN_CODE = "0180"


def kommun_population(code: str) -> int:
    if code in KOMMUN_POPULATION:
        return KOMMUN_POPULATION[code]
    rng = random.Random(f"kommun-{code}")
    return int(min(70_000, max(2_500, rng.lognormvariate(9.6, 0.7))))


def weighted(ids_and_weights: list[tuple[int, int]]) -> list[int]:
    """Each id repeated by its (integer) weight: a uniform pick from it is a weighted pick."""
    return [oid for oid, weight in ids_and_weights for _ in range(max(1, weight))]


# --- Organisations and their users ----------------------------------------------------------------


def create_organisations(log: Callable[[str], None]) -> dict[str, Any]:
    """Hospitals, wards and health centres (ORM: a few thousand rows with their groups)."""
    regions = {r.code: r for r in Region.objects.all()}
    kommuner = list(Kommun.objects.select_related("region").order_by("code"))
    population = {k.pk: kommun_population(k.code) for k in kommuner}
    region_population: dict[str, int] = {}
    for k in kommuner:
        region_population[k.region.code] = (
            region_population.get(k.region.code, 0) + population[k.pk]
        )
    total = sum(region_population.values())
    hsa = iter(range(1, 10**6))

    def hsa_id(region_code: str) -> str:
        return f"SE23210000{region_code}-B{next(hsa):05d}"

    wards_by_region: dict[str, list[tuple[int, int]]] = {}
    with transaction.atomic():
        for code, names in HOSPITALS_BY_REGION.items():
            region = regions[code]
            region_wards = round(TARGET_WARDS * region_population[code] / total)
            shares = [2.0] + [1.0] * (len(names) - 1)
            for hospital_name, share in zip(names, shares, strict=True):
                hospital = Hospital.objects.create(
                    name=hospital_name, hsa_id=hsa_id(code), region=region
                )
                count = max(3, round(region_wards * share / sum(shares)))
                for n in range(count):
                    speciality, care_type, weight = SPECIALITIES[n % len(SPECIALITIES)]
                    ward = Ward.objects.create(
                        name=f"Avd {10 + n} {speciality}",
                        hsa_id=hsa_id(code),
                        hospital=hospital,
                        care_type=care_type,
                    )
                    wards_by_region.setdefault(code, []).append((ward.pk, weight))
        hcs_by_kommun: dict[int, list[int]] = {}
        for k in kommuner:
            count = max(1, round(population[k.pk] / PEOPLE_PER_HEALTH_CENTRE))
            word = "Hälsocentral" if k.region.code in HALSOCENTRAL_REGIONS else "Vårdcentralen"
            for n in range(count):
                suffix = f" {n + 1}" if count > 1 else ""
                hc = HealthCentre.objects.create(
                    name=f"{word} {k.name}{suffix}", hsa_id=hsa_id(k.region.code), region=k.region
                )
                hc.kommuner.add(k)
                hcs_by_kommun.setdefault(k.pk, []).append(hc.pk)
    log(
        f"  {sum(len(v) for v in wards_by_region.values())} wards in "
        f"{Hospital.objects.count()} hospitals, "
        f"{sum(len(v) for v in hcs_by_kommun.values())} health centres"
    )
    return {
        "kommuner": weighted([(k.pk, population[k.pk] // 1000) for k in kommuner]),
        "wards_by_region": {regions[c].pk: weighted(w) for c, w in wards_by_region.items()},
        "hcs_by_kommun": hcs_by_kommun,
    }


def create_staff(user_offset: int, now: datetime) -> None:
    """One sending user per ward, kommun and health centre: user id = organisation id + offset.

    They author the generated events; rows as services.add_membership makes them.
    """
    execute(
        """
        INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name,
                               email, is_staff, is_active, date_joined)
        SELECT o.id + %(off)s, '!bench', false, o.kind || '-' || o.id,
               (%(first)s::text[])[1 + floor(pg_temp.rnd(o.id, 1) * %(nfirst)s)::int],
               (%(last)s::text[])[1 + floor(pg_temp.rnd(o.id, 2) * %(nlast)s)::int],
               '', false, true, %(now)s
        FROM discharges_organisation o
        WHERE o.kind IN ('ward', 'kommun', 'health_centre')
        """,
        {
            "off": user_offset,
            "first": list(FIRST_NAMES),
            "nfirst": len(FIRST_NAMES),
            "last": list(SURNAMES),
            "nlast": len(SURNAMES),
            "now": now,
        },
    )
    execute(
        """
        INSERT INTO discharges_membership (user_id, organisation_id, role, created_at)
        SELECT o.id + %(off)s, o.id,
               CASE o.kind WHEN 'ward' THEN %(ward)s WHEN 'kommun' THEN %(kommun)s
                    ELSE %(hc)s END,
               %(now)s
        FROM discharges_organisation o
        WHERE o.kind IN ('ward', 'kommun', 'health_centre')
        """,
        {
            "off": user_offset,
            "ward": Role.WARD_STAFF.value,
            "kommun": Role.KOMMUN_PLANNER.value,
            "hc": Role.HC_COORDINATOR.value,
            "now": now,
        },
    )
    execute(
        """
        INSERT INTO auth_user_groups (user_id, group_id)
        SELECT o.id + %(off)s, o.group_id
        FROM discharges_organisation o
        WHERE o.kind IN ('ward', 'kommun', 'health_centre')
        """,
        {"off": user_offset},
    )


# --- Patients -------------------------------------------------------------------------------------

BIRTH_DAYS = 23_376  # 1925-01-01 .. 1988-12-31


def create_patients(patients: int, now: datetime, kommuner: list[int]) -> None:
    """Patients with unique, valid 12-digit personnummer, weighted over the kommuner."""
    execute(
        """
        INSERT INTO discharges_patient (id, personnummer, name, address, kommun_id,
                                        health_centre_id, created_at)
        SELECT g.i,
               k.digits || pg_temp.luhn(substr(k.digits, 3))::text,
               (%(first)s::text[])[1 + floor(pg_temp.rnd(g.i, 11) * %(nfirst)s)::int] || ' ' ||
               (%(last)s::text[])[1 + floor(pg_temp.rnd(g.i, 12) * %(nlast)s)::int],
               (%(streets)s::text[])[1 + floor(pg_temp.rnd(g.i, 13) * %(nstreets)s)::int] || ' '
                   || (1 + floor(pg_temp.rnd(g.i, 14) * 60)::int)::text || ', '
                   || lpad((10000 + floor(pg_temp.rnd(g.i, 15) * 89999)::int)::text, 5, '0')
                   || ' ' || o.name,
               k.kommun_id,
               CASE WHEN pg_temp.rnd(g.i, 16) < 0.04 THEN NULL
                    ELSE hc.hcs[1 + floor(pg_temp.rnd(g.i, 17) * cardinality(hc.hcs))::int] END,
               %(now)s - interval '5 years' - pg_temp.rnd(g.i, 19) * interval '5 years'
        FROM generate_series(1, %(patients)s) AS g(i)
        CROSS JOIN LATERAL (
            SELECT (%(kommuner)s::bigint[])[1 + floor(pg_temp.rnd(g.i, 10) * %(nk)s)::int]
                       AS kommun_id,
                   to_char(date '1925-01-01' + mod(g.i - 1, %(days)s)::int, 'YYYYMMDD')
                       || lpad(mod(((g.i - 1) / %(days)s) * 37 + 101, 1000)::text, 3, '0')
                       AS digits
        ) AS k
        JOIN bench_kommun_hc hc ON hc.kommun_id = k.kommun_id
        JOIN discharges_organisation o ON o.id = k.kommun_id
        """,
        {
            "patients": patients,
            "first": list(FIRST_NAMES),
            "nfirst": len(FIRST_NAMES),
            "last": list(SURNAMES),
            "nlast": len(SURNAMES),
            "streets": list(STREETS),
            "nstreets": len(STREETS),
            "days": BIRTH_DAYS,
            "now": now,
            "kommuner": kommuner,
            "nk": len(kommuner),
        },
    )


# --- The benchmark's users ------------------------------------------------------------------------


def create_bench_users() -> dict[str, AbstractBaseUser]:
    """Users made the way the application makes them: services.add_membership."""
    user_model = get_user_model()
    users: dict[str, AbstractBaseUser] = {}
    for username, code in (
        (KOMMUN_USER, BENCH_KOMMUN_CODE),
        (SMALL_KOMMUN_USER, SMALL_KOMMUN_CODE),
        (BIG_KOMMUN_USER, BIG_KOMMUN_CODE),
    ):
        user = user_model.objects.create_user(username=username, password=None)
        services.add_membership(
            user=user, organisation=Kommun.objects.get(code=code), role=Role.KOMMUN_PLANNER
        )
        users[username] = user
    big_ward_id = scalar(
        "SELECT ward_id FROM discharges_episode GROUP BY ward_id ORDER BY count(*) DESC LIMIT 1"
    )
    user = user_model.objects.create_user(username=WARD_USER, password=None)
    services.add_membership(
        user=user, organisation=Ward.objects.get(pk=big_ward_id), role=Role.WARD_STAFF
    )
    users[WARD_USER] = user
    return users
