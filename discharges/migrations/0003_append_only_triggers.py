"""Database-level guard for the append-only logs.

PostgreSQL refuses UPDATE and DELETE of a row. SQLite (the embedded default) refuses UPDATE;
its DELETE stays possible because Django's test flush empties tables with DELETE, whereas on
PostgreSQL it uses TRUNCATE, which row triggers do not see. The models refuse both everywhere.
"""

from django.db import migrations

TABLES = (
    "discharges_episodeevent",
    "discharges_consentrecord",
    "discharges_receipt",
    "discharges_accesslogentry",
)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            """
            CREATE OR REPLACE FUNCTION svu_refuse_change() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'append-only table %%: %% refused', TG_TABLE_NAME, TG_OP;
            END;
            $$ LANGUAGE plpgsql;
            """
        )
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION svu_refuse_change();"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'append-only table {table}: UPDATE refused'); END;"
            )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only;")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS svu_refuse_change();")


class Migration(migrations.Migration):
    dependencies = [("discharges", "0002_load_regions_and_kommuner")]
    operations = [migrations.RunPython(create, drop)]
