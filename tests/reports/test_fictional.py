"""The fictional history behind the demo's reports and generate_volume (safeguarding/reports/fictional.py): what it
writes follows the rules the app keeps for real records."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from concerns.models import (
    LA_OUTCOMES_WITH_SOCIAL_WORKER,
    OWN_ACCOUNT_KINDS,
    Action,
    ActionKind,
    ActionStatus,
    Concern,
    ConcernKind,
    LaOutcome,
)
from safeguarding.models import Term
from safeguarding.reports.fictional import People, add_history, add_pupils

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(school, dsl):
    """600 fictional concerns in the autumn term 2025-26 (ended: everything that would be done is done)."""
    add_pupils(school, count=200, seed=7, establishment="4321")
    term = Term.objects.create(
        school=school, academic_year="2025-26", name="autumn", starts_on=date(2025, 9, 3), ends_on=date(2025, 12, 19)
    )
    people = People(author=dsl, author_name="Fictional Teacher", author_role="Teacher", dsl=dsl, dsl_name="DSL")
    now = timezone.make_aware(datetime.combine(date(2026, 6, 1), time(12)))
    add_history(school, term=term, count=600, pupils=list(school.pupils.all()), people=people, seed=11, now=now)
    return Concern.objects.filter(school=school)


def test_only_an_own_account_is_ever_late(history):
    assert history.filter(is_late=True).exists()
    assert not history.filter(is_late=True).exclude(kind__in=OWN_ACCOUNT_KINDS).exists()
    assert history.filter(kind=ConcernKind.DOMESTIC_ABUSE_NOTIFICATION).exists()


def test_some_are_paper_forms_entered_after_they_were_written(history):
    paper = history.filter(kind=ConcernKind.PAPER)
    assert paper.count() >= 5
    for record in paper:
        assert record.transcribed_by_id is not None
        assert record.happened_at < record.first_recorded_at < record.recorded_at
    assert not history.exclude(kind=ConcernKind.PAPER).filter(first_recorded_at__isnull=False).exists()


def test_the_la_decision_is_recorded_on_every_csc_decision_chase_done(history):
    chases = Action.objects.filter(concern__in=history, kind=ActionKind.CSC_DECISION_CHASE)
    done = chases.filter(status=ActionStatus.DONE)
    assert done.count() >= 20
    outcomes = set()
    for task in done:
        assert task.la_outcome in LaOutcome.values
        assert task.la_decided_on == timezone.localtime(task.completed_at).date()
        assert bool(task.social_worker) == (task.la_outcome in LA_OUTCOMES_WITH_SOCIAL_WORKER)
        assert "fictional" in task.social_worker or not task.social_worker
        outcomes.add(task.la_outcome)
    assert {LaOutcome.SECTION_47, LaOutcome.SECTION_17, LaOutcome.NO_FURTHER_ACTION} <= outcomes
    assert not chases.filter(status=ActionStatus.OPEN).exclude(la_outcome="").exists()
    assert (
        not Action.objects.filter(concern__in=history)
        .exclude(kind=ActionKind.CSC_DECISION_CHASE)
        .exclude(la_outcome="")
        .exists()
    )
