"""The pupil roll from a page (issue 13, item 5): the plan's rules (added, changed field by field, UPN changes
matched by legal name and date of birth and confirmed, leavers off roll only with the whole roll, returning pupils
back on roll), the upload, preview, confirmation and result pages for each role, bad files changing nothing, and
1,500 pupils in a number of queries that does not grow with them."""

import hashlib
import io
import re
from datetime import date, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concerns.models import ChronologyEntry, ChronologyKind, Pupil
from concerns.pupil_import import (
    FieldChange,
    PupilImportRefused,
    import_pupils_csv,
    pupil_roll_apply,
    pupil_roll_plan,
)
from safeguarding.calendar import LONDON
from safeguarding.models import Role
from tests.factories import PupilFactory, raise_concern

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


def pupil_row(*, upn="A123456789012", dob="14/03/2013", year="8"):
    return f"{upn},Okafor,Adaeze,,,{dob},{year},8W\n"


def upn_change_file(new_upn="A000000000099"):
    """The roll again, with Adaeze under a new UPN (a temporary UPN replaced, say)."""
    return HEADER + f"{new_upn},Okafor,Adaeze,,Dae,14/03/2013,Year 8,8W\n" + "".join(GOOD_ROWS.splitlines(True)[1:])


# --- The plan's rules --------------------------------------------------------------------------------------------


def plan_for(school, text, *, whole_roll=False):
    return pupil_roll_plan(school=school, text=text, whole_roll=whole_roll)


@pytest.mark.django_db
def test_the_plan_says_who_is_added_changed_unchanged_and_not_in_the_file_and_saves_nothing(school):
    """A plan lists each pupil with what would change field by field (old → new), and changes nothing itself."""
    run_import(school, HEADER + GOOD_ROWS)
    second = (
        HEADER
        + "A123456789012,Okafor,Adaeze,,Dae,14/03/2013,9,9W\n"  # moved up a year
        + "B999000111222,Hollis,Reuben,,,2011-11-02,Y10,10E\n"  # as before
        + "C111222333444,Nowak,Zuzanna,,Zuzia,2012-05-20,Year 9,9S\n"  # new
    )

    plan = plan_for(school, second)

    assert [(line, pupil.upn, pupil.full_name) for line, pupil in plan.additions] == [
        (4, "C111222333444", "Zuzia Nowak (legal name Zuzanna Nowak)")
    ]
    [update] = plan.changed
    assert (update.line, update.pupil.upn) == (2, "A123456789012")
    assert update.changes == [FieldChange("Year", "Year 8", "Year 9"), FieldChange("Reg Group or Form", "8W", "9W")]
    assert plan.unchanged == 1
    assert [pupil.upn for pupil in plan.leaving] == ["999000111333C"]
    assert (plan.upn_changes, plan.problems) == ([], [])
    assert Pupil.objects.filter(school=school).count() == 3
    assert Pupil.objects.get(upn="A123456789012").year_group == 8


@pytest.mark.django_db
def test_a_new_upn_with_a_pupils_legal_name_and_date_of_birth_is_a_upn_change_to_confirm(school):
    """Matched by the second key (legal forename, legal surname, date of birth), shown as a UPN change and never
    applied unconfirmed: refused, nothing changes; confirmed, the same child keeps their record under the new UPN."""
    run_import(school, HEADER + GOOD_ROWS)
    adaeze = Pupil.objects.get(upn="A123456789012")

    plan = plan_for(school, upn_change_file().replace("Okafor,Adaeze", "OKAFOR,adaeze"))

    [update] = plan.upn_changes
    assert (update.line, update.pupil.pk, update.old_upn, update.new_upn) == (
        2,
        adaeze.pk,
        "A123456789012",
        "A000000000099",
    )
    assert FieldChange("UPN", "A123456789012", "A000000000099") in update.changes
    assert (plan.added, plan.leaving, plan.problems) == ([], [], [])
    with pytest.raises(PupilImportRefused) as refused:
        pupil_roll_apply(plan=plan, user=None)
    assert [str(p) for p in refused.value.problems] == [
        "line 2: UPN 'A000000000099' is new, but the legal name and date of birth are those of Dae Okafor (legal name "
        "Adaeze Okafor) (UPN 'A123456789012'). If the child's UPN changed, confirm the change; if this is another "
        "child, check the file"
    ]
    assert Pupil.objects.get(pk=adaeze.pk).upn == "A123456789012"

    result = pupil_roll_apply(plan=plan_for(school, upn_change_file()), user=None, confirm_upn_changes=True)

    assert [u.pupil.pk for u in result.upn_changed] == [adaeze.pk]
    assert Pupil.objects.get(pk=adaeze.pk).upn == "A000000000099"
    assert Pupil.objects.filter(school=school).count() == 3


