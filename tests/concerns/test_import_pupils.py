"""import_pupils_csv and the import_pupils command: the roll from a CSV export, all or nothing, in each dialect
(SIMS-style headers, Wonde's and Assembly's field names). The plan's rules and the page are in
test_pupil_roll_page.py."""

import io
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.utils import timezone

from concerns.models import Pupil
from concerns.pupil_import import import_pupils_csv
from safeguarding.calendar import LONDON
from tests.factories import SchoolFactory

HEADER = "UPN,Legal Surname,Legal Forename,Preferred Surname,Preferred Forename,Date of Birth,Year,Reg Group\n"
GOOD_ROWS = (
    "A123456789012,Okafor,Adaeze,,Dae,14/03/2013,Year 8,8W\n"
    "b999000111222,Hollis,Reuben,,,2011-11-02,Y10,10E\n"
    "999000111333C,Chen,Mei,Bramley,,01/09/2014,7,7S\n"
)

# A Wednesday in the autumn term: the rows' children are 12 to 15.
NOW = datetime(2026, 12, 2, 10, 30, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def run_import(school, text):
    return import_pupils_csv(school=school, file=io.StringIO(text))


def years_ago(years):
    today = timezone.localdate()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def pupil_row(*, upn="A123456789012", dob="14/03/2013", year="8"):
    return f"{upn},Okafor,Adaeze,,,{dob},{year},8W\n"


@pytest.mark.django_db
def test_a_good_file_creates_the_pupils(school):
    """Each row becomes a pupil of the school, with the UPN in capitals and dates and years read as written."""
    result = run_import(school, HEADER + GOOD_ROWS)

    assert (result.created, result.updated, result.not_in_file, result.errors) == (3, 0, 0, [])
    adaeze = Pupil.objects.get(school=school, upn="A123456789012")
    assert (adaeze.legal_first_name, adaeze.legal_last_name, adaeze.preferred_first_name) == ("Adaeze", "Okafor", "Dae")
    assert (adaeze.date_of_birth, adaeze.year_group, adaeze.form, adaeze.on_roll) == (date(2013, 3, 14), 8, "8W", True)
    reuben = Pupil.objects.get(school=school, upn="B999000111222")
    assert (reuben.date_of_birth, reuben.year_group) == (date(2011, 11, 2), 10)
    mei = Pupil.objects.get(school=school, upn="999000111333C")
    assert (mei.preferred_last_name, mei.year_group, mei.form) == ("Bramley", 7, "7S")


@pytest.mark.django_db
def test_each_new_pupil_is_in_the_audit_log(school):
    """Pupils are written one save() at a time, so the audit log records every one."""
    run_import(school, HEADER + GOOD_ROWS)

    for pupil in Pupil.objects.filter(school=school):
        assert LogEntry.objects.get_for_object(pupil).filter(action=LogEntry.Action.CREATE).exists()


@pytest.mark.django_db
def test_a_second_import_updates_by_upn_and_counts_pupils_missing_from_it(school):
    """Matched pupils are updated, new ones added, and on-roll pupils left out of the file are kept and counted."""
    run_import(school, HEADER + GOOD_ROWS)
    second = (
        HEADER
        + "A123456789012,Okafor,Adaeze,,Dae,14/03/2013,9,9W\n"  # moved up a year
        + "B999000111222,Hollis,Reuben,,,2011-11-02,Y10,10E\n"  # as before
        + "C111222333444,Nowak,Zuzanna,,Zuzia,2012-05-20,Year 9,9S\n"  # new
    )

    result = run_import(school, second)

    assert (result.created, result.updated, result.unchanged, result.not_in_file) == (1, 1, 1, 1)
    assert result.errors == []
    adaeze = Pupil.objects.get(school=school, upn="A123456789012")
    assert (adaeze.year_group, adaeze.form) == (9, "9W")
    assert Pupil.objects.get(school=school, upn="999000111333C").on_roll  # absent, but not removed
    assert Pupil.objects.filter(school=school).count() == 4


@pytest.mark.django_db
def test_a_pupil_back_in_the_file_is_back_on_roll(school):
    """A pupil who had left and reappears in the export is put back on roll, without a leaving date."""
    run_import(school, HEADER + GOOD_ROWS)
    Pupil.objects.filter(upn="A123456789012").update(on_roll=False, left_on=date(2025, 7, 18))

    result = run_import(school, HEADER + GOOD_ROWS)

    pupil = Pupil.objects.get(upn="A123456789012")
    assert (pupil.on_roll, pupil.left_on) == (True, None)
    assert (result.updated, result.unchanged) == (1, 2)


@pytest.mark.django_db
def test_pupils_of_another_school_are_neither_matched_nor_counted(school):
    """The same UPN at another school is that school's pupil: the import adds its own and counts only its own."""
    other = SchoolFactory(name="Riverside Academy")
    run_import(other, HEADER + GOOD_ROWS)

    result = run_import(school, HEADER + "A123456789012,Okafor,Adaeze,,,14/03/2013,8,8W\n")

    assert (result.created, result.updated, result.not_in_file) == (1, 0, 0)
    assert Pupil.objects.filter(school=other).count() == 3


@pytest.mark.django_db
def test_one_bad_row_among_good_ones_imports_nothing(school):
    """A file with any problem changes nothing, and the problem is reported with its line number and reason."""
    run_import(school, HEADER + "A123456789012,Okafor,Adaeze,,,14/03/2013,8,8W\n")
    text = (
        HEADER
        + "A123456789012,Okafor,Adaeze,,,14/03/2013,9,9W\n"
        + "B999000111222,Hollis,Reuben,,,31/02/2012,Y10,10E\n"
        + "999000111333C,Chen,Mei,,,01/09/2014,7,7S\n"
    )

    result = run_import(school, text)

    assert result.errors == ["line 3: Date of Birth '31/02/2012' is not a real date"]
    assert (result.created, result.updated, result.not_in_file) == (0, 0, 0)
    assert list(Pupil.objects.filter(school=school).values_list("upn", "year_group")) == [("A123456789012", 8)]


@pytest.mark.django_db
def test_every_problem_is_reported_not_just_the_first(school):
    """All the file's problems come back at once, each on its own line."""
    text = HEADER + pupil_row(upn="A1", dob="2013-03-14") + pupil_row(upn="B123456789012", year="Year 6")

    result = run_import(school, text)

    assert result.errors == [
        "line 2: UPN 'A1' is not a letter and 12 digits (or 12 digits and a letter, for a temporary UPN)",
        "line 3: Year 'Year 6' is not one of Years 7 to 13",
    ]


@pytest.mark.django_db
def test_a_missing_required_header_is_reported(school):
    """A file without a required column imports nothing and says which column is missing."""
    text = "UPN,Legal Surname,Legal Forename,Year\nA123456789012,Okafor,Adaeze,8\n"

    result = run_import(school, text)

    assert result.errors == ["line 1: there is no Date of Birth column, which is required"]
    assert not Pupil.objects.exists()


@pytest.mark.django_db
def test_headers_ignore_case_spaces_and_other_columns(school):
    """Headers match whatever their case and spacing; Form stands for Reg Group; other columns are ignored."""
    text = (
        " upn , LEGAL SURNAME,legal  forename,Gender,date of birth, year ,form\n"
        "A123456789012,Okafor,Adaeze,F,14/03/2013,8,8W\n"
    )

    result = run_import(school, text)

    assert result.errors == []
    assert Pupil.objects.get(upn="A123456789012").form == "8W"


@pytest.mark.django_db
def test_a_duplicate_upn_is_reported(school):
    """The same UPN twice in the file, whatever its case, is a problem on the second line that has it."""
    text = HEADER + pupil_row() + GOOD_ROWS.splitlines(keepends=True)[1] + pupil_row(upn="a123456789012")

    result = run_import(school, text)

    assert result.errors == ["line 4: UPN 'A123456789012' is also on line 2"]
    assert not Pupil.objects.exists()


@pytest.mark.parametrize(
    ("upn", "stored"),
    [("A123456789012", "A123456789012"), ("z123456789012", "Z123456789012"), ("123456789012t", "123456789012T")],
)
@pytest.mark.django_db
def test_upns_of_either_format_are_accepted(school, upn, stored):
    """A letter then 12 digits, or 12 digits then a letter (a temporary UPN), in any case."""
    assert run_import(school, HEADER + pupil_row(upn=upn)).errors == []
    assert Pupil.objects.get().upn == stored


@pytest.mark.parametrize("upn", ["A12345678901", "A1234567890123", "AB23456789012", "1234567890123", "Ä123456789012"])
@pytest.mark.django_db
def test_a_malformed_upn_is_reported(school, upn):
    """Anything other than a letter A–Z and 12 digits is not a UPN."""
    result = run_import(school, HEADER + pupil_row(upn=upn))

    assert result.errors == [
        f"line 2: UPN '{upn}' is not a letter and 12 digits (or 12 digits and a letter, for a temporary UPN)"
    ]


@pytest.mark.parametrize(
    ("dob", "born"),
    [("14/03/2013", date(2013, 3, 14)), ("2013-03-14", date(2013, 3, 14)), ("4/3/2013", date(2013, 3, 4))],
)
@pytest.mark.django_db
def test_dates_of_birth_in_either_format(school, dob, born):
    """DD/MM/YYYY (day first, as in England) and YYYY-MM-DD are both read."""
    assert run_import(school, HEADER + pupil_row(dob=dob)).errors == []
    assert Pupil.objects.get().date_of_birth == born


@pytest.mark.parametrize(
    ("dob", "reason"),
    [
        ("31/02/2012", "is not a real date"),
        ("2012-13-01", "is not a real date"),
        ("03/14/2013", "is not a real date"),
        ("14.03.2013", "is not in the form DD/MM/YYYY or YYYY-MM-DD"),
        ("14 March 2013", "is not in the form DD/MM/YYYY or YYYY-MM-DD"),
        ("14/03/13", "is not in the form DD/MM/YYYY or YYYY-MM-DD"),
    ],
)
@pytest.mark.django_db
def test_a_bad_date_of_birth_is_reported(school, dob, reason):
    """A date that can't be read, or doesn't exist, is reported with the value as written."""
    result = run_import(school, HEADER + pupil_row(dob=dob))

    assert result.errors == [f"line 2: Date of Birth '{dob}' {reason}"]


@pytest.mark.django_db
def test_a_date_of_birth_must_be_past_and_make_the_child_3_to_25(school):
    """Future dates, and ages under 3 or over 25, are reported; 3 and 25 themselves are accepted."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    too_young = years_ago(2)
    youngest = years_ago(3) - timedelta(days=1)
    oldest = years_ago(26) + timedelta(days=1)
    too_old = years_ago(30)
    text = HEADER + "".join(
        pupil_row(upn=f"A{index:012d}", dob=f"{born:%d/%m/%Y}")
        for index, born in enumerate((tomorrow, too_young, youngest, oldest, too_old))
    )

    result = run_import(school, text)

    assert result.errors == [
        f"line 2: Date of Birth '{tomorrow:%d/%m/%Y}' is not in the past",
        f"line 3: Date of Birth '{too_young:%d/%m/%Y}' makes the pupil 2 years old; pupils must be 3 to 25",
        f"line 6: Date of Birth '{too_old:%d/%m/%Y}' makes the pupil 30 years old; pupils must be 3 to 25",
    ]


@pytest.mark.parametrize(("year", "year_group"), [("9", 9), ("Year 9", 9), ("Y9", 9), ("y 13", 13), ("year7", 7)])
@pytest.mark.django_db
def test_year_groups_in_the_usual_forms(school, year, year_group):
    """A year group is read from 9, Year 9 or Y9, in any case."""
    assert run_import(school, HEADER + pupil_row(year=year)).errors == []
    assert Pupil.objects.get().year_group == year_group


@pytest.mark.parametrize(
    ("year", "reason"),
    [
        ("6", "is not one of Years 7 to 13"),
        ("Year 14", "is not one of Years 7 to 13"),
        ("Reception", "is not a year group (write it as 9, Year 9 or Y9)"),
        ("9.5", "is not a year group (write it as 9, Year 9 or Y9)"),
    ],
)
@pytest.mark.django_db
def test_a_bad_year_is_reported(school, year, reason):
    """Only Years 7 to 13 are accepted."""
    result = run_import(school, HEADER + pupil_row(year=year))

    assert result.errors == [f"line 2: Year '{year}' {reason}"]


@pytest.mark.django_db
def test_an_empty_required_value_is_reported(school):
    """A required value left blank is a problem; optional ones may be blank."""
    text = HEADER + "A123456789012,,Adaeze,,,14/03/2013,8,\n"

    result = run_import(school, text)

    assert result.errors == ["line 2: Legal Surname is empty"]


@pytest.mark.django_db
def test_too_many_values_on_a_line_is_reported(school):
    """An unquoted comma in a name shifts the columns; the line is reported rather than read wrongly."""
    text = HEADER + "A123456789012,Okafor,Adaeze,,,14/03/2013,8,8W,extra\n"

    result = run_import(school, text)

    assert result.errors == [
        "line 2: has 9 values but the header row has 8 columns (a name with a comma in it needs quotation marks)"
    ]


@pytest.mark.django_db
def test_a_utf8_byte_order_mark_is_ignored(school):
    """Excel's "CSV UTF-8" files start with a byte order mark; the first header is still recognised."""
    result = run_import(school, "\ufeff" + HEADER + "A123456789012,Wójcik,Zoë,,,14/03/2013,8,8W\n")

    assert result.errors == []
    assert Pupil.objects.get().full_name == "Zoë Wójcik"


@pytest.mark.django_db
def test_blank_lines_are_skipped_and_line_numbers_still_count_them(school):
    """Blank lines (and rows of empty cells) are skipped, but line numbers match the file as it is."""
    text = HEADER + "\n,,,,,,,\n" + pupil_row(dob="31/02/2012")

    result = run_import(school, text)

    assert result.errors == ["line 4: Date of Birth '31/02/2012' is not a real date"]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "The file is empty: it needs a header row and a line for each pupil."),
        (HEADER, "The file has a header row but no pupils."),
    ],
)
@pytest.mark.django_db
def test_a_file_without_pupils_is_reported(school, text, error):
    """An empty export is almost certainly a mistake, so it is reported rather than imported."""
    assert run_import(school, text).errors == [error]


