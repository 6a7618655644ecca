"""A finer statistics target for the grants' group column (PostgreSQL only).

With the default target the planner knows the grant counts of the 100 largest organisation
groups only; every other group gets the average, and a middle-sized ward's list was planned as
a sort of all its episodes (42 ms) instead of a backward index scan (11 ms). See bench/README.md.
"""

from django.db import migrations

TABLE = "discharges_episodegroupobjectpermission"


def finer(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN group_id SET STATISTICS 1000")
        # The target takes effect at the next ANALYZE: take it now (seconds at 5M grants).
        schema_editor.execute(f"ANALYZE {TABLE}")


def default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN group_id SET STATISTICS -1")


class Migration(migrations.Migration):
    dependencies = [("discharges", "0006_scoped_list_indexes")]
    operations = [migrations.RunPython(finer, default)]