@pytest.mark.django_db
def test_a_new_upn_matching_two_pupils_is_a_problem_not_a_guess(school):
    """When two pupils share the legal name and date of birth, the import can't tell which one it is."""
    run_import(school, HEADER + pupil_row(upn="A000000000001") + pupil_row(upn="A000000000002"))

    plan = plan_for(school, HEADER + pupil_row(upn="A000000000003"))

    assert [str(p) for p in plan.problems] == [
        "line 2: UPN 'A000000000003' is new, but 2 pupils here have this legal name and date of birth, so it can't be "
        "told whether this child's UPN changed. Check these pupils' records in the information system"
    ]


@pytest.mark.django_db
def test_the_same_name_and_birthday_with_the_old_upn_still_in_the_file_is_a_new_child(school):
    """A match whose own UPN is still in the file is another child (twins share a birthday, not usually a name)."""
    run_import(school, HEADER + pupil_row(upn="A000000000001"))

    plan = plan_for(school, HEADER + pupil_row(upn="A000000000001") + pupil_row(upn="A000000000002"))

    assert [p.upn for p in plan.added] == ["A000000000002"]
    assert plan.upn_changes == []


@pytest.mark.django_db
def test_leavers_come_off_roll_only_with_the_whole_roll_and_are_never_deleted(school, dsl):
    """Without "whole roll" the pupils not in the file stay on roll; with it they are marked off roll from today,
    kept, and their chronology says they left."""
    run_import(school, HEADER + GOOD_ROWS)
    two_rows = HEADER + "".join(GOOD_ROWS.splitlines(True)[:2])

    partial = pupil_roll_apply(plan=plan_for(school, two_rows), user=dsl)

    assert (partial.not_in_file, partial.left) == (1, [])
    assert Pupil.objects.get(upn="999000111333C").on_roll

    result = pupil_roll_apply(plan=plan_for(school, two_rows, whole_roll=True), user=dsl)

    mei = Pupil.objects.get(upn="999000111333C")
    assert [p.pk for p in result.left] == [mei.pk]
    assert (mei.on_roll, mei.left_on) == (False, date(2026, 12, 2))
    assert Pupil.objects.filter(school=school).count() == 3
    [line] = ChronologyEntry.objects.filter(pupil=mei)
    assert (line.kind, line.author) == (ChronologyKind.LEFT, dsl)
    assert line.summary.startswith("Taken off roll on 2 December 2026: not on the roll imported from the school")
    assert "Helen Marsh (Designated Safeguarding Lead)" in line.summary


@pytest.mark.django_db
def test_a_whole_roll_needs_the_person_importing(school):
    """Each leaver's chronology names who took them off roll, so a whole roll can't be applied by nobody."""
    run_import(school, HEADER + GOOD_ROWS)

    with pytest.raises(ValueError, match="needs the person"):
        pupil_roll_apply(plan=plan_for(school, HEADER + pupil_row(), whole_roll=True), user=None)

    assert Pupil.objects.filter(on_roll=True).count() == 3


@pytest.mark.django_db
def test_only_the_dsl_team_and_the_it_administrator_apply_a_plan(school, make_person):
    for role in (Role.STAFF, Role.HEADTEACHER, Role.PASTORAL, Role.DPO):
        with pytest.raises(PermissionDenied):
            pupil_roll_apply(plan=plan_for(school, HEADER + GOOD_ROWS), user=make_person(role, school=school))
    assert not Pupil.objects.exists()
    pupil_roll_apply(plan=plan_for(school, HEADER + GOOD_ROWS), user=make_person(Role.IT_ADMIN, school=school))
    assert Pupil.objects.count() == 3


