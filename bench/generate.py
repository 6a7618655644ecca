"""Generate a whole country's five years of SVU data in the benchmark database.

Organisations (a few thousand rows) are created with the ORM, so that the multi-table rows and
their groups are exactly what the application makes. Everything that scales with the number of
episodes is written by set-based SQL inside PostgreSQL (``INSERT ... SELECT`` over
``generate_series``): patients, episodes with their projection, the event log, the guardian
grants, receipts and consent records. Random draws come from a hash of (row, draw number), so a
given size always yields the same data.

The generated rows are what the services would have written: every episode's projection equals
``discharges.projection.replay`` of its events and its grants equal ``grants.audience``; a sample
of both is checked at the end.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from bench.db import GENERATOR_VERSION, META_TABLE
from discharges import grants, projection, services
from discharges.models import (
    CareType,
    Episode,
    EpisodeEvent,
    HealthCentre,
    Hospital,
    Kommun,
    Region,
    Role,
    Ward,
)
from discharges.personnummer import validate_personnummer

# --- The country --------------------------------------------------------------------------------

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

# Hospitals per region (county code): a real-looking list, the first one the largest.
HOSPITALS: dict[str, list[str]] = {
    "01": [
        "Karolinska universitetssjukhuset Solna",
        "Karolinska universitetssjukhuset Huddinge",
        "Södersjukhuset",
        "Danderyds sjukhus",
        "S:t Görans sjukhus",
        "Södertälje sjukhus",
        "Norrtälje sjukhus",
    ],
    "03": ["Akademiska sjukhuset", "Lasarettet i Enköping"],
    "04": ["Mälarsjukhuset", "Nyköpings lasarett", "Kullbergska sjukhuset"],
    "05": ["Universitetssjukhuset i Linköping", "Vrinnevisjukhuset", "Lasarettet i Motala"],
    "06": ["Länssjukhuset Ryhov", "Höglandssjukhuset", "Värnamo sjukhus"],
    "07": ["Centrallasarettet Växjö", "Ljungby lasarett"],
    "08": ["Länssjukhuset i Kalmar", "Västerviks sjukhus"],
    "09": ["Visby lasarett"],
    "10": ["Blekingesjukhuset Karlskrona", "Blekingesjukhuset Karlshamn"],
    "12": [
        "Skånes universitetssjukhus Lund",
        "Skånes universitetssjukhus Malmö",
        "Helsingborgs lasarett",
        "Centralsjukhuset Kristianstad",
        "Ystads lasarett",
        "Hässleholms sjukhus",
        "Trelleborgs lasarett",
        "Ängelholms sjukhus",
    ],
    "13": ["Hallands sjukhus Halmstad", "Hallands sjukhus Varberg", "Hallands sjukhus Kungsbacka"],
    "14": [
        "Sahlgrenska universitetssjukhuset",
        "Östra sjukhuset",
        "Mölndals sjukhus",
        "NÄL Trollhättan",
        "Södra Älvsborgs sjukhus",
        "Skaraborgs sjukhus Skövde",
        "Alingsås lasarett",
        "Kungälvs sjukhus",
    ],
    "17": ["Centralsjukhuset Karlstad", "Arvika sjukhus", "Torsby sjukhus"],
    "18": ["Universitetssjukhuset Örebro", "Karlskoga lasarett", "Lindesbergs lasarett"],
    "19": ["Västmanlands sjukhus Västerås", "Köpings sjukhus"],
    "20": ["Falu lasarett", "Mora lasarett", "Avesta lasarett"],
    "21": ["Gävle sjukhus", "Hudiksvalls sjukhus", "Bollnäs sjukhus"],
    "22": ["Sundsvalls sjukhus", "Örnsköldsviks sjukhus", "Sollefteå sjukhus"],
    "23": ["Östersunds sjukhus"],
    "24": ["Norrlands universitetssjukhus", "Skellefteå lasarett", "Lycksele lasarett"],
    "25": ["Sunderby sjukhus", "Piteå älvdals sjukhus", "Gällivare sjukhus", "Kalix sjukhus"],
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

FIRST_NAMES = [
    "Anna",
    "Eva",
    "Maria",
    "Karin",
    "Kristina",
    "Lena",
    "Kerstin",
    "Margareta",
    "Birgitta",
    "Elisabeth",
    "Ingrid",
    "Marie",
    "Christina",
    "Linnéa",
    "Sara",
    "Marianne",
    "Inger",
    "Gunilla",
    "Ulla",
    "Elsa",
    "Britt",
    "Gun",
    "Maj",
    "Astrid",
    "Solveig",
    "Lars",
    "Karl",
    "Erik",
    "Anders",
    "Per",
    "Johan",
    "Nils",
    "Jan",
    "Lennart",
    "Olof",
    "Hans",
    "Gunnar",
    "Sven",
    "Bengt",
    "Bo",
    "Göran",
    "Leif",
    "Rolf",
    "Stig",
    "Åke",
    "Ove",
    "Kjell",
    "Bertil",
    "Arne",
]
LAST_NAMES = [
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Jansson",
    "Hansson",
    "Bengtsson",
    "Jönsson",
    "Lindberg",
    "Jakobsson",
    "Magnusson",
    "Lindström",
    "Olofsson",
    "Lindqvist",
    "Lindgren",
    "Berg",
    "Axelsson",
    "Bergström",
    "Lundberg",
    "Lind",
    "Lundgren",
    "Lundqvist",
    "Mattsson",
    "Berglund",
    "Fredriksson",
    "Sandberg",
    "Henriksson",
    "Forsberg",
    "Sjöberg",
    "Wallin",
    "Engström",
    "Eklund",
    "Danielsson",
    "Lundin",
    "Håkansson",
    "Björk",
    "Bergman",
    "Gunnarsson",
    "Holm",
    "Wikström",
    "Samuelsson",
    "Isaksson",
    "Nyström",
    "Holmberg",
    "Öberg",
    "Marklund",
    "Burman",
    "Lidström",
]
STREETS = [
    "Storgatan",
    "Kungsgatan",
    "Skolgatan",
    "Björkvägen",
    "Tallvägen",
    "Ringvägen",
    "Parkvägen",
    "Köpmangatan",
    "Nygatan",
    "Södra vägen",
    "Norra vägen",
    "Järnvägsgatan",
    "Kyrkogatan",
    "Granvägen",
    "Ekvägen",
    "Idrottsvägen",
    "Åsvägen",
    "Sjövägen",
    "Backvägen",
    "Lärkvägen",
]
REASONS = [
    "Höftfraktur efter fall i hemmet",
    "Pneumoni",
    "Hjärtsvikt",
    "Stroke",
    "Urinvägsinfektion med förvirring",
    "KOL-exacerbation",
    "Nedsatt allmäntillstånd",
    "Förmaksflimmer",
    "Sepsis",
    "Kotkompression",
    "Akut konfusion",
    "Anemi",
]
SERVICES = [
    "",
    "Hemtjänst 2 ggr/dag",
    "Hemtjänst 4 ggr/dag",
    "Trygghetslarm",
    "Matdistribution",
    "Hemsjukvård",
    "Korttidsboende",
]
NETWORKS = [
    "Bor ensam, dotter i närheten",
    "Bor med make/maka",
    "Bor ensam",
    "Son hjälper till med inköp",
    "Inga anhöriga i närheten",
]
AIDS = ["", "Rollator", "Rullstol", "Duschstol", "Säng med höj- och sänkbar funktion"]

LOCAL_TZ = "Europe/Stockholm"
YEARS = 5
PATIENTS_PER_EPISODE = 0.6
CONSENT_SHARE = 0.65

# The benchmark's users (created through services.add_membership like real ones).
KOMMUN_USER = "bench-kommun-2480"
SMALL_KOMMUN_USER = "bench-kommun-2403"
BIG_KOMMUN_USER = "bench-kommun-0180"
WARD_USER = "bench-ward"
BENCH_KOMMUN_CODE = "2480"
SMALL_KOMMUN_CODE = "2403"
BIG_KOMMUN_CODE = "0180"


# --- Small helpers ------------------------------------------------------------------------------


@contextmanager
def step(name: str, log: Callable[[str], None]) -> Iterator[None]:
    started = time.perf_counter()
    yield
    log(f"  {name:<44} {time.perf_counter() - started:7.1f} s")


def execute(sql: str, params: dict[str, Any] | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def scalar(sql: str, params: dict[str, Any] | None = None) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def kommun_population(code: str) -> int:
    if code in KOMMUN_POPULATION:
        return KOMMUN_POPULATION[code]
    rng = random.Random(f"kommun-{code}")
    return int(min(70_000, max(2_500, rng.lognormvariate(9.6, 0.7))))


def weighted(ids_and_weights: list[tuple[int, int]]) -> list[int]:
    """Each id repeated by its (integer) weight: a uniform pick from it is a weighted pick."""
    return [oid for oid, weight in ids_and_weights for _ in range(max(1, weight))]


# --- SQL helpers created in the generating session ---------------------------------------------

SQL_FUNCTIONS = """
CREATE OR REPLACE FUNCTION pg_temp.rnd(i bigint, k integer) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (hashint8extended(i, k) & 9007199254740991)::double precision / 9007199254740992.0
$$;
CREATE OR REPLACE FUNCTION pg_temp.luhn(digits text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ((10 - sum(CASE WHEN p > 9 THEN p - 9 ELSE p END) % 10) % 10)::integer
    FROM (
        SELECT substr(digits, k, 1)::integer * (CASE WHEN k % 2 = 1 THEN 2 ELSE 1 END) AS p
        FROM generate_series(1, length(digits)) AS k
    ) AS products
$$;
CREATE OR REPLACE FUNCTION pg_temp.iso(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')
$$;
"""


# --- Organisations and their users --------------------------------------------------------------


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
        for code, names in HOSPITALS.items():
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
            "first": FIRST_NAMES,
            "nfirst": len(FIRST_NAMES),
            "last": LAST_NAMES,
            "nlast": len(LAST_NAMES),
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


# --- Patients -----------------------------------------------------------------------------------

BIRTH_DAYS = 23_376  # 1925-01-01 .. 1988-12-31


def create_patients(patients: int, now: datetime, kommuner: list[int]) -> None:
    """Patients with unique, valid 12-digit personnummer, weighted over the kommuner."""
    execute(
        """
        INSERT INTO discharges_patient (id, personnummer, name, address, kommun_id,
                                        health_centre_id, has_consent, created_at)
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
               pg_temp.rnd(g.i, 18) < %(consent)s,
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
            "first": FIRST_NAMES,
            "nfirst": len(FIRST_NAMES),
            "last": LAST_NAMES,
            "nlast": len(LAST_NAMES),
            "streets": STREETS,
            "nstreets": len(STREETS),
            "consent": CONSENT_SHARE,
            "days": BIRTH_DAYS,
            "now": now,
            "kommuner": kommuner,
            "nk": len(kommuner),
        },
    )


