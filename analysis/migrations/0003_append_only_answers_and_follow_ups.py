"""The checklist answers and the follow-ups of actions are append-only, in the database too.

A changed answer is a new row (its history is the older rows), so nothing may update or
delete one; the models refuse it, and these triggers refuse raw SQL as well, as migration
0003 of discharges does for the event log (PostgreSQL: UPDATE and DELETE, with its function
``svu_refuse_change``; SQLite: UPDATE, so that a test database can still be flushed).
"""

from django.db import migrations

TABLES = ("analysis_checklistanswer", "analysis_actionfollowup")


def create_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION svu_refuse_change();"
            )
        elif vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'append-only table {table}: UPDATE refused'); END;"
            )


def drop_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only;")


class Migration(migrations.Migration):
    dependencies = [
        ("analysis", "0002_analyses_of_delayed_discharge"),
        ("discharges", "0003_append_only_triggers"),
    ]

    operations = [migrations.RunPython(create_guards, drop_guards)]
