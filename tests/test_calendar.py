"""The school calendar (R31): working days for the local authority's deadlines, school days for the school's own.

Every date below is worked by hand, and its weekday asserted, so a reader can check it against a calendar.
England's bank holidays used: Good Friday 3 April and Easter Monday 6 April 2026, the late-May bank holiday on
Monday 25 May 2026. The school's year 2025-26 is set up as a Derby secondary's might be.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse

from safeguarding import calendar
from safeguarding.backends import IT_ADMIN_PERMISSIONS
from safeguarding.calendar import (
    add_school_days,
    add_school_minutes,
    add_working_days,
    close_of_next_working_day,
    end_of_working_day,
    is_school_day,
    is_working_day,
    school_calendar,
    transfer_due,
)
from safeguarding.models import InsetDay, Role, School, Term, TermName, validate_academic_year

from .conftest import sign_in

LONDON = ZoneInfo("Europe/London")
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def make_term(school, name, academic_year, starts_on, ends_on, half_term=(None, None)) -> Term:
    term = Term(
        school=school,
        name=name,
        academic_year=academic_year,
        starts_on=starts_on,
        ends_on=ends_on,
        half_term_starts_on=half_term[0],
        half_term_ends_on=half_term[1],
    )
    term.full_clean()
    term.save()
    return term


@pytest.fixture
def year_2025_26(school):
    """Autumn: Wed 3 Sep–Fri 19 Dec 2025, half term 27–31 Oct. Spring: Mon 5 Jan–Thu 2 Apr 2026, half term
    16–20 Feb. Summer: Mon 20 Apr–Wed 22 Jul 2026, half term 25–29 May."""
    return {
        "autumn": make_term(
            school,
            TermName.AUTUMN,
            "2025-26",
            date(2025, 9, 3),
            date(2025, 12, 19),
            (date(2025, 10, 27), date(2025, 10, 31)),
        ),
        "spring": make_term(
            school,
            TermName.SPRING,
            "2025-26",
            date(2026, 1, 5),
            date(2026, 4, 2),
            (date(2026, 2, 16), date(2026, 2, 20)),
        ),
        "summer": make_term(
            school,
            TermName.SUMMER,
            "2025-26",
            date(2026, 4, 20),
            date(2026, 7, 22),
            (date(2026, 5, 25), date(2026, 5, 29)),
        ),
    }


@pytest.fixture
def autumn_2026(school, year_2025_26):
    """Autumn 2026-27: Wed 2 Sep–Fri 18 Dec 2026."""
    return make_term(school, TermName.AUTUMN, "2026-27", date(2026, 9, 2), date(2026, 12, 18))


# --- Working days: weekends and bank holidays only ---------------------------------------------------------------


def test_easter_bank_holidays_are_not_working_days():
    """Good Friday and Easter Monday 2026 are weekdays but not working days."""
    good_friday, easter_monday = date(2026, 4, 3), date(2026, 4, 6)
    assert good_friday.weekday() == FRIDAY and easter_monday.weekday() == MONDAY

    assert not is_working_day(good_friday)
    assert not is_working_day(easter_monday)


def test_add_working_days_skips_the_easter_weekend():
    """One working day after Thursday 2 April 2026 is Tuesday 7 April; three is Thursday 9 April."""
    start = date(2026, 4, 2)
    assert start.weekday() == THURSDAY

    assert add_working_days(start, 1) == date(2026, 4, 7)
    assert date(2026, 4, 7).weekday() == TUESDAY
    assert add_working_days(start, 3) == date(2026, 4, 9)
    assert date(2026, 4, 9).weekday() == THURSDAY


def test_add_working_days_skips_the_late_may_bank_holiday():
    """One working day after Friday 22 May 2026 is Tuesday 26 May: Monday 25 May is the late-May bank holiday."""
    start = date(2026, 5, 22)
    assert start.weekday() == FRIDAY
    assert date(2026, 5, 25).weekday() == MONDAY

    assert add_working_days(start, 1) == date(2026, 5, 26)
    assert date(2026, 5, 26).weekday() == TUESDAY


def test_add_working_days_with_no_days_is_the_start_day():
    """Nothing to add leaves the day as it is; a negative count is refused."""
    assert add_working_days(date(2026, 4, 3), 0) == date(2026, 4, 3)
    with pytest.raises(ValueError):
        add_working_days(date(2026, 4, 3), -1)


@pytest.mark.django_db
def test_half_term_is_still_made_of_working_days(school, year_2025_26):
    """Term dates don't move the local authority's deadlines: half-term Monday 16 February 2026 is a working day."""
    half_term_monday = date(2026, 2, 16)
    assert half_term_monday.weekday() == MONDAY

    assert is_working_day(half_term_monday)
    assert not is_school_day(school, half_term_monday)
    assert add_working_days(date(2026, 2, 13), 1) == half_term_monday


def test_end_of_working_day_is_17_00_in_london():
    """In summer time, 17:00 London is 16:00 UTC."""
    close = end_of_working_day(date(2026, 6, 10))

    assert close == london(2026, 6, 10, 17, 0)
    assert close.utcoffset().total_seconds() == 3600


def test_close_of_next_working_day_after_a_friday_afternoon_is_monday():
    """R32: an FGM disclosure at 14:00 on Friday 10 October 2025 must be reported by 17:00 on Monday 13 October."""
    found = london(2025, 10, 10, 14, 0)
    assert found.weekday() == FRIDAY

    due = close_of_next_working_day(found)

    assert due == london(2025, 10, 13, 17, 0)
    assert due.weekday() == MONDAY


def test_close_of_next_working_day_before_a_bank_holiday_monday_is_tuesday():
    """Found on Friday 22 May 2026, before the late-May bank holiday, the report is due by 17:00 Tuesday 26 May."""
    found = london(2026, 5, 22, 11, 0)
    assert found.weekday() == FRIDAY

    due = close_of_next_working_day(found)

    assert due == london(2026, 5, 26, 17, 0)
    assert due.weekday() == TUESDAY


def test_close_of_next_working_day_counts_from_the_london_date():
    """23:30 UTC on Thursday 4 June 2026 is 00:30 on Friday in London, so the next working day is Monday 8 June."""
    found = datetime(2026, 6, 4, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert found.astimezone(LONDON).weekday() == FRIDAY

    assert close_of_next_working_day(found) == london(2026, 6, 8, 17, 0)


# --- School days: the school's terms, half terms and INSET days --------------------------------------------------


@pytest.mark.django_db
def test_with_no_terms_every_working_day_is_a_school_day(school):
    """Until a school enters its terms, school days are working days: Monday 16 February 2026 counts, Good Friday
    and a Saturday don't."""
    assert date(2026, 2, 16).weekday() == MONDAY
    assert date(2026, 2, 14).weekday() == SATURDAY

    assert is_school_day(school, date(2026, 2, 16))
    assert not is_school_day(school, date(2026, 4, 3))
    assert not is_school_day(school, date(2026, 2, 14))


