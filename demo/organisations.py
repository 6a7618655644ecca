"""The demo's organisations and users in the database: Region 24's hospitals, wards and
hälsocentraler (its kommuner come from a migration), one user per role, the printed logins."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from demo.region import HEALTH_CENTRES, HOSPITALS, HSA_PREFIX, KOMMUN_PROFILES, REGION_CODE
from discharges import services
from discharges.models import (
    HealthCentre,
    Hospital,
    Kommun,
    Membership,
    Organisation,
    Region,
    Role,
    Ward,
)

# Demo logins only: printed by the command on every run, never used outside demo installs.
DEMO_PASSWORD = "svu-demo-2026"  # noqa: S105
# The account that authors the historical messages; its presence marks the demo data as loaded.
INTEGRATION_USERNAME = "integration.svu"

# --- Organisations --------------------------------------------------------------------------------


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


# --- Users ----------------------------------------------------------------------------------------


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
    The integration account's is not shown: it cannot log in to the pages.
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
                # A system account cannot log in to the pages (svu/accounts.py).
                password=DEMO_PASSWORD
                if m.user.password == demo_hash and m.role != Role.INTEGRATION
                else "",
            )
        )
    return logins


def demo_data_exists() -> bool:
    return get_user_model().objects.filter(username=INTEGRATION_USERNAME).exists()