# --- Episodes: the plan -------------------------------------------------------------------------


def _local(date_sql: str, hours_sql: str) -> str:
    """A local (Europe/Stockholm) time on a date, as timestamptz, truncated to the second."""
    return (
        f"date_trunc('second', (({date_sql}) + ({hours_sql}) * interval '1 hour')::timestamp "
        f"AT TIME ZONE '{LOCAL_TZ}')"
    )


def _between(start: str, end: str, lo: float, spread: float, k: int) -> str:
    """A time between start and end: start + (end - start) * (lo + spread * u)."""
    return (
        f"date_trunc('second', {start} + ({end} - {start}) * "
        f"({lo} + {spread} * pg_temp.rnd(e.n, {k})))"
    )


# The event times of the plan (raw, before cutting at "now"), in the order of the services.
EVENT_TIMES = (
    "notice",
    "track",
    "kans",
    "hcans",
    "contact",
    "pchange",
    "r1",
    "wd",
    "r2",
    "sol",
    "hsl",
    "kready",
    "home",
    "dis",
    "closed",
    "sipinv",
    "sipheld",
)


def create_plan(episodes: int, patients: int, now: datetime, national_wards: list[int]) -> None:
    """One row per episode: who, where, when each of its messages happens (NULL: never)."""
    execute(
        """
        CREATE TEMP TABLE bench_ep0 AS
        SELECT g.i AS n, p.id AS patient_id, p.kommun_id, p.health_centre_id,
               CASE WHEN pg_temp.rnd(g.i, 2) < 0.03
                    THEN (%(nat)s::bigint[])[1 + floor(pg_temp.rnd(g.i, 3) * %(nnat)s)::int]
                    ELSE rw.wards[1 + floor(pg_temp.rnd(g.i, 3) * cardinality(rw.wards))::int]
               END AS ward_id,
               date_trunc('second', %(now)s - pg_temp.rnd(g.i, 4) * %(span)s * interval '1 day')
                   AS a
        FROM generate_series(1, %(episodes)s) AS g(i)
        JOIN discharges_patient p
          ON p.id = CASE WHEN g.i <= %(patients)s THEN g.i
                         ELSE 1 + floor(pg_temp.rnd(g.i, 1) * %(patients)s)::bigint END
        JOIN discharges_kommun k ON k.organisation_ptr_id = p.kommun_id
        JOIN bench_region_wards rw ON rw.region_id = k.region_id
        """,
        {
            "episodes": episodes,
            "patients": patients,
            "now": now,
            "span": round(365.25 * YEARS),
            "nat": national_wards,
            "nnat": len(national_wards),
        },
    )
    u = "pg_temp.rnd(e.n, {})".format
    cut = ",\n".join(
        f"CASE WHEN t.{name} <= %(now)s THEN t.{name} END AS {name}_at" for name in EVENT_TIMES
    )
    execute(
        f"""
        CREATE TEMP TABLE bench_plan AS
        SELECT row_number() OVER (ORDER BY e.a, e.n) AS id,
               e.n, e.patient_id, e.kommun_id, e.health_centre_id, e.ward_id, w.care_type, e.a,
               LEAST(%(now)s, date_trunc('second', e.a + {u(50)} * interval '10 minutes'))
                   AS created_at,
               b.path, b.rdate0, c.rdate, b.p0, c.colour, c.sip_needed, t.dis AS homecoming,
               t.meeting, (t.meeting AT TIME ZONE '{LOCAL_TZ}')::date AS held_date,
               (ARRAY['ordinary_home', 'special_housing', 'short_term', 'other'])[
                   CASE WHEN {u(45)} < 0.60 THEN 1 WHEN {u(45)} < 0.72 THEN 2
                        WHEN {u(45)} < 0.92 THEN 3 ELSE 4 END] AS destination,
               (ARRAY['died', 'no_needs', 'transferred', 'not_covered'])[
                   CASE WHEN {u(19)} < 0.30 THEN 1 WHEN {u(19)} < 0.70 THEN 2
                        WHEN {u(19)} < 0.90 THEN 3 ELSE 4 END] AS closure_reason,
               (%(reasons)s::text[])[1 + floor({u(46)} * %(nreasons)s)::int] AS reason,
               {cut}
        FROM bench_ep0 e
        JOIN discharges_ward w ON w.organisation_ptr_id = e.ward_id
        CROSS JOIN LATERAL (
            SELECT CASE WHEN {u(5)} < 0.80 THEN 'full' WHEN {u(5)} < 0.88 THEN 'direct'
                        WHEN {u(5)} < 0.95 THEN 'closed' ELSE 'plain' END AS path,
                   (e.a AT TIME ZONE '{LOCAL_TZ}')::date AS adm_date,
                   GREATEST(1, LEAST(45, round(exp(1.15 + 0.75
                       * sqrt(-2 * ln(GREATEST({u(6)}, 1e-12))) * cos(2 * pi() * {u(7)})))))::int
                       AS los,
                   CASE WHEN {u(10)} < 0.68 THEN 0 WHEN {u(10)} < 0.83 THEN 1
                        WHEN {u(10)} < 0.91 THEN 2 WHEN {u(10)} < 0.96 THEN 3 + floor(3 * {u(11)})
                        ELSE 6 + floor(15 * {u(11)}) END::int AS rdays
            OFFSET 0
        ) AS b0
        CROSS JOIN LATERAL (
            SELECT b0.*, b0.adm_date + b0.los AS rdate0,
                   b0.path = 'full' AND {u(9)} < 0.04 AS withdrawn,
                   CASE WHEN b0.path = 'full' AND {u(32)} < 0.7 THEN
                       b0.adm_date + GREATEST(1, b0.los + floor(5 * {u(33)})::int - 2) END AS p0raw,
                   b0.path = 'full' AND {u(30)} < 0.25 AS changed
            OFFSET 0
        ) AS b1
        CROSS JOIN LATERAL (
            SELECT b1.*,
                   CASE WHEN b1.changed AND b1.p0raw IS NOT NULL AND b1.p0raw = b1.rdate0
                        THEN b1.rdate0 + 2 ELSE b1.p0raw END AS p0
            OFFSET 0
        ) AS b
        CROSS JOIN LATERAL (
            SELECT CASE WHEN b.withdrawn THEN b.rdate0 + 3 ELSE b.rdate0 END AS rdate,
                   CASE WHEN {u(22)} < 0.55 THEN 'green' WHEN {u(22)} < 0.85 THEN 'yellow'
                        ELSE 'red' END AS colour,
                   CASE WHEN b.path IN ('full', 'direct')
                        THEN {_local("b.rdate0", f"8 + 3 * {u(8)}")} END AS r1
            OFFSET 0
        ) AS c0
        CROSS JOIN LATERAL (
            SELECT c0.*, c0.colour = 'red' OR (c0.colour = 'yellow' AND {u(23)} < 0.2)
                       AS sip_needed,
                   CASE WHEN b.withdrawn THEN {_local("b.rdate0 + 3", f"8 + 3 * {u(16)}")} END
                       AS r2,
                   CASE WHEN b.path = 'full' THEN LEAST(
                            date_trunc('second', e.a + interval '1 hour' * CASE
                                WHEN {u(14)} < 0.08 THEN 24 + 30 * {u(13)}
                                ELSE 0.5 + 23 * {u(13)} END),
                            c0.r1 - interval '1 hour')
                        WHEN b.path = 'closed' AND {u(17)} < 0.5 THEN
                            date_trunc('second', e.a + (0.5 + 23 * {u(13)}) * interval '1 hour')
                   END AS notice
            OFFSET 0
        ) AS c
        CROSS JOIN LATERAL (
            SELECT COALESCE(c.r2, c.r1) AS rf,
                   CASE WHEN b.path IN ('full', 'direct')
                            THEN {_local("c.rdate + b.rdays", f"12 + 5 * {u(12)}")}
                        WHEN b.path = 'plain'
                            THEN date_trunc('second',
                                            e.a + (0.3 + 4 * {u(12)}) * interval '1 day')
                   END AS dis
            OFFSET 0
        ) AS d
        CROSS JOIN LATERAL (
            SELECT c.notice,
                   CASE WHEN b.path = 'full' AND {u(20)} < 0.9
                        THEN {_between("c.notice", "c.r1", 0.02, 0.3, 21)} END AS track,
                   CASE WHEN b.path = 'full' AND {u(24)} < 0.70
                        THEN {_between("c.notice", "c.r1", 0.05, 0.4, 25)} END AS kans,
                   CASE WHEN b.path = 'full' AND e.health_centre_id IS NOT NULL AND {u(26)} < 0.35
                        THEN {_between("c.notice", "c.r1", 0.1, 0.5, 27)} END AS hcans,
                   CASE WHEN b.path = 'full' AND e.health_centre_id IS NOT NULL AND {u(28)} < 0.40
                        THEN {_between("c.notice", "c.r1", 0.2, 0.6, 29)} END AS contact,
                   CASE WHEN b.changed AND b.p0 IS NOT NULL
                        THEN {_between("c.notice", "c.r1", 0.5, 0.45, 31)} END AS pchange,
                   c.r1,
                   CASE WHEN b.withdrawn THEN {_between("c.r1", "c.r2", 0.3, 0.3, 15)} END AS wd,
                   c.r2,
                   CASE WHEN b.path = 'full' AND {u(34)} < 0.20
                        THEN {_between("d.rf", "d.dis", 0.1, 0.2, 35)} END AS sol,
                   CASE WHEN b.path = 'full' AND {u(36)} < 0.15
                        THEN {_between("d.rf", "d.dis", 0.15, 0.2, 37)} END AS hsl,
                   CASE WHEN b.path = 'full' AND {u(38)} < 0.50
                        THEN {_between("d.rf", "d.dis", 0.3, 0.3, 39)} END AS kready,
                   CASE WHEN (b.path = 'full' AND {u(40)} < 0.55)
                          OR (b.path = 'direct' AND {u(40)} < 0.50)
                        THEN {_between("d.rf", "d.dis", 0.5, 0.3, 41)} END AS home,
                   d.dis,
                   CASE WHEN b.path = 'closed' THEN GREATEST(
                            COALESCE(c.notice, e.a) + interval '1 hour',
                            date_trunc('second', e.a + (0.3 + 6 * {u(18)}) * interval '1 day'))
                   END AS closed,
                   sip.inv AS sipinv,
                   CASE WHEN {u(44)} < 0.7 THEN sip.inv + interval '2 days 2 hours' END
                       AS sipheld,
                   sip.inv + interval '2 days' AS meeting
            FROM (
                SELECT CASE WHEN b.path = 'full' AND c.sip_needed AND {u(20)} < 0.9
                                 AND e.health_centre_id IS NOT NULL AND {u(42)} < 0.8
                            THEN date_trunc('second',
                                            d.rf + (0.2 + 2.5 * {u(43)}) * interval '1 day')
                       END AS inv
            ) AS sip
            OFFSET 0
        ) AS t
        """,  # noqa: S608
        {"now": now, "reasons": REASONS, "nreasons": len(REASONS)},
    )
    execute("DROP TABLE bench_ep0")
    execute("ALTER TABLE bench_plan ADD PRIMARY KEY (id)")
    execute(
        """
        ALTER TABLE bench_plan ADD COLUMN shared_at timestamptz;
        UPDATE bench_plan SET shared_at = LEAST(notice_at, r1_at);
        ANALYZE bench_plan;
        """
    )


