"""The life of a case: deadlines on the calendar (R63, R75), the LADO record, decisions (R73), escalation with its
history (R74), patterns (R76), closing with KCSIE's outcomes (R66–R70) and the retention date (R80, R81)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from staff_allegations import services
from staff_allegations.models import (
    OUTCOME_DEFINITIONS,
    AdultCase,
    CaseKind,
    CaseStatus,
    EntryKind,
    Outcome,
    TaskKind,
)
from staff_allegations.tasks import remind_case_task, send_case_email
from tests.concerns.helpers import jobs

from .conftest import report

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def clock():
    """A Tuesday morning in the summer term, a week or two after the "1 May" the cases speak of."""
    with time_machine.travel(datetime(2026, 5, 12, 10, 30, tzinfo=LONDON), tick=False) as traveller:
        yield traveller


def test_lado_consultation_is_due_by_the_close_of_the_next_working_day(clock, school, teacher, colleague, head):
    """Raised on Friday 22 May 2026 at 15:00: Monday 25 May is the late-May bank holiday, so Tuesday 26 May 17:00."""
    clock.move_to(datetime(2026, 5, 22, 15, 0, tzinfo=LONDON))
    case = report(teacher, school, subject=colleague, allegation=True)
    task = case.tasks.get(kind=TaskKind.LADO_CONSULTATION)
    assert task.owner == head
    assert timezone.localtime(task.due_at) == datetime(2026, 5, 26, 17, 0, tzinfo=LONDON)
    assert jobs(remind_case_task, task.pk)


def test_low_level_concern_has_no_lado_task(school, teacher, colleague, head):
    case = report(teacher, school, subject=colleague)
    assert not case.tasks.filter(kind=TaskKind.LADO_CONSULTATION).exists()


@pytest.mark.parametrize("allegation", [True, False])
def test_supply_staff_subject_opens_the_notify_employer_task(school, teacher, head, allegation):
    case = report(teacher, school, allegation=allegation)  # Jo Bright, supply teacher from EdStaff
    task = case.tasks.get(kind=TaskKind.NOTIFY_EMPLOYER)
    services.task_complete(user=head, task=task, outcome="Told Sam at EdStaff by phone, 10:30.")
    assert case.entries.filter(kind=EntryKind.EMPLOYER_INFORMED, details__contains="EdStaff").exists()


def test_lado_record_needs_the_reference_or_a_rationale(school, teacher, colleague, head):
    case = report(teacher, school, subject=colleague, allegation=True)
    task = case.tasks.get(kind=TaskKind.LADO_CONSULTATION)
    with pytest.raises(ValidationError, match="LADO reference"):
        services.task_complete(user=head, task=task, outcome="Advice given", referred=True)
    with pytest.raises(ValidationError, match="Say what was done"):
        services.task_complete(user=head, task=task, outcome=" ", referred=False)
    services.task_complete(user=head, task=task, outcome="Strategy discussion agreed", referred=True, reference="L-42")
    entry = case.entries.get(kind=EntryKind.LADO)
    assert entry.reference == "L-42" and "Referred to the LADO" in entry.details
    with pytest.raises(ValidationError, match="already done"):
        services.task_complete(user=head, task=task, outcome="again", referred=True, reference="L-42")


def test_only_the_case_manager_records(school, teacher, colleague, head, dsl):
    case = report(teacher, school, subject=colleague, allegation=True)
    with pytest.raises(PermissionDenied):
        services.entry_add(user=dsl, case=case, kind=EntryKind.POLICE, details="x", on=date.today())
    services.member_add(user=head, case=case, person=dsl)
    # Shared with the DSL: they read it, but the case manager records.
    with pytest.raises(PermissionDenied):
        services.entry_add(user=dsl, case=case, kind=EntryKind.POLICE, details="x", on=date.today())
    assert jobs(send_case_email, case.pk, dsl.pk, "shared")


def test_entries_record_r65_facts(school, teacher, colleague, head):
    case = report(teacher, school, subject=colleague, allegation=True)
    services.entry_add(
        user=head,
        case=case,
        kind=EntryKind.SUSPENSION,
        details="Considered; redeployed to non-teaching duties.",
        on=date.today(),
    )
    services.entry_add(
        user=head,
        case=case,
        kind=EntryKind.SUBJECT_INFORMED,
        details="Told at 16:00.",
        on=date.today(),
        person="Union representative, Alex Kerr",
    )
    kinds = set(case.entries.values_list("kind", flat=True))
    assert {EntryKind.ROUTED, EntryKind.SUSPENSION, EntryKind.SUBJECT_INFORMED} <= kinds
    with pytest.raises(ValidationError, match="future"):
        services.entry_add(user=head, case=case, kind=EntryKind.NOTE, details="x", on=date(2099, 1, 1))


def test_closing_an_allegation_needs_an_outcome_from_kcsie_and_lessons_when_substantiated(
    school, teacher, colleague, head
):
    assert set(OUTCOME_DEFINITIONS) == set(Outcome)
    assert [o.label for o in Outcome] == ["Substantiated", "Malicious", "False", "Unsubstantiated", "Unfounded"]
    case = report(teacher, school, subject=colleague, allegation=True)
    with pytest.raises(ValidationError) as refused:
        services.case_close(user=head, case=case, summary="Done", outcome=Outcome.UNFOUNDED)
    assert "Consult the LADO" in str(refused.value)
    services.task_complete(user=head, task=case.tasks.get(), outcome="No further action advised", referred=False)
    with pytest.raises(ValidationError, match="Choose the outcome"):
        services.case_close(user=head, case=case, summary="Done", outcome="")
    with pytest.raises(ValidationError, match="lessons learnt"):
        services.case_close(user=head, case=case, summary="Done", outcome=Outcome.SUBSTANTIATED)
    services.case_close(
        user=head,
        case=case,
        summary="Investigated; found proved.",
        outcome=Outcome.SUBSTANTIATED,
        lessons_learnt="Corridor supervision rota changed.",
        copy_given_on=date.today(),
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.outcome == Outcome.SUBSTANTIATED
    assert not case.remove_from_personnel_record
    services.case_reopen(user=head, case=case, reason="New information from the LADO")
    assert AdultCase.objects.get(pk=case.pk).is_open


@pytest.mark.parametrize("outcome", [Outcome.MALICIOUS, Outcome.FALSE])
def test_malicious_and_false_findings_are_flagged_for_removal(school, teacher, colleague, head, outcome):
    case = report(teacher, school, subject=colleague, allegation=True)
    services.task_complete(user=head, task=case.tasks.get(), outcome="Advice", referred=True, reference="L1")
    services.case_close(user=head, case=case, summary="Disproved", outcome=outcome)
    assert AdultCase.objects.get(pk=case.pk).remove_from_personnel_record


def test_low_level_decision_then_escalation_keeps_the_history(school, teacher, colleague, head):
    case = report(teacher, school, subject=colleague)
    with pytest.raises(ValidationError, match="decision"):
        services.case_close(user=head, case=case, summary="x")
    services.low_level_decide(user=head, case=case, decision="Speak to them.", action_taken="Spoken to on 1 May.")
    services.case_escalate(user=head, case=case, reason="A second, more serious account came in.")
    case.refresh_from_db()
    assert case.kind == CaseKind.ALLEGATION
    kinds = list(case.entries.order_by("created_at", "pk").values_list("kind", flat=True))
    assert kinds == [EntryKind.ROUTED, EntryKind.DECISION, EntryKind.ESCALATED]
    assert case.tasks.filter(kind=TaskKind.LADO_CONSULTATION, completed_at__isnull=True).exists()


def test_escalation_from_the_dsl_moves_the_case_to_the_head(school, teacher, colleague, head, dsl):
    from staff_allegations.models import AdultCaseSettings, DecisionMaker

    AdultCaseSettings.objects.create(school=school, low_level_decision_maker=DecisionMaker.DSL)
    case = report(teacher, school, subject=colleague)
    assert case.case_manager == dsl
    services.case_escalate(user=dsl, case=case, reason="Meets the threshold as a pattern.")
    case.refresh_from_db()
    assert case.case_manager == head
    assert case.members.filter(user=dsl).exists()


def test_two_low_level_concerns_about_one_person_make_a_pattern(school, teacher, colleague, head):
    first = report(teacher, school, subject=colleague)
    assert not first.tasks.filter(kind=TaskKind.PATTERN_REVIEW).exists()
    second = report(teacher, school, subject=colleague)
    assert second.tasks.filter(kind=TaskKind.PATTERN_REVIEW).exists()
    assert jobs(send_case_email, second.pk, head.pk, "pattern")
    from staff_allegations.selectors import pattern_list_for_user

    patterns = pattern_list_for_user(user=head)
    assert len(patterns) == 1 and set(patterns[0].cases) == {first, second}


def test_one_theme_across_three_people_makes_a_pattern(school, teacher, head, make_person):
    from safeguarding.models import Role
    from staff_allegations.selectors import pattern_list_for_user

    for n in range(3):
        person = make_person(Role.STAFF, school=school, username=f"p{n}")
        case = report(teacher, school, subject=person, theme="online")
    assert case.tasks.filter(kind=TaskKind.PATTERN_REVIEW).exists()
    assert any("3 different people" in p.label for p in pattern_list_for_user(user=head))


def test_records_reviewed_log(school, head):
    review = services.records_reviewed(user=head, school=school, notes="Termly review; nothing new.")
    assert review.reviewed_on == timezone.localdate()


def test_retention_dates(school, teacher, colleague, head):
    case = report(teacher, school, subject=colleague, allegation=True)
    raised = timezone.localtime(case.raised_at).date()
    assert case.review_on() == raised.replace(year=raised.year + 10)
    services.retention_set(user=head, case=case, retirement_on=date(2060, 9, 1), left_employment_on=None)
    assert case.review_on() == date(2060, 9, 1)
    llc = report(teacher, school, subject=colleague)
    assert llc.review_on() is None
    services.retention_set(user=head, case=llc, retirement_on=None, left_employment_on=date(2027, 8, 31))
    assert llc.review_on() == date(2027, 8, 31)


def test_same_form_twice_is_one_case(school, teacher, colleague, head):
    import uuid

    key = uuid.uuid4()
    first = report(teacher, school, subject=colleague, idempotency_key=key)
    assert report(teacher, school, subject=colleague, idempotency_key=key) == first
    assert AdultCase.objects.count() == 1
