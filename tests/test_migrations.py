"""Models and migrations agree: a model change without its migration fails the suite."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_is_missing_a_migration():
    """`makemigrations --check` finds nothing to write."""
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_jobs_waiting_under_the_old_path_are_pointed_at_concerns_tasks():
    """Jobs queued before the concerns app's jobs left `safeguarding.tasks` still run after the upgrade; a finished
    job's row keeps the path it ran under."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("concerns", "0016_report_indexes")]
    after = [("concerns", "0017_jobs_move_to_concerns_tasks")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    from django_tasks_db.models import DBTaskResult  # its table is the same before and after

    common = {"args_kwargs": {"args": [1], "kwargs": {}}, "queue_name": "default", "backend_name": "default"}
    waiting = DBTaskResult.objects.create(task_path="safeguarding.tasks.escalate_if_unacknowledged", **common)
    done = DBTaskResult.objects.create(task_path="safeguarding.tasks.send_alert_email", status="SUCCESSFUL", **common)
    other = DBTaskResult.objects.create(task_path="staff_allegations.tasks.send_case_email", **common)

    executor = MigrationExecutor(connection)
    executor.migrate(after)

    waiting.refresh_from_db()
    done.refresh_from_db()
    other.refresh_from_db()
    assert waiting.task_path == "concerns.tasks.escalate_if_unacknowledged"
    assert done.task_path == "safeguarding.tasks.send_alert_email"
    assert other.task_path == "staff_allegations.tasks.send_case_email"

    from django.utils.module_loading import import_string

    assert import_string(waiting.task_path).name == "escalate_if_unacknowledged"
