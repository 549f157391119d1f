"""When an unacknowledged concern goes to the senior leaders (R20): the clock in school hours, and the escalation."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from concerns.models import Alert, AlertReason, Concern
from concerns.services import alerting
from concerns.tasks import escalate_if_unacknowledged, send_alert_email
from safeguarding.calendar import add_school_minutes
from safeguarding.models import Role

from ..factories import raise_concern
from .helpers import jobs

LONDON = ZoneInfo("Europe/London")
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY = range(6)


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def due(school, raised_at: datetime, *, immediate: bool) -> datetime:
    return alerting.escalation_due(school=school, recorded_at=raised_at, is_immediate=immediate)


@pytest.fixture(autouse=True)
def clock():
    """The concerns below are raised on a Wednesday morning in school hours, like the fixed datetimes here."""
    with time_machine.travel(london(2025, 10, 8, 10, 0), tick=False) as traveller:
        yield traveller


# --- The clock (fixed datetimes, Europe/London, school hours 08:30–15:30) --------------------------------------


@pytest.mark.django_db
def test_an_immediate_concern_escalates_after_15_school_minutes(school):
    """Raised at 10:00 on a Wednesday, an Immediate concern is due to escalate at 10:15."""
    raised = london(2025, 10, 8, 10, 0)
    assert raised.weekday() == WEDNESDAY

    assert due(school, raised, immediate=True) == london(2025, 10, 8, 10, 15)


@pytest.mark.django_db
def test_a_routine_concern_escalates_after_60_school_minutes(school):
    """Raised at 10:00 on a Wednesday, a routine concern is due to escalate at 11:00."""
    raised = london(2025, 10, 8, 10, 0)
    assert raised.weekday() == WEDNESDAY

    assert due(school, raised, immediate=False) == london(2025, 10, 8, 11, 0)


@pytest.mark.django_db
def test_the_clock_stops_at_the_end_of_the_school_day(school):
    """Raised at 15:20, a routine concern has 10 minutes that day and its other 50 next morning: 09:20 Thursday."""
    raised = london(2025, 10, 8, 15, 20)
    assert raised.weekday() == WEDNESDAY

    result = due(school, raised, immediate=False)

    assert result == london(2025, 10, 9, 9, 20)
    assert result.weekday() == THURSDAY


@pytest.mark.django_db
def test_a_concern_raised_before_school_counts_from_the_opening(school):
    """Raised at 07:00, an Immediate concern is counted from 08:30 and is due at 08:45."""
    assert due(school, london(2025, 10, 8, 7, 0), immediate=True) == london(2025, 10, 8, 8, 45)


@pytest.mark.django_db
def test_a_concern_raised_on_friday_evening_escalates_on_monday(school):
    """Raised at 18:00 on a Friday, a concern is counted from Monday's opening: 08:45 or 09:30."""
    raised = london(2025, 10, 10, 18, 0)
    assert raised.weekday() == FRIDAY

    immediate, routine = due(school, raised, immediate=True), due(school, raised, immediate=False)

    assert immediate == london(2025, 10, 13, 8, 45)
    assert routine == london(2025, 10, 13, 9, 30)
    assert routine.weekday() == MONDAY


@pytest.mark.django_db
def test_a_weekend_is_skipped(school):
    """Raised on a Saturday morning, a concern is counted from Monday's opening."""
    raised = london(2025, 10, 11, 10, 0)
    assert raised.weekday() == SATURDAY

    assert due(school, raised, immediate=False) == london(2025, 10, 13, 9, 30)


@pytest.mark.django_db
def test_a_bank_holiday_monday_is_skipped(school):
    """Raised on the Friday before the August bank holiday (Monday 25 August 2025), a concern escalates on Tuesday."""
    raised = london(2025, 8, 22, 18, 0)
    bank_holiday = london(2025, 8, 25, 9, 0)
    assert raised.weekday() == FRIDAY
    assert bank_holiday.weekday() == MONDAY

    result = due(school, raised, immediate=False)

    assert result == london(2025, 8, 26, 9, 30)
    assert result.weekday() == TUESDAY


@pytest.mark.django_db
def test_minutes_left_on_friday_carry_over_the_bank_holiday_weekend(school):
    """Raised at 15:00 before the bank holiday, a routine concern has 30 minutes on Friday and 30 on Tuesday."""
    raised = london(2025, 8, 22, 15, 0)
    assert raised.weekday() == FRIDAY

    assert due(school, raised, immediate=False) == london(2025, 8, 26, 9, 0)


@pytest.mark.django_db
def test_christmas_and_boxing_day_are_skipped(school):
    """Raised at 15:00 on Christmas Eve 2025 (a Wednesday), a routine concern escalates at 09:00 on Monday 29th."""
    raised = london(2025, 12, 24, 15, 0)
    assert raised.weekday() == WEDNESDAY

    result = due(school, raised, immediate=False)

    assert result == london(2025, 12, 29, 9, 0)
    assert result.weekday() == MONDAY


@pytest.mark.django_db
def test_school_hours_are_local_time_across_the_clock_change(school):
    """Over the weekend the clocks go back (26 October 2025), Monday's 09:30 is still 09:30 in London."""
    raised = london(2025, 10, 24, 18, 0)
    assert raised.weekday() == FRIDAY

    result = due(school, raised, immediate=False)

    assert result == london(2025, 10, 27, 9, 30)
    assert result.utcoffset() == timedelta(0)


