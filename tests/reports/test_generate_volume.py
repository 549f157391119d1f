"""generate_volume: fictional schools at volume for the benchmarks (CONTRACT.md)."""

import pytest
from django.core.management import CommandError, call_command

from concerns.models import Concern, Pupil
from safeguarding.models import Membership, Role, School, Term

from .helpers import TODAY

pytestmark = pytest.mark.django_db


def test_makes_schools_pupils_terms_and_history_and_is_safe_to_repeat(settings):
    settings.DEBUG = True
    call_command("generate_volume", schools=2, pupils=30, years=1, verbosity=0)
    schools = School.objects.filter(name__startswith="Volume School")
    assert schools.count() == 2
    assert Pupil.objects.filter(school__in=schools).count() == 60
    assert Term.objects.filter(school__in=schools).count() == 6
    made = Concern.objects.filter(school__in=schools).count()
    assert made > 0
    call_command("generate_volume", schools=2, pupils=30, years=1, verbosity=0)
    assert Concern.objects.filter(school__in=schools).count() == made
    assert Pupil.objects.filter(school__in=schools).count() == 60


def test_refuses_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="Refusing"):
        call_command("generate_volume", schools=1, pupils=5, years=1)


def test_makes_the_people_of_each_school_and_its_adults_register(settings):
    """Each school gets a DSL, a Head and a teacher who cannot sign in; the teacher writes the concerns; the
    register holds adult cases through the plug-in step, each with its timeline, and repeating adds none."""
    from staff_allegations.models import AdultCase, CaseEntry, CaseStatus, EntryKind

    settings.DEBUG = True
    call_command("generate_volume", schools=1, pupils=20, years=1, verbosity=0)
    school = School.objects.get(name__startswith="Volume School 1")
    people = {m.role: m.user for m in Membership.objects.filter(school=school).select_related("user")}
    assert set(people) == {Role.DSL, Role.HEADTEACHER, Role.STAFF}
    assert not any(user.has_usable_password() for user in people.values())
    assert set(Concern.objects.filter(school=school).values_list("author", flat=True)) == {people[Role.STAFF].pk}

    cases = AdultCase.objects.filter(school=school)
    begun = Term.objects.filter(school=school, starts_on__lte=TODAY).count()
    assert begun > 0
    assert cases.count() == 12 * begun
    assert set(cases.values_list("case_manager", flat=True)) == {people[Role.HEADTEACHER].pk}
    assert cases.filter(status=CaseStatus.CLOSED).exists()
    routed = CaseEntry.objects.filter(case__school=school, kind=EntryKind.ROUTED).count()
    assert routed == cases.count()

    call_command("generate_volume", schools=1, pupils=20, years=1, verbosity=0)
    assert AdultCase.objects.filter(school=school).count() == 12 * begun


def test_first_numbers_the_schools_so_runs_can_build_a_trust_side_by_side(settings):
    settings.DEBUG = True
    call_command("generate_volume", schools=1, pupils=5, years=1, verbosity=0)
    call_command("generate_volume", first=3, schools=2, pupils=5, years=1, verbosity=0)
    names = sorted(School.objects.filter(name__startswith="Volume School").values_list("name", flat=True))
    assert names == [f"Volume School {n} (fictional)" for n in (1, 3, 4)]
    assert School.objects.filter(name__startswith="Volume School").values("trust").distinct().count() == 1
    with pytest.raises(CommandError, match="more than 0"):
        call_command("generate_volume", first=0, verbosity=0)