@pytest.mark.django_db
def test_with_no_terms_school_days_add_up_as_working_days(school):
    """Without terms, 5 school days after Thursday 2 April 2026 are 5 working days: Tuesday 7 to Friday 10 April,
    then Monday 13 April."""
    assert date(2026, 4, 13).weekday() == MONDAY

    assert add_school_days(school, date(2026, 4, 2), 5) == add_working_days(date(2026, 4, 2), 5) == date(2026, 4, 13)


@pytest.mark.django_db
def test_a_half_term_week_is_not_school_days(school, year_2025_26):
    """Monday 16 to Friday 20 February 2026 is half term; the Friday before and the Monday after are school days."""
    assert date(2026, 2, 16).weekday() == MONDAY and date(2026, 2, 20).weekday() == FRIDAY

    for day in range(16, 21):
        assert not is_school_day(school, date(2026, 2, day)), day
    assert is_school_day(school, date(2026, 2, 13))
    assert is_school_day(school, date(2026, 2, 23))


@pytest.mark.django_db
def test_the_holidays_are_not_school_days(school, year_2025_26):
    """Monday 22 December 2025 falls between the autumn and spring terms, so it is no school day; Monday 1 September
    2025 comes before the first term the school entered, where the calendar says nothing, so it counts as a
    working day (an unknown calendar gives earlier deadlines, never none)."""
    assert date(2025, 9, 1).weekday() == MONDAY and date(2025, 12, 22).weekday() == MONDAY

    assert not is_school_day(school, date(2025, 12, 22))
    assert is_school_day(school, date(2025, 9, 1))
    assert is_school_day(school, date(2025, 9, 3))