@pytest.mark.django_db
def test_the_schools_own_hours_and_times_are_used(school):
    """A school open 09:00–15:00 with a 30-minute routine limit: raised 14:45, due 09:15 the next school day."""
    school.day_starts_at, school.day_ends_at = time(9, 0), time(15, 0)
    school.escalate_routine_after_minutes = 30
    school.save()
    raised = london(2025, 10, 8, 14, 45)
    assert raised.weekday() == WEDNESDAY

    assert due(school, raised, immediate=False) == london(2025, 10, 9, 9, 15)


@pytest.mark.django_db
def test_add_school_minutes_counts_only_school_hours(school):
    """Six and a half hours of school time from Friday 12:00 is 11:30 on the next Monday."""
    start = london(2025, 10, 10, 12, 0)
    assert start.weekday() == FRIDAY

    assert add_school_minutes(school, start, 390) == london(2025, 10, 13, 11, 30)


# --- Escalating ---------------------------------------------------------------------------------------------------


@pytest.fixture
def team(school, make_person):
    return {
        "dsl": make_person(Role.DSL, school=school, username="dsl"),
        "deputy": make_person(Role.DEPUTY_DSL, school=school, username="deputy"),
        "head": make_person(Role.HEADTEACHER, school=school, username="head"),
        "senior": make_person(Role.SENIOR_LEADER, school=school, username="senior"),
        "teacher": make_person(Role.STAFF, school=school, username="teacher"),
    }


@pytest.fixture
def concern(school, team):
    return raise_concern(author=team["teacher"], school=school)


def escalated_to(concern) -> list[str]:
    alerts = Alert.objects.filter(concern=concern, reason=AlertReason.ESCALATED)
    return sorted(alert.recipient.username for alert in alerts)


@pytest.mark.django_db
def test_an_unacknowledged_concern_past_due_goes_to_the_senior_leaders(concern):
    """Past its due time and unacknowledged, a concern alerts the Head and senior leaders and records when."""
    now = concern.escalation_due_at + timedelta(minutes=1)

    alerts = alerting.concern_escalate_if_unacknowledged(concern_id=concern.pk, now=now)

    assert sorted(alert.recipient.username for alert in alerts) == ["head", "senior"]
    assert escalated_to(concern) == ["head", "senior"]
    concern.refresh_from_db()
    assert concern.escalated_at == now


@pytest.mark.django_db
def test_each_escalation_alert_queues_its_email(concern):
    """Each senior leader's escalation alert has one email job queued."""
    now = concern.escalation_due_at + timedelta(minutes=1)

    alerts = alerting.concern_escalate_if_unacknowledged(concern_id=concern.pk, now=now)

    assert len(alerts) == 2
    for alert in alerts:
        assert len(jobs(send_alert_email, alert.pk)) == 1


@pytest.mark.django_db
def test_an_acknowledged_concern_is_not_escalated(concern, team):
    """Once the DSL team has acknowledged a concern, the escalation does nothing."""
    alerting.concern_acknowledge(user=team["dsl"], concern=concern)
    emails_before = len(jobs(send_alert_email))

    alerts = alerting.concern_escalate_if_unacknowledged(
        concern_id=concern.pk, now=concern.escalation_due_at + timedelta(hours=1)
    )

    assert alerts == []
    assert escalated_to(concern) == []
    assert len(jobs(send_alert_email)) == emails_before
    concern.refresh_from_db()
    assert concern.escalated_at is None


@pytest.mark.django_db
def test_run_early_it_waits_and_queues_itself_for_the_due_time(concern):
    """Run before the concern is due, the escalation alerts nobody and queues another check for the due time."""
    assert len(jobs(escalate_if_unacknowledged, concern.pk)) == 1

    alerts = alerting.concern_escalate_if_unacknowledged(
        concern_id=concern.pk, now=concern.escalation_due_at - timedelta(minutes=1)
    )

    assert alerts == []
    assert escalated_to(concern) == []
    concern.refresh_from_db()
    assert concern.escalated_at is None
    checks = jobs(escalate_if_unacknowledged, concern.pk)
    assert len(checks) == 2
    assert all(check.run_after == concern.escalation_due_at for check in checks)


@pytest.mark.django_db
def test_escalating_twice_alerts_the_senior_leaders_once(concern):
    """A second run of the escalation (a repeated job) sends no second alert and keeps the first time."""
    first_run = concern.escalation_due_at + timedelta(minutes=1)
    alerting.concern_escalate_if_unacknowledged(concern_id=concern.pk, now=first_run)
    emails_after_first = len(jobs(send_alert_email))

    again = alerting.concern_escalate_if_unacknowledged(concern_id=concern.pk, now=first_run + timedelta(hours=1))

    assert again == []
    assert escalated_to(concern) == ["head", "senior"]
    assert len(jobs(send_alert_email)) == emails_after_first
    concern.refresh_from_db()
    assert concern.escalated_at == first_run


@pytest.mark.django_db
def test_the_queued_job_escalates_a_concern_whose_time_has_passed(concern):
    """The worker's job, run after the due time, alerts the senior leaders."""
    Concern.objects.filter(pk=concern.pk).update(escalation_due_at=concern.recorded_at - timedelta(minutes=1))

    result = escalate_if_unacknowledged.call(concern.pk)

    assert result == "2 senior leaders alerted"
    assert escalated_to(concern) == ["head", "senior"]


@pytest.mark.django_db
def test_the_dsl_team_is_not_sent_the_escalation(concern):
    """The escalation goes to the senior leaders only: the DSL team already has its alert."""
    alerting.concern_escalate_if_unacknowledged(concern_id=concern.pk, now=concern.escalation_due_at)

    assert escalated_to(concern) == ["head", "senior"]
    assert sorted(
        alert.recipient.username for alert in Alert.objects.filter(concern=concern, reason=AlertReason.NEW_CONCERN)
    ) == ["deputy", "dsl"]
