"""Database-level guard for the invoice basis's history, as discharges 0003 does for the event
log: PostgreSQL refuses UPDATE and DELETE of a row (the function ``svu_refuse_change`` of
discharges 0003), SQLite refuses UPDATE. The model refuses both everywhere."""

from django.db import migrations

TABLE = "payment_invoicebasisevent"


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION svu_refuse_change();"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, 'append-only table {TABLE}: UPDATE refused'); END;"
        )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};")
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only;")


class Migration(migrations.Migration):
    dependencies = [
        ("discharges", "0003_append_only_triggers"),
        ("payment", "0004_invoice_line_partial_unique"),
    ]
    operations = [migrations.RunPython(create, drop)]
