"""concern_triage and the triage view: the level of need with its reason, re-categorising that keeps the reporter's
choice, and two people triaging at once (R9, R25–R27)."""

import html
import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from concerns.models import (
    CategoryChoice,
    ChronologyEntry,
    ChronologyKind,
    ConcernStatus,
    LevelOfNeed,
    Triage,
)
from concerns.services import triage as triage_services
from contacts.models import Purpose
from safeguarding.calendar import LONDON
from safeguarding.models import Role

from ..conftest import sign_in
from ..factories import ContactFactory, PupilFactory, raise_concern

NOW = datetime(2026, 12, 2, 10, 30, tzinfo=LONDON)  # a Wednesday morning in term, in school hours


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


LEVEL_2 = "Level 2: Emerging needs (early help)"
LEVEL_3 = "Level 3: Complex needs (targeted support or child in need)"


@pytest.fixture
def concern(school, teacher):
    pupil = PupilFactory(school=school, legal_first_name="Maya", legal_last_name="Okonjo")
    return raise_concern(author=teacher, school=school, subject=pupil, category_codes=["emotional_abuse"])


def level(code):
    return LevelOfNeed.objects.get(code=code)


def triage(user, concern, *, code="level_2", rationale="Early help would support the family.", version, **more):
    return triage_services.concern_triage(
        user=user,
        concern=concern,
        data=triage_services.TriageInput(level=level(code), rationale=rationale, **more),
        expected_version=version,
    )


def triage_url(concern):
    return reverse("concerns:triage", kwargs={"public_id": concern.public_id})


def detail_url(concern):
    return reverse("concerns:detail", kwargs={"public_id": concern.public_id})


def triage_form_html(response, concern) -> str:
    """The triage form of the concern page, as the reader sees its characters."""
    page = html.unescape(response.content.decode())
    match = re.search(rf'<form[^>]*action="{re.escape(triage_url(concern))}".*?</form>', page, re.S)
    assert match, "the page has no triage form"
    return match.group(0)


def hidden_version(form_html: str) -> str:
    match = re.search(r'<input[^>]*name="version"[^>]*>', form_html)
    assert match, "the triage form has no version field"
    value = re.search(r'value="(\d+)"', match.group(0))
    assert value, "the triage form's version field has no value"
    return value.group(1)


def chronology(concern, kind):
    return list(ChronologyEntry.objects.filter(concern=concern, kind=kind))


@pytest.mark.django_db
def test_the_five_levels_of_need_are_there_after_the_migrations():
    """Information only and levels 1 to 4 exist, in order; only level 4 is child protection (R27)."""
    levels = list(LevelOfNeed.objects.order_by("order"))
    assert [lv.code for lv in levels] == ["information_only", "level_1", "level_2", "level_3", "level_4"]
    assert levels[0].label.startswith("Information only")
    assert [lv.label.split(":")[0] for lv in levels[1:]] == ["Level 1", "Level 2", "Level 3", "Level 4"]
    assert [lv.code for lv in levels if lv.is_child_protection] == ["level_4"]
    assert all(lv.is_active for lv in levels)


@pytest.mark.django_db
def test_a_triage_keeps_the_level_and_reason_with_the_dsls_name_and_role(concern, dsl):
    """The triage saves the level and why, with the DSL's full name and job title as they stood that day."""
    saved = triage(dsl, concern, rationale="Mother asked for help with routines; early help fits.", version=1)
    saved.refresh_from_db()
    assert saved.level.label == LEVEL_2
    assert saved.rationale == "Mother asked for help with routines; early help fits."
    assert saved.triaged_by == dsl
    assert (saved.triaged_by_name, saved.triaged_by_role) == ("Helen Marsh", "Designated Safeguarding Lead")
    assert saved.triaged_at == NOW


