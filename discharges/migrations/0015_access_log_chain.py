"""The access log's hash chain (issue 13, point 3): a sequence number, the previous row's hash
and the row's own hash on every access-log row, the chain's head, and the record of checks.

The columns start nullable / empty: 0016 links the rows already stored, 0017 makes them
required. The checks' table is append-only in the database too (PostgreSQL trigger)."""

import django.utils.timezone
from django.db import migrations, models


def guard_checks(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE TRIGGER discharges_accesslogcheck_append_only BEFORE UPDATE OR DELETE ON "
            "discharges_accesslogcheck FOR EACH ROW EXECUTE FUNCTION svu_refuse_change();"
        )


def unguard_checks(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS discharges_accesslogcheck_append_only "
            "ON discharges_accesslogcheck;"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("discharges", "0014_homecoming_proposal"),
    ]

    operations = [
        migrations.AddField(
            model_name="accesslogentry",
            name="seq",
            field=models.BigIntegerField(null=True, verbose_name="sequence number"),
        ),
        migrations.AddField(
            model_name="accesslogentry",
            name="prev_hash",
            field=models.CharField(default="", max_length=64, verbose_name="previous hash"),
        ),
        migrations.AddField(
            model_name="accesslogentry",
            name="chain_hash",
            field=models.CharField(default="", max_length=64, verbose_name="hash"),
        ),
        migrations.CreateModel(
            name="AccessLogHead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seq", models.BigIntegerField(default=0)),
                ("chain_hash", models.CharField(default="0" * 64, max_length=64)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={"verbose_name": "access log head"},
        ),
        migrations.CreateModel(
            name="AccessLogCheck",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "at",
                    models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now, verbose_name="time"
                    ),
                ),
                ("ok", models.BooleanField(verbose_name="intact")),
                ("rows", models.BigIntegerField(verbose_name="rows checked")),
                ("seq", models.BigIntegerField(verbose_name="last sequence number")),
                ("chain_hash", models.CharField(max_length=64, verbose_name="last hash")),
                ("problem", models.TextField(blank=True, verbose_name="problem")),
            ],
            options={
                "verbose_name": "access log check",
                "verbose_name_plural": "access log checks",
                "ordering": ["-at", "-id"],
                "abstract": False,
            },
        ),
        migrations.RunPython(guard_checks, unguard_checks),
    ]
