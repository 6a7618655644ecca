"""The organisations and accounts an import's rows refer to, resolved once per file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model

from discharges import services
from discharges.models import HealthCentre, Hospital, Kommun, Membership, Region, Role, Ward

IMPORT_HOSPITAL = "Okänt sjukhus (import)"
IMPORT_HEALTH_CENTRE = "Okänd hälsocentral (import)"


@dataclass
class Context:
    """Organisations and accounts the rows refer to, resolved once per file. Unknown ones are
    created (inside the import's transaction: a refused file leaves none behind) and listed
    in ``created``."""

    integration_users: dict[str, Any] = field(default_factory=dict)
    wards: dict[tuple[str, str, str, str], Ward] = field(default_factory=dict)
    health_centres: dict[tuple[str, str], HealthCentre] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)

    def integration_user(self, region: Region) -> Any:
        """The region's integration account, created on first use; it authors the history."""
        if region.code not in self.integration_users:
            user, _created = get_user_model().objects.get_or_create(
                username=f"integration-{region.code}",
                defaults={"first_name": "Import", "last_name": region.name},
            )
            if _created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            if not Membership.objects.filter(
                user=user, organisation=region, role=Role.INTEGRATION
            ).exists():
                services.add_membership(user=user, organisation=region, role=Role.INTEGRATION)
            self.integration_users[region.code] = user
        return self.integration_users[region.code]

    def ward(self, region: Region, hospital_name: str, ward_name: str, care_type: str) -> Ward:
        """The named ward of the region, created when unknown; unnamed wards go to a placeholder
        ward per care type ("Okänt sjukhus (import)")."""
        hospital_name = hospital_name or IMPORT_HOSPITAL
        ward_name = ward_name or f"Okänd avdelning, {care_type} (import)"
        key = (region.code, hospital_name, ward_name, care_type)
        if key not in self.wards:
            hospital = Hospital.objects.filter(region=region, name=hospital_name).first()
            if hospital is None:
                hospital = Hospital.objects.create(region=region, name=hospital_name)
                self.created.append(hospital_name)
            ward = Ward.objects.filter(hospital=hospital, name=ward_name).first()
            if ward is None:
                ward = Ward.objects.create(hospital=hospital, name=ward_name, care_type=care_type)
                self.created.append(f"{hospital_name} / {ward_name}")
            self.wards[key] = ward
        return self.wards[key]

    def health_centre(self, kommun: Kommun, name: str) -> HealthCentre:
        region = kommun.region
        name = name or IMPORT_HEALTH_CENTRE
        key = (region.code, name)
        if key not in self.health_centres:
            centre = HealthCentre.objects.filter(region=region, name=name).first()
            if centre is None:
                centre = HealthCentre.objects.create(region=region, name=name)
                self.created.append(name)
            self.health_centres[key] = centre
        return self.health_centres[key]
