"""generate_volume: fictional schools at volume for the benchmarks (CONTRACT.md)."""

import pytest
from django.core.management import CommandError, call_command

from concerns.models import Concern, Pupil
from safeguarding.models import School, Term

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