@pytest.mark.django_db
def test_the_command_imports_and_prints_the_counts(school, tmp_path):
    """import_pupils reads the file, which may start with a byte order mark, and prints what it did."""
    path = tmp_path / "roll.csv"
    path.write_text(HEADER + GOOD_ROWS, encoding="utf-8-sig")
    out = io.StringIO()

    call_command("import_pupils", str(path), "--school", "West Park School", stdout=out)

    assert "3 added, 0 updated, 0 unchanged" in out.getvalue()
    assert Pupil.objects.filter(school=school).count() == 3


@pytest.mark.django_db
def test_the_command_reports_pupils_on_roll_not_in_the_file(school, tmp_path):
    """A second import with a pupil left out says how many on roll were not in the file."""
    path = tmp_path / "roll.csv"
    path.write_text(HEADER + GOOD_ROWS)
    call_command("import_pupils", str(path), stdout=io.StringIO())
    path.write_text(HEADER + GOOD_ROWS.splitlines(keepends=True)[0])
    out = io.StringIO()

    call_command("import_pupils", str(path), stdout=out)

    assert "0 added, 0 updated, 1 unchanged" in out.getvalue()
    assert "2 pupils on roll are not in the file" in out.getvalue()


@pytest.mark.django_db
def test_the_command_prints_every_problem_and_fails(school, tmp_path):
    """With problems, the command lists each one, imports nothing and exits with an error."""
    path = tmp_path / "roll.csv"
    path.write_text(HEADER + pupil_row(dob="31/02/2012") + pupil_row(upn="B123456789012", year="Year 6"))
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"^Nothing was imported: 2 problems\.$"):
        call_command("import_pupils", str(path), "--school", "West Park School", stderr=err)

    assert err.getvalue().splitlines() == [
        "line 2: Date of Birth '31/02/2012' is not a real date",
        "line 3: Year 'Year 6' is not one of Years 7 to 13",
    ]
    assert not Pupil.objects.exists()


