"""With a reports replica (REPORTS_DATABASE_URL), the worker counts a term there and saves the figures on the
primary (safeguarding/db_routers.py, safeguarding/reports/snapshots.py)."""

import pytest

from safeguarding import db_routers
from safeguarding.db_routers import REPLICA, ReportsReplicaRouter
from safeguarding.reports import snapshots
from safeguarding.reports.periods import TermKey

pytestmark = pytest.mark.django_db


def test_the_counting_reads_through_the_replica_and_the_saving_does_not(school, terms, monkeypatch, settings):
    settings.DATABASES = {**settings.DATABASES, REPLICA: settings.DATABASES["default"]}
    router = ReportsReplicaRouter()
    counted, saved = [], []
    build_report = snapshots.build_report

    def counting(*args, **kwargs):
        counted.append(router.db_for_read(snapshots.Term))
        return build_report(*args, **kwargs)

    real_save = snapshots.ReportSnapshot.save

    def saving(self, *args, **kwargs):
        saved.append((router.db_for_read(snapshots.ReportSnapshot), db_routers._counting.get()))
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(snapshots, "build_report", counting)
    monkeypatch.setattr(snapshots.ReportSnapshot, "save", saving)
    assert snapshots.snapshot_make(snapshots.school_scope(school), TermKey("2025-26", "autumn")) is not None
    assert counted == [REPLICA]
    assert saved == [(None, False)]
