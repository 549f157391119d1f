"""The index for a case's own access trail (issue 12, item 5): the case page lists who opened or changed the case
(selectors.case_access_log), found by the `adult_case` key of the audit log's `additional_data`. Without it the
page read the whole audit log backwards, newest first, until it had 50 of the case's rows: 370 ms at 1.5 million
rows, 0.07 ms with it.

Partial: only the rows about a case carry the key, so the index holds those alone. PostgreSQL only, as the school
index on the same table (safeguarding/migrations/0005_audit_log_school_index.py): the table is django-auditlog's.
"""

from django.db import migrations

INDEX = "logentry_adult_case_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The query's `additional_data -> 'adult_case' = <case>` implies the IS NOT NULL, so the planner may use it.
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON auditlog_logentry ((additional_data -> 'adult_case'), \"timestamp\" DESC) "
        "WHERE (additional_data -> 'adult_case') IS NOT NULL"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("staff_allegations", "0002_adult_concern_drafts"),
        ("auditlog", "0013_alter_logentry_timestamp"),
    ]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
