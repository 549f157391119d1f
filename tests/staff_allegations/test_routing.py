"""R59, R60, R71, R73, R18: the harm-threshold answers and the subject decide the route and the case manager."""

import pytest

from concerns.models import Unavailability
from safeguarding.models import Role
from staff_allegations.models import AdultCaseSettings, CaseKind, DecisionMaker, Route
from staff_allegations.routing import NoCaseManager

from .conftest import report

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("test", ["harmed", "offence", "risk_of_harm", "unsuitable"])
def test_any_harm_test_makes_an_allegation_for_the_head(school, teacher, colleague, leadership, test):
    case = report(teacher, school, subject=colleague, **{test: True})
    assert case.kind == CaseKind.ALLEGATION
    assert case.route == Route.HEAD and case.case_manager == leadership["head"]


def test_no_harm_test_makes_a_low_level_concern_for_the_head(school, teacher, colleague, leadership):
    case = report(teacher, school, subject=colleague)
    assert case.kind == CaseKind.LOW_LEVEL
    assert case.case_manager == leadership["head"]
    assert "decided by the Headteacher" in case.routing_reason


@pytest.mark.parametrize("allegation", [True, False])
def test_about_the_head_goes_to_the_chair(school, teacher, leadership, allegation):
    case = report(teacher, school, subject=leadership["head"], allegation=allegation)
    assert case.subject_is_head
    assert case.route == Route.CHAIR and case.case_manager == leadership["chair"]


@pytest.mark.parametrize("allegation", [True, False])
def test_about_the_dsl_goes_to_the_head(school, teacher, leadership, allegation):
    case = report(teacher, school, subject=leadership["dsl"], allegation=allegation)
    assert case.subject_is_dsl
    assert case.case_manager == leadership["head"]


def test_head_away_sends_an_allegation_to_the_dsl(school, teacher, colleague, leadership):
    Unavailability.objects.create(user=leadership["head"], school=school)
    case = report(teacher, school, subject=colleague, allegation=True)
    assert case.route == Route.DSL and case.case_manager == leadership["dsl"]


def test_head_away_and_about_the_dsl_goes_to_the_chair(school, teacher, leadership):
    Unavailability.objects.create(user=leadership["head"], school=school)
    case = report(teacher, school, subject=leadership["dsl"], allegation=True)
    assert case.case_manager == leadership["chair"]


def test_conflict_of_interest_goes_directly_to_the_lado_and_the_chair_holds_it(school, teacher, colleague, leadership):
    case = report(
        teacher, school, subject=colleague, allegation=True, conflict_of_interest=True, conflict_details="Related"
    )
    assert case.reported_to_lado_directly
    assert case.case_manager == leadership["chair"]
    assert "directly to the LADO" in case.routing_reason


def test_conflict_on_a_low_level_concern_goes_to_the_chair_without_the_lado(school, teacher, colleague, leadership):
    case = report(teacher, school, subject=colleague, conflict_of_interest=True, conflict_details="Friend")
    assert case.kind == CaseKind.LOW_LEVEL
    assert not case.reported_to_lado_directly
    assert case.case_manager == leadership["chair"]


def test_school_can_make_the_dsl_decide_low_level_concerns(school, teacher, colleague, leadership):
    AdultCaseSettings.objects.create(school=school, low_level_decision_maker=DecisionMaker.DSL)
    assert report(teacher, school, subject=colleague).case_manager == leadership["dsl"]
    # ...but never one about the DSL: that goes to the Head.
    assert report(teacher, school, subject=leadership["dsl"]).case_manager == leadership["head"]


def test_practice_concern_goes_to_the_head_or_the_chair_when_it_names_the_head(school, teacher, leadership):
    case = report(teacher, school, kind_hint=CaseKind.PRACTICE)
    assert case.kind == CaseKind.PRACTICE and case.case_manager == leadership["head"]
    named = report(teacher, school, kind_hint=CaseKind.PRACTICE, names_head=True)
    assert named.case_manager == leadership["chair"]


def test_self_referral_is_about_the_reporter(school, teacher, leadership):
    case = report(teacher, school, self_referral=True)
    assert case.subject_user == teacher and case.self_referral
    assert case.case_manager == leadership["head"]


def test_the_head_reporting_on_themselves_goes_to_the_chair(school, leadership):
    case = report(leadership["head"], school, self_referral=True)
    assert case.case_manager == leadership["chair"]


def test_nobody_to_route_to_is_refused_with_a_clear_message(school, teacher, colleague):
    with pytest.raises(NoCaseManager, match="Headteacher or the Chair"):
        report(teacher, school, subject=colleague, allegation=True)


def test_chair_at_trust_level_is_found(school, teacher, colleague, make_person):
    from safeguarding.models import Membership, Trust

    trust = Trust.objects.create(name="Test Trust")
    school.trust = trust
    school.save()
    head = make_person(Role.HEADTEACHER, school=school, username="hd")
    chair = make_person(Role.TRUSTEE, school=school, username="ch")
    Membership.objects.create(user=chair, trust=trust, role=Role.CHAIR)
    case = report(teacher, school, subject=head, allegation=True)
    assert case.case_manager == chair


def test_the_head_marks_themselves_away_on_the_register(client, school, teacher, colleague, leadership):
    from django.urls import reverse

    from tests.conftest import sign_in

    sign_in(client, leadership["head"])
    page = client.post(reverse("staff_allegations:head_away"), {"away": "1"}, follow=True).content.decode()
    assert "You are marked away" in page
    assert report(teacher, school, subject=colleague, allegation=True).case_manager == leadership["dsl"]
    client.post(reverse("staff_allegations:head_away"), {"away": "0"})
    assert report(teacher, school, subject=colleague, allegation=True).case_manager == leadership["head"]