@pytest.mark.django_db
def test_the_command_needs_school_when_there_are_several(school, other_school, tmp_path):
    """With more than one school, leaving out --school is refused and says to pass it."""
    path = tmp_path / "roll.csv"
    path.write_text(HEADER + GOOD_ROWS)

    with pytest.raises(CommandError, match="--school"):
        call_command("import_pupils", str(path))

    call_command("import_pupils", str(path), "--school", "Riverside Academy", stdout=io.StringIO())
    assert Pupil.objects.filter(school=other_school).count() == 3
    assert not Pupil.objects.filter(school=school).exists()


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_school(school, tmp_path):
    """A --school that names no school is an error, not a new school."""
    path = tmp_path / "roll.csv"
    path.write_text(HEADER + GOOD_ROWS)

    with pytest.raises(CommandError, match="There is no school called 'Eastfield'"):
        call_command("import_pupils", str(path), "--school", "Eastfield")


@pytest.mark.django_db
def test_the_command_refuses_a_file_that_is_not_utf8(school, tmp_path):
    """A file saved in the older Windows encoding is refused with advice, rather than read with garbled names."""
    path = tmp_path / "roll.csv"
    path.write_bytes((HEADER + "A123456789012,Wójcik,Zoë,,,14/03/2013,8,8W\n").encode("cp1252"))

    with pytest.raises(CommandError, match="CSV UTF-8"):
        call_command("import_pupils", str(path))


