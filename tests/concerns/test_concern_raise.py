"""concern_raise: the concern, everything hanging off it, its alerts and its queued jobs, in one transaction."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from concerns.models import (
    Alert,
    AlertReason,
    Attachment,
    CategoryChoice,
    Concern,
    ConcernCategory,
    ConcernPupil,
    PupilRole,
    Quote,
)
from concerns.services import alerting, raising
from concerns.tasks import escalate_if_unacknowledged, send_alert_email
from safeguarding.models import Role

from ..factories import PDF_BYTES, PupilFactory, concern_input, raise_concern
from .helpers import jobs

LONDON = ZoneInfo("Europe/London")

NOW = datetime(2026, 12, 2, 10, 30, tzinfo=LONDON)  # a Wednesday morning in term, in school hours


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def team(school, make_person):
    """A school's DSL, two deputies, head, senior leader and a teacher who raises concerns."""
    return {
        "dsl": make_person(Role.DSL, school=school, username="dsl"),
        "deputy": make_person(Role.DEPUTY_DSL, school=school, username="deputy"),
        "second_deputy": make_person(Role.DEPUTY_DSL, school=school, username="second_deputy"),
        "head": make_person(Role.HEADTEACHER, school=school, username="head"),
        "senior": make_person(Role.SENIOR_LEADER, school=school, username="senior"),
        "teacher": make_person(Role.STAFF, school=school, username="teacher", job_title="Teacher of Geography"),
    }


def recipients(concern, reason=None) -> set[str]:
    alerts = Alert.objects.filter(concern=concern, **({"reason": reason} if reason else {}))
    return {alert.recipient.username for alert in alerts}


# --- What is saved --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_saves_the_subject_and_the_other_pupils_with_their_parts(school, team):
    """The child the concern is about is linked as its subject; other children keep the part they played."""
    subject = PupilFactory(school=school)
    witness = PupilFactory(school=school)
    perpetrator = PupilFactory(school=school)

    concern = raise_concern(
        author=team["teacher"],
        school=school,
        subject=subject,
        other_pupils=[(witness, PupilRole.WITNESS), (perpetrator, PupilRole.ALLEGED_PERPETRATOR)],
    )

    links = {(link.pupil_id, link.role) for link in ConcernPupil.objects.filter(concern=concern)}
    assert links == {
        (subject.pk, PupilRole.SUBJECT),
        (witness.pk, PupilRole.WITNESS),
        (perpetrator.pk, PupilRole.ALLEGED_PERPETRATOR),
    }
    assert Concern.objects.get(pk=concern.pk).subject == subject


@pytest.mark.django_db
def test_categories_are_saved_once_each_as_the_reporters_choice(school, team):
    """Each category the reporter picked is saved once, marked as the reporter's choice (R9)."""
    concern = raise_concern(author=team["teacher"], school=school, category_codes=["neglect", "bullying", "neglect"])

    saved = ConcernCategory.objects.filter(concern=concern)
    assert sorted(category.code for category in saved) == ["bullying", "neglect"]
    assert {category.chosen_by for category in saved} == {CategoryChoice.REPORTER}


@pytest.mark.django_db
def test_quotes_are_saved_in_the_order_given_with_their_speakers(school, team):
    """Exact words keep their order and who said them (R6)."""
    quotes = [
        ("I don't want to go home.", "The pupil"),
        ("He said it again at lunch.", "A friend of the pupil"),
        ("Leave it, it's fine.", "The pupil"),
    ]

    concern = raise_concern(author=team["teacher"], school=school, quotes=quotes)

    saved = [(quote.words, quote.speaker, quote.order) for quote in Quote.objects.filter(concern=concern)]
    assert saved == [(words, speaker, order) for order, (words, speaker) in enumerate(quotes)]


