"""The tasks the law or the policy sets from what a concern is about, at raising or at triage: the FGM report a
teacher must make themselves (R32), the Prevent call (R33), the private fostering notification (R34), and the
risk assessments and separation for child-on-child sexual abuse (R35)."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from concerns.models import ActionKind, ActionStatus
from concerns.services import actions
from concerns.tasks import remind_action_due
from safeguarding import calendar
from safeguarding.models import Role

from ..conftest import sign_in
from .helpers import jobs
from .test_actions import (
    FRIDAY,
    LONDON,
    TUESDAY_MORNING,
    actions_of,
    add,
    concern_about,
    london,
    page_text,
    triage,
)


@pytest.fixture(autouse=True)
def clock():
    """The same Tuesday morning as test_actions.py; `clock(moment)` moves it."""
    with time_machine.travel(TUESDAY_MORNING, tick=False) as traveller:
        yield traveller.move_to


@pytest.fixture
def concern(school, teacher):
    return concern_about(school, teacher, "emotional_abuse")


# --- FGM, known case (R32) -------------------------------------------------------------------------------------


@pytest.fixture
def fgm_concern(school, teacher, clock):
    """A known FGM case recorded by the teacher at 14:00 on a Friday."""
    recorded = london(2025, 10, 10, 14, 0)
    assert recorded.weekday() == FRIDAY
    clock(recorded)
    return concern_about(school, teacher, "fgm")


@pytest.fixture
def fgm_report(fgm_concern, dsl, clock):
    """The report task, from a triage on the Monday morning after the concern was recorded."""
    clock(london(2025, 10, 13, 9, 0))
    triage(dsl, fgm_concern, known_fgm=True)
    [report] = actions_of(fgm_concern, ActionKind.FGM_REPORT)
    return report


@pytest.mark.django_db
def test_a_known_fgm_case_gives_the_teacher_who_found_it_a_personal_report_task(fgm_report, fgm_concern, teacher):
    """The mandatory report belongs to the teacher who recorded the concern, not to the DSL who triaged it, and
    cannot be passed on."""
    assert fgm_report.owner == teacher
    assert not fgm_report.reassignable
    assert fgm_report.is_open
    assert fgm_report.get_kind_display() == "FGM mandatory report to the police (101)"


@pytest.mark.django_db
def test_the_fgm_report_is_due_at_the_close_of_the_working_day_after_the_concern_was_recorded(fgm_report, fgm_concern):
    """Recorded on a Friday and triaged on Monday, the report is due at 17:00 on that Monday: the clock starts when
    the teacher recorded it, not at triage."""
    assert fgm_report.due_at == london(2025, 10, 13, 17, 0)
    assert fgm_report.due_at == calendar.close_of_next_working_day(fgm_concern.recorded_at)
    assert [job.run_after for job in jobs(remind_action_due, fgm_report.pk)] == [fgm_report.due_at]


@pytest.mark.django_db
def test_the_fgm_report_cannot_be_given_to_someone_else(fgm_report, teacher, dsl, deputy):
    """Reassigning the report is refused as the personal legal duty of the person who found it."""
    with pytest.raises(ValidationError, match="personal legal duty"):
        actions.action_reassign(user=dsl, action=fgm_report, owner=deputy)
    fgm_report.refresh_from_db()
    assert fgm_report.owner == teacher


@pytest.mark.django_db
def test_any_other_action_can_be_given_to_someone_else(concern, dsl, deputy):
    """A pastoral support action passes from the DSL to the deputy."""
    action = add(dsl, concern, ActionKind.PASTORAL_SUPPORT, due_at=london(2025, 10, 15, 16, 0))
    actions.action_reassign(user=dsl, action=action, owner=deputy)
    action.refresh_from_db()
    assert action.owner == deputy


@pytest.mark.django_db
def test_the_teacher_sees_the_fgm_report_under_tasks_for_you(client, fgm_report, teacher):
    """My concerns shows the teacher their report to make, with its due time and the 101 instruction."""
    sign_in(client, teacher)
    page = page_text(client.get(reverse("concerns:my_concerns")))
    tasks = page.split('id="tasks-heading">Tasks for you</h2>', 1)
    assert len(tasks) == 2, "no Tasks for you section"
    subject = fgm_report.concern.subject
    assert (
        f"FGM mandatory report to the police (101)</strong>, about {subject.full_name}, due Mon 13 Oct 2025, 17:00"
        in (tasks[1])
    )
    assert "This is your personal legal duty: report it to the police on 101" in tasks[1]
    assert reverse("concerns:complete_action", kwargs={"action_id": fgm_report.public_id}) in tasks[1]


@pytest.mark.django_db
def test_my_concerns_has_no_tasks_section_for_someone_with_no_tasks(client, fgm_report, school, make_person):
    """Another member of staff sees no "Tasks for you" and nothing of the teacher's report."""
    colleague = make_person(Role.STAFF, school=school)
    sign_in(client, colleague)
    page = page_text(client.get(reverse("concerns:my_concerns")))
    assert "Tasks for you" not in page
    assert "FGM mandatory report" not in page


