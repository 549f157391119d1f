"""load_demo_pupils: about 300 fictional pupils in Years 7 to 11, the same every time, loaded once."""

import re
from collections import Counter
from datetime import date

import pytest

from concerns.demo_pupils import load_demo_pupils, upn_check_letter
from concerns.models import Pupil


@pytest.fixture
def demo_pupils(school):
    load_demo_pupils(school=school)
    return list(Pupil.objects.filter(school=school))


def test_about_300_pupils_spread_across_years_7_to_11(demo_pupils):
    """300 pupils, 60 in each of Years 7 to 11, in four forms a year (7W, 7E, 7S, 7T and so on)."""
    assert len(demo_pupils) == 300
    assert Counter(pupil.year_group for pupil in demo_pupils) == {7: 60, 8: 60, 9: 60, 10: 60, 11: 60}
    assert {pupil.form for pupil in demo_pupils} == {f"{year}{letter}" for year in range(7, 12) for letter in "WEST"}
    assert all(pupil.form.startswith(str(pupil.year_group)) for pupil in demo_pupils)


def test_upns_are_unique_well_formed_and_carry_their_check_letter(demo_pupils):
    """Each UPN is a letter and 12 digits, no two alike, and its first letter is the DfE check letter."""
    upns = [pupil.upn for pupil in demo_pupils]
    assert len(set(upns)) == len(upns)
    assert all(re.fullmatch(r"[A-Z][0-9]{12}", upn) for upn in upns)
    assert all(upn[0] == upn_check_letter(upn[1:]) for upn in upns)


def test_check_letter_matches_a_worked_example():
    """The check letter follows the DfE's published method (weights 2 to 13, modulo 23, no I, O or S)."""
    # Worked by hand: 4×2 + 2×5 + 1×13 = 31; 31 mod 23 = 8; the ninth of ABCDEFGHJ... is J.
    assert upn_check_letter("400200000001") == "J"


def test_each_date_of_birth_fits_the_year_group(demo_pupils):
    """In 2026–27, Year 7 were born from 1 September 2014 to 31 August 2015, Year 8 a year before, and so on."""
    for pupil in demo_pupils:
        born_from = date(2014 - (pupil.year_group - 7), 9, 1)
        born_to = date(2015 - (pupil.year_group - 7), 8, 31)
        assert born_from <= pupil.date_of_birth <= born_to, (pupil.upn, pupil.year_group, pupil.date_of_birth)


def test_two_pupils_share_a_name_in_different_years(demo_pupils):
    """Two Jordan Smiths, in different years, so every screen must tell them apart (R8)."""
    jordans = [p for p in demo_pupils if (p.legal_first_name, p.legal_last_name) == ("Jordan", "Smith")]
    assert len(jordans) == 2
    assert jordans[0].year_group != jordans[1].year_group
    assert jordans[0].year_and_form != jordans[1].year_and_form
    other_names = Counter((p.legal_first_name, p.legal_last_name) for p in demo_pupils if p not in jordans)
    assert max(other_names.values()) == 1


def test_some_pupils_go_by_a_preferred_name(demo_pupils):
    """A few pupils have a preferred first or last name different from their legal one, shown with both."""
    preferred = [p for p in demo_pupils if p.preferred_first_name or p.preferred_last_name]
    assert 5 <= len(preferred) <= 60
    assert all(
        p.preferred_first_name != p.legal_first_name and p.preferred_last_name != p.legal_last_name for p in preferred
    )
    assert all("(legal name " in p.full_name for p in preferred)
    assert any(p.preferred_last_name for p in preferred)


def test_loading_again_adds_nothing(school, demo_pupils):
    """A school that already has pupils gets none: load_demo_pupils returns 0 and the roll is unchanged."""
    assert load_demo_pupils(school=school) == 0
    assert Pupil.objects.filter(school=school).count() == 300


@pytest.mark.django_db
def test_the_same_pupils_every_time(school, other_school):
    """The demo roll is deterministic: two schools loaded separately get the same children."""
    assert load_demo_pupils(school=school) == 300
    assert load_demo_pupils(school=other_school) == 300

    def roll(of):
        fields = ("upn", "legal_first_name", "legal_last_name", "date_of_birth", "year_group", "form")
        return sorted(Pupil.objects.filter(school=of).values_list(*fields))

    assert roll(school) == roll(other_school)


@pytest.mark.django_db
def test_count_sets_the_number_of_pupils(school):
    """A smaller demo roll is possible, e.g. for a quick test."""
    assert load_demo_pupils(school=school, count=25) == 25
    assert Pupil.objects.filter(school=school).count() == 25
