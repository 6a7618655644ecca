"""The follow-up overview's figures generation (analysis/overview_cache.py): its one row is
created here, so that a bump is always an UPDATE (two first bumps at once cannot both insert)."""

from django.db import migrations, models


def create_row(apps, schema_editor):
    apps.get_model("analysis", "FiguresGeneration").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("analysis", "0004_monthly_indicators"),
    ]

    operations = [
        migrations.CreateModel(
            name="FiguresGeneration",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
