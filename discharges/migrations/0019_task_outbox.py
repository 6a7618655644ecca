"""The task outbox (issue 13, point 4): tasks are kept in the database until the broker (Redis)
has taken them, so a task asked for while Redis is down is sent when it is back."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("discharges", "0018_import_job_and_recorded_kinds"),
    ]

    operations = [
        migrations.CreateModel(
            name="OutboxTask",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("task", models.CharField(max_length=200, verbose_name="task")),
                ("args", models.JSONField(default=list, verbose_name="arguments")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                ("sent_at", models.DateTimeField(null=True, verbose_name="sent")),
                ("attempts", models.PositiveIntegerField(default=0, verbose_name="attempts")),
                (
                    "last_error",
                    models.CharField(blank=True, max_length=300, verbose_name="last error"),
                ),
            ],
            options={
                "verbose_name": "queued task",
                "verbose_name_plural": "queued tasks",
                "indexes": [
                    models.Index(
                        condition=models.Q(("sent_at", None)),
                        fields=["id"],
                        name="outbox_unsent_idx",
                    ),
                ],
            },
        ),
    ]