@pytest.mark.django_db
def test_an_attachment_is_stored_with_its_name_type_size_and_uploader(school, team):
    """A file attached to the concern is stored, keeping the original name as data only (R11)."""
    concern = raise_concern(author=team["teacher"], school=school, attachment=True)

    attachment = Attachment.objects.get(concern=concern)
    assert attachment.original_name == "notes.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF_BYTES)
    assert attachment.uploaded_by == team["teacher"]
    assert "notes.pdf" not in attachment.file.name
    with attachment.file.open("rb") as stored:
        assert stored.read() == PDF_BYTES


@pytest.mark.django_db
def test_the_authors_name_and_job_title_are_kept_as_they_were_that_day(school, team):
    """The record shows the author's full name and job title as they stood when it was written (R3)."""
    teacher = team["teacher"]
    teacher.first_name, teacher.last_name = "Imogen", "Ashcroft"
    teacher.save()

    concern = raise_concern(author=teacher, school=school)
    teacher.last_name = "Ashcroft-Bell"
    teacher.job_title = "Head of Year 9"
    teacher.save()

    concern.refresh_from_db()
    assert concern.author == teacher
    assert concern.author_name == "Imogen Ashcroft"
    assert concern.author_role == "Teacher of Geography"


@pytest.mark.django_db
def test_recorded_at_is_the_servers_time_not_when_it_happened(school, team):
    """The time of recording comes from the server, whatever time the reporter gives for the incident."""
    happened_at = NOW - timedelta(days=3)
    concern = raise_concern(author=team["teacher"], school=school, happened_at=happened_at)

    concern.refresh_from_db()
    assert concern.recorded_at == NOW
    assert concern.happened_at == happened_at


# --- Alerts and jobs ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_alerts_the_dsl_and_every_deputy_and_nobody_else(school, other_school, team, make_person):
    """Sending a concern alerts the DSL and each deputy at the school: not staff, leaders or another school (R19)."""
    make_person(Role.DSL, school=other_school, username="other_dsl")
    make_person(Role.STAFF, school=school, username="colleague")

    concern = raise_concern(author=team["teacher"], school=school)

    assert recipients(concern) == {"dsl", "deputy", "second_deputy"}
    assert recipients(concern, AlertReason.NEW_CONCERN) == {"dsl", "deputy", "second_deputy"}


@pytest.mark.django_db
def test_a_dsl_raising_a_concern_is_not_alerted_about_it(school, team):
    """The DSL team member who wrote the concern is not alerted about their own record; the others are."""
    concern = raise_concern(author=team["deputy"], school=school)

    assert recipients(concern) == {"dsl", "second_deputy"}


@pytest.mark.django_db
def test_each_alert_has_exactly_one_queued_email_job(school, team):
    """Each alert queues one email job for itself, so every recipient is emailed once."""
    concern = raise_concern(author=team["teacher"], school=school)

    alerts = list(Alert.objects.filter(concern=concern))
    assert len(alerts) == 3
    for alert in alerts:
        assert len(jobs(send_alert_email, alert.pk)) == 1
    assert len(jobs(send_alert_email)) == len(alerts)


@pytest.mark.django_db
def test_one_escalation_job_is_queued_for_when_escalation_is_due(school, team):
    """The escalation check is queued to run when the concern's escalation is due (R20)."""
    concern = raise_concern(author=team["teacher"], school=school)

    escalations = jobs(escalate_if_unacknowledged)
    assert len(escalations) == 1
    assert escalations[0].args_kwargs["args"] == [concern.pk]
    assert concern.escalation_due_at is not None
    assert escalations[0].run_after == concern.escalation_due_at


@pytest.mark.django_db
def test_when_the_whole_dsl_team_is_away_the_senior_leaders_are_alerted_instead(school, team):
    """With the DSL and every deputy marked away, the Head and senior leaders get the alert, marked rerouted (R21)."""
    for name in ("dsl", "deputy", "second_deputy"):
        alerting.availability_set(user=team[name], school=school, away=True)

    concern = raise_concern(author=team["teacher"], school=school)

    assert recipients(concern) == {"head", "senior"}
    assert recipients(concern, AlertReason.REROUTED) == {"head", "senior"}
    for alert in Alert.objects.filter(concern=concern):
        assert len(jobs(send_alert_email, alert.pk)) == 1