@pytest.mark.django_db
def test_a_pupil_who_returns_in_a_later_file_is_shown_going_back_on_roll(school, dsl):
    """A leaver back in the file is a change ("On roll: no → yes") and goes back on roll without a leaving date."""
    run_import(school, HEADER + GOOD_ROWS)
    pupil_roll_apply(plan=plan_for(school, HEADER + GOOD_ROWS.splitlines(True)[0], whole_roll=True), user=dsl)

    plan = plan_for(school, HEADER + GOOD_ROWS, whole_roll=True)

    assert sorted((u.pupil.upn, u.changes[-1]) for u in plan.changed) == [
        ("999000111333C", FieldChange("On roll", "no (left 2 December 2026)", "yes")),
        ("B999000111222", FieldChange("On roll", "no (left 2 December 2026)", "yes")),
    ]
    pupil_roll_apply(plan=plan, user=dsl)
    assert Pupil.objects.filter(on_roll=True, left_on=None).count() == 3


# --- The pages ---------------------------------------------------------------------------------------------------

PENDING = "pupil_import"


def upload(client, content, *, school, name="roll.csv", whole_roll=False):
    data = content.encode() if isinstance(content, str) else content
    fields = {"school": str(school.public_id), "file": SimpleUploadedFile(name, data, content_type="text/csv")}
    if whole_roll:
        fields["whole_roll"] = "on"
    return client.post(reverse("concerns:pupil_import"), fields)


def confirm(client, **fields):
    digest = client.session[PENDING]["digest"]
    return client.post(reverse("concerns:pupil_import_confirm"), {"digest": digest, **fields})


