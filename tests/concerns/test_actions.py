"""Actions and their deadlines: action_add, the referral follow-ups concern_triage sets, action_complete,
overdue actions, and the pages that show them (R28–R31, R39). The rules for FGM, radicalisation, private
fostering and child-on-child sexual abuse (R32–R35) are in test_action_rules.py, which shares this module's
helpers and its frozen clock."""

import html
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from concerns import selectors
from concerns.models import (
    Action,
    ActionKind,
    ActionStatus,
    ChronologyEntry,
    ChronologyKind,
    ConcernStatus,
    LevelOfNeed,
)
from concerns.services import actions
from concerns.services import triage as triage_services
from concerns.tasks import remind_action_due
from safeguarding import calendar
from safeguarding.models import Role

from ..conftest import sign_in
from ..factories import PupilFactory, raise_concern
from .helpers import jobs

LONDON = ZoneInfo("Europe/London")
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)
WRITTEN_FOLLOW_UP = "Written follow-up on the LA online referral system"
DECISION_CHASE = "LA decision received?"


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


TUESDAY_MORNING = london(2025, 10, 7, 10, 0)


@pytest.fixture(autouse=True)
def clock():
    """Every test starts on a Tuesday morning in the autumn term, the week most of them set: `clock(moment)` moves
    the clock (time-machine gives timezone.now() in UTC, as the real clock does)."""
    with time_machine.travel(TUESDAY_MORNING, tick=False) as traveller:
        yield traveller.move_to


def concern_about(school, author, *category_codes):
    pupil = PupilFactory(school=school, legal_first_name="Maya", legal_last_name="Okonjo")
    return raise_concern(author=author, school=school, subject=pupil, category_codes=list(category_codes))


@pytest.fixture
def concern(school, teacher):
    return concern_about(school, teacher, "emotional_abuse")


def add(user, concern, kind, **more):
    return actions.action_add(user=user, concern=concern, kind=kind, **more)


def triage(user, concern, *, known_fgm=False, category_codes=(), rationale="Seen and assessed."):
    concern.refresh_from_db()
    return triage_services.concern_triage(
        user=user,
        concern=concern,
        data=triage_services.TriageInput(
            level=LevelOfNeed.objects.get(code="level_3"),
            rationale=rationale,
            known_fgm=known_fgm,
            category_codes=list(category_codes),
        ),
        expected_version=concern.version,
    )


def actions_of(concern, kind) -> list[Action]:
    return list(concern.actions.filter(kind=kind))


def kinds(concern) -> set[str]:
    return set(concern.actions.values_list("kind", flat=True))


def page_text(response) -> str:
    return html.unescape(response.content.decode())


# --- action_add (R28) ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_action_is_set_with_its_owner_and_due_time(concern, dsl, deputy):
    """The DSL sets an action for the deputy: it is open, owned by the deputy, due when the DSL said."""
    due = london(2025, 10, 15, 16, 0)
    action = add(dsl, concern, ActionKind.PASTORAL_SUPPORT, owner=deputy, due_at=due, notes="Daily check-in.")
    action.refresh_from_db()
    assert (action.owner, action.created_by, action.due_at) == (deputy, dsl, due)
    assert action.status == ActionStatus.OPEN
    assert action.notes == "Daily check-in."
    assert action.reassignable


@pytest.mark.django_db
def test_an_action_with_no_owner_named_belongs_to_whoever_set_it(concern, dsl):
    """Without an owner, the action is the DSL's own."""
    action = add(dsl, concern, ActionKind.DISCUSS_WITH_PARENTS, due_at=london(2025, 10, 15, 16, 0))
    assert action.owner == dsl


@pytest.mark.django_db
def test_setting_an_action_marks_the_concern_actions_open(concern, dsl):
    """A triaged concern with an action set is Actions open (R25)."""
    triage(dsl, concern)
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.TRIAGED
    add(dsl, concern, ActionKind.MONITORING, due_at=london(2025, 10, 15, 16, 0))
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.ACTIONS_OPEN
    assert concern.get_status_display() == "Actions open"


@pytest.mark.django_db
def test_setting_an_action_writes_a_chronology_line_naming_the_action_and_its_owner(concern, dsl, deputy):
    """The chronology says who set which action, for whom, and by when, in words (R52, R54)."""
    add(dsl, concern, ActionKind.PASTORAL_SUPPORT, owner=deputy, due_at=london(2025, 10, 15, 16, 0))
    [entry] = ChronologyEntry.objects.filter(concern=concern, kind=ChronologyKind.ACTION_ADDED)
    assert entry.summary == (
        "Action set by Helen Marsh (Designated Safeguarding Lead): Pastoral support, "
        "for Tom Reeve (Deputy Safeguarding Lead), due 15 October 2025 at 16:00."
    )
    assert entry.pupil == concern.subject
    assert entry.author == dsl