# --- Issue 13, item 5: UPN changes, the dialects, the command's options ---------------------------------------

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def upn_change_file(new_upn="A000000000099"):
    """The roll again, with Adaeze under a new UPN (a temporary UPN replaced, say)."""
    return HEADER + f"{new_upn},Okafor,Adaeze,,Dae,14/03/2013,Year 8,8W\n" + "".join(GOOD_ROWS.splitlines(True)[1:])


@pytest.mark.django_db
def test_an_unconfirmed_upn_change_is_a_problem_for_import_pupils_csv(school):
    """Changed behaviour (issue 13): the old importer made a second child of a pupil whose UPN changed."""
    run_import(school, HEADER + GOOD_ROWS)

    result = run_import(school, upn_change_file())

    assert [e.split(":")[0] for e in result.errors] == ["line 2"]
    assert "A000000000099" in result.errors[0]
    assert Pupil.objects.filter(school=school).count() == 3


@pytest.mark.parametrize("dialect", ["sims", "wonde", "assembly"])
@pytest.mark.django_db
def test_each_dialect_reads_the_same_pupils(school, dialect):
    """The SIMS-style headers, Wonde's field names (education_details upn and current_nc_year, date-times) and
    Assembly's (legal_first_name, dob, year_code) give the same three pupils; a preferred name the same as the legal
    one is kept empty."""
    text = (FIXTURES / f"pupils_{dialect}.csv").read_text(encoding="utf-8")

    result = run_import(school, text)

    assert result.errors == []
    pupils = Pupil.objects.filter(school=school).order_by("upn")
    assert [
        (p.upn, p.legal_first_name, p.legal_last_name, p.preferred_first_name, p.preferred_last_name) for p in pupils
    ] == [
        ("999000111333C", "Mei", "Chen", "", "Bramley"),
        ("A123456789012", "Adaeze", "Okafor", "Dae", ""),
        ("B999000111222", "Reuben", "Hollis", "", ""),
    ]
    assert [(p.date_of_birth, p.year_group, p.form) for p in pupils] == [
        (date(2014, 9, 1), 7, "7S"),
        (date(2013, 3, 14), 8, "8W"),
        (date(2011, 11, 2), 10, "10E"),
    ]


