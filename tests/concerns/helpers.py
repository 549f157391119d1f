"""Shared helpers for the concerns tests."""

from django_tasks_db.models import DBTaskResult


def jobs(task, *args) -> list[DBTaskResult]:
    """Queued jobs of `task`, only those called with `args` when any are given."""
    found = DBTaskResult.objects.filter(task_path=task.module_path)
    return [job for job in found if not args or job.args_kwargs["args"] == list(args)]