@pytest.mark.django_db
def test_an_inset_day_is_not_a_school_day(school, year_2025_26):
    """With Monday 5 January 2026 an INSET day, the spring term's first school day is Tuesday 6 January."""
    InsetDay.objects.create(school=school, day=date(2026, 1, 5), note="Safeguarding training")
    assert date(2026, 1, 5).weekday() == MONDAY

    assert not is_school_day(school, date(2026, 1, 5))
    assert is_working_day(date(2026, 1, 5))
    assert add_school_days(school, date(2026, 1, 2), 1) == date(2026, 1, 6)


@pytest.mark.django_db
def test_another_schools_inset_day_does_not_count(school, other_school, year_2025_26):
    """An INSET day belongs to its own school only."""
    InsetDay.objects.create(school=other_school, day=date(2026, 1, 5))

    assert is_school_day(school, date(2026, 1, 5))


@pytest.mark.django_db
def test_add_school_days_across_a_half_term(school, year_2025_26):
    """One school day after Friday 24 October 2025 is Monday 3 November: 27–31 October is half term."""
    assert date(2025, 10, 24).weekday() == FRIDAY
    assert date(2025, 11, 3).weekday() == MONDAY

    assert add_school_days(school, date(2025, 10, 24), 1) == date(2025, 11, 3)


@pytest.mark.django_db
def test_add_school_days_across_the_easter_holidays(school, year_2025_26):
    """Two school days after Wednesday 1 April 2026 are Thursday 2 April (last day of spring term) and Monday
    20 April (first of summer)."""
    assert date(2026, 4, 1).weekday() == WEDNESDAY
    assert date(2026, 4, 20).weekday() == MONDAY

    assert add_school_days(school, date(2026, 4, 1), 2) == date(2026, 4, 20)


@pytest.mark.django_db
def test_school_minutes_wait_for_the_end_of_half_term(school, year_2025_26):
    """R20: raised at 15:00 on Friday 24 October 2025, a routine concern has 30 minutes that day and 30 on Monday
    3 November, after half term: due at 09:00."""
    raised = london(2025, 10, 24, 15, 0)
    assert raised.weekday() == FRIDAY

    assert add_school_minutes(school, raised, 60) == london(2025, 11, 3, 9, 0)


# --- Transferring the CP file (R55, decision 2) ------------------------------------------------------------------


@pytest.mark.django_db
def test_an_in_year_leavers_file_is_due_5_school_days_later(school, year_2025_26):
    """Leaving on Monday 19 January 2026, the file is due by Monday 26 January."""
    assert date(2026, 1, 19).weekday() == MONDAY
    assert date(2026, 1, 26).weekday() == MONDAY

    assert transfer_due(school, date(2026, 1, 19)) == date(2026, 1, 26)


@pytest.mark.django_db
def test_an_in_year_transfer_skips_the_half_term(school, year_2025_26):
    """Leaving on Thursday 12 February 2026: Friday 13th is day 1, half term 16–20th doesn't count, and Thursday
    26 February is day 5."""
    assert date(2026, 2, 12).weekday() == THURSDAY
    assert date(2026, 2, 26).weekday() == THURSDAY

    assert transfer_due(school, date(2026, 2, 12)) == date(2026, 2, 26)


@pytest.mark.django_db
def test_a_summer_leavers_file_is_due_on_the_5th_school_day_of_the_autumn_term(school, autumn_2026):
    """Leaving in the holidays on Wednesday 5 August 2026: the autumn term starts Wednesday 2 September, so day 5
    is Tuesday 8 September (2, 3, 4, 7, 8)."""
    assert date(2026, 8, 5).weekday() == WEDNESDAY
    assert date(2026, 9, 2).weekday() == WEDNESDAY
    assert date(2026, 9, 8).weekday() == TUESDAY

    assert transfer_due(school, date(2026, 8, 5)) == date(2026, 9, 8)


@pytest.mark.django_db
def test_an_inset_day_at_the_start_of_term_is_not_day_1(school, autumn_2026):
    """With Wednesday 2 September 2026 an INSET day, the first school day is Thursday 3rd and day 5 Wednesday 9th."""
    InsetDay.objects.create(school=school, day=date(2026, 9, 2))
    assert date(2026, 9, 9).weekday() == WEDNESDAY

    assert transfer_due(school, date(2026, 8, 5)) == date(2026, 9, 9)


