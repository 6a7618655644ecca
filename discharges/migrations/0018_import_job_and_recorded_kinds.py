"""Issue 8: the kinds an import records when a value is known without the message that
carries it (a preliminary ready date without an admission notice, a SIP meeting without an
invitation; offered on no page), and the admin's import jobs (an uploaded CSV file imported by a
Celery task). The kinds change only the field's choices: no rewrite of the event table."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("discharges", "0017_access_log_chain_required"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="episodeevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("registered", "Episode registered"),
                    ("admission_notice", "Admission notice"),
                    ("preliminary_date_changed", "Preliminary ready date changed"),
                    ("preliminary_date_recorded", "Preliminary ready date recorded without notice"),
                    ("admission_answer", "Answer to admission notice"),
                    ("named_care_contact", "Named care contact"),
                    ("track_colour", "Track colour assessed"),
                    ("ready_notice", "Ready for discharge"),
                    ("ready_date_recorded", "Ready date recorded without notice"),
                    ("ready_notice_withdrawn", "Ready notice withdrawn"),
                    ("sip_initiative", "SIP initiative"),
                    ("sip_invitation", "SIP invitation"),
                    ("sip_held", "SIP held"),
                    ("sip_held_recorded", "SIP held, recorded without invitation"),
                    ("sip_cancelled", "SIP cancelled"),
                    ("sol_planning_done", "SoL planning done"),
                    ("hsl_planning_done", "HSL planning done"),
                    ("kommun_ready", "Municipality ready"),
                    ("homecoming_proposed", "Homecoming time proposed"),
                    ("homecoming_acknowledged", "Homecoming time acknowledged"),
                    ("discharge", "Discharge"),
                    ("closed", "Closed without discharge"),
                    ("recipients_changed", "Municipality or health centre changed"),
                ],
                max_length=30,
                verbose_name="kind",
            ),
        ),
        migrations.CreateModel(
            name="ImportJob",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("file", models.FileField(blank=True, upload_to="imports/", verbose_name="file")),
                (
                    "file_name",
                    models.CharField(editable=False, max_length=255, verbose_name="file name"),
                ),
                (
                    "encoding",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Recognise (UTF-8 or Windows-1252)"),
                            ("utf-8", "UTF-8"),
                            ("cp1252", "Windows-1252 (Latin-1)"),
                        ],
                        default="",
                        max_length=10,
                        verbose_name="encoding",
                    ),
                ),
                (
                    "dry_run",
                    models.BooleanField(
                        default=False,
                        help_text="Check the whole file and report what would be stored; store nothing.",
                        verbose_name="dry run",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "Queued"),
                            ("running", "Running"),
                            ("done", "Imported"),
                            ("checked", "Checked (dry run)"),
                            ("refused", "Refused"),
                            ("failed", "Failed"),
                        ],
                        default="queued",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "uploaded_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="uploaded"
                    ),
                ),
                ("started_at", models.DateTimeField(null=True, verbose_name="started")),
                ("finished_at", models.DateTimeField(null=True, verbose_name="finished")),
                ("rows", models.PositiveIntegerField(default=0, verbose_name="rows")),
                ("summary", models.TextField(blank=True, verbose_name="result")),
                ("error_count", models.PositiveIntegerField(default=0, verbose_name="errors")),
                ("errors", models.JSONField(blank=True, default=list, verbose_name="error list")),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="uploaded by",
                    ),
                ),
            ],
            options={
                "verbose_name": "episode import",
                "verbose_name_plural": "episode imports",
                "ordering": ["-uploaded_at", "-id"],
            },
        ),
    ]