@pytest.mark.django_db
def test_an_export_with_one_name_reads_it_as_the_legal_name(school):
    """Forename and Surname without legal columns are the legal names; a semicolon-separated file is read too."""
    text = "UPN;Forename;Surname;DOB;Year Group\nA123456789012;Adaeze;Okafor;2013-03-14;8\n"

    assert run_import(school, text).errors == []
    pupil = Pupil.objects.get()
    assert (pupil.legal_first_name, pupil.legal_last_name, pupil.preferred_first_name) == ("Adaeze", "Okafor", "")


@pytest.mark.django_db
def test_the_preferred_header_wins_and_the_same_header_twice_is_a_problem(school):
    """Reg Group before Form; a column named twice can't be read either way."""
    assert (
        run_import(
            school,
            "UPN,Legal Surname,Legal Forename,Date of Birth,Year,Form,Reg Group\n"
            "A123456789012,Okafor,Adaeze,14/03/2013,8,Tutor 8,8W\n",
        ).errors
        == []
    )
    assert Pupil.objects.get().form == "8W"

    result = run_import(school, "UPN,Legal Surname,Legal Forename,Date of Birth,Year,Year\n")

    assert result.errors == ["line 1: there is more than one Year column"]


@pytest.mark.django_db
def test_the_command_dry_run_changes_nothing(school, tmp_path):
    path = tmp_path / "roll.csv"
    path.write_text(HEADER + GOOD_ROWS)
    out = io.StringIO()

    call_command("import_pupils", str(path), "--dry-run", stdout=out)

    assert "Dry run for West Park School: 3 to add" in out.getvalue()
    assert "Nothing was changed." in out.getvalue()
    assert not Pupil.objects.exists()


