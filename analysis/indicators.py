"""Computing the indicators of seed 003 that the monthly statistics did not hold (1, 2, 5, 6,
7, 8, 11, 12; ``analysis.indicator_models``), set-based in the database: one GROUP BY over
the episodes discharged in each month, per kommun, health centre, care type and month, stored
by replacing the table in one transaction (idempotent).

Definitions, as this project computes them:

- The population of a month is every episode discharged in it (R2's month of discharge), with
  or without a ready date: an admission notice, a SIP or an outcome of needs is a fact of the
  episode whether or not the patient waited.
- 1: with an admission notice. 2: leading to a SIP (a SIP meeting held).
- 5, unplanned readmission: of the episodes whose patient was 65 or older on the discharge date
  (the age from the personnummer's date of birth, a samordningsnummer's day less 60), those
  after which the same patient was admitted again as akut, later than the discharge and on a
  calendar day at most 30 days after the discharge date (a readmission later the same day
  counts). Counted in the month of the first discharge; an acute readmission after a planned
  or an unknown type of admission counts too. Episodes registered without an admission type
  (before it was asked) are never counted as readmissions.
- 6, 7 and "no need of municipal services": the outcome of needs given at the discharge.
- 8 and 11: where the SIP was held (of the SIPs held whose place is known).
- 12: of the episodes whose SIP planned a follow-up, those whose follow-up was recorded done
  on or before the planned date ("as planned"); done at all is kept too.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import (
    Cast,
    ExtractDay,
    ExtractMonth,
    ExtractYear,
    Substr,
    TruncDate,
    TruncMonth,
)
from django.utils import timezone

from analysis.indicator_models import MonthlyIndicators
from discharges.clock import ZONE
from discharges.models import AdmissionType, Episode, NeedsOutcome, SipPlace

GROUP = ("kommun_id", "health_centre_id", "care_type", "month")

READMISSION_DAYS = 30
AGE = 65

_PROCESS_COUNTS: dict[str, Any] = {
    "episodes": Count("id"),
    "admission_notice": Count("id", filter=Q(admission_notice_at__isnull=False)),
    "sip": Count("id", filter=Q(sip_held_date__isnull=False)),
    "needs_known": Count("id", filter=~Q(needs_outcome="")),
    "needs_unchanged": Count("id", filter=Q(needs_outcome=NeedsOutcome.UNCHANGED)),
    "needs_new_social": Count("id", filter=Q(needs_outcome=NeedsOutcome.NEW_SOCIAL)),
    "needs_none": Count("id", filter=Q(needs_outcome=NeedsOutcome.NONE)),
}

_held = Q(sip_held_date__isnull=False)
_SIP_COUNTS: dict[str, Any] = {
    "sip_place_known": Count("id", filter=_held & ~Q(sip_place="")),
    "sip_home": Count("id", filter=_held & Q(sip_place=SipPlace.HOME)),
    "sip_video": Count("id", filter=_held & Q(sip_place=SipPlace.VIDEO)),
    "sip_hospital": Count("id", filter=_held & Q(sip_place=SipPlace.HOSPITAL)),
    "sip_phone": Count("id", filter=_held & Q(sip_place=SipPlace.PHONE)),
    "follow_up_planned": Count("id", filter=_held & Q(sip_follow_up_date__isnull=False)),
    "follow_up_done": Count(
        "id",
        filter=_held & Q(sip_follow_up_date__isnull=False, sip_follow_up_done_date__isnull=False),
    ),
    "follow_up_as_planned": Count(
        "id",
        filter=_held
        & Q(
            sip_follow_up_date__isnull=False,
            sip_follow_up_done_date__lte=F("sip_follow_up_date"),
        ),
    ),
}


def _discharged() -> QuerySet[Episode]:
    return Episode.objects.filter(discharge_date__isnull=False).annotate(
        month=TruncMonth("discharge_date")
    )


def _grouped(queryset: QuerySet[Episode], counts: dict[str, Any]) -> list[dict[str, Any]]:
    rows = list(queryset.values(*GROUP).annotate(**counts).order_by())
    for row in rows:
        if isinstance(row["month"], datetime):  # as discharges.aggregates: normalise
            row["month"] = row["month"].date()
    return rows


def _born_as_number() -> Any:
    """YYYYMMDD of the date of birth as a number (a samordningsnummer's day less 60)."""
    digits = Cast(Substr("patient__personnummer", 1, 8), IntegerField())
    coordination = Q(patient__personnummer__regex=r"^\d{6}[6-9]")
    return digits - Case(When(coordination, then=Value(60)), default=Value(0))


def _date_as_number(field: str) -> Any:
    return ExtractYear(field) * 10000 + ExtractMonth(field) * 100 + ExtractDay(field)


def _readmitted() -> QuerySet[Episode]:
    """Indicator 5's readmitted episodes as a set: discharged, after which the same patient
    was admitted again as akut within 30 days (the EXISTS in a WHERE: one semi-join over the
    episodes; inside the count, evaluated per episode, it took 11 of the indicators' 14 s at
    2,000,000 episodes, issue 15)."""
    readmission = (
        Episode.objects.filter(
            patient_id=OuterRef("patient_id"),
            admission_type=AdmissionType.ACUTE,
            admitted_at__gt=OuterRef("discharged_at"),
        )
        .annotate(admitted_date=TruncDate("admitted_at", tzinfo=ZONE))
        .filter(
            admitted_date__lte=ExpressionWrapper(
                OuterRef("discharge_date") + timedelta(days=READMISSION_DAYS),
                output_field=DateField(),
            )
        )
    )
    return Episode.objects.filter(discharge_date__isnull=False).filter(Exists(readmission))


def indicator_rows(now: datetime) -> list[MonthlyIndicators]:
    """The rows of every group with discharged episodes: every count in one GROUP BY (one
    pass over the discharged episodes, where a statement per family read them three times)."""
    aged = Q(discharge_number__gte=F("born_number") + AGE * 10000)
    queryset = _discharged().alias(
        born_number=_born_as_number(),
        discharge_number=_date_as_number("discharge_date"),
    )
    counts = {
        **_PROCESS_COUNTS,
        **_SIP_COUNTS,
        "aged_65plus": Count("id", filter=aged),
        "readmitted_65plus": Count("id", filter=aged & Q(pk__in=_readmitted().values("pk"))),
    }
    # Each row's keys are the model's: the group's four columns and every indicator count.
    return [MonthlyIndicators(computed_at=now, **row) for row in _grouped(queryset, counts)]


def compute_indicators(now: datetime | None = None) -> int:
    """Recompute every group and replace the table; returns the rows stored. Called by
    ``analysis.statistics.compute_statistics`` (the nightly task, the command, the demo)."""
    now = now or timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {MonthlyIndicators._meta.db_table} IN EXCLUSIVE MODE")
        objects = indicator_rows(now)
        MonthlyIndicators.objects.all().delete()
        if connection.vendor == "postgresql":
            _copy(objects)
        else:
            MonthlyIndicators.objects.bulk_create(objects, batch_size=2000)
    return len(objects)


def _copy(objects: list[MonthlyIndicators]) -> None:
    """COPY the rows in (PostgreSQL): a tenth of bulk_create's time for tens of thousands of
    rows of twenty columns (bench/indicators.py)."""
    columns = [str(f.column) for f in MonthlyIndicators._meta.concrete_fields if not f.primary_key]
    attnames = [f.attname for f in MonthlyIndicators._meta.concrete_fields if not f.primary_key]
    table = MonthlyIndicators._meta.db_table
    with connection.cursor() as cursor:
        raw: Any = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row([getattr(obj, name) for name in attnames])
