"""Consent becomes per episode (issue 7, point 1): the existing records, data only.

Every consent record written before was patient-level: a ward (the record's organisation)
recorded that the patient gave or withdrew consent, and the patient's flag revealed all their
episodes. The rule that assigns them, keeping every record:

1. A record goes to the patient's episodes at the recording ward (the old service refused a
   record from a ward without an episode of the patient, and episodes are never deleted, so
   there is at least one). The stored row keeps everything it held and gets the first of those
   episodes (by admission); each further episode of that ward gets a copy with the same action,
   author, organisation, times and note (rows already equal in all of these -- copies left by
   reversing this migration -- take those episodes in turn instead of being copied again).
   Episodes at other wards get nothing: consent given to one ward no longer reveals another
   ward's stay.
2. An episode's flag (``has_consent``) is its last record by the time it was recorded being
   "given" -- and the patient's consent being in force before this migration. The second
   condition matters only when another ward later recorded the withdrawal: the patient had
   withdrawn, so no episode starts out revealed (its ward records consent again if given).
   Nothing is ever more visible after this migration than before it.

A record with no episode at its ward stops the migration with the record ids (none can exist
from the old service; nothing is dropped silently). The consent table is append-only: its
trigger is lifted for the assignment and restored in the same transaction.
"""

from collections import defaultdict

from django.db import migrations

TABLE = "discharges_consentrecord"
TRIGGER = f"{TABLE}_append_only"
BATCH = 1000


def _lift_guard(schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER};")
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER};")


def _restore_guard(schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # The deferred foreign-key checks of the update run now: PostgreSQL alters no table
        # with trigger events pending.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE;")
        schema_editor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER};")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED;")
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, 'append-only table {TABLE}: UPDATE refused'); END;"
        )


def _episodes_by_patient_and_ward(Episode, patient_ids):
    """(patient id, ward id) -> the episode ids there, in order of admission."""
    found = defaultdict(list)
    episodes = (
        Episode.objects.order_by("admitted_at", "id")
        .values_list("id", "patient_id", "ward_id")
        .iterator(chunk_size=10000)
    )
    for episode_id, patient_id, ward_id in episodes:
        if patient_id in patient_ids:
            found[(patient_id, ward_id)].append(episode_id)
    return found


def _identity(record):
    """Records equal in all but id and episode: one record and its copies (after a round trip
    through the reversal, which keeps the copies)."""
    return (
        record.patient_id,
        record.organisation_id,
        record.action,
        record.recorded_by_id,
        record.occurred_at,
        record.recorded_at,
        record.note,
    )


def assign_records_to_episodes(apps, schema_editor):
    ConsentRecord = apps.get_model("discharges", "ConsentRecord")
    Episode = apps.get_model("discharges", "Episode")
    Patient = apps.get_model("discharges", "Patient")
    records = list(ConsentRecord.objects.filter(episode__isnull=True).order_by("recorded_at", "id"))
    if not records:
        return
    episodes = _episodes_by_patient_and_ward(Episode, {r.patient_id for r in records})
    orphans = [r.pk for r in records if not episodes.get((r.patient_id, r.organisation_id))]
    if orphans:
        raise RuntimeError(
            f"consent records {orphans} have no episode of their ward; assign them by hand"
        )
    consenting = set(Patient.objects.filter(has_consent=True).values_list("id", flat=True))
    groups = defaultdict(list)
    for record in records:
        groups[_identity(record)].append(record)
    copies, last_action = [], {}
    # In the order the patient-level flag was projected (each group shares its time).
    for rows in groups.values():
        first = rows[0]
        stays = episodes[(first.patient_id, first.organisation_id)]
        for i, record in enumerate(rows):
            record.episode_id = stays[min(i, len(stays) - 1)]
        for episode_id in stays[len(rows) :]:
            copy = ConsentRecord(
                episode_id=episode_id,
                patient_id=first.patient_id,
                action=first.action,
                recorded_by_id=first.recorded_by_id,
                organisation_id=first.organisation_id,
                occurred_at=first.occurred_at,
                recorded_at=first.recorded_at,
                note=first.note,
            )
            copies.append(copy)
        for episode_id in stays:
            last_action[episode_id] = (first.action, first.patient_id)
    _lift_guard(schema_editor)
    ConsentRecord.objects.bulk_update(records, ["episode"], batch_size=BATCH)
    _restore_guard(schema_editor)
    ConsentRecord.objects.bulk_create(copies, batch_size=BATCH)
    in_force = [
        episode_id
        for episode_id, (action, patient_id) in last_action.items()
        if action == "given" and patient_id in consenting
    ]
    for start in range(0, len(in_force), BATCH):
        Episode.objects.filter(pk__in=in_force[start : start + BATCH]).update(has_consent=True)


def restore_patient_flags(apps, schema_editor):
    """Backwards: a patient's consent is in force where one of their episodes' is. The records
    keep their episodes until 0009's reversal drops the column; the copies stay (the table is
    append-only), and a new run forwards gives each its episode again instead of copying."""
    Patient = apps.get_model("discharges", "Patient")
    Patient.objects.filter(episodes__has_consent=True).update(has_consent=True)


class Migration(migrations.Migration):
    dependencies = [
        ("discharges", "0009_consent_record_episode"),
    ]

    operations = [
        migrations.RunPython(assign_records_to_episodes, restore_patient_flags),
    ]
