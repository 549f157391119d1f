"""A read replica for the trustees' reports, when REPORTS_DATABASE_URL names one (docs/performance.md).

Counting a term for a trust of many schools reads hundreds of thousands of rows. With a replica, the task worker
reads them there, so the counting never competes with a DSL's queue on the primary. Only reads made inside
`counting_on_replica()` go to it (safeguarding/reports/snapshots.py counts inside one); every other read, and
every write (the snapshot itself included), stays on the primary. Without the setting there is no "reports"
database and this router is not installed.

Django's routers choose a database per query but know nothing of what the code around them is doing; a context
variable says "this is the report's counting", which no library does for us.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings

REPLICA = "reports"
_counting: ContextVar[bool] = ContextVar("counting_on_replica", default=False)


@contextmanager
def counting_on_replica() -> Iterator[None]:
    """Reads inside go to the reports replica when there is one (a replica may be seconds behind: fine for
    counting a term that has ended, and for the current term's figures so far)."""
    token = _counting.set(True)
    try:
        yield
    finally:
        _counting.reset(token)


class ReportsReplicaRouter:
    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if _counting.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        return None  # the primary

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica holds the primary's rows: a row read there may point at one read here

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA  # a replica follows the primary's schema; nothing migrates it
