"""Consent becomes per episode (issue 7, point 1): schema, last step.

Every consent record now names its episode (0010), so the link is required, records are
ordered by episode, and the patient-level flag goes: ``selectors.can_see_details`` reads the
episode's ``has_consent``. Reversing brings the patient flag's column back; 0010's reversal
sets it where one of the patient's episodes has consent in force.

Making the column NOT NULL rebuilds the consent table on SQLite, which drops migration 0003's
append-only trigger: it is created again (forwards after the rebuild, backwards likewise).
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "discharges_consentrecord"


def sqlite_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only;")
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, 'append-only table {TABLE}: UPDATE refused'); END;"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("discharges", "0010_consent_records_to_episodes"),
    ]

    operations = [
        # Reversed last: making the column optional again rebuilds the table on SQLite.
        migrations.RunPython(migrations.RunPython.noop, sqlite_guard),
        migrations.AlterField(
            model_name="consentrecord",
            name="episode",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="consent_records",
                to="discharges.episode",
            ),
        ),
        migrations.AlterModelOptions(
            name="consentrecord",
            options={
                "ordering": ["episode", "recorded_at", "id"],
                "verbose_name": "consent record",
                "verbose_name_plural": "consent records",
            },
        ),
        migrations.RemoveField(
            model_name="patient",
            name="has_consent",
        ),
        migrations.RunPython(sqlite_guard, migrations.RunPython.noop),
    ]