@pytest.mark.django_db
def test_the_teacher_completes_the_fgm_report_with_the_police_reference(client, fgm_report, teacher):
    """The teacher records what they did and the 101 reference; the report is done and the task leaves their
    list."""
    sign_in(client, teacher)
    url = reverse("concerns:complete_action", kwargs={"action_id": fgm_report.public_id})
    response = client.post(url, {"outcome": "Reported on 101 at 15:10.", "reference": "DP-2025-0413"})
    assert response.status_code == 302
    assert response["Location"] == reverse("concerns:my_concerns")
    fgm_report.refresh_from_db()
    assert fgm_report.status == ActionStatus.DONE
    assert (fgm_report.outcome, fgm_report.reference) == ("Reported on 101 at 15:10.", "DP-2025-0413")
    assert fgm_report.completed_by == teacher
    assert "Tasks for you" not in page_text(client.get(reverse("concerns:my_concerns")))


@pytest.mark.django_db
def test_the_fgm_report_without_a_police_reference_is_refused(client, fgm_report, teacher):
    """Marking the report done without the reference shows why and leaves it open."""
    sign_in(client, teacher)
    url = reverse("concerns:complete_action", kwargs={"action_id": fgm_report.public_id})
    response = client.post(url, {"outcome": "Reported on 101.", "reference": ""}, follow=True)
    assert response.status_code == 200
    assert "Give the police reference of your report (101)." in page_text(response)
    fgm_report.refresh_from_db()
    assert fgm_report.is_open
    assert fgm_report.reference == ""


@pytest.mark.django_db
def test_a_suspected_fgm_case_creates_no_report_task(school, teacher, dsl):
    """Suspected or at risk (category FGM, not a known case) takes the normal route: no mandatory report."""
    concern = concern_about(school, teacher, "fgm")
    triage(dsl, concern, known_fgm=False)
    assert not actions_of(concern, ActionKind.FGM_REPORT)


# --- Radicalisation, private fostering, child-on-child sexual abuse (R33–R35) ---------------------------------


@pytest.mark.django_db
def test_a_radicalisation_concern_prompts_a_call_to_the_prevent_team(school, teacher, dsl):
    """Triaging a radicalisation concern sets "Call the LA Prevent team for advice" for the DSL (R33)."""
    concern = concern_about(school, teacher, "radicalisation")
    triage(dsl, concern)
    [advice] = actions_of(concern, ActionKind.PREVENT_ADVICE)
    assert advice.get_kind_display() == "Call the LA Prevent team for advice"
    assert advice.owner == dsl
    assert advice.is_open


@pytest.mark.django_db
def test_re_categorising_as_radicalisation_at_triage_prompts_the_prevent_call(concern, dsl):
    """The DSL's own category counts, even where the reporter chose another."""
    triage(dsl, concern, category_codes=["radicalisation"])
    assert actions_of(concern, ActionKind.PREVENT_ADVICE)


@pytest.mark.django_db
def test_private_fostering_sets_the_notification_to_the_la(school, teacher, dsl, clock):
    """Triaging private fostering tracks the written notification to the LA, due the next working day (R34)."""
    clock(london(2025, 10, 8, 10, 0))
    concern = concern_about(school, teacher, "private_fostering")
    triage(dsl, concern)
    [notification] = actions_of(concern, ActionKind.PRIVATE_FOSTERING_NOTIFICATION)
    assert notification.get_kind_display() == "Private fostering notification to the LA"
    assert notification.due_at == london(2025, 10, 9, 17, 0)


