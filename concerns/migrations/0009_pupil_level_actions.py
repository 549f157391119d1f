# R38: an action can be about a child with no concern behind it (a pupil-level task). It carries its own school;
# the existing actions take theirs from their concern. The school becomes required in 0010, a migration of its own:
# on PostgreSQL a table cannot be altered in the transaction that has just updated its foreign keys.

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_school_from_concern(apps, schema_editor):
    Action = apps.get_model("concerns", "Action")
    Concern = apps.get_model("concerns", "Concern")
    Action.objects.filter(school__isnull=True).update(
        school_id=Subquery(Concern.objects.filter(pk=OuterRef("concern_id")).values("school_id")[:1])
    )


class Migration(migrations.Migration):

    dependencies = [
        ("concerns", "0008_flags_key_people"),
        ("safeguarding", "0002_school_calendar"),
    ]

    operations = [
        migrations.AddField(
            model_name="action",
            name="school",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="safeguarding.school"
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="pupil",
            field=models.ForeignKey(
                blank=True,
                help_text="Set for a task about the child with no concern behind it.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="actions",
                to="concerns.pupil",
            ),
        ),
        migrations.AlterField(
            model_name="action",
            name="concern",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="actions",
                to="concerns.concern",
            ),
        ),
        migrations.RunPython(fill_school_from_concern, migrations.RunPython.noop),
    ]