@pytest.mark.django_db
def test_the_command_takes_a_whole_roll_with_the_person_and_confirms_upn_changes(school, dsl, tmp_path):
    """--whole-roll needs --by; --confirm-upn-changes applies the UPN changes the file has."""
    path = tmp_path / "roll.csv"
    path.write_text(HEADER + GOOD_ROWS)
    call_command("import_pupils", str(path), stdout=io.StringIO())
    path.write_text(upn_change_file())

    with pytest.raises(CommandError, match="--confirm-upn-changes"):
        call_command("import_pupils", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    path.write_text(upn_change_file().replace("999000111333C,Chen,Mei,Bramley,,01/09/2014,7,7S\n", ""))
    with pytest.raises(CommandError, match="--by"):
        call_command("import_pupils", str(path), "--whole-roll", "--confirm-upn-changes")
    out = io.StringIO()

    call_command("import_pupils", str(path), "--whole-roll", "--confirm-upn-changes", "--by", dsl.username, stdout=out)

    assert "UPN changed from A123456789012 to A000000000099 (line 2)." in out.getvalue()
    assert "1 pupil not in the file marked off roll, from 2 December 2026." in out.getvalue()
    assert not Pupil.objects.get(upn="999000111333C").on_roll
    assert Pupil.objects.filter(school=school).count() == 3
