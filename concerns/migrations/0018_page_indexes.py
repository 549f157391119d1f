"""Indexes for the pages a school opens all day (issue 12, item 5), each checked with EXPLAIN on PostgreSQL at one
1,500-pupil school's ten years (27,839 concerns) in a trust of 20 schools (30,512 pupils).

- The queue and its 4-second poll: what waits for acknowledgement, and the poll's counts, read from one index
  (median of 5 EXPLAIN ANALYZE, before and after: the waiting list 19.8 to 0.05 ms, the menu's count of it 17.8 to
  0.01 ms, the count of the acknowledged 27.7 to 7.0 ms, the poll 20.6 to 3.4 ms, an index-only scan).
- My concerns: a person's receipts newest first, 25 a page, without sorting everything they ever wrote (27,839
  receipts: 61.6 to 0.06 ms).
- The pupil search (the raise form's type-ahead and the "file held" lookup) matches inside the names ("%word%"),
  which no B-tree serves. On PostgreSQL a trigram index does (pg_trgm, a trusted extension since PostgreSQL 13: the
  database's owner may create it), beside indexes on the upper-cased form and UPN, so that each word's three-way
  OR can be answered from indexes (over all 30,512 pupils, 13.5 to 0.31 ms; within one school of 1,500 the planner
  may keep to the school's index, 0.45 ms, and combines the two when the words are rarer). SQLite has no trigram
  index: there the search reads one school's pupils through their school, as before. The plain index on
  `search_text` goes: an infix match never used it.
"""

from django.db import migrations, models

TRIGRAM_INDEXES = (
    "CREATE INDEX IF NOT EXISTS pupil_search_trgm_idx ON concerns_pupil USING gin (search_text gin_trgm_ops)",
    # iexact on PostgreSQL is UPPER(column) = UPPER(value): these are the expressions it compares.
    "CREATE INDEX IF NOT EXISTS pupil_form_upper_idx ON concerns_pupil (UPPER(form))",
    "CREATE INDEX IF NOT EXISTS pupil_upn_upper_idx ON concerns_pupil (UPPER(upn))",
)
TRIGRAM_INDEX_NAMES = ("pupil_search_trgm_idx", "pupil_form_upper_idx", "pupil_upn_upper_idx")


def create_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # IF NOT EXISTS returns before any privilege check, so a database where an administrator installed the
    # extension already migrates without the right to create one.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for sql in TRIGRAM_INDEXES:
        schema_editor.execute(sql)


def drop_search_indexes(apps, schema_editor):
    # The extension stays: other database objects may use it, and removing one is an administrator's choice.
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEX_NAMES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("concerns", "0017_jobs_move_to_concerns_tasks"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="concern",
            index=models.Index(
                fields=["school", "acknowledged_at", "withheld_from", "id"], name="concern_school_ack_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="concern",
            index=models.Index(fields=["author", "-recorded_at", "-id"], name="concern_author_recorded_idx"),
        ),
        migrations.AlterField(
            model_name="pupil",
            name="search_text",
            field=models.CharField(editable=False, max_length=400),
        ),
        migrations.RunPython(create_search_indexes, drop_search_indexes, elidable=False),
    ]