@pytest.mark.django_db
def test_setting_an_action_queues_its_reminder_for_the_due_time(concern, dsl):
    """One reminder job waits for the action's due time, not before."""
    due = london(2025, 10, 15, 16, 0)
    action = add(dsl, concern, ActionKind.PASTORAL_SUPPORT, due_at=due)
    [job] = jobs(remind_action_due, action.pk)
    assert job.run_after == due


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.STAFF, Role.HEADTEACHER])
def test_only_the_dsl_team_can_set_an_action(concern, school, make_person, role):
    """A member of staff or the Headteacher is refused, and nothing is saved or queued."""
    person = make_person(role, school=school)
    with pytest.raises(PermissionDenied):
        add(person, concern, ActionKind.PASTORAL_SUPPORT, due_at=london(2025, 10, 15, 16, 0))
    concern.refresh_from_db()
    assert not Action.objects.exists()
    assert concern.status == ConcernStatus.NEW
    assert not jobs(remind_action_due)


@pytest.mark.django_db
def test_an_owner_from_another_school_is_refused(concern, dsl, other_school, make_person):
    """An action cannot be given to someone who does not work at the concern's school."""
    stranger = make_person(Role.DSL, school=other_school)
    with pytest.raises(ValidationError, match="must work at this school"):
        add(dsl, concern, ActionKind.PASTORAL_SUPPORT, owner=stranger, due_at=london(2025, 10, 15, 16, 0))
    assert not Action.objects.exists()
    assert not ChronologyEntry.objects.filter(kind=ChronologyKind.ACTION_ADDED).exists()


# --- Referrals to children's social care (R29, R30, R31) -------------------------------------------------------


@pytest.mark.django_db
def test_a_phone_referral_brings_its_written_follow_up_due_48_hours_later(concern, dsl, deputy, clock):
    """Phoned at 10:00 on a Wednesday, the written follow-up on the LA system is due at 10:00 on Friday, for the
    person who made the call (R29)."""
    called = london(2025, 10, 8, 10, 0)
    assert called.weekday() == WEDNESDAY
    clock(called)
    add(dsl, concern, ActionKind.CSC_REFERRAL_PHONE, owner=deputy)
    [follow_up] = actions_of(concern, ActionKind.CSC_WRITTEN_FOLLOW_UP)
    assert follow_up.get_kind_display() == WRITTEN_FOLLOW_UP
    assert follow_up.due_at == london(2025, 10, 10, 10, 0)
    assert follow_up.owner == deputy
    assert follow_up.is_open
    assert [job.run_after for job in jobs(remind_action_due, follow_up.pk)] == [follow_up.due_at]


@pytest.mark.django_db
def test_the_48_hours_are_clock_hours_through_a_weekend_and_the_clocks_going_back(concern, dsl, clock):
    """Phoned at 10:00 on the Friday before the clocks go back, the follow-up is due 48 real hours later: 09:00 on
    Sunday by the clock on the wall, not a working day later (R31)."""
    called = london(2025, 10, 24, 10, 0)
    assert called.weekday() == FRIDAY
    clock(called)
    add(dsl, concern, ActionKind.CSC_REFERRAL_PHONE)
    [follow_up] = actions_of(concern, ActionKind.CSC_WRITTEN_FOLLOW_UP)
    assert follow_up.due_at - called == timedelta(hours=48)
    assert follow_up.due_at == london(2025, 10, 26, 9, 0)
    assert timezone.localtime(follow_up.due_at, LONDON).weekday() == SUNDAY


@pytest.mark.django_db
def test_a_phone_referral_brings_the_la_decision_chase_due_at_five_the_next_working_day(concern, dsl, clock):
    """Phoned on a Wednesday morning, "LA decision received?" is due at 17:00 on Thursday (R30)."""
    called = london(2025, 10, 8, 10, 0)
    clock(called)
    add(dsl, concern, ActionKind.CSC_REFERRAL_PHONE)
    [chase] = actions_of(concern, ActionKind.CSC_DECISION_CHASE)
    assert chase.get_kind_display() == DECISION_CHASE
    assert chase.due_at == london(2025, 10, 9, 17, 0)
    assert chase.due_at == calendar.end_of_working_day(calendar.add_working_days(date(2025, 10, 8), 1))
    assert [job.run_after for job in jobs(remind_action_due, chase.pk)] == [chase.due_at]