# --- Episodes, events, grants, receipts, consent ------------------------------------------------


def insert_episodes(user_offset: int) -> None:
    """The projection of each episode's (generated) events, as projection.apply_event folds it."""
    execute(
        f"""
        INSERT INTO discharges_episode (
            id, external_id, patient_id, ward_id, kommun_id, health_centre_id, care_type,
            admitted_at, created_at, version, status, last_event_at, shared_at,
            admission_notice_at, admission_reason, preliminary_ready_date,
            preliminary_date_changes, kommun_answered_at, health_centre_answered_at,
            named_contact, named_contact_at, track_colour, sip_needed, ready_date,
            ready_notice_at, ready_notice_withdrawals, sip_initiative_at, sip_invitation_at,
            sip_held_date, sip_cancelled_at, sol_planning_done_at, hsl_planning_done_at,
            kommun_ready_at, homecoming_acknowledged_at, homecoming_at, discharged_at,
            discharge_date, destination, ready_days, admission_notice_late,
            preliminary_deviation_days, sip_invitation_delay_days, sip_held_after_days,
            closed_at, closure_reason)
        SELECT p.id, NULL, p.patient_id, p.ward_id, p.kommun_id, p.health_centre_id, p.care_type,
               p.a, p.created_at,
               1 + {" + ".join(f"(p.{name}_at IS NOT NULL)::int" for name in EVENT_TIMES)},
               CASE WHEN p.closed_at IS NOT NULL THEN 'closed'
                    WHEN p.dis_at IS NOT NULL THEN 'discharged'
                    WHEN p.r2_at IS NOT NULL OR (p.r1_at IS NOT NULL AND p.wd_at IS NULL)
                        THEN 'ready'
                    WHEN p.notice_at IS NOT NULL THEN 'planning'
                    ELSE 'registered' END,
               GREATEST(p.a, {", ".join(f"p.{name}_at" for name in EVENT_TIMES)}),
               p.shared_at,
               p.notice_at,
               CASE WHEN p.notice_at IS NOT NULL THEN p.reason ELSE '' END,
               r.preliminary_ready_date,
               (p.pchange_at IS NOT NULL)::int,
               p.kans_at, p.hcans_at,
               CASE WHEN p.contact_at IS NOT NULL THEN 'Distriktssköterska ' || u.first_name
                    ELSE '' END,
               p.contact_at,
               CASE WHEN p.track_at IS NOT NULL THEN p.colour ELSE '' END,
               CASE WHEN p.track_at IS NOT NULL THEN p.sip_needed END,
               r.ready_date, r.ready_notice_at,
               (p.wd_at IS NOT NULL)::int,
               NULL, p.sipinv_at,
               CASE WHEN p.sipheld_at IS NOT NULL THEN p.held_date END,
               NULL, p.sol_at, p.hsl_at, p.kready_at,
               p.home_at, CASE WHEN p.home_at IS NOT NULL THEN p.homecoming END,
               p.dis_at, (p.dis_at AT TIME ZONE '{LOCAL_TZ}')::date,
               CASE WHEN p.dis_at IS NOT NULL THEN p.destination ELSE '' END,
               CASE WHEN p.dis_at IS NOT NULL AND r.ready_date IS NOT NULL
                    THEN (p.dis_at AT TIME ZONE '{LOCAL_TZ}')::date - r.ready_date END,
               CASE WHEN p.notice_at IS NOT NULL THEN p.notice_at > p.a + interval '24 hours' END,
               r.ready_date - r.preliminary_ready_date,
               (p.sipinv_at AT TIME ZONE '{LOCAL_TZ}')::date - r.ready_date,
               CASE WHEN p.sipheld_at IS NOT NULL
                    THEN p.held_date - (p.sipinv_at AT TIME ZONE '{LOCAL_TZ}')::date END,
               p.closed_at,
               CASE WHEN p.closed_at IS NOT NULL THEN p.closure_reason ELSE '' END
        FROM bench_plan p
        LEFT JOIN auth_user u ON u.id = p.health_centre_id + %(off)s
        CROSS JOIN LATERAL (
            SELECT CASE WHEN p.r2_at IS NOT NULL THEN p.rdate0 + 3
                        WHEN p.wd_at IS NOT NULL THEN NULL
                        WHEN p.r1_at IS NOT NULL THEN p.rdate0 END AS ready_date,
                   CASE WHEN p.r2_at IS NOT NULL THEN p.r2_at
                        WHEN p.wd_at IS NOT NULL THEN NULL
                        ELSE p.r1_at END AS ready_notice_at,
                   CASE WHEN p.pchange_at IS NOT NULL THEN p.rdate0
                        WHEN p.notice_at IS NOT NULL THEN p.p0 END AS preliminary_ready_date
        ) AS r
        ORDER BY p.id
        """,  # noqa: S608
        {"off": user_offset},
    )


