"""Organisations, memberships, patients, episodes and the episode's event log.

The event log (``EpisodeEvent``) is the truth; ``Episode`` carries a projection of it that
``discharges.projection.apply_event`` keeps up to date in the same transaction.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from discharges import access_chain, outbox  # noqa: F401 (models in their own modules)
from discharges.append_only import AppendOnlyError as AppendOnlyError
from discharges.append_only import AppendOnlyModel
from discharges.choices import (
    ACTIVE_STATUSES,
    AccessAction,
    AdmissionType,
    CareType,
    ClosureReason,
    ConsentAction,
    Destination,
    EpisodeStatus,
    NeedsOutcome,
    OrganisationKind,
    Role,
    SipPlace,
    TrackColour,
)
from discharges.choices import ROLES_BY_KIND as ROLES_BY_KIND
from discharges.episode_indexes import EPISODE_INDEXES
from discharges.events import EventKind as EventKind
from discharges.import_jobs import ImportJob as ImportJob  # the admin's uploads: own module
from discharges.personnummer import mask_personnummer, validate_personnummer

hsa_id_validator = RegexValidator(
    r"^SE\d{10}-[A-Za-z0-9]{1,31}$",
    _("An HSA-id looks like SE2321000230-1234: SE, ten digits, a hyphen and a suffix."),
)


# --- Organisations ---------------------------------------------------------------------------


class Organisation(models.Model):
    """Any party of a discharge. Each has its own Django group, which holds its object grants."""

    kind = models.CharField(
        _("kind"), max_length=20, choices=OrganisationKind.choices, editable=False
    )
    name = models.CharField(_("name"), max_length=200)
    hsa_id = models.CharField(
        _("HSA-id"),
        max_length=48,
        unique=True,
        null=True,
        blank=True,
        validators=[hsa_id_validator],
    )
    group = models.OneToOneField(
        Group, on_delete=models.PROTECT, null=True, editable=False, related_name="organisation"
    )

    kind_for_class: ClassVar[str] = ""

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.kind:
            self.kind = self.kind_for_class
        super().save(*args, **kwargs)
        if self.group_id is None:
            # The group is named after the primary key so that it is unique and stable
            # even when the organisation is renamed.
            self.group = Group.objects.create(name=f"org:{self.pk}")
            Organisation.objects.filter(pk=self.pk).update(group=self.group)

    @property
    def specific(self) -> Organisation:
        """The Region/Kommun/Hospital/Ward/HealthCentre row behind this organisation."""
        if type(self) is not Organisation:
            return self
        accessor = {
            OrganisationKind.REGION: "as_region",
            OrganisationKind.KOMMUN: "as_kommun",
            OrganisationKind.HOSPITAL: "as_hospital",
            OrganisationKind.WARD: "as_ward",
            OrganisationKind.HEALTH_CENTRE: "as_health_centre",
        }[OrganisationKind(self.kind)]
        specific: Organisation = getattr(self, accessor)
        return specific

    @property
    def region_code(self) -> str | None:
        """The county code (län) of the region the organisation belongs to."""
        if type(self) is Organisation:
            return self.specific.region_code
        return None


class Region(Organisation):
    organisation_ptr = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        parent_link=True,
        primary_key=True,
        related_name="as_region",
    )
    code = models.CharField(
        _("county code"), max_length=2, unique=True, validators=[RegexValidator(r"^\d{2}$")]
    )
    kind_for_class = OrganisationKind.REGION

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    @property
    def region_code(self) -> str | None:
        return self.code


class Kommun(Organisation):
    organisation_ptr = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        parent_link=True,
        primary_key=True,
        related_name="as_kommun",
    )
    code = models.CharField(
        _("municipality code"), max_length=4, unique=True, validators=[RegexValidator(r"^\d{4}$")]
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="kommuner")
    kind_for_class = OrganisationKind.KOMMUN

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def region_code(self) -> str | None:
        return self.code[:2]


class Hospital(Organisation):
    organisation_ptr = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        parent_link=True,
        primary_key=True,
        related_name="as_hospital",
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="hospitals")
    kind_for_class = OrganisationKind.HOSPITAL

    class Meta:
        verbose_name = _("hospital")
        verbose_name_plural = _("hospitals")

    @property
    def region_code(self) -> str | None:
        return self.region.code


class Ward(Organisation):
    organisation_ptr = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        parent_link=True,
        primary_key=True,
        related_name="as_ward",
    )
    hospital = models.ForeignKey(Hospital, on_delete=models.PROTECT, related_name="wards")
    care_type = models.CharField(_("care type"), max_length=20, choices=CareType.choices)
    kind_for_class = OrganisationKind.WARD

    class Meta:
        verbose_name = _("ward")
        verbose_name_plural = _("wards")

    def __str__(self) -> str:
        return f"{self.hospital.name}, {self.name}"

    @property
    def region_code(self) -> str | None:
        return self.hospital.region.code


class HealthCentre(Organisation):
    organisation_ptr = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        parent_link=True,
        primary_key=True,
        related_name="as_health_centre",
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="health_centres")
    kommuner = models.ManyToManyField(
        Kommun, related_name="health_centres", blank=True, verbose_name=_("serves municipalities")
    )
    kind_for_class = OrganisationKind.HEALTH_CENTRE

    class Meta:
        verbose_name = _("health centre")
        verbose_name_plural = _("health centres")

    @property
    def region_code(self) -> str | None:
        return self.region.code


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.organisation} ({self.get_role_display()})"


# --- Patients ---------------------------------------------------------------------------------


class Patient(models.Model):
    personnummer = models.CharField(
        _("personal identity number"),
        max_length=12,
        unique=True,
        validators=[validate_personnummer],
        help_text=_("12 digits; a coordination number (samordningsnummer) is accepted."),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    address = models.CharField(_("registered address"), max_length=300, blank=True)
    kommun = models.ForeignKey(
        Kommun,
        on_delete=models.PROTECT,
        related_name="residents",
        verbose_name=_("municipality of residence"),
    )
    health_centre = models.ForeignKey(
        HealthCentre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="listed",
        verbose_name=_("listed at health centre"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("patient")
        verbose_name_plural = _("patients")

    def __str__(self) -> str:
        return f"{self.name or _('(no name)')} {self.masked_personnummer}"

    @property
    def masked_personnummer(self) -> str:
        return mask_personnummer(self.personnummer)

    @property
    def is_coordination_number(self) -> bool:
        return int(self.personnummer[6]) >= 6


# --- Episodes and their event log ---------------------------------------------------------------


class EpisodeQuerySet(models.QuerySet):
    def active(self) -> EpisodeQuerySet:
        return self.filter(status__in=ACTIVE_STATUSES)


class Episode(models.Model):
    """One inpatient stay (vårdtillfälle) and the projection of its event log.

    Every field below ``version`` is written only by ``discharges.projection.apply_event``.
    """

    external_id = models.CharField(  # noqa: DJ001 (NULL: many episodes have none; unique)
        _("external id"),
        max_length=64,
        null=True,  # unique: Meta's episode_unique_external_id (without a LIKE index)
        blank=True,
        help_text=_("The episode's id in the system it was imported from."),
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="episodes")
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="episodes")
    # No index of its own: episode_kommun_discharge_idx leads with the kommun.
    kommun = models.ForeignKey(
        Kommun, on_delete=models.PROTECT, related_name="episodes", db_index=False
    )
    health_centre = models.ForeignKey(
        HealthCentre, on_delete=models.PROTECT, null=True, blank=True, related_name="episodes"
    )
    care_type = models.CharField(_("care type"), max_length=20, choices=CareType.choices)
    admitted_at = models.DateTimeField(_("admitted"))
    # "" for an episode registered before the type was asked (unknown).
    admission_type = models.CharField(
        _("admission type"),
        max_length=10,
        choices=AdmissionType.choices,
        blank=True,
        default="",
        db_default="",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    # The projection of the episode's consent records (not of its events): consent in force.
    has_consent = models.BooleanField(
        _("consent in force"), default=False, db_default=False, editable=False
    )
    # Optimistic concurrency: the number of events; a write based on another value is stale.
    version = models.PositiveIntegerField(_("version"), default=0)

    status = models.CharField(
        _("status"), max_length=20, choices=EpisodeStatus.choices, default=EpisodeStatus.REGISTERED
    )
    last_event_at = models.DateTimeField(_("last event"), null=True)
    shared_at = models.DateTimeField(_("shared with municipality and health centre"), null=True)
    admission_notice_at = models.DateTimeField(_("admission notice sent"), null=True)
    admission_reason = models.TextField(_("reason for admission"), blank=True)
    preliminary_ready_date = models.DateField(_("preliminary ready date"), null=True)
    preliminary_date_changes = models.PositiveIntegerField(
        _("changes of preliminary date"), default=0
    )
    kommun_answered_at = models.DateTimeField(_("municipality answered"), null=True)
    health_centre_answered_at = models.DateTimeField(_("health centre answered"), null=True)
    named_contact = models.CharField(_("named care contact"), max_length=200, blank=True)
    named_contact_at = models.DateTimeField(_("named care contact given"), null=True)
    track_colour = models.CharField(
        _("track colour"), max_length=10, choices=TrackColour.choices, blank=True
    )
    sip_needed = models.BooleanField(_("SIP needed"), null=True)
    ready_date = models.DateField(_("ready date"), null=True)
    ready_notice_at = models.DateTimeField(_("ready notice sent"), null=True)
    ready_notice_withdrawals = models.PositiveIntegerField(_("ready notices withdrawn"), default=0)
    sip_initiative_at = models.DateTimeField(_("SIP initiative"), null=True)
    sip_invitation_at = models.DateTimeField(_("SIP invitation sent"), null=True)
    sip_held_date = models.DateField(_("SIP held"), null=True)
    sip_cancelled_at = models.DateTimeField(_("SIP cancelled"), null=True)
    sip_place = models.CharField(
        _("SIP held where"),
        max_length=10,
        choices=SipPlace.choices,
        blank=True,
        default="",
        db_default="",
    )
    sip_follow_up_date = models.DateField(_("SIP follow-up planned"), null=True)
    sip_follow_up_done_date = models.DateField(_("SIP follow-up done"), null=True)
    sol_planning_done_at = models.DateTimeField(_("SoL planning done"), null=True)
    hsl_planning_done_at = models.DateTimeField(_("HSL planning done"), null=True)
    kommun_ready_at = models.DateTimeField(_("municipality ready"), null=True)
    homecoming_acknowledged_at = models.DateTimeField(_("homecoming time acknowledged"), null=True)
    homecoming_at = models.DateTimeField(_("agreed homecoming"), null=True)
    homecoming_proposed_at = models.DateTimeField(_("homecoming proposed by the ward"), null=True)
    discharged_at = models.DateTimeField(_("discharged"), null=True)
    # The local (Europe/Stockholm) date of discharged_at, kept so that months group in the database.
    discharge_date = models.DateField(_("discharge date"), null=True)
    destination = models.CharField(
        _("destination"), max_length=20, choices=Destination.choices, blank=True
    )
    needs_outcome = models.CharField(
        _("outcome of needs"),
        max_length=12,
        choices=NeedsOutcome.choices,
        blank=True,
        default="",
        db_default="",
    )
    ready_days = models.PositiveIntegerField(_("ready days"), null=True)
    # Follow-up counters, derived by the projection so that statistics group in the database.
    admission_notice_late = models.BooleanField(_("admission notice late"), null=True)
    preliminary_deviation_days = models.IntegerField(
        _("ready date minus preliminary date (days)"), null=True
    )
    sip_invitation_delay_days = models.IntegerField(
        _("SIP invitation days after ready date"), null=True
    )
    sip_held_after_days = models.IntegerField(_("SIP held days after invitation"), null=True)
    closed_at = models.DateTimeField(_("closed"), null=True)
    closure_reason = models.CharField(
        _("reason for closing"), max_length=20, choices=ClosureReason.choices, blank=True
    )

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("episode")
        verbose_name_plural = _("episodes")
        constraints = [
            # A constraint, not unique=True: that would add a LIKE index nothing reads.
            models.UniqueConstraint(fields=["external_id"], name="episode_unique_external_id"),
        ]
        indexes = EPISODE_INDEXES  # discharges/episode_indexes.py: each and what reads it

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """The id people use: the imported id, else SVU-<number>."""
        return self.external_id or f"SVU-{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class EpisodeEvent(AppendOnlyModel):
    """One message of a discharge: immutable; corrections are new events."""

    # No index of its own: event_unique_seq (episode, seq) leads with it.
    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    seq = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=30, choices=EventKind.choices)
    # No index on author or organisation: nothing reads the log by them but PROTECT (deleting
    # a user or organisation with messages: refused after a scan), and every message pays one.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("author"),
        db_index=False,
    )  # fmt: skip
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="+", verbose_name=_("organisation"),
        db_index=False,
    )  # fmt: skip
    occurred_at = models.DateTimeField(_("time"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    data = models.JSONField(_("data"), default=dict, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["episode", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "seq"], name="event_unique_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.episode_id}#{self.seq} {self.get_kind_display()}"


class Receipt(AppendOnlyModel):
    """Kvittens: a recipient organisation acknowledges that it has received a message."""

    event = models.ForeignKey(EpisodeEvent, on_delete=models.PROTECT, related_name="receipts")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(_("acknowledged"), default=timezone.now)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = [
            models.UniqueConstraint(fields=["event", "organisation"], name="receipt_unique_org"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.acknowledged_at:%Y-%m-%d %H:%M}"


class ConsentRecord(AppendOnlyModel):
    """Samtycke for one episode: its ward recorded that the patient gave or withdrew consent.

    ``Episode.has_consent`` is the projection of the episode's records. ``patient`` is the
    episode's patient, kept for the records made before consent was per episode (0010)."""

    episode = models.ForeignKey("Episode", on_delete=models.PROTECT, related_name="consent_records")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consent_records")
    action = models.CharField(_("action"), max_length=10, choices=ConsentAction.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    occurred_at = models.DateTimeField(_("time"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["episode", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.occurred_at:%Y-%m-%d %H:%M}"


# --- Access log -------------------------------------------------------------------------------


class AccessLogEntry(access_chain.ChainedLogModel):
    """Loggkontroll: one row per read of patient-level data, in a hash chain."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("episode")
    )
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("patient")
    )
    action = models.CharField(_("action"), max_length=20, choices=AccessAction.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["episode", "at"], name="accesslog_episode_idx"),
            models.Index(fields=["user", "at"], name="accesslog_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action}"


# Reference data about kommuner (population aged 65+), the record of changes of a patient's
# details and the episodes' object permissions are kept in their own modules; imported here,
# last, so that Django registers them with this app.
from discharges.episode_grants import (  # noqa: E402
    EpisodeGroupObjectPermission as EpisodeGroupObjectPermission,
)
from discharges.episode_grants import (  # noqa: E402
    EpisodeUserObjectPermission as EpisodeUserObjectPermission,
)
from discharges.identity_changes import (  # noqa: E402
    PatientIdentityChange as PatientIdentityChange,
)
from discharges.month_figures import KommunMonthFigures as KommunMonthFigures  # noqa: E402
from discharges.population import KommunPopulation as KommunPopulation  # noqa: E402
