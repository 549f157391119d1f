"""On PostgreSQL at a trust's volume, no page a school opens all day reads a large table from end to end (issue 12,
item 5). Every query of the queue (and its poll), the busiest child's file, the "file held" lookup, the audit log,
the raise form and its pupil search, My concerns, the register of concerns about adults and a case's page is
planned with EXPLAIN, and none may hold a sequential scan of the concerns, the chronology, the audit log or the
pupils; each query an index was made for must read through it (INDEX_FOR).

The school holds a twentieth of each table, as one school of a trust of 20 does, so the planner weighs its rows as
it would there; the tables are ANALYZEd once filled, so it plans from their real sizes, not from empty tables.
Skipped on SQLite, whose planner is not the one a school's server runs."""

import json

import pytest
import time_machine
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concerns.models import ChronologyEntry, Concern, ConcernCategory, ConcernPupil, Pupil
from safeguarding.models import Role

from .concerns.test_query_counts_at_volume import make_concerns
from .conftest import sign_in
from .volume_rows import NOW, add_adult_cases, add_audit_rows, add_case_entries, add_pupils, add_staff_notes

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="plans are PostgreSQL's: run with DATABASE_URL=postgres://... to check them",
)

LARGE_TABLES = {"concerns_concern", "concerns_chronologyentry", "auditlog_logentry", "concerns_pupil"}
OTHER_SCHOOLS = 19
FIRST_NAMES = ("Olivia", "Amelia", "Isla", "Ava", "Mia", "Noah", "Oliver", "George", "Arthur", "Leo", "Muhammad")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def fill_school(school, *, teacher, dsl) -> Pupil:
    """A school's pupils, 1,500 concerns (each with its pupil, category and chronology line) and audit log; the
    first pupil has 200 of the concerns, 10 of them waiting. Returns that busiest child."""
    pupils = add_pupils(school=school, count=1500, first_names=FIRST_NAMES)
    make_concerns(school=school, author=teacher, pupil=pupils[0], count=190, acknowledged_by=dsl)
    make_concerns(school=school, author=teacher, pupil=pupils[0], count=10)
    for pupil in pupils[1:14]:
        make_concerns(school=school, author=teacher, pupil=pupil, count=100, acknowledged_by=dsl)
    add_audit_rows(school=school, actor=dsl, count=2500)
    return pupils[0]