@pytest.mark.django_db
def test_triage_marks_the_concern_triaged_and_acknowledges_it(concern, dsl):
    """An unacknowledged concern, once triaged, is Triaged and acknowledged by the DSL who triaged it."""
    assert concern.acknowledged_at is None
    triage(dsl, concern, version=1)
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.TRIAGED
    assert concern.acknowledged_by == dsl
    assert concern.acknowledged_at == NOW


@pytest.mark.django_db
def test_triage_bumps_the_version(concern, dsl):
    """Each triage moves the concern's version on, so a page opened before it is out of date."""
    triage(dsl, concern, version=1)
    concern.refresh_from_db()
    assert concern.version == 2
    triage(dsl, concern, version=2)
    concern.refresh_from_db()
    assert concern.version == 3


@pytest.mark.django_db
def test_triage_writes_a_chronology_line_with_the_level_and_the_reason(concern, dsl):
    """The child's chronology says who triaged, at which level and why (R52)."""
    triage(dsl, concern, rationale="Parents agree to an Early Help Assessment.", version=1)
    [entry] = chronology(concern, ChronologyKind.TRIAGED)
    assert LEVEL_2 in entry.summary
    assert "Parents agree to an Early Help Assessment." in entry.summary
    assert "Helen Marsh (Designated Safeguarding Lead)" in entry.summary
    assert entry.pupil == concern.subject
    assert (entry.author, entry.author_name) == (dsl, "Helen Marsh")


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.STAFF, Role.HEADTEACHER])
def test_only_the_dsl_team_can_triage(concern, school, make_person, role):
    """A member of staff or the Headteacher is refused, and nothing is saved."""
    person = make_person(role, school=school)
    with pytest.raises(PermissionDenied):
        triage(person, concern, version=1)
    concern.refresh_from_db()
    assert not Triage.objects.exists()
    assert (concern.status, concern.version) == (ConcernStatus.NEW, 1)
    assert not chronology(concern, ChronologyKind.TRIAGED)


@pytest.mark.django_db
def test_re_categorising_keeps_the_reporters_categories_and_adds_the_dsls(concern, dsl):
    """The reporter's choice stays as the reporter's; the DSL's set is added beside it (R9)."""
    triage(dsl, concern, version=1, category_codes=["neglect", "physical_abuse"])
    reporter = concern.categories.filter(chosen_by=CategoryChoice.REPORTER)
    dsl_set = concern.categories.filter(chosen_by=CategoryChoice.DSL)
    assert list(reporter.values_list("code", flat=True)) == ["emotional_abuse"]
    assert set(dsl_set.values_list("code", flat=True)) == {"neglect", "physical_abuse"}


@pytest.mark.django_db
def test_re_categorising_writes_a_chronology_line_naming_both_choices(concern, dsl):
    """The chronology names the DSL's new categories and what the reporter chose, in words."""
    triage(dsl, concern, version=1, category_codes=["neglect", "physical_abuse"])
    [entry] = chronology(concern, ChronologyKind.RECATEGORISED)
    assert "Helen Marsh (Designated Safeguarding Lead)" in entry.summary
    assert "Neglect" in entry.summary and "Physical abuse" in entry.summary
    assert "The reporter chose: Emotional abuse." in entry.summary
    assert "emotional_abuse" not in entry.summary


@pytest.mark.django_db
def test_triaging_again_with_the_same_categories_writes_no_second_re_categorisation(concern, dsl):
    """Saving the same categories again is not a new re-categorisation: one line only."""
    triage(dsl, concern, version=1, category_codes=["neglect"])
    triage(dsl, concern, version=2, rationale="Reviewed after the meeting.", category_codes=["neglect"])
    assert len(chronology(concern, ChronologyKind.RECATEGORISED)) == 1
    assert len(chronology(concern, ChronologyKind.TRIAGED)) == 2
    assert list(concern.categories.filter(chosen_by=CategoryChoice.DSL).values_list("code", flat=True)) == ["neglect"]


