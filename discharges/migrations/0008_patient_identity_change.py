"""The record of changes of a patient's details (issue 7, point 1).

Registering a stay used to overwrite the stored patient's name, address and kommun with what
the registering ward typed: any ward could rename and move another ward's patient, unrecorded.
Now registration never changes a stored patient; a ward with an active episode of the patient
records a change (``services.change_patient_identity``), one row here per change: who, for
which organisation, when, and the values before and after.

The table is a log like the others of migration 0003: its rows are never changed or deleted,
and the same database triggers guard it.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

TABLE = "discharges_patientidentitychange"


def create_guard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # svu_refuse_change() is the function of migration 0003.
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION svu_refuse_change();"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, 'append-only table {TABLE}: UPDATE refused'); END;"
        )


def drop_guard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};")
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only;")


class Migration(migrations.Migration):
    dependencies = [
        ("discharges", "0007_grant_group_statistics"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PatientIdentityChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "changed_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="time"),
                ),
                (
                    "old_name",
                    models.CharField(blank=True, max_length=200, verbose_name="previous name"),
                ),
                ("name", models.CharField(blank=True, max_length=200, verbose_name="name")),
                (
                    "old_address",
                    models.CharField(blank=True, max_length=300, verbose_name="previous address"),
                ),
                (
                    "address",
                    models.CharField(blank=True, max_length=300, verbose_name="registered address"),
                ),
                ("note", models.CharField(blank=True, max_length=300, verbose_name="note")),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="author",
                    ),
                ),
                (
                    "health_centre",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="discharges.healthcentre",
                        verbose_name="listed at health centre",
                    ),
                ),
                (
                    "kommun",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="discharges.kommun",
                        verbose_name="municipality",
                    ),
                ),
                (
                    "old_health_centre",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="discharges.healthcentre",
                        verbose_name="previously listed at",
                    ),
                ),
                (
                    "old_kommun",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="discharges.kommun",
                        verbose_name="previous municipality",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="discharges.organisation",
                        verbose_name="organisation",
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="identity_changes",
                        to="discharges.patient",
                    ),
                ),
            ],
            options={
                "verbose_name": "change of patient details",
                "verbose_name_plural": "changes of patient details",
                "ordering": ["patient", "changed_at", "id"],
            },
        ),
        migrations.RunPython(create_guard, drop_guard),
    ]
