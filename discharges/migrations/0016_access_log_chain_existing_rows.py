"""Link the access-log rows stored before the chain existed, in the order they were written
(id), and set the head. The append-only trigger is lifted for this one UPDATE and restored
(on SQLite it is dropped and created again). Uses the application's hash function and key:
a row's hash has one definition (discharges/access_chain.py)."""

from django.db import migrations

from discharges.access_chain import GENESIS, chain_key, row_hash

TABLE = "discharges_accesslogentry"
TRIGGER = f"{TABLE}_append_only"
SQLITE_TRIGGER = (
    f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, 'append-only table {TABLE}: UPDATE refused'); END;"
)


def link(apps, schema_editor):
    Entry = apps.get_model("discharges", "AccessLogEntry")
    Head = apps.get_model("discharges", "AccessLogHead")
    vendor = schema_editor.connection.vendor
    key = chain_key()
    seq, prev, updates = 0, GENESIS, []
    fields = ("at", "user_id", "organisation_id", "episode_id", "patient_id", "action", "detail")
    for pk, *content in Entry.objects.order_by("id").values_list("id", *fields).iterator(5000):
        seq += 1
        digest = row_hash(key, seq, prev, *content)
        updates.append((seq, prev, digest, pk))
        prev = digest
    if updates:
        if vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER};")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER};")
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE discharges_accesslogentry SET seq = %s, prev_hash = %s, chain_hash = %s "
                "WHERE id = %s",
                updates,
            )
        if vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER};")
        elif vendor == "sqlite":
            schema_editor.execute(SQLITE_TRIGGER)
    Head.objects.update_or_create(pk=1, defaults={"seq": seq, "chain_hash": prev})


class Migration(migrations.Migration):
    dependencies = [
        ("discharges", "0015_access_log_chain"),
    ]

    operations = [migrations.RunPython(link, migrations.RunPython.noop)]
