"""Migration 0010: patient-level consent records move to episodes, none is lost.

The database is taken back to the schema before the data migration, filled with consent
records as the patient-level code wrote them, and migrated forward again.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("discharges", "0009_consent_record_episode")]


def migrate(targets: list[tuple[str, str]]) -> Any:
    """Migrate to ``targets``; the historical apps there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


class OldWorld:
    """Organisations, patients, episodes and consent records in the schema before 0010."""

    def __init__(self, apps: Any) -> None:
        self.apps = apps
        self.now = timezone.now()
        region = apps.get_model("discharges", "Region").objects.get(code="24")
        self.umea = apps.get_model("discharges", "Kommun").objects.get(code="2480")
        hospital = apps.get_model("discharges", "Hospital").objects.create(
            name="Sjukhuset", kind="hospital", region=region
        )
        Ward = apps.get_model("discharges", "Ward")
        self.ward_a = Ward.objects.create(
            name="A", kind="ward", hospital=hospital, care_type="somatik"
        )
        self.ward_b = Ward.objects.create(
            name="B", kind="ward", hospital=hospital, care_type="somatik"
        )
        User = apps.get_model("auth", "User")
        self.nurse_a = User.objects.create(username="nurse_a")
        self.nurse_b = User.objects.create(username="nurse_b")

    def patient(self, number: str, has_consent: bool) -> Any:
        return self.apps.get_model("discharges", "Patient").objects.create(
            personnummer=number, name=number, kommun=self.umea, has_consent=has_consent
        )

    def episode(self, patient: Any, ward: Any, days_ago: int) -> Any:
        return self.apps.get_model("discharges", "Episode").objects.create(
            patient=patient,
            ward=ward,
            kommun=self.umea,
            care_type="somatik",
            admitted_at=self.now - timedelta(days=days_ago),
        )

    def record(self, patient: Any, ward: Any, action: str, hours_ago: int) -> Any:
        at = self.now - timedelta(hours=hours_ago)
        return self.apps.get_model("discharges", "ConsentRecord").objects.create(
            patient=patient,
            action=action,
            recorded_by=self.nurse_a if ward.pk == self.ward_a.pk else self.nurse_b,
            organisation_id=ward.pk,
            occurred_at=at,
            recorded_at=at,
            note=f"{action} by {ward.name}",
        )


def history_in(apps: Any, episode: Any) -> list[tuple[str, str, Any]]:
    """The episode's consent records: action, note and time, in the order recorded."""
    return list(
        apps.get_model("discharges", "ConsentRecord")
        .objects.filter(episode_id=episode.pk)
        .order_by("recorded_at", "id")
        .values_list("action", "note", "occurred_at")
    )


def consent_in(apps: Any, episode: Any) -> bool:
    return bool(apps.get_model("discharges", "Episode").objects.get(pk=episode.pk).has_consent)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_gives_each_consent_record_to_the_episodes_of_its_ward() -> None:
    forward = latest()
    old = OldWorld(migrate(BEFORE))
    # Greta: consent given by ward A (two stays there); ward B's stay never had a record.
    greta = old.patient("194103151011", has_consent=True)
    greta_a1, greta_a2 = old.episode(greta, old.ward_a, 30), old.episode(greta, old.ward_a, 2)
    greta_b = old.episode(greta, old.ward_b, 3)
    given = old.record(greta, old.ward_a, "given", hours_ago=20)
    # Sven: ward A recorded consent, ward B later recorded the withdrawal.
    sven = old.patient("194103151029", has_consent=False)
    sven_a, sven_b = old.episode(sven, old.ward_a, 4), old.episode(sven, old.ward_b, 4)
    sven_given = old.record(sven, old.ward_a, "given", hours_ago=10)
    sven_withdrawn = old.record(sven, old.ward_b, "withdrawn", hours_ago=5)
    # Ulla: given, withdrawn and given again by ward A.
    ulla = old.patient("194103151037", has_consent=True)
    ulla_a = old.episode(ulla, old.ward_a, 6)
    ulla_records = [
        old.record(ulla, old.ward_a, action, hours_ago=hours)
        for action, hours in (("given", 30), ("withdrawn", 20), ("given", 10))
    ]

    apps = migrate(forward)
    ConsentRecord = apps.get_model("discharges", "ConsentRecord")
    Episode = apps.get_model("discharges", "Episode")
    history = partial(history_in, apps)
    consent = partial(consent_in, apps)
    # Every old row is still there, unchanged but for its episode (the first of its ward's).
    for row in (given, sven_given, sven_withdrawn, *ulla_records):
        stored = ConsentRecord.objects.get(pk=row.pk)
        assert (stored.action, stored.note, stored.occurred_at, stored.recorded_by_id) == (
            row.action,
            row.note,
            row.occurred_at,
            row.recorded_by_id,
        )
    assert ConsentRecord.objects.get(pk=given.pk).episode_id == greta_a1.pk
    # Each episode of the recording ward holds the record; other wards' episodes do not.
    greta_given = [("given", "given by A", given.occurred_at)]
    assert history(greta_a1) == history(greta_a2) == greta_given
    assert history(greta_b) == []
    assert (consent(greta_a1), consent(greta_a2), consent(greta_b)) == (True, True, False)
    assert ConsentRecord.objects.count() == 7  # the 6 old rows and a copy for greta_a2
    assert [a for a, _n, _t in history(ulla_a)] == ["given", "withdrawn", "given"]
    assert consent(ulla_a) is True
    # The withdrawal by another ward: consent was not in force for the patient, so no
    # episode starts with it (never more visible than before the migration).
    assert [a for a, _n, _t in history(sven_a)] == ["given"]
    assert [a for a, _n, _t in history(sven_b)] == ["withdrawn"]
    assert (consent(sven_a), consent(sven_b)) == (False, False)

    # The append-only trigger is back in force after the migration rewrote the table.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE discharges_consentrecord SET note = 'changed'")

    # Back and forth again: the patient flags come back from the episodes, and the copies
    # take their episodes again instead of being copied a second time.
    back = migrate(BEFORE)
    Patient = back.get_model("discharges", "Patient")
    assert set(Patient.objects.filter(has_consent=True).values_list("pk", flat=True)) == {
        greta.pk,
        ulla.pk,
    }
    apps = migrate(forward)
    ConsentRecord = apps.get_model("discharges", "ConsentRecord")
    Episode = apps.get_model("discharges", "Episode")
    assert ConsentRecord.objects.count() == 7
    assert history_in(apps, greta_a1) == history_in(apps, greta_a2) == greta_given
    assert set(Episode.objects.filter(has_consent=True).values_list("pk", flat=True)) == {
        greta_a1.pk,
        greta_a2.pk,
        ulla_a.pk,
    }
