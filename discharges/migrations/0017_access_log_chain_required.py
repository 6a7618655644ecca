"""Every access-log row is linked now (0016): the chain's columns become required, the
sequence number unique. SQLite alters a column by rebuilding the table, which drops its
triggers: the append-only trigger of migration 0003 is created again there."""

from django.db import migrations, models

TABLE = "discharges_accesslogentry"


def guard_again(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER IF NOT EXISTS {TABLE}_append_only BEFORE UPDATE ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, 'append-only table {TABLE}: UPDATE refused'); END;"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("discharges", "0016_access_log_chain_existing_rows"),
    ]

    operations = [
        migrations.AlterField(
            model_name="accesslogentry",
            name="seq",
            field=models.BigIntegerField(unique=True, verbose_name="sequence number"),
        ),
        migrations.AlterField(
            model_name="accesslogentry",
            name="prev_hash",
            field=models.CharField(max_length=64, verbose_name="previous hash"),
        ),
        migrations.AlterField(
            model_name="accesslogentry",
            name="chain_hash",
            field=models.CharField(max_length=64, verbose_name="hash"),
        ),
        migrations.RunPython(guard_again, migrations.RunPython.noop),
    ]