@pytest.mark.django_db
def test_before_the_first_term_entered_working_days_count(school, year_2025_26):
    """Leaving on Friday 25 July 2025, before the first term the school entered, gets 5 working days, to Friday
    1 August: the calendar says nothing about those days, so the deadline comes earlier rather than never."""
    assert date(2025, 7, 25).weekday() == FRIDAY
    assert date(2025, 8, 1).weekday() == FRIDAY

    assert transfer_due(school, date(2025, 7, 25)) == date(2025, 8, 1)


@pytest.mark.django_db
def test_past_the_last_term_entered_working_days_count(school, year_2025_26):
    """With next year's terms not yet entered, a leaver on Wednesday 5 August 2026 gets 5 working days, to
    Wednesday 12 August: an earlier deadline rather than none."""
    assert date(2026, 8, 12).weekday() == WEDNESDAY

    assert transfer_due(school, date(2026, 8, 5)) == date(2026, 8, 12)


@pytest.mark.django_db
def test_with_no_terms_a_transfer_is_5_working_days(school):
    """Leaving on Thursday 2 April 2026 with no terms entered: 5 working days past Easter is Monday 13 April."""
    assert transfer_due(school, date(2026, 4, 2)) == date(2026, 4, 13)


@pytest.mark.django_db
def test_the_calendar_costs_two_queries_whatever_the_range(school, year_2025_26, django_assert_num_queries):
    """Terms and INSET days are loaded once, not a query a day, however far a count runs."""
    InsetDay.objects.create(school=school, day=date(2026, 1, 5))

    with django_assert_num_queries(2):
        add_school_days(school, date(2025, 9, 1), 1)
    with django_assert_num_queries(2):
        add_school_days(school, date(2025, 9, 1), 150)
    with django_assert_num_queries(2):
        transfer_due(school, date(2026, 8, 5))
    with django_assert_num_queries(2):
        add_school_minutes(school, london(2025, 12, 19, 15, 0), 600)
    expected = add_school_days(school, date(2025, 9, 1), 150)
    with django_assert_num_queries(2):
        built = school_calendar(school)
    with django_assert_num_queries(0):
        assert built.add_school_days(date(2025, 9, 1), 150) == expected
        assert built.transfer_due(date(2026, 8, 5)) == date(2026, 8, 12)


# --- Term rules ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_term_cannot_overlap_another_at_the_same_school(school, year_2025_26):
    """A spring term starting before the autumn term ends is refused."""
    overlapping = Term(
        school=school,
        name=TermName.SPRING,
        academic_year="2026-27",
        starts_on=date(2025, 12, 1),
        ends_on=date(2026, 1, 30),
    )

    with pytest.raises(ValidationError, match="overlap the Autumn term 2025-26"):
        overlapping.full_clean()


@pytest.mark.django_db
def test_terms_at_different_schools_may_share_dates(school, other_school, year_2025_26):
    """Another school's autumn term on the same dates is fine."""
    make_term(other_school, TermName.AUTUMN, "2025-26", date(2025, 9, 3), date(2025, 12, 19))


@pytest.mark.django_db
def test_a_term_can_be_edited_without_overlapping_itself(year_2025_26):
    """Changing a saved term's dates is not an overlap with its own old dates."""
    autumn = year_2025_26["autumn"]
    autumn.ends_on = date(2025, 12, 18)

    autumn.full_clean()


@pytest.mark.django_db
def test_a_half_term_outside_the_term_is_refused(school):
    """A half term running past the end of the term is refused."""
    term = Term(
        school=school,
        name=TermName.AUTUMN,
        academic_year="2025-26",
        starts_on=date(2025, 9, 3),
        ends_on=date(2025, 12, 19),
        half_term_starts_on=date(2025, 12, 15),
        half_term_ends_on=date(2026, 1, 2),
    )

    with pytest.raises(ValidationError) as refused:
        term.full_clean()
    assert refused.value.message_dict["half_term_starts_on"] == ["The half term must lie inside the term."]