def text_of(response) -> str:
    """The page's words, without tags, spaces run together."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.fixture
def itadmin(school, make_person):
    return make_person(Role.IT_ADMIN, school=school, first_name="Chris", last_name="Lowe", job_title="IT administrator")


@pytest.mark.django_db
def test_the_it_administrator_uploads_previews_and_confirms(client, signed_in, school, itadmin):
    """Upload, then a preview of who is added, then the import on confirming, with the file kept in between."""
    signed_in(itadmin)

    response = upload(client, HEADER + GOOD_ROWS, school=school)

    assert response.status_code == 302 and response.url == reverse("concerns:pupil_import_preview")
    assert not Pupil.objects.exists()
    preview = text_of(client.get(response.url))
    assert "3 to add" in preview and "0 problems" in preview
    assert "2 Dae Okafor (legal name Adaeze Okafor) A123456789012 14 March 2013 Year 8, 8W" in preview
    assert "Nothing has changed yet." in preview

    done = confirm(client)

    assert done.status_code == 302 and done.url == reverse("concerns:pupil_import_done")
    assert Pupil.objects.filter(school=school, on_roll=True).count() == 3
    assert PENDING not in client.session
    assert "3 pupils added" in text_of(client.get(done.url))


@pytest.mark.django_db
def test_the_preview_shows_the_roll_and_nothing_of_a_concern_or_a_file(client, signed_in, school, itadmin, teacher):
    """The IT administrator sees names, UPNs, dates of birth, year and form, never a concern or a link to a file."""
    run_import(school, HEADER + GOOD_ROWS)
    mei = Pupil.objects.get(upn="999000111333C")
    concern = raise_concern(author=teacher, school=school, subject=mei)
    signed_in(itadmin)

    upload(client, HEADER + "".join(GOOD_ROWS.splitlines(True)[:2]), school=school, whole_roll=True)
    page = client.get(reverse("concerns:pupil_import_preview")).content.decode()

    assert "Mei Bramley (legal name Mei Chen)" in page and "999000111333C" in page
    assert concern.account not in page
    assert reverse("concerns:pupil_file", args=[mei.public_id]) not in page
    assert "CP file" not in page and "child protection" not in page.lower()


@pytest.mark.parametrize("role", [Role.STAFF, Role.HEADTEACHER, Role.PASTORAL, Role.DPO, Role.TRUSTEE])
@pytest.mark.django_db
def test_nobody_but_the_dsl_team_and_the_it_administrator_imports(client, signed_in, school, make_person, role):
    signed_in(make_person(role, school=school))

    assert client.get(reverse("concerns:pupil_import")).status_code == 403
    assert upload(client, HEADER + GOOD_ROWS, school=school).status_code == 403
    assert client.post(reverse("concerns:pupil_import_confirm"), {"digest": "x"}).status_code == 403
    assert not Pupil.objects.exists()


@pytest.mark.parametrize("who", ["dsl", "deputy", "itadmin"])
@pytest.mark.django_db
def test_the_dsl_team_and_the_it_administrator_import(client, signed_in, school, request, who):
    signed_in(request.getfixturevalue(who))

    upload(client, HEADER + GOOD_ROWS, school=school)
    client.get(reverse("concerns:pupil_import_preview"))
    assert confirm(client).status_code == 302

    assert Pupil.objects.filter(school=school).count() == 3


@pytest.mark.django_db
def test_another_schools_dsl_cannot_import_into_this_school(client, signed_in, school, other_school, make_person):
    signed_in(make_person(Role.DSL, school=other_school))

    response = upload(client, HEADER + GOOD_ROWS, school=school)

    assert response.status_code == 400
    assert PENDING not in client.session and not Pupil.objects.exists()


ZOE = "A123456789012,Wójcik,Zoë,,,14/03/2013,8,8W\n"


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("roll.xlsx", b"PK\x03\x04" + b"\x00" * 40, "This is an Excel workbook, not a CSV file."),
        ("roll.pdf", b"%PDF-1.4\n%%EOF\n", "This is a PDF, not a CSV file."),
        ("roll.csv", b"", "The submitted file is empty."),
        ("roll.csv", b" \r\n\r\n", "The file is empty."),
        ("roll.csv", (HEADER + ZOE).encode("cp1252"), "The file is not saved as UTF-8, so names such as Zoë"),
        ("roll.csv", b"UPN\n" + b"x" * (5 * 1024 * 1024), "larger than the 5 MB a roll needs"),
    ],
)
@pytest.mark.django_db
def test_a_file_that_cannot_be_read_changes_nothing_and_says_why(client, signed_in, school, dsl, name, content, said):
    """Not CSV, empty, the wrong encoding (with how to save as CSV UTF-8) or too large: refused at upload."""
    run_import(school, HEADER + GOOD_ROWS)
    signed_in(dsl)

    response = upload(client, content, school=school, name=name)

    assert response.status_code == 400
    assert said in text_of(response)
    if "CSV" in said or "UTF-8" in said:
        assert "CSV UTF-8 (Comma delimited)" in text_of(response).replace("&quot;", '"')
    assert PENDING not in client.session
    assert Pupil.objects.filter(school=school, on_roll=True).count() == 3


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("UPN,Legal Surname,Legal Forename,Year\nA123456789012,Okafor,Adaeze,8\n", "there is no Date of Birth column"),
        (HEADER + pupil_row(dob="31/02/2012"), "Date of Birth &#x27;31/02/2012&#x27; is not a real date"),
        (HEADER + "".join(pupil_row(upn=f"A{n:012d}") for n in range(5001)), "The file has more than 5,000 pupils"),
    ],
)
@pytest.mark.django_db
def test_a_file_with_problems_is_previewed_and_cannot_be_confirmed(client, signed_in, school, dsl, content, said):
    """Missing columns, a bad row or too many rows: listed by line on the preview, with no way to confirm."""
    run_import(school, HEADER + GOOD_ROWS)
    signed_in(dsl)
    upload(client, content, school=school, whole_roll=True)

    preview = client.get(reverse("concerns:pupil_import_preview"))

    assert said in preview.content.decode()
    assert reverse("concerns:pupil_import_confirm") not in preview.content.decode()
    response = confirm(client)
    assert response.status_code == 400
    assert Pupil.objects.filter(school=school, on_roll=True).count() == 3
    assert Pupil.objects.get(upn="A123456789012").year_group == 8


@pytest.mark.django_db
def test_a_confirmation_for_another_file_or_a_changed_roll_changes_nothing(client, signed_in, school, dsl):
    """The confirm form carries the file's digest, and the preview's plan must still be the plan."""
    signed_in(dsl)
    upload(client, HEADER + GOOD_ROWS, school=school)
    client.get(reverse("concerns:pupil_import_preview"))

    wrong = client.post(reverse("concerns:pupil_import_confirm"), {"digest": hashlib.sha256(b"other").hexdigest()})

    assert wrong.url == reverse("concerns:pupil_import_preview") and not Pupil.objects.exists()
    PupilFactory(school=school, upn="A123456789012", legal_first_name="Adaeze", legal_last_name="Okafor")
    changed = confirm(client)
    assert changed.url == reverse("concerns:pupil_import_preview")
    assert Pupil.objects.count() == 1


@pytest.mark.django_db
def test_a_upn_change_on_the_page_needs_its_box_ticked(client, signed_in, school, itadmin):
    run_import(school, HEADER + GOOD_ROWS)
    adaeze = Pupil.objects.get(upn="A123456789012")
    signed_in(itadmin)
    upload(client, upn_change_file(), school=school)

    preview = text_of(client.get(reverse("concerns:pupil_import_preview")))
    refused = confirm(client)

    assert "UPN changed from A123456789012 to A000000000099" in preview
    assert refused.status_code == 400 and "Tick this box to confirm the UPN changes" in text_of(refused)
    assert Pupil.objects.get(pk=adaeze.pk).upn == "A123456789012"
    confirm(client, confirm_upn_changes="on")
    assert Pupil.objects.get(pk=adaeze.pk).upn == "A000000000099"
    assert Pupil.objects.filter(school=school).count() == 3


@pytest.mark.django_db
def test_the_whole_roll_on_the_page_marks_leavers_off_roll(client, signed_in, school, itadmin):
    run_import(school, HEADER + GOOD_ROWS)
    signed_in(itadmin)
    upload(client, HEADER + "".join(GOOD_ROWS.splitlines(True)[:2]), school=school, whole_roll=True)

    preview = text_of(client.get(reverse("concerns:pupil_import_preview")))
    done = client.get(confirm(client).url)

    assert "Leaving, to be marked off roll (1)" in preview
    assert "Mei Bramley (legal name Mei Chen) (999000111333C, was Year 7, 7S)" in text_of(done)
    mei = Pupil.objects.get(upn="999000111333C")
    assert (mei.on_roll, mei.left_on) == (False, date(2026, 12, 2))
    assert ChronologyEntry.objects.filter(pupil=mei, kind=ChronologyKind.LEFT, author=itadmin).exists()


@pytest.mark.django_db
def test_a_whole_roll_taking_most_pupils_off_is_questioned(client, signed_in, school, dsl):
    """One year group's list uploaded as the whole roll would take the rest off: the preview warns."""
    run_import(school, HEADER + GOOD_ROWS)
    signed_in(dsl)
    upload(client, HEADER + GOOD_ROWS.splitlines(True)[0], school=school, whole_roll=True)

    preview = text_of(client.get(reverse("concerns:pupil_import_preview")))

    assert "This would take 2 of the 3 pupils on roll off it." in preview


