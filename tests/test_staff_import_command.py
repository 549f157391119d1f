"""manage.py import_staff (issue 13): the same plan printed, and any problem changes nothing and exits non-zero.

Every person here is fictional.
"""

import io

import pytest
from django.core.management import CommandError, call_command

from safeguarding.models import Membership, Role, User

from .test_staff_import import HEADER, SIS, fake_invitations


@pytest.fixture
def invitations(monkeypatch):
    return fake_invitations(monkeypatch)


def import_staff(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_staff", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def staff_csv(tmp_path):
    def write(text, encoding="utf-8-sig"):
        path = tmp_path / "staff.csv"
        path.write_bytes(text.encode(encoding))
        return path

    return write


@pytest.mark.django_db
def test_the_command_prints_the_plan_and_imports(school, staff_csv, invitations):
    out, _ = import_staff(staff_csv(SIS), "--school", "west park school")
    assert "Staff list for West Park School: 2 to add, 0 to change, 0 unchanged, 0 leaving." in out
    assert "Add: line 2: Adaeze Okafor <a.okafor@westpark.example>, Teacher of Geography (username a.okafor)" in out
    assert "Staff imported for West Park School: 2 added (and invited), 0 changed, 0 unchanged, 0 deactivated." in out
    assert User.objects.filter(memberships__school=school).count() == 2
    assert [invited_by for _, invited_by in invitations] == [None, None]


@pytest.mark.django_db
def test_a_dry_run_changes_nothing(school, staff_csv, invitations):
    out, _ = import_staff(staff_csv(SIS), "--school", str(school.public_id), "--dry-run")
    assert "2 to add" in out and "Dry run: nothing was changed." in out
    assert not User.objects.exists() and invitations == []


@pytest.mark.django_db
def test_any_problem_exits_non_zero_and_changes_nothing(school, staff_csv, make_person, invitations):
    leaver = make_person(Role.STAFF, school=school, email="gone@westpark.example")
    path = staff_csv(SIS + "Ms,Mei,Chen,,Teacher\n")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="Nothing was changed: 1 problem."):
        call_command("import_staff", str(path), "--whole-list", stdout=out, stderr=err)
    assert "line 4: the email address is empty" in err.getvalue()
    assert "Leaving, to be deactivated:" in out.getvalue()
    assert User.objects.count() == 1 and User.objects.get(pk=leaver.pk).is_active


@pytest.mark.django_db
def test_safeguarding_roles_need_confirm_roles(school, staff_csv, invitations):
    path = staff_csv(HEADER + "Ada,Okafor,a.okafor@westpark.example,Teacher,Headteacher\n")
    with pytest.raises(CommandError, match="1 problem"):
        import_staff(path)
    assert not User.objects.exists()
    out, _ = import_staff(path, "--confirm-roles")
    assert "Safeguarding role: line 2: Ada Okafor: Headteacher" in out
    assert Membership.objects.filter(school=school, role=Role.HEADTEACHER).exists()


@pytest.mark.django_db
def test_whole_list_deactivates_the_leavers(school, staff_csv, make_person, invitations):
    leaver = make_person(
        Role.STAFF, school=school, first_name="Tom", last_name="Varga", email="t.varga@westpark.example"
    )
    out, _ = import_staff(staff_csv(SIS), "--whole-list")
    assert "Leaving, to be deactivated: Tom Varga <t.varga@westpark.example>" in out
    assert "1 deactivated" in out
    assert not User.objects.get(pk=leaver.pk).is_active


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_or_missing_or_a_school_unknown_is_refused(school, other_school, staff_csv, tmp_path):
    with pytest.raises(CommandError, match="not UTF-8 text"):
        import_staff(
            staff_csv("First name,Last name,Email\nZoë,Wójcik,z@westpark.example\n", encoding="cp1250"),
            "--school",
            "West Park School",
        )
    with pytest.raises(CommandError, match="There is no file at"):
        import_staff(tmp_path / "missing.csv", "--school", "West Park School")
    with pytest.raises(CommandError, match="There is no school called 'Nowhere High'"):
        import_staff(staff_csv(SIS), "--school", "Nowhere High")
    with pytest.raises(CommandError, match="Say which school"):
        import_staff(staff_csv(SIS))
    assert not User.objects.exists()
