"""Consent becomes per episode (issue 7, point 1): schema, first step.

Consent was a flag on the patient, set by any ward with an episode of the patient, and it
revealed every episode of that patient to every kommun and health centre. Now each consent
record names the episode it governs, and the episode carries the projection of its records
(``Episode.has_consent``, read by ``selectors.can_see_details``).

The link is nullable here so that 0010 can give the existing patient-level records their
episodes; 0011 makes it required and drops the patient-level flag. ``has_consent`` has a
database default so that bulk writers (the import's COPY, the benchmark's SQL) need not name it.

SQLite rebuilds a table for some column changes, which drops its triggers; the append-only
trigger of the consent table (migration 0003) is created again wherever that can happen.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "discharges_consentrecord"


def sqlite_guard(apps, schema_editor):
    """Migration 0003's SQLite trigger on the consent table, created again if a rebuild
    dropped it (PostgreSQL keeps its triggers through column changes)."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only;")
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, 'append-only table {TABLE}: UPDATE refused'); END;"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("discharges", "0008_patient_identity_change"),
    ]

    operations = [
        # Reversed last: removing the column rebuilds the table on SQLite.
        migrations.RunPython(migrations.RunPython.noop, sqlite_guard),
        migrations.AddField(
            model_name="consentrecord",
            name="episode",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="consent_records",
                to="discharges.episode",
            ),
        ),
        migrations.AddField(
            model_name="episode",
            name="has_consent",
            field=models.BooleanField(
                db_default=False, default=False, editable=False, verbose_name="consent in force"
            ),
        ),
        migrations.RunPython(sqlite_guard, migrations.RunPython.noop),
    ]
