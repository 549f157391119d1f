"""The children's app's jobs moved from `safeguarding.tasks` to `concerns.tasks` (issue 11: the core stands below
the apps). django-tasks-db stores each queued job by its dotted path, so jobs already waiting (an escalation due
this afternoon, a reminder due next week) are pointed at the new path; none is lost. Only jobs not yet run are
changed: a finished job's row is history and keeps the path it ran under."""

from django.db import migrations

MOVED = ("send_alert_email", "escalate_if_unacknowledged", "remind_action_due")
WAITING = ("READY", "RUNNING")


def _repoint(apps, old: str, new: str) -> None:
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    for name in MOVED:
        DBTaskResult.objects.filter(task_path=f"{old}.{name}", status__in=WAITING).update(task_path=f"{new}.{name}")


def forwards(apps, schema_editor):
    _repoint(apps, "safeguarding.tasks", "concerns.tasks")


def backwards(apps, schema_editor):
    _repoint(apps, "concerns.tasks", "safeguarding.tasks")


class Migration(migrations.Migration):
    dependencies = [
        ("concerns", "0016_report_indexes"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