def event_rows() -> list[tuple[str, str, str, str]]:
    """(kind, time, organisation, data) of each possible event, as SQL over the plan row ``p``."""
    u = "pg_temp.rnd(p.n, {})".format
    iso_date = "to_char({}, 'YYYY-MM-DD')".format
    pick = "(%({0})s::text[])[1 + floor({1} * %(n{0})s)::int]".format
    return [
        (
            "registered",
            "p.a",
            "p.ward_id",
            "jsonb_build_object('external_id', NULL, 'patient_id', p.patient_id, "
            "'ward_id', p.ward_id, 'kommun_id', p.kommun_id, "
            "'health_centre_id', p.health_centre_id, 'care_type', p.care_type, "
            "'admitted_at', pg_temp.iso(p.a))",
        ),
        (
            "admission_notice",
            "p.notice_at",
            "p.ward_id",
            f"jsonb_build_object('preliminary_ready_date', {iso_date('p.p0')}, 'reason', p.reason)",
        ),
        (
            "track_colour",
            "p.track_at",
            "p.ward_id",
            "jsonb_build_object('colour', p.colour, 'sip_needed', p.sip_needed)",
        ),
        (
            "admission_answer",
            "p.kans_at",
            "p.kommun_id",
            f"jsonb_build_object('party', 'kommun', 'current_services', {u(60)} < 0.5, "
            f"'services', {pick('services', u(61))}, "
            f"'social_network', {pick('networks', u(62))}, 'aids', {pick('aids', u(63))})",
        ),
        (
            "admission_answer",
            "p.hcans_at",
            "p.health_centre_id",
            f"jsonb_build_object('party', 'health_centre', 'current_services', {u(64)} < 0.3, "
            "'services', '', 'social_network', '', 'aids', '')",
        ),
        (
            "named_care_contact",
            "p.contact_at",
            "p.health_centre_id",
            "jsonb_build_object('name', 'Distriktssköterska ' || hcu.first_name, "
            f"'phone', '0' || (100000000 + floor({u(65)} * 899999999)::bigint)::text)",
        ),
        (
            "preliminary_date_changed",
            "p.pchange_at",
            "p.ward_id",
            f"jsonb_build_object('preliminary_ready_date', {iso_date('p.rdate0')})",
        ),
        (
            "ready_notice",
            "p.r1_at",
            "p.ward_id",
            f"jsonb_build_object('ready_date', {iso_date('p.rdate0')})",
        ),
        (
            "ready_notice_withdrawn",
            "p.wd_at",
            "p.ward_id",
            "jsonb_build_object('reason', 'Försämrat tillstånd')",
        ),
        (
            "ready_notice",
            "p.r2_at",
            "p.ward_id",
            f"jsonb_build_object('ready_date', {iso_date('p.rdate0 + 3')})",
        ),
        ("sol_planning_done", "p.sol_at", "p.kommun_id", "'{}'::jsonb"),
        ("hsl_planning_done", "p.hsl_at", "p.kommun_id", "'{}'::jsonb"),
        ("kommun_ready", "p.kready_at", "p.kommun_id", "'{}'::jsonb"),
        (
            "homecoming_acknowledged",
            "p.home_at",
            "p.kommun_id",
            "jsonb_build_object('homecoming_at', pg_temp.iso(p.homecoming))",
        ),
        (
            "discharge",
            "p.dis_at",
            "p.ward_id",
            "jsonb_build_object('destination', p.destination)",
        ),
        ("closed", "p.closed_at", "p.ward_id", "jsonb_build_object('reason', p.closure_reason)"),
        (
            "sip_invitation",
            "p.sipinv_at",
            "p.health_centre_id",
            "jsonb_build_object('meeting_at', pg_temp.iso(p.meeting))",
        ),
        (
            "sip_held",
            "p.sipheld_at",
            "p.health_centre_id",
            f"jsonb_build_object('held_date', {iso_date('p.held_date')})",
        ),
    ]