@pytest.mark.django_db
def test_a_half_term_needs_both_its_days(school):
    """A half term with a first day and no last day is refused."""
    term = Term(
        school=school,
        name=TermName.AUTUMN,
        academic_year="2025-26",
        starts_on=date(2025, 9, 3),
        ends_on=date(2025, 12, 19),
        half_term_starts_on=date(2025, 10, 27),
    )

    with pytest.raises(ValidationError) as refused:
        term.full_clean()
    assert "half_term_ends_on" in refused.value.message_dict


@pytest.mark.django_db
def test_a_term_must_end_after_it_starts(school):
    """A term ending before it starts is refused."""
    term = Term(
        school=school,
        name=TermName.AUTUMN,
        academic_year="2025-26",
        starts_on=date(2025, 12, 19),
        ends_on=date(2025, 9, 3),
    )

    with pytest.raises(ValidationError) as refused:
        term.full_clean()
    assert refused.value.message_dict["ends_on"] == ["The term must end after it starts."]


@pytest.mark.django_db
def test_a_school_has_one_term_of_each_name_a_year(school, year_2025_26):
    """A second autumn term in 2025-26 is refused, even on dates that don't overlap."""
    second = Term(
        school=school,
        name=TermName.AUTUMN,
        academic_year="2025-26",
        starts_on=date(2026, 9, 2),
        ends_on=date(2026, 12, 18),
    )

    with pytest.raises(ValidationError, match="already exists"):
        second.full_clean()


@pytest.mark.parametrize("value", ["2025-26", "1999-00", "2099-00"])
def test_an_academic_year_is_two_consecutive_years(value):
    """ "2025-26" and across a century, "1999-00", are accepted."""
    validate_academic_year(value)


@pytest.mark.parametrize("value", ["2025-27", "2025/26", "25-26", "2025-2026", "2025-25", "", "autumn"])
def test_other_academic_year_forms_are_refused(value):
    """Years that aren't consecutive, or aren't written YYYY-YY, are refused."""
    with pytest.raises(ValidationError, match="e.g. 2025-26"):
        validate_academic_year(value)


@pytest.mark.django_db
def test_an_inset_day_is_entered_once_per_school(school):
    """The same INSET day twice at one school is refused."""
    InsetDay.objects.create(school=school, day=date(2026, 1, 5))

    with pytest.raises(ValidationError):
        InsetDay(school=school, day=date(2026, 1, 5)).full_clean()


# --- Who keeps the calendar, and its audit trail ----------------------------------------------------------------


def test_the_it_administrator_keeps_the_calendar():
    """The IT administrator may add, change, delete and view terms and INSET days."""
    for model in ("term", "insetday"):
        for action in ("add", "change", "delete", "view"):
            assert f"safeguarding.{action}_{model}" in IT_ADMIN_PERMISSIONS


@pytest.mark.django_db
def test_the_it_administrator_enters_a_term_in_the_admin(school, make_person, client):
    """A term added through the admin is saved and counts at once."""
    sign_in(client, make_person(Role.IT_ADMIN, school=school))

    response = client.post(
        reverse("admin:safeguarding_term_add"),
        {
            "school": school.pk,
            "academic_year": "2025-26",
            "name": TermName.AUTUMN,
            "starts_on": "2025-09-03",
            "ends_on": "2025-12-19",
            "half_term_starts_on": "2025-10-27",
            "half_term_ends_on": "2025-10-31",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert not is_school_day(school, date(2025, 10, 27))
    assert (
        client.get(reverse("admin:safeguarding_term_changelist"), {"school__id__exact": school.pk}).status_code == 200
    )
    assert client.get(reverse("admin:safeguarding_insetday_changelist")).status_code == 200


@pytest.mark.django_db
def test_calendar_changes_go_to_the_schools_audit_log(school, year_2025_26):
    """Term and INSET day changes are logged against their school."""
    inset = InsetDay.objects.create(school=school, day=date(2026, 1, 5))

    for record in (year_2025_26["autumn"], inset):
        entry = LogEntry.objects.get_for_object(record).get()
        assert entry.additional_data == {"school": school.pk}


def test_an_unsaved_school_has_an_empty_calendar():
    """A school not yet saved has no terms to load, so its school days are working days, without a query."""
    empty = calendar.SchoolCalendar.for_school(School(name="New School"))

    assert empty.is_school_day(date(2026, 2, 16))
    assert not empty.is_school_day(date(2026, 4, 3))
