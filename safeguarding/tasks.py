"""What every app's background jobs share (the jobs themselves live in each app's `tasks.py`, run by the task
worker: `manage.py db_worker`; `make run` starts it).

django-tasks has no retries and no scheduler: a job that must eventually succeed re-enqueues itself with a
growing delay, and timed work (escalation) is enqueued with `run_after` when its clock starts.
"""

from __future__ import annotations

from datetime import timedelta

# Seconds to wait before each retry of an alert email: quick at first, then every 15 minutes until it goes.
RETRY_DELAYS = (30, 60, 120, 300, 600, 900)


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1])
