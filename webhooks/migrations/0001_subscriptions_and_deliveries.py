"""Webhooks (issue 12, point 6): an organisation's subscriptions and the log of their
deliveries, one per subscription and event."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("discharges", "0019_task_outbox"),
    ]

    operations = [
        migrations.CreateModel(
            name="Subscription",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("url", models.URLField(max_length=500, verbose_name="URL")),
                (
                    "kinds",
                    models.JSONField(
                        default=list,
                        help_text="The kinds of message the receiver is told of.",
                        verbose_name="event kinds",
                    ),
                ),
                ("secret", models.CharField(editable=False, max_length=100, verbose_name="secret")),
                ("active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="created"
                    ),
                ),
                (
                    "description",
                    models.CharField(blank=True, max_length=200, verbose_name="description"),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="webhook_subscriptions",
                        to="discharges.organisation",
                        verbose_name="organisation",
                    ),
                ),
            ],
            options={
                "verbose_name": "webhook subscription",
                "verbose_name_plural": "webhook subscriptions",
                "ordering": ["organisation", "pk"],
            },
        ),
        migrations.CreateModel(
            name="Delivery",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=30, verbose_name="kind")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting"),
                            ("delivered", "Delivered"),
                            ("failed", "Given up"),
                        ],
                        default="pending",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                ("attempts", models.PositiveIntegerField(default=0, verbose_name="attempts")),
                ("next_attempt_at", models.DateTimeField(null=True, verbose_name="next attempt")),
                ("last_attempt_at", models.DateTimeField(null=True, verbose_name="last attempt")),
                (
                    "response_code",
                    models.PositiveIntegerField(null=True, verbose_name="response code"),
                ),
                (
                    "last_error",
                    models.CharField(blank=True, max_length=300, verbose_name="last error"),
                ),
                ("delivered_at", models.DateTimeField(null=True, verbose_name="delivered")),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="discharges.episodeevent",
                        verbose_name="event",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="discharges.organisation",
                        verbose_name="organisation",
                    ),
                ),
                (
                    "subscription",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deliveries",
                        to="webhooks.subscription",
                        verbose_name="subscription",
                    ),
                ),
            ],
            options={
                "verbose_name": "webhook delivery",
                "verbose_name_plural": "webhook deliveries",
                "ordering": ["-pk"],
            },
        ),
        migrations.AddIndex(
            model_name="subscription",
            index=models.Index(
                condition=models.Q(("active", True)),
                fields=["organisation"],
                name="webhook_sub_active_org_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(
                condition=models.Q(("status", "pending")),
                fields=["next_attempt_at"],
                name="webhook_delivery_due_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="delivery",
            constraint=models.UniqueConstraint(
                fields=("subscription", "event"), name="webhook_delivery_unique_event"
            ),
        ),
    ]
