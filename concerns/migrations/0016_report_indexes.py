"""Indexes for the trustees' report (issue 18, item 11): each figure reads one term's rows of each school."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("concerns", "0015_back_entry_la_outcome"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="concern",
            index=models.Index(fields=["school", "recorded_at"], name="concern_school_recorded_idx"),
        ),
        migrations.AddIndex(
            model_name="decision",
            index=models.Index(fields=["kind", "decided_at"], name="decision_kind_decided_idx"),
        ),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(fields=["school", "kind", "created_at"], name="action_school_kind_created_idx"),
        ),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(fields=["school", "due_at"], name="action_school_due_idx"),
        ),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(fields=["school", "completed_at"], name="action_school_completed_idx"),
        ),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(fields=["school", "kind", "la_decided_on"], name="action_school_kind_la_idx"),
        ),
    ]