@pytest.mark.django_db
def test_one_deputy_away_leaves_the_alert_with_the_rest_of_the_team(school, team):
    """A deputy marked away is not alerted, and while anyone in the team is available no leader is."""
    alerting.availability_set(user=team["deputy"], school=school, away=True)

    concern = raise_concern(author=team["teacher"], school=school)

    assert recipients(concern) == {"dsl", "second_deputy"}


@pytest.mark.django_db
def test_the_person_on_the_cover_rota_now_is_alerted_too(school, team, make_person):
    """Whoever is on the cover rota at the time is alerted with the DSL team; a finished shift counts for nothing."""
    on_cover = make_person(Role.PASTORAL, school=school, username="on_cover")
    cover_was_yesterday = make_person(Role.PASTORAL, school=school, username="cover_was_yesterday")
    now = timezone.now()
    alerting.cover_shift_add(
        user=team["dsl"],
        school=school,
        person=on_cover,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=8),
    )
    alerting.cover_shift_add(
        user=team["dsl"],
        school=school,
        person=cover_was_yesterday,
        starts_at=now - timedelta(days=1, hours=8),
        ends_at=now - timedelta(days=1),
    )

    concern = raise_concern(author=team["teacher"], school=school)

    assert recipients(concern, AlertReason.NEW_CONCERN) == {"dsl", "deputy", "second_deputy", "on_cover"}


# --- Sending twice and refusals -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_form_sent_twice_saves_one_concern_and_alerts_once(school, team):
    """The same idempotency key a second time returns the first concern, with no second row, alert or job."""
    subject = PupilFactory(school=school)
    data = concern_input(subject=subject)

    first = raising.concern_raise(author=team["teacher"], school=school, data=data)
    alerts_after_first = Alert.objects.count()
    jobs_after_first = DBTaskResult.objects.count()
    second = raising.concern_raise(author=team["teacher"], school=school, data=data)

    assert second.pk == first.pk
    assert Concern.objects.count() == 1
    assert alerts_after_first == 3
    assert Alert.objects.count() == alerts_after_first
    assert DBTaskResult.objects.count() == jobs_after_first


@pytest.mark.django_db
def test_another_persons_idempotency_key_is_refused(school, team, make_person):
    """Someone else's idempotency key does not hand over their concern: it is refused."""
    colleague = make_person(Role.STAFF, school=school)
    data = concern_input(subject=PupilFactory(school=school))
    raising.concern_raise(author=team["teacher"], school=school, data=data)

    with pytest.raises(PermissionDenied):
        raising.concern_raise(author=colleague, school=school, data=data)
    assert Concern.objects.count() == 1


@pytest.mark.django_db
def test_a_pupil_of_another_school_is_refused(school, other_school, team):
    """A concern can only be about a child on the school's own roll."""
    outsider = PupilFactory(school=other_school)

    with pytest.raises(ValidationError):
        raise_concern(author=team["teacher"], school=school, subject=outsider)
    assert Concern.objects.count() == 0


@pytest.mark.django_db
def test_another_schools_pupil_named_as_a_witness_is_refused(school, other_school, team):
    """Other children named in the concern must be on the school's own roll too."""
    outsider = PupilFactory(school=other_school)

    with pytest.raises(ValidationError):
        raise_concern(author=team["teacher"], school=school, other_pupils=[(outsider, PupilRole.WITNESS)])
    assert Concern.objects.count() == 0


@pytest.mark.django_db
def test_an_unknown_category_is_refused(school, team):
    """Only categories from the list are accepted."""
    with pytest.raises(ValidationError):
        raise_concern(author=team["teacher"], school=school, category_codes=["neglect", "not_a_category"])
    assert Concern.objects.count() == 0