@pytest.mark.django_db
def test_sexual_harassment_sets_three_risk_assessments_each_with_a_review_date(school, teacher, dsl, clock):
    """Victim, alleged perpetrator and other children each get a risk and needs assessment, reviewed 28 days after
    it is due; harassment alone sets no separation (R35)."""
    clock(london(2025, 10, 8, 10, 0))
    concern = concern_about(school, teacher, "sexual_harassment")
    triage(dsl, concern)
    assessments = list(concern.actions.filter(kind__in=actions.RISK_ASSESSMENTS))
    assert {a.kind for a in assessments} == {
        ActionKind.RISK_ASSESSMENT_VICTIM,
        ActionKind.RISK_ASSESSMENT_PERPETRATOR,
        ActionKind.RISK_ASSESSMENT_OTHERS,
    }
    for assessment in assessments:
        assert assessment.due_at is not None
        assert assessment.review_on == timezone.localtime(assessment.due_at, LONDON).date() + timedelta(days=28)
    assert not actions_of(concern, ActionKind.SEPARATION)


@pytest.mark.django_db
def test_a_review_four_weeks_on_that_falls_on_a_bank_holiday_moves_to_the_next_school_day(school, teacher, dsl, clock):
    """Issue 18, item 6: triaged on Thursday 3 December 2026, due Friday 4th; four weeks on is New Year's Day, a
    bank holiday. With no terms entered the review is on Monday 4 January; with the spring term starting on
    Tuesday 5 January (an INSET day on the Monday), on the 5th."""
    from safeguarding.models import Term

    clock(london(2026, 12, 3, 10, 0))
    concern = concern_about(school, teacher, "sexual_harassment")
    triage(dsl, concern)
    assert {a.review_on for a in concern.actions.filter(kind__in=actions.RISK_ASSESSMENTS)} == {date(2027, 1, 4)}

    Term.objects.create(
        school=school, name="autumn", academic_year="2026-27", starts_on=date(2026, 9, 2), ends_on=date(2026, 12, 18)
    )
    Term.objects.create(
        school=school, name="spring", academic_year="2026-27", starts_on=date(2027, 1, 5), ends_on=date(2027, 3, 26)
    )
    later = concern_about(school, teacher, "sexual_harassment")
    triage(dsl, later)
    assert {a.review_on for a in later.actions.filter(kind__in=actions.RISK_ASSESSMENTS)} == {date(2027, 1, 5)}
    assert all(calendar.is_school_day(school, a.review_on) for a in later.actions.filter(review_on__isnull=False))


@pytest.mark.django_db
def test_sexual_violence_also_sets_separation_due_now(school, teacher, dsl, clock):
    """Sexual violence brings the three assessments and an immediate task to separate the children (R35)."""
    triaged = london(2025, 10, 8, 10, 0)
    clock(triaged)
    concern = concern_about(school, teacher, "sexual_violence")
    triage(dsl, concern)
    assert len(concern.actions.filter(kind__in=actions.RISK_ASSESSMENTS)) == 3
    [separation] = actions_of(concern, ActionKind.SEPARATION)
    assert separation.due_at == triaged
    assert "plan separation, including transport" in separation.get_kind_display()
    assert [job.run_after for job in jobs(remind_action_due, separation.pk)] == [triaged]


@pytest.mark.django_db
def test_an_emotional_abuse_concern_sets_no_automatic_actions(concern, dsl):
    """Rules fire only for what they are about."""
    triage(dsl, concern)
    assert not concern.actions.exists()


@pytest.mark.django_db
def test_triaging_twice_sets_no_second_set_of_actions(school, teacher, dsl):
    """A second triage leaves one of each automatic action, and queues no second reminder."""
    concern = concern_about(school, teacher, "sexual_violence", "radicalisation", "private_fostering")
    triage(dsl, concern, known_fgm=True)
    first = sorted(concern.actions.values_list("kind", flat=True))
    reminders = len(jobs(remind_action_due))
    triage(dsl, concern, known_fgm=True, rationale="Reviewed after the strategy discussion.")
    assert sorted(concern.actions.values_list("kind", flat=True)) == first
    assert len(first) == len(set(first)) == 7
    assert len(jobs(remind_action_due)) == reminders