@pytest.mark.django_db
def test_a_stale_version_is_refused_and_saves_nothing(concern, dsl, deputy):
    """A triage from a page opened before someone else's triage raises ConcurrentEdit and changes nothing."""
    triage(dsl, concern, code="level_3", rationale="First triage.", version=1)
    entries = ChronologyEntry.objects.count()
    with pytest.raises(triage_services.ConcurrentEdit) as refused:
        triage(deputy, concern, rationale="Second triage.", version=1, category_codes=["neglect"])
    assert refused.value.concern.version == 2
    concern.refresh_from_db()
    assert concern.version == 2
    assert list(Triage.objects.values_list("rationale", flat=True)) == ["First triage."]
    assert ChronologyEntry.objects.count() == entries
    assert not concern.categories.filter(chosen_by=CategoryChoice.DSL).exists()


@pytest.mark.django_db
def test_two_dsls_triaging_at_once_the_second_sees_the_first_and_keeps_their_words(client, clock, concern, dsl, deputy):
    """The second save from an older page gets a 409 showing the first person's triage, with the second person's
    reason still in the form and the new version ready; saving that again works."""
    first, second = sign_in(client, dsl), sign_in(Client(), deputy)
    for browser in (first, second):
        opened = browser.get(detail_url(concern))
        assert hidden_version(triage_form_html(opened, concern)) == "1"

    saved = first.post(
        triage_url(concern),
        {"version": "1", "level": level("level_3").pk, "rationale": "Referral to social care for a s17 assessment."},
    )
    assert saved.status_code == 302

    mine = {"version": "1", "level": level("level_2").pk, "rationale": "Early help should be offered to the family."}
    refused = second.post(triage_url(concern), mine)
    assert refused.status_code == 409
    page = html.unescape(refused.content.decode())
    assert "Someone else changed this concern" in page
    assert LEVEL_3 in page
    assert "Referral to social care for a s17 assessment." in page
    form = triage_form_html(refused, concern)
    assert "Early help should be offered to the family." in form
    assert hidden_version(form) == "2"
    assert Triage.objects.count() == 1

    clock.shift(timedelta(minutes=1))  # the deputy reads the first triage, then saves theirs
    again = second.post(triage_url(concern), {**mine, "version": hidden_version(form)})
    assert again.status_code == 302
    assert Triage.objects.latest("triaged_at").rationale == "Early help should be offered to the family."


@pytest.mark.django_db
def test_a_level_4_triage_shows_the_urgent_and_out_of_hours_social_care_numbers(client, school, concern, dsl):
    """At level 4 (child protection) the page gives the numbers to call children's social care now (R27, R91)."""
    ContactFactory(school=school, purpose=Purpose.CSC_URGENT, role="Initial Response Team", phone="01332 641172")
    ContactFactory(school=school, purpose=Purpose.CSC_OUT_OF_HOURS, role="Careline out of hours", phone="01332 786968")
    triage(dsl, concern, code="level_4", rationale="Significant harm: section 47.", version=1)
    sign_in(client, dsl)
    page = html.unescape(client.get(detail_url(concern)).content.decode())
    note = re.search(r'<div class="alert alert-danger" role="note">.*?</div>', page, re.S)
    assert note, "no child-protection note on a level 4 triage"
    assert "Initial Response Team 01332 641172" in note.group(0)
    assert "Careline out of hours 01332 786968" in note.group(0)


@pytest.mark.django_db
def test_a_level_2_triage_shows_no_child_protection_numbers(client, school, concern, dsl):
    """Below level 4 the page does not tell the DSL to phone children's social care."""
    ContactFactory(school=school, purpose=Purpose.CSC_URGENT, role="Initial Response Team", phone="01332 641172")
    triage(dsl, concern, version=1)
    sign_in(client, dsl)
    page = html.unescape(client.get(detail_url(concern)).content.decode())
    assert "01332 641172" not in page
    assert "Refer to children's social care by phone now" not in page