def insert_events(now: datetime, user_offset: int) -> None:
    """The event log, in the order it was written (by time), with the services' data keys.

    An event's number (seq) is its rank in the episode's (time, position) order.
    """
    values = ", ".join(
        f"({i}, '{kind}', {at}, {org}, {data})"
        for i, (kind, at, org, data) in enumerate(event_rows(), start=1)
    )
    execute(
        f"""
        INSERT INTO discharges_episodeevent (episode_id, seq, kind, author_id, organisation_id,
                                             occurred_at, recorded_at, data)
        SELECT p.id, ev.seq, ev.kind, ev.org_id + %(off)s, ev.org_id, ev.at,
               CASE WHEN ev.ord = 1 THEN p.created_at
                    ELSE LEAST(%(now)s, date_trunc('second', ev.at
                         + pg_temp.rnd(p.n * 32 + ev.ord, 99) * interval '5 minutes')) END,
               ev.data
        FROM bench_plan p
        LEFT JOIN auth_user hcu ON hcu.id = p.health_centre_id + %(off)s
        CROSS JOIN LATERAL (
            SELECT v.*, row_number() OVER (ORDER BY v.at, v.ord) AS seq
            FROM (VALUES {values}) AS v(ord, kind, at, org_id, data)
            WHERE v.at IS NOT NULL
        ) AS ev
        ORDER BY ev.at, p.id, ev.seq
        """,  # noqa: S608
        {
            "off": user_offset,
            "now": now,
            "services": SERVICES,
            "nservices": len(SERVICES),
            "networks": NETWORKS,
            "nnetworks": len(NETWORKS),
            "aids": AIDS,
            "naids": len(AIDS),
        },
    )