@pytest.mark.django_db
def test_a_friday_referral_has_its_la_decision_chased_on_monday(concern, dsl, clock):
    """Phoned on a Friday afternoon, the LA decision is chased at 17:00 on Monday: the weekend does not count."""
    called = london(2025, 10, 10, 15, 30)
    assert called.weekday() == FRIDAY
    clock(called)
    add(dsl, concern, ActionKind.CSC_REFERRAL_PHONE)
    [chase] = actions_of(concern, ActionKind.CSC_DECISION_CHASE)
    assert chase.due_at == london(2025, 10, 13, 17, 0)
    assert timezone.localtime(chase.due_at, LONDON).weekday() == MONDAY


@pytest.mark.django_db
def test_a_referral_before_a_bank_holiday_monday_has_its_decision_chased_on_tuesday(concern, dsl, clock):
    """Phoned on the Friday before the August bank holiday, the LA decision is chased at 17:00 on Tuesday."""
    called = london(2025, 8, 22, 11, 0)
    assert called.weekday() == FRIDAY
    assert calendar.is_bank_holiday(date(2025, 8, 25))
    clock(called)
    add(dsl, concern, ActionKind.CSC_REFERRAL_PHONE)
    [chase] = actions_of(concern, ActionKind.CSC_DECISION_CHASE)
    assert chase.due_at == london(2025, 8, 26, 17, 0)
    assert timezone.localtime(chase.due_at, LONDON).weekday() == TUESDAY


@pytest.mark.django_db
def test_the_next_working_day_is_counted_from_the_london_date_not_the_utc_one(concern, dsl, clock):
    """Phoned at 00:30 on a Thursday in summer time (still Wednesday in UTC), the decision is due on Friday."""
    called = london(2025, 10, 9, 0, 30)
    assert called.astimezone(UTC).date() == date(2025, 10, 8)
    clock(called)
    add(dsl, concern, ActionKind.CSC_REFERRAL_PHONE)
    [chase] = actions_of(concern, ActionKind.CSC_DECISION_CHASE)
    assert chase.due_at == london(2025, 10, 10, 17, 0)


@pytest.mark.django_db
def test_an_online_referral_brings_only_the_decision_chase(concern, dsl, clock):
    """An online referral is already written: no follow-up, only "LA decision received?" the next working day."""
    clock(london(2025, 10, 8, 10, 0))
    add(dsl, concern, ActionKind.CSC_REFERRAL_ONLINE)
    assert kinds(concern) == {ActionKind.CSC_REFERRAL_ONLINE, ActionKind.CSC_DECISION_CHASE}
    [chase] = actions_of(concern, ActionKind.CSC_DECISION_CHASE)
    assert chase.due_at == london(2025, 10, 9, 17, 0)


@pytest.mark.django_db
def test_other_actions_bring_no_follow_ups(concern, dsl):
    """Pastoral support is one action and nothing more."""
    add(dsl, concern, ActionKind.PASTORAL_SUPPORT, due_at=london(2025, 10, 15, 16, 0))
    assert kinds(concern) == {ActionKind.PASTORAL_SUPPORT}


# --- action_complete -------------------------------------------------------------------------------------------


@pytest.fixture
def pastoral(concern, dsl, teacher):
    """Pastoral support the DSL gave to the teacher."""
    return add(dsl, concern, ActionKind.PASTORAL_SUPPORT, owner=teacher, due_at=london(2025, 10, 15, 16, 0))


@pytest.mark.django_db
def test_completing_an_action_needs_an_outcome(pastoral, dsl):
    """Done without saying what was done is refused; the action stays open."""
    with pytest.raises(ValidationError) as refused:
        actions.action_complete(user=dsl, action=pastoral, outcome="   ")
    assert "outcome" in refused.value.message_dict
    pastoral.refresh_from_db()
    assert pastoral.is_open
    assert pastoral.completed_at is None


@pytest.mark.django_db
def test_the_owner_completes_their_own_action(pastoral, teacher):
    """The teacher who owns the action marks it done, with who and when."""
    before = timezone.now()
    actions.action_complete(user=teacher, action=pastoral, outcome="Weekly check-ins agreed with the pupil.")
    pastoral.refresh_from_db()
    assert pastoral.status == ActionStatus.DONE
    assert pastoral.completed_by == teacher
    assert before <= pastoral.completed_at <= timezone.now()
    assert pastoral.outcome == "Weekly check-ins agreed with the pupil."


