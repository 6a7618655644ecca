"""Region Västerbotten as the demo draws it: its kommuner (share of admissions, home hospital,
places), strained months, hospitals and wards, hälsocentraler, lengths of stay. Pure data."""

from __future__ import annotations

from dataclasses import dataclass

from demo.vocabulary import HOSPITALS_BY_REGION, PLACES, Place

REGION_CODE = "24"
# Region Västerbotten's organisation number 232100-0222 as HSA-id prefix.
HSA_PREFIX = "SE2321000222-"


@dataclass(frozen=True)
class KommunProfile:
    code: str
    share: float  # of the region's admissions
    hospital: str  # key of the home hospital
    phone_prefix: str
    places: tuple[Place, ...]


KOMMUN_PROFILES: tuple[KommunProfile, ...] = (
    KommunProfile("2480", 0.40, "nus", "090", PLACES["2480"]),
    KommunProfile("2482", 0.28, "skl", "0910", PLACES["2482"]),
    KommunProfile("2481", 0.055, "lyl", "0950", PLACES["2481"]),
    KommunProfile("2460", 0.035, "nus", "0935", PLACES["2460"]),
    KommunProfile("2462", 0.03, "lyl", "0940", PLACES["2462"]),
    KommunProfile("2401", 0.03, "nus", "0930", PLACES["2401"]),
    KommunProfile("2409", 0.03, "nus", "0934", PLACES["2409"]),
    KommunProfile("2421", 0.025, "lyl", "0951", PLACES["2421"]),
    KommunProfile("2404", 0.025, "nus", "0933", PLACES["2404"]),
    KommunProfile("2417", 0.02, "skl", "0918", PLACES["2417"]),
    KommunProfile("2418", 0.015, "skl", "0953", PLACES["2418"]),
    KommunProfile("2425", 0.015, "lyl", "0942", PLACES["2425"]),
    KommunProfile("2463", 0.015, "lyl", "0941", PLACES["2463"]),
    KommunProfile("2422", 0.012, "lyl", "0952", PLACES["2422"]),
    KommunProfile("2403", 0.012, "nus", "0932", PLACES["2403"]),
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


# The region's three hospitals, under the names the benchmark gives them too.
NUS, SKELLEFTEA, LYCKSELE = HOSPITALS_BY_REGION[REGION_CODE]
HOSPITALS: tuple[HospitalSpec, ...] = (
    HospitalSpec(
        "nus",
        NUS,
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
        SKELLEFTEA,
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
        LYCKSELE,
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


# Length of stay up to the ready date, by speciality: (days, weights).
LENGTH_OF_STAY: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "medicine": ((1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15), (8, 14, 16, 15, 12, 9, 7, 5, 6, 4, 4)),
    "geriatrics": ((2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 18), (5, 8, 10, 12, 12, 11, 10, 10, 8, 7, 7)),
    "orthopaedics": ((2, 3, 4, 5, 6, 7, 8, 10), (6, 12, 16, 16, 14, 12, 10, 8)),
    "surgery": ((1, 2, 3, 4, 5, 7, 10), (12, 18, 18, 14, 12, 8, 5)),
    "stroke": ((3, 4, 5, 7, 9, 12, 15, 20), (5, 8, 12, 14, 14, 12, 10, 8)),
    "psychiatry": ((3, 5, 7, 10, 14, 18, 25, 35), (6, 8, 12, 14, 16, 14, 12, 8)),
}
