"""The reports replica (safeguarding/db_routers.py): only the report's counting reads there; writes never do."""

import json
import os
import subprocess
import sys

from django.conf import settings

from safeguarding.db_routers import REPLICA, ReportsReplicaRouter, counting_on_replica
from safeguarding.models import School


def test_only_reads_inside_the_counting_go_to_the_replica(settings):
    settings.DATABASES = {**settings.DATABASES, REPLICA: settings.DATABASES["default"]}
    router = ReportsReplicaRouter()
    assert router.db_for_read(School) is None
    with counting_on_replica():
        assert router.db_for_read(School) == REPLICA
        assert router.db_for_write(School) is None
    assert router.db_for_read(School) is None
    assert router.allow_migrate(REPLICA, "safeguarding") is False
    assert router.allow_migrate("default", "safeguarding") is True


def test_without_a_replica_the_counting_reads_the_primary():
    assert REPLICA not in settings.DATABASES
    with counting_on_replica():
        assert ReportsReplicaRouter().db_for_read(School) is None


def settings_with(**env) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}}
    clean.update(DEBUG="1", **env)
    script = (
        "import json, safeguarding.settings as s; "
        "print(json.dumps({'dbs': {k: {'engine': v['ENGINE'], 'test': v.get('TEST', {}), "
        "'cursors': v.get('DISABLE_SERVER_SIDE_CURSORS', False), "
        "'prepare': v.get('OPTIONS', {}).get('prepare_threshold', 'unset')} for k, v in s.DATABASES.items()}, "
        "'routers': s.DATABASE_ROUTERS}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=clean, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_the_settings_add_the_replica_and_its_router_only_when_asked():
    plain = json.loads(settings_with(DATABASE_URL="postgres://app@db.invalid/safeguarding"))
    assert list(plain["dbs"]) == ["default"] and plain["routers"] == []
    both = json.loads(
        settings_with(
            DATABASE_URL="postgres://app@db.invalid/safeguarding",
            REPORTS_DATABASE_URL="postgres://reader@replica.invalid/safeguarding",
        )
    )
    assert both["dbs"]["reports"]["test"] == {"MIRROR": "default"}
    assert both["routers"] == ["safeguarding.db_routers.ReportsReplicaRouter"]


def test_behind_a_pooler_no_server_side_cursor_or_prepared_statement():
    plain = json.loads(settings_with(DATABASE_URL="postgres://app@db.invalid/safeguarding"))["dbs"]["default"]
    assert plain["cursors"] is False and plain["prepare"] == "unset"
    pooled = json.loads(
        settings_with(DATABASE_URL="postgres://app@pgbouncer.invalid/safeguarding", DATABASE_POOLER="1")
    )["dbs"]["default"]
    assert pooled["cursors"] is True and pooled["prepare"] is None