@pytest.mark.django_db
def test_the_dsl_team_completes_someone_elses_action(pastoral, deputy):
    """A deputy DSL may mark done an action the teacher owns."""
    actions.action_complete(user=deputy, action=pastoral, outcome="Done in the teacher's absence.")
    pastoral.refresh_from_db()
    assert pastoral.status == ActionStatus.DONE
    assert pastoral.completed_by == deputy


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.STAFF, Role.HEADTEACHER])
def test_anyone_else_cannot_complete_the_action(pastoral, school, make_person, role):
    """Another member of staff, or the Headteacher, is refused; the action stays open."""
    person = make_person(role, school=school)
    with pytest.raises(PermissionDenied):
        actions.action_complete(user=person, action=pastoral, outcome="Not mine to do.")
    pastoral.refresh_from_db()
    assert pastoral.is_open


@pytest.mark.django_db
def test_completing_writes_a_chronology_line_with_the_reference(concern, dsl):
    """The chronology names the action, who did it, what was done and the reference."""
    action = add(dsl, concern, ActionKind.POLICE_NON_EMERGENCY, due_at=london(2025, 10, 15, 16, 0))
    actions.action_complete(user=dsl, action=action, outcome="Reported to Derbyshire Police.", reference="DP-77123")
    [entry] = ChronologyEntry.objects.filter(concern=concern, kind=ChronologyKind.ACTION_DONE)
    assert entry.summary == (
        "Police: 101: done by Helen Marsh (Designated Safeguarding Lead). Reported to Derbyshire Police. "
        "Reference: DP-77123."
    )
    assert entry.author == dsl


# --- Overdue actions (R39) -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_overdue_actions_are_the_open_ones_past_due_at_this_school(school, other_school, concern, dsl, make_person):
    """Open and past due is listed, oldest due first; done, not yet due and another school's are not."""
    late = add(dsl, concern, ActionKind.PASTORAL_SUPPORT, due_at=london(2025, 10, 8, 9, 0))
    later = add(dsl, concern, ActionKind.MONITORING, due_at=london(2025, 10, 9, 9, 0))
    done = add(dsl, concern, ActionKind.INFORM_STAFF, due_at=london(2025, 10, 8, 9, 0))
    actions.action_complete(user=dsl, action=done, outcome="Form tutor told.")
    add(dsl, concern, ActionKind.DISCUSS_WITH_PARENTS, due_at=london(2025, 10, 20, 9, 0))
    elsewhere_dsl = make_person(Role.DSL, school=other_school)
    elsewhere = concern_about(other_school, make_person(Role.STAFF, school=other_school), "neglect")
    add(elsewhere_dsl, elsewhere, ActionKind.PASTORAL_SUPPORT, due_at=london(2025, 10, 8, 9, 0))

    overdue = list(selectors.overdue_actions(school=school, now=london(2025, 10, 10, 12, 0)))

    assert overdue == [late, later]


@pytest.fixture
def overdue_pastoral(concern, dsl):
    return add(dsl, concern, ActionKind.PASTORAL_SUPPORT, due_at=timezone.now() - timedelta(hours=2))


@pytest.mark.django_db
def test_the_dsls_queue_shows_overdue_actions(client, overdue_pastoral, dsl):
    """The queue lists the overdue action with its owner and a link to the concern."""
    sign_in(client, dsl)
    response = client.get(reverse("concerns:queue"))
    assert response.status_code == 200
    page = page_text(response)
    assert "Overdue actions (1)" in page
    detail = reverse("concerns:detail", kwargs={"public_id": overdue_pastoral.concern.public_id})
    assert f'<a href="{detail}">Pastoral support</a>: Helen Marsh, due' in page


@pytest.mark.django_db
def test_the_queue_shows_no_overdue_heading_when_nothing_is_overdue(client, concern, dsl):
    """An action not yet due is not on the queue."""
    add(dsl, concern, ActionKind.PASTORAL_SUPPORT, due_at=timezone.now() + timedelta(days=2))
    sign_in(client, dsl)
    assert "Overdue actions" not in page_text(client.get(reverse("concerns:queue")))


@pytest.mark.django_db
def test_staff_cannot_open_the_queue(client, overdue_pastoral, teacher):
    """A member of staff is refused the queue, overdue actions and all."""
    sign_in(client, teacher)
    response = client.get(reverse("concerns:queue"))
    assert response.status_code == 403
    assert "Pastoral support" not in page_text(response)