# --- 1,500 pupils --------------------------------------------------------------------------------------------------


def roll(count, *, year_offset=0):
    """A fictional roll of `count` pupils in Years 7 to 11 (with `year_offset` added, for the next year)."""
    lines = []
    for n in range(count):
        year = 7 + n % 5
        born = date(2014 - (year - 7), 1 + n % 12, 1 + n % 28)
        lines.append(f"A{n:012d},Testley{n},Pupil{n},,,{born:%d/%m/%Y},{min(year + year_offset, 13)},{year}X\n")
    return HEADER + "".join(lines)


def queries(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


@pytest.mark.django_db
def test_a_plan_for_1500_pupils_takes_the_queries_one_for_15_takes(school, django_assert_max_num_queries):
    """The school's pupils are read once, whatever the size of the file or the roll."""
    run_import(school, roll(1500))
    next_year = roll(1500, year_offset=1)

    with django_assert_max_num_queries(2):
        plan = pupil_roll_plan(school=school, text=next_year, whole_roll=True)

    assert (len(plan.changed), plan.problems) == (1500, [])
    assert queries(lambda: pupil_roll_plan(school=school, text=roll(15, year_offset=1))) == queries(
        lambda: pupil_roll_plan(school=school, text=next_year)
    )


@pytest.mark.django_db
def test_the_preview_of_1500_pupils_takes_the_queries_one_of_15_takes(client, signed_in, school, dsl):
    signed_in(dsl)
    counts = []
    for size in (15, 1500):
        upload(client, roll(size), school=school)
        counts.append(queries(lambda: client.get(reverse("concerns:pupil_import_preview"))))
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_1500_pupils_imported_from_the_page(client, signed_in, school, itadmin):
    """The roll of a large school, then the same file again: nothing to save, in the queries of a small one."""
    signed_in(itadmin)
    upload(client, roll(1500), school=school)
    client.get(reverse("concerns:pupil_import_preview"))

    # Each pupil is saved on its own, for the audit log: a pupil and its log entry, never more.
    assert queries(lambda: confirm(client)) <= 2 * 1500 + 30
    assert Pupil.objects.filter(school=school, on_roll=True).count() == 1500

    again = []
    for size in (15, 1500):
        upload(client, roll(size), school=school)
        client.get(reverse("concerns:pupil_import_preview"))
        again.append(queries(lambda: confirm(client)))
    assert again[0] == again[1]
