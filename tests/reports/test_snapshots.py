"""Issue 12: a term's report figures are made by the task worker and kept. A term's figures are counted again each
night while it goes on and made for good the night after it ends; they are made again when the days they count
change; one nightly refresh runs for each school and trust, however often figures are asked for."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.contrib import admin
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from safeguarding.admin import TermAdmin
from safeguarding.models import ReportSnapshot, Term
from safeguarding.reports import snapshots, tasks
from safeguarding.reports.periods import TermKey

from .helpers import at, concern, run_jobs

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
AUTUMN = TermKey("2025-26", "autumn")
SUMMER = TermKey("2025-26", "summer")


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=LONDON)


def waiting(job) -> list[DBTaskResult]:
    """The jobs of `job` still waiting in the queue."""
    return list(DBTaskResult.objects.filter(task_path=job.module_path, status="READY"))


def headline_concerns(snapshot: ReportSnapshot) -> str:
    """The "Concerns recorded" figure as the stored summary prints it."""
    return snapshot.summary.split("<dt>Concerns recorded</dt><dd>")[1].split("</dd>")[0]


def test_the_figures_are_counted_each_night_and_made_for_good_the_night_after_the_term_ends(
    frozen_clock, school, dsl, terms
):
    frozen_clock.move_to(london(2025, 12, 10, 11, 0))
    for day in range(1, 7):
        concern(school=school, author=dsl, recorded_at=at(date(2025, 10, day)))
    scope = snapshots.school_scope(school)
    tasks.enqueue_make(scope, AUTUMN, asked_at=london(2025, 12, 10, 11, 0))
    assert run_jobs() == ["made"]
    snapshot = snapshots.snapshot_get(scope, AUTUMN)
    assert snapshot.in_progress and snapshot.counted_to == date(2025, 12, 10)
    assert headline_concerns(snapshot) == "6"
    assert snapshot.refresh_queued_at == london(2025, 12, 11, 2, 0)
    assert [job.run_after for job in waiting(tasks.refresh_report_figures)] == [london(2025, 12, 11, 2, 0)]

    # The first night: counted again, still going on, and the next night's refresh queued.
    frozen_clock.move_to(london(2025, 12, 11, 2, 0, 5))
    assert run_jobs() == ["made"]
    snapshot.refresh_from_db()
    assert snapshot.in_progress and snapshot.counted_to == date(2025, 12, 11)
    assert snapshot.made_at == london(2025, 12, 11, 2, 0, 5)
    assert [job.run_after for job in waiting(tasks.refresh_report_figures)] == [london(2025, 12, 12, 2, 0)]

    # A concern recorded over Christmas belongs to the autumn term (spring begins on 5 January).
    concern(school=school, author=dsl, recorded_at=at(date(2026, 1, 3)))
    # On the term's last day counted it is still going on, whatever else was counted.
    frozen_clock.move_to(london(2026, 1, 4, 2, 0, 5))
    run_jobs()
    snapshot.refresh_from_db()
    assert snapshot.in_progress

    # The night after it: made for good, counting to the last day, and the spring term's figures take over.
    frozen_clock.move_to(london(2026, 1, 5, 2, 0, 5))
    assert run_jobs() == ["made", "made"]
    snapshot.refresh_from_db()
    assert not snapshot.in_progress and snapshot.counted_to == date(2026, 1, 4)
    assert snapshot.made_at == london(2026, 1, 5, 2, 0, 5) and snapshot.made_by is None
    assert headline_concerns(snapshot) == "7"
    assert snapshot.refresh_queued_at is None
    spring = snapshots.snapshot_get(scope, TermKey("2025-26", "spring"))
    assert spring.in_progress and spring.refresh_queued_at == london(2026, 1, 6, 2, 0)
    assert [job.args_kwargs["args"][2] for job in waiting(tasks.refresh_report_figures)] == ["spring"]

    # Kept: later records of the autumn term's days do not change its stored figures.
    concern(school=school, author=dsl, recorded_at=at(date(2025, 11, 2)))
    frozen_clock.move_to(london(2026, 1, 6, 2, 0, 5))
    run_jobs()
    snapshot.refresh_from_db()
    assert headline_concerns(snapshot) == "7" and snapshot.made_at == london(2026, 1, 5, 2, 0, 5)


def test_a_closed_terms_figures_are_made_again_when_the_days_they_count_change(frozen_clock, school, dsl, terms):
    """The summer term is the last the school has entered, so it counts to its own last day; once the school enters
    the autumn term, the summer holiday is counted with the summer term and its figures are made again."""
    scope = snapshots.school_scope(school)
    snapshot = snapshots.snapshot_make(scope, SUMMER)
    tasks.keep_up(scope, SUMMER, snapshot)
    assert not snapshot.in_progress and snapshot.counted_to == date(2026, 7, 22)
    made_at = snapshot.made_at
    assert headline_concerns(snapshot) == "0"
    for day in range(10, 15):  # in the summer holiday
        concern(school=school, author=dsl, recorded_at=at(date(2026, 8, day)))

    frozen_clock.move_to(london(2026, 12, 4, 2, 0, 5))
    assert run_jobs() == ["checked"]  # nothing changed: kept as made
    snapshot.refresh_from_db()
    assert snapshot.made_at == made_at and snapshot.counted_to == date(2026, 7, 22)

    Term.objects.create(
        school=school, academic_year="2026-27", name="autumn", starts_on=date(2026, 9, 3), ends_on=date(2026, 12, 18)
    )
    frozen_clock.move_to(london(2026, 12, 5, 2, 0, 5))
    assert run_jobs() == ["made", "made"]  # the summer term made again; the autumn term's figures made
    snapshot.refresh_from_db()
    assert snapshot.counted_to == date(2026, 9, 2) and not snapshot.in_progress
    assert headline_concerns(snapshot) == "5"
    assert snapshot.refresh_queued_at is None
    autumn = snapshots.snapshot_get(scope, TermKey("2026-27", "autumn"))
    assert autumn.in_progress and autumn.refresh_queued_at == london(2026, 12, 6, 2, 0)


def test_one_nightly_refresh_runs_however_often_the_figures_are_asked_for(frozen_clock, school, terms):
    Term.objects.create(
        school=school, academic_year="2026-27", name="autumn", starts_on=date(2026, 9, 3), ends_on=date(2026, 12, 18)
    )
    scope = snapshots.school_scope(school)
    key = TermKey("2026-27", "autumn")
    asked = london(2026, 12, 3, 10, 0)
    for _ in range(3):
        tasks.enqueue_make(scope, key, asked_at=asked)
    assert run_jobs() == ["made", "already made", "already made"]
    assert len(waiting(tasks.refresh_report_figures)) == 1

    # A second job for the same night (a refresh taken for lost and scheduled again) finds itself superseded.
    snapshot = snapshots.snapshot_get(scope, key)
    tasks.refresh_report_figures.using(run_after=snapshot.refresh_queued_at).enqueue(
        snapshots.scope_ref(scope), key.academic_year, key.name, snapshot.refresh_queued_at.isoformat()
    )
    # A job left over from a refresh since replaced finds itself superseded too.
    tasks.refresh_report_figures.enqueue(
        snapshots.scope_ref(scope), key.academic_year, key.name, london(2026, 11, 30, 2, 0).isoformat()
    )
    frozen_clock.move_to(london(2026, 12, 4, 2, 0, 5))
    assert sorted(run_jobs()) == ["made", "superseded", "superseded"]
    assert [job.run_after for job in waiting(tasks.refresh_report_figures)] == [london(2026, 12, 5, 2, 0)]


def test_a_term_not_begun_gets_no_figures(school, terms):
    tasks.enqueue_make(snapshots.school_scope(school), TermKey("2026-27", "spring"), asked_at=london(2026, 12, 3))
    assert run_jobs() == ["term not begun"]
    assert not ReportSnapshot.objects.exists()


def test_a_term_entered_in_the_admin_has_its_figures_made_from_its_first_morning(frozen_clock, school, terms):
    """Like an escalation, the job waits in the queue until its clock starts: for the school, and for its trust."""
    term = Term(
        school=school, academic_year="2026-27", name="spring", starts_on=date(2027, 1, 4), ends_on=date(2027, 3, 26)
    )
    TermAdmin(Term, admin.site).save_model(request=None, obj=term, form=None, change=False)
    jobs = waiting(tasks.make_report_figures)
    assert sorted(job.args_kwargs["args"][0] for job in jobs) == [f"school:{school.pk}", f"trust:{school.trust_id}"]
    assert {job.run_after for job in jobs} == {london(2027, 1, 4, 2, 0)}
    assert run_jobs() == []  # not yet

    frozen_clock.move_to(london(2027, 1, 4, 2, 0, 5))
    assert run_jobs() == ["made", "made"]
    spring = TermKey("2026-27", "spring")
    for scope in (snapshots.school_scope(school), snapshots.trust_scope(school.trust)):
        snapshot = snapshots.snapshot_get(scope, spring)
        assert snapshot.in_progress and snapshot.refresh_queued_at == london(2027, 1, 5, 2, 0)


def test_the_set_up_command_asks_for_every_school_and_trust_or_makes_them_now(school, other_school, terms):
    """`manage.py report_snapshots`: the newest term of each school and trust (the worker makes them), or every term
    begun, made in the command itself with --now --all-terms."""
    call_command("report_snapshots", stdout=io.StringIO())
    asked = sorted(
        (job.args_kwargs["args"][0], job.args_kwargs["args"][2]) for job in waiting(tasks.make_report_figures)
    )
    assert asked == [(f"school:{school.pk}", "summer"), (f"trust:{school.trust_id}", "summer")]
    assert not ReportSnapshot.objects.exists()

    call_command("report_snapshots", "--now", "--all-terms", stdout=io.StringIO())
    assert ReportSnapshot.objects.filter(school=school).count() == 6
    assert ReportSnapshot.objects.filter(trust=school.trust).count() == 6
    assert not ReportSnapshot.objects.filter(school=other_school).exists()  # it has entered no term


def test_the_audit_log_keeps_who_asked_and_when_not_the_rendered_report(school, dsl, terms):
    scope = snapshots.school_scope(school)
    snapshot = snapshots.snapshot_make(scope, SUMMER)
    tasks.keep_up(scope, SUMMER, snapshot)  # the nightly refresh's bookkeeping: not a change worth a log line
    assert snapshot.refresh_queued_at is not None
    snapshot.remake_asked_at, snapshot.remake_asked_by = london(2026, 12, 3, 10, 0), dsl
    snapshot.save()
    entries = LogEntry.objects.get_for_object(snapshot).order_by("timestamp")
    created, asked = list(entries)
    assert {"summary", "detail", "periods"}.isdisjoint(created.changes_dict)
    assert "made_at" in created.changes_dict and created.additional_data["school"] == school.pk
    assert set(asked.changes_dict) == {"remake_asked_at", "remake_asked_by"}