def copy_rows(cursor, model, *, source: str, vary: dict[str, str], params=()) -> None:
    """INSERT … SELECT: a row of `model` for each row of `source` (SQL after FROM, the row copied named `t`), every
    column as in `t` but those `vary` gives as SQL. All the model's columns are named, so a column added to it
    later is copied too."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = ", ".join(vary.get(f.column, f"t.{connection.ops.quote_name(f.column)}") for f in fields)
    # Built from the model's own names and this module's SQL: nothing typed by anyone reaches it.
    cursor.execute(f"INSERT INTO {model._meta.db_table} ({names}) SELECT {values} FROM {source}", params)  # noqa: S608


def fill_the_rest_of_the_trust(school, rest, *, teacher, dsl) -> None:
    """The trust's 19 other schools, as one school holding 19 copies of the school's pupils, concerns and audit
    log. Copied in SQL: made as objects in Python, 150,000 rows would take a minute."""
    with connection.cursor() as cursor:
        copy_rows(
            cursor,
            Pupil,
            source="concerns_pupil t CROSS JOIN generate_series(1, %s) g WHERE t.school_id = %s",
            vary={
                "public_id": "gen_random_uuid()",
                "school_id": str(rest.pk),
                "upn": "'R' || lpad((t.id * 100 + g)::text, 12, '0')",
            },
            params=[OTHER_SCHOOLS, school.pk],
        )
        copy_rows(
            cursor,
            Concern,
            source="concerns_concern t CROSS JOIN generate_series(1, %s) g WHERE t.school_id = %s",
            vary={
                "public_id": "gen_random_uuid()",
                "idempotency_key": "gen_random_uuid()",
                "school_id": str(rest.pk),
                "author_id": str(teacher.pk),
                "acknowledged_by_id": f"CASE WHEN t.acknowledged_by_id IS NULL THEN NULL ELSE {dsl.pk} END",
                "recorded_at": "t.recorded_at - g * interval '1 day'",
            },
            params=[OTHER_SCHOOLS, school.pk],
        )
        # Each copied concern about one of the copied pupils (the n-th concern about the n-th pupil: there are
        # fewer concerns than pupils).
        copy_rows(
            cursor,
            ConcernPupil,
            source="concerns_concernpupil t"
            " CROSS JOIN (SELECT id, row_number() OVER (ORDER BY id) AS k FROM concerns_concern WHERE school_id = %s) c"
            " JOIN (SELECT id, row_number() OVER (ORDER BY id) AS k FROM concerns_pupil WHERE school_id = %s) p"
            " USING (k) WHERE t.id = (SELECT min(id) FROM concerns_concernpupil)",
            vary={"concern_id": "c.id", "pupil_id": "p.id"},
            params=[rest.pk, rest.pk],
        )
        copy_rows(
            cursor,
            ConcernCategory,
            source="concerns_concerncategory t CROSS JOIN concerns_concern c"
            " WHERE t.id = (SELECT min(id) FROM concerns_concerncategory) AND c.school_id = %s",
            vary={"concern_id": "c.id"},
            params=[rest.pk],
        )
        # Four lines a concern, as a school's chronology has (recorded, acknowledged, triaged, a decision).
        copy_rows(
            cursor,
            ChronologyEntry,
            source="concerns_chronologyentry t CROSS JOIN concerns_concern c"
            " JOIN concerns_concernpupil l ON l.concern_id = c.id CROSS JOIN generate_series(1, 4) g"
            " WHERE t.id = (SELECT min(id) FROM concerns_chronologyentry) AND c.school_id = %s",
            vary={
                "pupil_id": "l.pupil_id",
                "concern_id": "c.id",
                "occurred_at": "c.recorded_at + g * interval '1 hour'",
                "author_id": str(teacher.pk),
            },
            params=[rest.pk],
        )
        copy_rows(
            cursor,
            LogEntry,
            source="auditlog_logentry t CROSS JOIN generate_series(1, %s) g"
            " WHERE (t.additional_data -> 'school') = to_jsonb(%s::int)",
            vary={
                "timestamp": "t.timestamp - g * interval '1 day'",
                "additional_data": f"jsonb_build_object('school', {rest.pk})",
            },
            params=[OTHER_SCHOOLS, school.pk],
        )


def nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def planned(client, url, data=None, *, method="get") -> list[tuple[str, list[dict]]]:
    """Each SELECT the page runs, with the nodes of the plan PostgreSQL makes for it."""
    send = getattr(client, method)
    with CaptureQueriesContext(connection) as captured:
        assert send(url, data or {}).status_code == 200
    found = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            if query["sql"].lstrip().upper().startswith("SELECT"):
                cursor.execute(f"EXPLAIN (FORMAT JSON) {query['sql']}")
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                found.append((query["sql"], list(nodes(plan[0]["Plan"]))))
    return found


# Queries, found by pieces of their SQL, and the index each was made for (the migrations of issue 12, item 5). The
# poll's counts are left out: they read the queue's index alone only once VACUUM has marked the table's pages all
# visible, which cannot happen inside a test's transaction (on a live server autovacuum does it).
INDEX_FOR = {
    "queue": [
        # What waits for acknowledgement, and its count in the menu.
        (('AND "concerns_concern"."acknowledged_at" IS NULL)',), "concern_school_ack_idx"),
        # A page of the acknowledged, read in order off the school's index by date instead of sorted.
        (('"acknowledged_at" IS NOT NULL', "LIMIT 50"), "concern_school_recorded_idx"),
    ],
    "my_concerns": [(('"concerns_concern"."author_id" = ', "LIMIT 25"), "concern_author_recorded_idx")],
    "audit_log": [(('SELECT COUNT(*) AS "__count" FROM "auditlog_logentry"',), "logentry_school_time_idx")],
    "case": [(("-> 'adult_case'",), "logentry_adult_case_idx")],
}


@pytest.mark.django_db
def test_no_page_reads_a_large_table_from_end_to_end(client, school, other_school, make_person):
    """Nor does any page leave aside the index made for one of its queries."""
    teacher = make_person(Role.STAFF, school=school, first_name="Priya", last_name="Sharma")
    dsl = make_person(Role.DSL, school=school, first_name="Helen", last_name="Marsh")
    head = make_person(Role.HEADTEACHER, school=school, first_name="Grace", last_name="Okafor")
    busiest = fill_school(school, teacher=teacher, dsl=dsl)
    fill_the_rest_of_the_trust(
        school,
        other_school,
        teacher=make_person(Role.STAFF, school=other_school),
        dsl=make_person(Role.DSL, school=other_school),
    )
    concern = busiest.concern_links.first().concern
    add_staff_notes(concern=concern, recorded_by=dsl, staff=teacher, count=30)
    case = add_adult_cases(school=school, case_manager=head, reporter=teacher, count=60)[0]
    add_case_entries(case=case, author=head, count=20)
    add_audit_rows(school=school, actor=head, count=50, adult_case=case)
    with connection.cursor() as cursor:
        for table in sorted(LARGE_TABLES) + ["concerns_concernpupil", "concerns_concerncategory"]:
            cursor.execute(f"ANALYZE {table}")

    pages = {
        dsl: [
            ("queue", reverse("concerns:queue"), None, "get"),
            ("queue", f"{reverse('concerns:queue')}?page=2", None, "get"),
            ("queue_poll", reverse("concerns:queue_poll"), None, "get"),
            ("file", reverse("concerns:pupil_file", args=[busiest.public_id]), None, "get"),
            ("lookup", reverse("concerns:pupil_lookup"), {"q": "olivia"}, "post"),
            ("audit_log", reverse("audit_log"), None, "get"),
            ("audit_log", reverse("audit_log"), {"page": 2}, "post"),
        ],
        teacher: [
            ("raise", reverse("concerns:raise"), None, "get"),
            ("search", reverse("concerns:pupil_search"), {"q": "olivia"}, "post"),
            ("search", reverse("concerns:pupil_search"), {"q": "9w"}, "post"),
            ("my_concerns", reverse("concerns:my_concerns"), None, "get"),
            ("my_concerns", f"{reverse('concerns:my_concerns')}?page=2&notes=2", None, "get"),
        ],
        head: [
            ("register", reverse("staff_allegations:list"), None, "get"),
            ("case", reverse("staff_allegations:detail", kwargs={"public_id": case.public_id}), None, "get"),
        ],
    }
    read_whole, without_index = [], []
    for person, visits in pages.items():
        client.logout()
        sign_in(client, person)
        for page, url, data, method in visits:
            queries = planned(client, url, data, method=method)
            for sql, plan in queries:
                tables = {n["Relation Name"] for n in plan if n["Node Type"] == "Seq Scan"} & LARGE_TABLES
                if tables:
                    read_whole.append(f"{url}: {', '.join(sorted(tables))} in {sql[:300]}")
            for pieces, index in INDEX_FOR.get(page, []):
                used = [{n.get("Index Name") for n in plan} for sql, plan in queries if all(p in sql for p in pieces)]
                if not used or not all(index in names for names in used):
                    without_index.append(f"{url}: {index} not used by the query with {pieces!r}")
    assert read_whole == []
    assert without_index == []
