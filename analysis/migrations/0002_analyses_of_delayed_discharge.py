"""The analyses of delayed discharge (issue 9, seed 000's manual and its Bilaga 1).

An analysis per kommun, month and care type (never two: a unique constraint), its patients
with running numbers, the organisations' checklist answers, improvement actions with their
follow-ups, notices of new analyses and the PDFs. Answers and follow-ups are logs: migration
0003 guards them in the database as the event log is guarded.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("analysis", "0001_monthly_statistics"),
        ("discharges", "0012_memberships_group_for_sending_roles_only"),
        ("payment", "0001_agreements"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Analysis",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "care_type",
                    models.CharField(
                        choices=[
                            ("all", "All care"),
                            ("somatik", "Somatic care"),
                            ("psykiatri", "Psychiatric care"),
                        ],
                        max_length=10,
                        verbose_name="care type",
                    ),
                ),
                (
                    "month",
                    models.DateField(
                        help_text="First day of the month of discharge.", verbose_name="month"
                    ),
                ),
                (
                    "trigger",
                    models.CharField(
                        choices=[
                            ("automatic", "Started by the monthly statistics"),
                            ("manual", "Started by hand"),
                        ],
                        max_length=10,
                        verbose_name="started",
                    ),
                ),
                (
                    "threshold",
                    models.DecimalField(
                        decimal_places=2, max_digits=5, verbose_name="threshold (days)"
                    ),
                ),
                (
                    "episodes",
                    models.PositiveIntegerField(
                        verbose_name="discharged episodes with a ready date"
                    ),
                ),
                ("ready_days", models.PositiveIntegerField(verbose_name="ready days")),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("closed", "Closed")],
                        default="open",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "started_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="started"),
                ),
                ("closed_at", models.DateTimeField(null=True, verbose_name="closed")),
                ("summary", models.TextField(blank=True, max_length=4000, verbose_name="summary")),
                (
                    "changed_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="last changed"
                    ),
                ),
                (
                    "agreement",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="payment.agreement",
                    ),
                ),
                (
                    "closed_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "kommun",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="analyses",
                        to="discharges.kommun",
                        verbose_name="municipality",
                    ),
                ),
                (
                    "started_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "analysis of delayed discharge",
                "verbose_name_plural": "analyses of delayed discharge",
                "ordering": ["-month", "kommun__code", "care_type"],
            },
        ),
        migrations.CreateModel(
            name="AnalysisNotice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                ("read_at", models.DateTimeField(null=True, verbose_name="read")),
                (
                    "analysis",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notices",
                        to="analysis.analysis",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="analysis_notices",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "analysis notice",
                "verbose_name_plural": "analysis notices",
            },
        ),
        migrations.CreateModel(
            name="AnalysisPatient",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField(verbose_name="number")),
                ("ready_days", models.PositiveIntegerField(verbose_name="ready days")),
                (
                    "added_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="added"),
                ),
                (
                    "analysis",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="patients",
                        to="analysis.analysis",
                    ),
                ),
                (
                    "episode",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="discharges.episode",
                    ),
                ),
            ],
            options={
                "verbose_name": "patient of an analysis",
                "verbose_name_plural": "patients of analyses",
                "ordering": ["analysis", "number"],
            },
        ),
        migrations.CreateModel(
            name="AnalysisPdf",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "pseudonymised",
                    models.BooleanField(verbose_name="without names and personal identity numbers"),
                ),
                (
                    "requested_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="requested"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "Queued"),
                            ("running", "Being built"),
                            ("done", "Ready"),
                            ("failed", "Failed"),
                        ],
                        default="queued",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "stage",
                    models.CharField(
                        choices=[
                            ("waiting", "Waiting for a worker"),
                            ("collecting", "Gathering the checklists"),
                            ("layout", "Laying out the pages"),
                            ("writing", "Writing the file"),
                            ("finished", "Finished"),
                        ],
                        default="waiting",
                        max_length=12,
                        verbose_name="stage",
                    ),
                ),
                ("done", models.PositiveIntegerField(default=0, verbose_name="patients gathered")),
                ("total", models.PositiveIntegerField(default=0, verbose_name="patients")),
                ("finished_at", models.DateTimeField(null=True, verbose_name="finished")),
                ("content", models.BinaryField(null=True, verbose_name="file")),
                ("size", models.PositiveIntegerField(default=0, verbose_name="size (bytes)")),
                ("error", models.CharField(blank=True, max_length=300, verbose_name="error")),
                (
                    "analysis",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="pdfs",
                        to="analysis.analysis",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "analysis PDF",
                "verbose_name_plural": "analysis PDFs",
                "ordering": ["-requested_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="ChecklistAnswer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("row", models.CharField(max_length=40, verbose_name="row")),
                (
                    "column",
                    models.CharField(
                        choices=[
                            ("ward", "Inpatient care"),
                            ("health_centre", "Primary/outpatient care"),
                            ("kommun", "Municipality"),
                        ],
                        max_length=20,
                        verbose_name="column",
                    ),
                ),
                (
                    "answered_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="answered"
                    ),
                ),
                (
                    "choice",
                    models.CharField(
                        blank=True,
                        choices=[("yes", "yes"), ("no", "no")],
                        max_length=3,
                        verbose_name="answer",
                    ),
                ),
                ("date", models.DateField(null=True, verbose_name="date")),
                ("comment", models.CharField(blank=True, max_length=1000, verbose_name="comment")),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="discharges.organisation",
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="answers",
                        to="analysis.analysispatient",
                    ),
                ),
                (
                    "replaces",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="analysis.checklistanswer",
                        verbose_name="replaces",
                    ),
                ),
            ],
            options={
                "verbose_name": "checklist answer",
                "verbose_name_plural": "checklist answers",
                "ordering": ["patient", "row", "column", "id"],
            },
        ),
        migrations.CreateModel(
            name="ImprovementAction",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.TextField(max_length=2000, verbose_name="action")),
                ("owner", models.CharField(max_length=200, verbose_name="owner")),
                ("due_date", models.DateField(verbose_name="due date")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("in_progress", "In progress"),
                            ("done", "Done"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="planned",
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                (
                    "analysis",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="actions",
                        to="analysis.analysis",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "responsible",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="discharges.organisation",
                        verbose_name="responsible organisation",
                    ),
                ),
            ],
            options={
                "verbose_name": "improvement action",
                "verbose_name_plural": "improvement actions",
                "ordering": ["due_date", "id"],
            },
        ),
        migrations.CreateModel(
            name="ActionFollowUp",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField(verbose_name="date")),
                ("note", models.TextField(max_length=2000, verbose_name="note")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("in_progress", "In progress"),
                            ("done", "Done"),
                            ("cancelled", "Cancelled"),
                        ],
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                (
                    "recorded_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="recorded"
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "action",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="follow_ups",
                        to="analysis.improvementaction",
                    ),
                ),
            ],
            options={
                "verbose_name": "follow-up of an action",
                "verbose_name_plural": "follow-ups of actions",
                "ordering": ["action", "date", "id"],
            },
        ),
        migrations.AddConstraint(
            model_name="analysis",
            constraint=models.UniqueConstraint(
                fields=("kommun", "care_type", "month"), name="analysis_unique_kommun_month"
            ),
        ),
        migrations.AddConstraint(
            model_name="analysisnotice",
            constraint=models.UniqueConstraint(
                fields=("user", "analysis"), name="analysis_notice_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="analysispatient",
            constraint=models.UniqueConstraint(
                fields=("analysis", "episode"), name="analysis_patient_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="analysispatient",
            constraint=models.UniqueConstraint(
                fields=("analysis", "number"), name="analysis_patient_number"
            ),
        ),
        migrations.AddIndex(
            model_name="checklistanswer",
            index=models.Index(
                fields=["patient", "row", "column", "id"], name="answer_current_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="improvementaction",
            index=models.Index(fields=["status", "due_date"], name="action_open_due_idx"),
        ),
    ]