def insert_grants() -> None:
    """What grants.sync_episode writes: view and change for the ward's group from registration,
    and for the kommun's and health centre's groups from the first message sent to them."""
    content_type = ContentType.objects.get_for_model(Episode)
    permission_ids = list(
        Permission.objects.filter(
            content_type=content_type, codename__in=grants.CODENAMES
        ).values_list("id", flat=True)
    )
    assert len(permission_ids) == len(grants.CODENAMES)
    execute(
        """
        INSERT INTO discharges_episodegroupobjectpermission (content_object_id, group_id,
                                                             permission_id)
        SELECT x.id, o.group_id, perm.id
        FROM (
            SELECT id, ward_id AS org_id, a AS at FROM bench_plan
            UNION ALL
            SELECT id, kommun_id, shared_at FROM bench_plan WHERE shared_at IS NOT NULL
            UNION ALL
            SELECT id, health_centre_id, shared_at FROM bench_plan
            WHERE shared_at IS NOT NULL AND health_centre_id IS NOT NULL
        ) AS x
        JOIN discharges_organisation o ON o.id = x.org_id
        CROSS JOIN unnest(%(perms)s::bigint[]) AS perm(id)
        ORDER BY x.at, x.id, o.group_id, perm.id
        """,
        {"perms": permission_ids},
    )


def insert_receipts(now: datetime, user_offset: int) -> None:
    """Kvittenser: recipients acknowledge many of the ward's messages, the ward some of theirs."""
    execute(
        """
        INSERT INTO discharges_receipt (event_id, organisation_id, user_id, acknowledged_at)
        SELECT r.event_id, r.org_id, r.org_id + %(off)s, r.at
        FROM (
            SELECT e.id AS event_id, x.org_id,
                   date_trunc('second', e.occurred_at
                       + (0.2 + 30 * pg_temp.rnd(e.id, x.k)) * interval '1 hour') AS at,
                   pg_temp.rnd(e.id, x.k + 1) < x.p AS taken
            FROM discharges_episodeevent e
            JOIN discharges_episode ep ON ep.id = e.episode_id
            CROSS JOIN LATERAL (VALUES
                (ep.kommun_id, 0.75, 70,
                 e.kind IN ('admission_notice', 'ready_notice', 'ready_notice_withdrawn',
                            'preliminary_date_changed', 'discharge')),
                (ep.health_centre_id, 0.45, 72,
                 e.kind IN ('admission_notice', 'ready_notice', 'discharge')),
                (ep.ward_id, 0.30, 74,
                 e.kind IN ('admission_answer', 'named_care_contact', 'kommun_ready',
                            'homecoming_acknowledged', 'sip_invitation'))
            ) AS x(org_id, p, k, applies)
            WHERE x.applies AND x.org_id IS NOT NULL AND ep.shared_at IS NOT NULL
              AND e.occurred_at >= ep.shared_at
        ) AS r
        WHERE r.taken AND r.at <= %(now)s
        ORDER BY r.at
        """,
        {"off": user_offset, "now": now},
    )