@pytest.mark.django_db
def test_no_category_is_refused(school, team):
    """A concern needs at least one category (R9)."""
    with pytest.raises(ValidationError):
        raise_concern(author=team["teacher"], school=school, category_codes=[])
    assert Concern.objects.count() == 0


@pytest.mark.django_db
def test_a_person_with_only_a_trust_role_cannot_raise_a_concern(school, team, make_person):
    """A trust-level role is not a place in the school, so it cannot raise a concern there."""
    trust_lead = make_person(Role.TRUST_SAFEGUARDING_LEAD, school=school)

    with pytest.raises(PermissionDenied):
        raise_concern(author=trust_lead, school=school)
    assert Concern.objects.count() == 0


@pytest.mark.django_db
def test_a_failure_after_raising_leaves_no_concern_no_alert_and_no_job(school, team):
    """The queued jobs are an outbox: when the transaction rolls back, the concern, its alerts and jobs all go."""

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        raise_concern(author=team["teacher"], school=school)
        assert Alert.objects.count() == 3
        raise Boom

    assert Concern.objects.count() == 0
    assert Alert.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


# --- Late records (R12) ----------------------------------------------------------------------------------------


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.mark.django_db
def test_a_concern_about_yesterday_is_late(school):
    """Recorded the day after it happened, a concern is late, even first thing in the morning."""
    assert raising.is_late(
        school=school, happened_at=london(2025, 10, 7, 11, 0), recorded_at=london(2025, 10, 8, 8, 45)
    )


@pytest.mark.django_db
def test_a_concern_recorded_after_the_end_of_the_school_day_is_late(school):
    """Recorded after the school day ends (15:30 by default) on the day it happened, a concern is late."""
    assert raising.is_late(
        school=school, happened_at=london(2025, 10, 8, 14, 0), recorded_at=london(2025, 10, 8, 15, 31)
    )


@pytest.mark.django_db
def test_a_concern_recorded_in_school_hours_the_same_day_is_not_late(school):
    """Recorded the same day within school hours, a concern is on time."""
    assert not raising.is_late(
        school=school, happened_at=london(2025, 10, 8, 10, 0), recorded_at=london(2025, 10, 8, 11, 15)
    )


@pytest.mark.django_db
def test_the_schools_own_end_of_day_decides_lateness(school):
    """A school whose day ends at 17:00 counts a 16:00 record of that day's incident as on time."""
    school.day_ends_at = london(2025, 10, 8, 17, 0).time()
    school.save()

    assert not raising.is_late(
        school=school, happened_at=london(2025, 10, 8, 14, 0), recorded_at=london(2025, 10, 8, 16, 0)
    )
    assert raising.is_late(
        school=school, happened_at=london(2025, 10, 8, 14, 0), recorded_at=london(2025, 10, 8, 17, 1)
    )


@pytest.mark.django_db
def test_the_late_flag_is_saved_when_the_concern_is_raised(school, team):
    """A concern raised two days after the incident is saved marked late."""
    concern = raise_concern(author=team["teacher"], school=school, happened_at=timezone.now() - timedelta(days=2))

    concern.refresh_from_db()
    assert concern.is_late is True


@pytest.mark.django_db
def test_a_shift_ended_the_instant_it_starts_is_taken_off_the_rota(school, team, make_person):
    """Ending it then used to leave it ending when it began, which the database refuses (a 500 for the DSL)."""
    from concerns.models import CoverShift

    person = make_person(Role.PASTORAL, school=school)
    shift = alerting.cover_shift_add(
        user=team["dsl"], school=school, person=person, starts_at=NOW, ends_at=NOW + timedelta(hours=8)
    )
    alerting.cover_shift_end(user=team["dsl"], shift=shift)
    assert not CoverShift.objects.filter(pk=shift.pk).exists()
