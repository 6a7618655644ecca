"""Load the 21 regions and 290 kommuner (SCB codes) shipped in discharges/data/."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def _organisation(apps, model_name, **fields):
    Group = apps.get_model("auth", "Group")
    Organisation = apps.get_model("discharges", "Organisation")
    model = apps.get_model("discharges", model_name)
    obj = model.objects.create(**fields)
    group = Group.objects.create(name=f"org:{obj.pk}")
    Organisation.objects.filter(pk=obj.pk).update(group=group)
    return obj


def load(apps, schema_editor):
    Region = apps.get_model("discharges", "Region")
    Kommun = apps.get_model("discharges", "Kommun")
    regions = {}
    with (DATA / "regions.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            existing = Region.objects.filter(code=row["lanskod"]).first()
            regions[row["lanskod"]] = existing or _organisation(
                apps, "Region", kind="region", code=row["lanskod"], name=row["region"]
            )
    with (DATA / "kommuner.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if not Kommun.objects.filter(code=row["kommunkod"]).exists():
                _organisation(
                    apps,
                    "Kommun",
                    kind="kommun",
                    code=row["kommunkod"],
                    name=row["kommun"],
                    region=regions[row["lanskod"]],
                )


class Migration(migrations.Migration):
    dependencies = [
        ("discharges", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