def insert_consent(now: datetime, user_offset: int) -> None:
    """One ConsentRecord (given) per patient whose consent is in force, by their first ward."""
    execute(
        """
        INSERT INTO discharges_consentrecord (patient_id, action, recorded_by_id,
                                              organisation_id, occurred_at, recorded_at, note)
        SELECT f.patient_id, 'given', f.ward_id + %(off)s, f.ward_id,
               LEAST(%(now)s, f.a + interval '2 hours'), LEAST(%(now)s, f.a + interval '2 hours'),
               ''
        FROM (
            SELECT DISTINCT ON (e.patient_id) e.patient_id, e.ward_id, e.admitted_at AS a
            FROM discharges_episode e
            ORDER BY e.patient_id, e.admitted_at
        ) AS f
        JOIN discharges_patient p ON p.id = f.patient_id
        WHERE p.has_consent
        ORDER BY f.a
        """,
        {"off": user_offset, "now": now},
    )


# --- The benchmark's users ----------------------------------------------------------------------


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


# --- Checks -------------------------------------------------------------------------------------


# Every column of the episode that replaying its events sets (all but the id and created_at).
COMPARED_FIELDS = tuple(
    f.attname for f in Episode._meta.concrete_fields if f.attname not in ("id", "created_at")
)


def verify(sample: int = 300) -> None:
    """Projection == replay of the events, and grants == grants.audience, on a sample."""
    ids = [
        row[0]
        for row in _fetchall(
            "SELECT id FROM discharges_episode TABLESAMPLE BERNOULLI (1) REPEATABLE (7) "
            "ORDER BY id LIMIT %(n)s",
            {"n": sample},
        )
    ]
    # Make sure the sample holds every kind of history (active, withdrawn, SIP, closed).
    for condition in (
        "status IN ('registered', 'planning', 'ready')",
        "ready_notice_withdrawals > 0",
        "sip_held_date IS NOT NULL",
        "status = 'closed'",
    ):
        ids += [
            row[0]
            for row in _fetchall(
                f"SELECT id FROM discharges_episode WHERE {condition} ORDER BY id DESC LIMIT 20"  # noqa: S608
            )
        ]
    perms_by_id = dict(Permission.objects.values_list("id", "codename"))
    groups = {}
    for ep in Episode.objects.filter(pk__in=ids):
        events = list(EpisodeEvent.objects.filter(episode=ep).order_by("seq"))
        replayed = projection.replay(events)
        diff = {
            name: (getattr(ep, name), getattr(replayed, name))
            for name in COMPARED_FIELDS
            if getattr(ep, name) != getattr(replayed, name)
        }
        assert not diff, f"episode {ep.pk}: projection differs from replay: {diff}"
        assert [e.seq for e in events] == list(range(1, len(events) + 1)), ep.pk
        audience = grants.audience(ep)
        if not groups:
            groups = dict(_fetchall("SELECT id, group_id FROM discharges_organisation"))
        want = {(groups[o], c) for o in audience for c in grants.CODENAMES}
        have = {
            (g, perms_by_id[p])
            for g, p in _fetchall(
                "SELECT group_id, permission_id FROM discharges_episodegroupobjectpermission "
                "WHERE content_object_id = %(id)s",
                {"id": ep.pk},
            )
        }
        assert have == want, f"episode {ep.pk}: grants {have} != {want}"
        validate_personnummer(ep.patient.personnummer)


def _fetchall(sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- Bulk-load helpers --------------------------------------------------------------------------

# The tables filled in bulk: their secondary indexes are built after the load, which is several
# times faster than maintaining them row by row (random inserts into indexes larger than
# shared_buffers).
LOADED_TABLES = (
    "discharges_patient",
    "discharges_episode",
    "discharges_episodeevent",
    "discharges_episodegroupobjectpermission",
    "discharges_receipt",
    "discharges_consentrecord",
)


@contextmanager
def secondary_indexes_deferred(
    tables: tuple[str, ...], log: Callable[[str], None]
) -> Iterator[None]:
    """Drop the non-primary-key indexes (and unique constraints) of ``tables``; recreate them
    exactly as they were, from their catalogued definitions, when the block ends."""
    recreate: list[str] = []
    for table in tables:
        rows = _fetchall(
            """
            SELECT ic.relname, pg_get_indexdef(i.indexrelid), con.conname,
                   pg_get_constraintdef(con.oid)
            FROM pg_index i
            JOIN pg_class ic ON ic.oid = i.indexrelid
            LEFT JOIN pg_constraint con
              ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
             AND con.contype IN ('u', 'x')
            WHERE i.indrelid = %(table)s::regclass AND NOT i.indisprimary
            ORDER BY ic.relname
            """,
            {"table": table},
        )
        for index_name, index_def, constraint_name, constraint_def in rows:
            if constraint_name:
                execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint_name}"')
                recreate.append(
                    f'ALTER TABLE {table} ADD CONSTRAINT "{constraint_name}" {constraint_def}'
                )
            else:
                execute(f'DROP INDEX "{index_name}"')
                recreate.append(index_def)
    yield
    with step(f"{len(recreate)} secondary indexes rebuilt", log):
        for statement in recreate:
            execute(statement)


