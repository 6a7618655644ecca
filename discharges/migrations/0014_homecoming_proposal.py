"""The ward proposes a time for hemgång (issue 11): a new event kind and its projection,
``Episode.homecoming_proposed_at`` (the kommun acknowledges it with one click or gives another
time). A nullable column: no rewrite of the episode table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("discharges", "0013_kommun_population"),
    ]

    operations = [
        migrations.AddField(
            model_name="episode",
            name="homecoming_proposed_at",
            field=models.DateTimeField(null=True, verbose_name="homecoming proposed by the ward"),
        ),
        migrations.AlterField(
            model_name="episodeevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("registered", "Episode registered"),
                    ("admission_notice", "Admission notice"),
                    ("preliminary_date_changed", "Preliminary ready date changed"),
                    ("admission_answer", "Answer to admission notice"),
                    ("named_care_contact", "Named care contact"),
                    ("track_colour", "Track colour assessed"),
                    ("ready_notice", "Ready for discharge"),
                    ("ready_date_recorded", "Ready date recorded without notice"),
                    ("ready_notice_withdrawn", "Ready notice withdrawn"),
                    ("sip_initiative", "SIP initiative"),
                    ("sip_invitation", "SIP invitation"),
                    ("sip_held", "SIP held"),
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
    ]