# --- Entry point --------------------------------------------------------------------------------

BIG_TABLES = (
    "discharges_patient",
    "discharges_episode",
    "discharges_episodeevent",
    "discharges_episodegroupobjectpermission",
    "discharges_receipt",
    "discharges_consentrecord",
    "auth_user",
    "auth_user_groups",
    "discharges_membership",
    "discharges_organisation",
)


ANALYZED_KEY = "analyzed_after"


def _applied_migrations() -> list[str]:
    return sorted(
        f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
    )


def vacuum_analyze() -> None:
    """VACUUM (ANALYZE) the generated tables: fresh statistics (with the statistics targets
    the migrations set) and visibility maps for index-only scans. Records the migrations they
    were analysed after (once the benchmark's metadata table exists)."""
    for table in BIG_TABLES:
        execute(f"VACUUM (ANALYZE) {table}")
    if scalar("SELECT to_regclass(%(t)s)", {"t": META_TABLE}) is not None:
        execute(
            f"INSERT INTO {META_TABLE} VALUES (%(k)s, %(v)s) "  # noqa: S608
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            {"k": ANALYZED_KEY, "v": " ".join(_applied_migrations())},
        )


def migrations_since_analyze() -> list[str]:
    """Migrations applied since the generated tables were last analysed by the benchmark."""
    recorded = scalar(
        f"SELECT value FROM {META_TABLE} WHERE key = %(k)s",  # noqa: S608
        {"k": ANALYZED_KEY},
    )
    analysed = set(recorded.split()) if recorded else set()
    return [name for name in _applied_migrations() if name not in analysed]


def _print(message: str) -> None:
    print(message, flush=True)


def generate(episodes: int, log: Callable[[str], None] = _print) -> float:
    """Fill the (freshly migrated, empty) benchmark database. Returns the seconds it took."""
    assert not Episode.objects.exists(), "generate() expects an empty benchmark database"
    started = time.perf_counter()
    now = timezone.now().replace(microsecond=0)
    patients = max(1, round(episodes * PATIENTS_PER_EPISODE))
    log(f"Generating {episodes:,} episodes and {patients:,} patients (now = {now:%Y-%m-%d %H:%M})")
    execute(
        "SET work_mem = '1GB'; SET maintenance_work_mem = '1GB'; SET synchronous_commit = off;"
        "SET jit = off;"
    )
    execute(SQL_FUNCTIONS)
    with step("hospitals, wards, health centres (ORM)", log):
        orgs = create_organisations(log)
    national_wards = [w for wards in orgs["wards_by_region"].values() for w in wards]
    execute("CREATE TEMP TABLE bench_region_wards (region_id bigint PRIMARY KEY, wards bigint[])")
    for region_id, wards in orgs["wards_by_region"].items():
        execute(
            "INSERT INTO bench_region_wards VALUES (%(r)s, %(w)s::bigint[])",
            {"r": region_id, "w": wards},
        )
    execute("CREATE TEMP TABLE bench_kommun_hc (kommun_id bigint PRIMARY KEY, hcs bigint[])")
    for kommun_id, hcs in orgs["hcs_by_kommun"].items():
        execute(
            "INSERT INTO bench_kommun_hc VALUES (%(k)s, %(h)s::bigint[])",
            {"k": kommun_id, "h": hcs},
        )
    # Staff user ids are their organisation's id + this offset (no join needed for authors).
    user_offset: int = scalar("SELECT COALESCE(MAX(id), 0) FROM auth_user")
    # Bulk load: skip the per-row foreign-key triggers (the rows are consistent by construction
    # and a sample is checked below; the unique constraints are checked when rebuilt); the
    # append-only triggers only guard UPDATE and DELETE.
    execute("SET session_replication_role = replica")
    try:
        with step("users, memberships, group members", log):
            create_staff(user_offset, now)
        with secondary_indexes_deferred(LOADED_TABLES, log):
            with step(f"{patients:,} patients", log):
                create_patients(patients, now, orgs["kommuner"])
            with step("episode plan (temp table)", log):
                create_plan(episodes, patients, now, national_wards)
            with step(f"{episodes:,} episodes (projection)", log):
                insert_episodes(user_offset)
            with step("events", log):
                insert_events(now, user_offset)
            with step("guardian grants", log):
                insert_grants()
            with step("receipts", log):
                insert_receipts(now, user_offset)
            with step("consent records", log):
                insert_consent(now, user_offset)
    finally:
        execute("SET session_replication_role = DEFAULT")
    execute("DROP TABLE IF EXISTS bench_plan, bench_region_wards, bench_kommun_hc")
    with step("sequences", log):
        for table in ("auth_user", "discharges_patient", "discharges_episode"):
            execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT MAX(id) FROM {table}))"
            )
    with step("VACUUM ANALYZE", log):
        vacuum_analyze()
    with step("bench users (services.add_membership)", log):
        create_bench_users()
    with step("check a sample: replay, grants, personnummer", log):
        verify()
    elapsed = time.perf_counter() - started
    execute(f"CREATE TABLE {META_TABLE} (key text PRIMARY KEY, value text NOT NULL)")
    execute(
        f"INSERT INTO {META_TABLE} VALUES ('generator_version', %(v)s), ('episodes', %(n)s), "  # noqa: S608
        "('generated_at', %(at)s), ('seconds', %(s)s)",
        {"v": GENERATOR_VERSION, "n": str(episodes), "at": now.isoformat(), "s": f"{elapsed:.0f}"},
    )
    execute(
        f"INSERT INTO {META_TABLE} VALUES (%(k)s, %(v)s)",  # noqa: S608
        {"k": ANALYZED_KEY, "v": " ".join(_applied_migrations())},
    )
    log(f"  {'total':<44} {elapsed:7.1f} s")
    # The measurements get a fresh session, without this one's work_mem, jit and temp objects.
    connection.close()
    return elapsed
