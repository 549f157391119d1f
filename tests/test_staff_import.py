"""Staff in bulk (issue 13): reading each export's staff list, the plan, and applying it all or nothing.

Every person here is fictional.
"""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import get_user
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from safeguarding.models import Membership, Role, User
from safeguarding.staff_import import StaffImportRefused, staff_import_apply, staff_import_plan
from safeguarding.staff_import_csv import MAX_ROWS, StaffFileError, decode, read_staff_csv

from .conftest import sign_in
from .factories import MembershipFactory, UserFactory, raise_concern

SIS = (
    "Title,Forename,Surname,Work Email,Job Title\n"
    "Mrs,Adaeze,Okafor,a.okafor@westpark.example,Teacher of Geography\n"
    "Mr,Reuben,Hollis,r.hollis@westpark.example,Head of Year 9\n"
)
MICROSOFT_365 = (
    "Block credential,Department,Display name,First name,Last name,Office,Title,User principal name,When created\n"
    "False,Science,Mei Chen,Mei,Chen,S2,Teacher of Science,M.Chen@westpark.example,2024-09-01\n"
    "True,Maths,Tom Varga,Tom,Varga,M1,Teacher of Maths,t.varga@westpark.example,2019-09-01\n"
)
GOOGLE = (
    "First Name [Required],Last Name [Required],Email Address [Required],Password [Required],"
    "Org Unit Path [Required],Employee Title,Status [READ ONLY]\n"
    "Priya,Nair,p.nair@westpark.example,****,/Staff,Attendance Officer,Active\n"
    "Sam,Ellery,s.ellery@westpark.example,****,/Staff,Teaching Assistant,Suspended\n"
)
ENTRA = (
    "userPrincipalName,displayName,surname,mail,givenName,jobTitle,accountEnabled\n"
    "jo.bell@westpark.onmicrosoft.example,Jo Bell,Bell,jo.bell@westpark.example,Jo,SENCo,True\n"
)


def fake_invitations(monkeypatch) -> list:
    """Stands in for safeguarding.passwords.invite (which queues the email): records who was invited, by whom."""
    sent: list = []
    monkeypatch.setattr(
        "safeguarding.passwords.invite", lambda user, *, invited_by: sent.append((user.email, invited_by))
    )
    return sent


@pytest.fixture
def invitations(monkeypatch):
    return fake_invitations(monkeypatch)


@pytest.fixture
def itadmin(school, make_person):
    return make_person(Role.IT_ADMIN, school=school, username="itadmin", email="it@westpark.example")


def plan_for(school, text, *, user=None, whole_list=False):
    return staff_import_plan(school=school, text=text, user=user, whole_list=whole_list)


def run(school, text, *, user=None, whole_list=False, confirm_roles=False):
    plan = plan_for(school, text, user=user, whole_list=whole_list)
    return staff_import_apply(plan=plan, user=user, confirm_roles=confirm_roles)


def problems(text):
    return [str(problem) for problem in read_staff_csv(text).problems]


# --- Reading each export ---------------------------------------------------------------------------------------


def test_a_school_information_system_export_is_read_and_its_title_column_ignored():
    """Forename, Surname, Work Email and Job Title; "Title" is Mr or Mrs there, not the job."""
    rows = read_staff_csv(SIS).rows
    assert [(r.line, r.first_name, r.last_name, r.email, r.job_title) for r in rows] == [
        (2, "Adaeze", "Okafor", "a.okafor@westpark.example", "Teacher of Geography"),
        (3, "Reuben", "Hollis", "r.hollis@westpark.example", "Head of Year 9"),
    ]


def test_a_microsoft_365_export_is_read_and_a_blocked_account_is_not_on_the_list():
    """User principal name is the email and Title the job title; Block credential True is a suspended account."""
    staff = read_staff_csv(MICROSOFT_365)
    assert [(r.first_name, r.last_name, r.email, r.job_title) for r in staff.rows] == [
        ("Mei", "Chen", "M.Chen@westpark.example", "Teacher of Science")
    ]
    assert staff.suspended == {3: "t.varga@westpark.example"}
    assert staff.problems == []


def test_a_google_workspace_export_is_read_and_a_suspended_account_is_not_on_the_list():
    """The headers' [Required] and [READ ONLY] notes are ignored; Employee Title is the job title."""
    staff = read_staff_csv(GOOGLE)
    assert [(r.first_name, r.last_name, r.email, r.job_title) for r in staff.rows] == [
        ("Priya", "Nair", "p.nair@westpark.example", "Attendance Officer")
    ]
    assert staff.suspended == {3: "s.ellery@westpark.example"}


def test_an_entra_export_prefers_mail_to_the_user_principal_name():
    rows = read_staff_csv(ENTRA).rows
    assert [(r.first_name, r.last_name, r.email, r.job_title) for r in rows] == [
        ("Jo", "Bell", "jo.bell@westpark.example", "SENCo")
    ]


def test_a_display_name_alone_is_split_at_its_last_space():
    rows = read_staff_csv("Display name,Email\nAnna Maria Lowe,a.lowe@westpark.example\n").rows
    assert (rows[0].first_name, rows[0].last_name) == ("Anna Maria", "Lowe")


def test_excel_csv_utf8_with_its_byte_order_mark_and_semicolons_are_read():
    data = "\ufeffFirst name;Last name;Email;Role\nZoë;Wójcik;z.wojcik@westpark.example;Deputy DSL, Staff\n"
    rows = read_staff_csv(decode(data.encode("utf-8"))).rows
    assert (rows[0].first_name, rows[0].last_name, rows[0].roles) == ("Zoë", "Wójcik", (Role.DEPUTY_DSL, Role.STAFF))


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "The file is empty"),
        ("First name,Email\nZoë,z@westpark.example\n".encode("cp1252"), "not UTF-8"),
        ("Email\n".encode("utf-16"), "Unicode Text"),
        (b"PK\x03\x04\x14\x00\x06\x00", "not a CSV file"),
        (b"x" * (2 * 1024 * 1024 + 1), "larger than the 2 MB"),
    ],
)
def test_a_file_that_is_not_a_utf8_csv_is_refused_with_the_reason(data, says):
    with pytest.raises(StaffFileError, match=says):
        decode(data)


# --- Problems, by line -----------------------------------------------------------------------------------------

HEADER = "First name,Last name,Email,Job title,Role\n"


def test_every_problem_in_a_row_is_listed_with_its_line():
    text = HEADER + (
        "Adaeze,Okafor,a.okafor@westpark.example,Teacher,\n"  # 2: fine
        "Reuben,Hollis,,Teacher,\n"  # 3: no email
        "Mei,Chen,mei.chen-at-westpark,Teacher,\n"  # 4: not an email
        "Ada,Okafor,A.OKAFOR@westpark.example,Teacher,\n"  # 5: the same email as line 2
        "Tom,Varga,t.varga@westpark.example,Teacher,Teacher of Maths\n"  # 6: a job title in the role column
        "Jo,Bell,j.bell@westpark.example,Teacher,Trust safeguarding lead\n"  # 7: a trust role
        ",Nair,p.nair@westpark.example,Teacher,\n"  # 8: no first name
        "Sam,Ellery,s.ellery@westpark.example,Teacher,,extra\n"  # 9: a comma too many
        f"Lee,Ward,l.ward@westpark.example,{'x' * 121},\n"  # 10: job title too long
    )
    assert problems(text) == [
        "line 3: the email address is empty",
        "line 4: 'mei.chen-at-westpark' is not an email address",
        "line 5: A.OKAFOR@westpark.example is also on line 2",
        "line 6: 'Teacher of Maths' is not a role here. Use the roles' names, e.g. Member of staff, Deputy DSL, "
        "Headteacher (a job title such as Teacher of Geography goes in the Job title column)",
        "line 7: 'Trust safeguarding lead' is a trust role: give it in the administration pages, at the trust",
        "line 8: the first name is empty",
        "line 9: has 6 values but the header row has 5 columns (a name with a comma in it needs quotation marks)",
        "line 10: the job title is longer than 120 characters",
    ]


def test_a_file_without_an_email_or_name_column_says_so_on_line_1():
    assert problems("Forename,Surname,Job Title\nAda,Okafor,Teacher\n") == [
        "line 1: there is no email column, which is required: name it Email (or Email Address, or User principal "
        "name, as the Microsoft 365 and Google exports do)"
    ]
    assert problems("Email,Job Title\na@westpark.example,Teacher\n") == [
        "line 1: there are no name columns: give First name and Last name columns (or a Display name column)"
    ]
    assert problems("Email,Email,First name,Last name\n") == ['line 1: there is more than one "Email" column']


def test_an_empty_file_a_header_alone_and_too_many_rows_are_problems():
    assert problems("") == ["The file is empty: it needs a header row and a line for each person."]
    assert problems(HEADER + "\n,,,,\n") == ["The file has a header row but nobody on it."]
    many = HEADER + "".join(f"A,B{n},p{n}@westpark.example,,\n" for n in range(MAX_ROWS + 1))
    assert problems(many) == ["The file has more than 5,000 people. Import one school's staff at a time."]


@pytest.mark.django_db
def test_two_accounts_with_the_file_s_email_are_a_problem(school):
    UserFactory(username="one", email="a.okafor@westpark.example")
    UserFactory(username="two", email="A.Okafor@WestPark.example")
    plan = plan_for(school, SIS)
    assert [str(p) for p in plan.problems] == [
        "line 2: more than one account has the email a.okafor@westpark.example (one, two): merge them first"
    ]


# --- The plan --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_plan_says_who_is_added_changed_and_unchanged_field_by_field(school, make_person):
    """Matched by email whatever its case; an empty job title keeps the one held; nothing is saved by planning."""
    make_person(
        Role.STAFF,
        school=school,
        first_name="Adaeze",
        last_name="Okafor",
        job_title="Teacher of Geography",
        email="A.Okafor@westpark.example",
    )
    make_person(
        Role.STAFF,
        school=school,
        first_name="Reuben",
        last_name="Holis",
        job_title="Teacher",
        email="r.hollis@westpark.example",
    )
    text = SIS + "Ms,Mei,Chen,m.chen@westpark.example,\n"
    plan = plan_for(school, text)
    assert [u.row.email for u in plan.unchanged] == ["a.okafor@westpark.example"]
    [update] = plan.changed
    assert [str(c) for c in update.changes] == [
        'Last name: "Holis" to "Hollis"',
        'Job title: "Teacher" to "Head of Year 9"',
    ]
    [addition] = plan.added
    assert (addition.row.full_name, addition.username, addition.roles) == ("Mei Chen", "m.chen", (Role.STAFF,))
    assert not User.objects.filter(email="m.chen@westpark.example").exists()


@pytest.mark.django_db
def test_applying_adds_changes_and_invites_only_the_new(school, make_person, itadmin, invitations):
    """New people get an unusable password, the Member of staff role and an invitation from the administrator."""
    make_person(Role.STAFF, school=school, first_name="Reuben", last_name="Holis", email="r.hollis@westpark.example")
    result = run(school, SIS, user=itadmin)
    adaeze = User.objects.get(email="a.okafor@westpark.example")
    assert (adaeze.username, adaeze.job_title, adaeze.has_usable_password()) == (
        "a.okafor",
        "Teacher of Geography",
        False,
    )
    assert list(adaeze.memberships.values_list("school", "role")) == [(school.pk, Role.STAFF)]
    assert User.objects.get(email="r.hollis@westpark.example").last_name == "Hollis"
    assert [p.email for p in result.added] == ["a.okafor@westpark.example"]
    assert [p.email for p in result.changed] == ["r.hollis@westpark.example"]
    assert invitations == [("a.okafor@westpark.example", itadmin)]


@pytest.mark.django_db
def test_each_new_person_s_invitation_is_queued_with_the_import(school, make_person):
    """The real invitation (safeguarding/passwords.py): one email job for each person added, none for the others."""
    make_person(Role.STAFF, school=school, first_name="Reuben", last_name="Holis", email="r.hollis@westpark.example")
    run(school, SIS)
    jobs = DBTaskResult.objects.filter(task_path="safeguarding.tasks.send_password_email")
    adaeze = User.objects.get(email="a.okafor@westpark.example")
    assert [job.args_kwargs["args"][:2] for job in jobs] == [[adaeze.pk, "invitation"]]


@pytest.mark.django_db
def test_a_username_taken_already_falls_back_to_the_whole_email(school, invitations):
    UserFactory(username="a.okafor", email="someone.else@elsewhere.example")
    run(school, SIS)
    assert User.objects.get(email="a.okafor@westpark.example").username == "a.okafor@westpark.example"


@pytest.mark.django_db
def test_a_role_column_adds_roles_and_never_takes_one_away(school, make_person, invitations):
    deputy = make_person(
        Role.DEPUTY_DSL,
        school=school,
        first_name="Ada",
        last_name="Okafor",
        email="a.okafor@westpark.example",
        job_title="Teacher",
    )
    run(school, HEADER + "Ada,Okafor,a.okafor@westpark.example,Teacher,Attendance Officer\n")
    roles = set(deputy.memberships.values_list("role", flat=True))
    assert roles == {Role.DEPUTY_DSL, Role.ATTENDANCE_OFFICER}


@pytest.mark.django_db
def test_a_person_of_another_school_joins_this_one_as_member_of_staff(school, other_school, make_person, invitations):
    teacher = make_person(
        Role.STAFF,
        school=other_school,
        first_name="Adaeze",
        last_name="Okafor",
        job_title="Teacher of Geography",
        email="a.okafor@westpark.example",
    )
    plan = plan_for(school, SIS.splitlines(keepends=True)[0] + SIS.splitlines(keepends=True)[1])
    assert [str(c) for c in plan.changed[0].changes] == ['Roles here: "none" to "Member of staff"']
    staff_import_apply(plan=plan, user=None, confirm_roles=False)
    assert teacher.memberships.filter(school=school, role=Role.STAFF).exists()


# --- All or nothing ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_file_with_one_problem_changes_nothing(school, make_person, itadmin, invitations):
    leaver = make_person(Role.STAFF, school=school, email="gone@westpark.example")
    make_person(Role.STAFF, school=school, last_name="Holis", email="r.hollis@westpark.example")
    text = SIS + "Ms,Mei,Chen,not-an-email,Teacher\n"
    before = set(User.objects.values_list("pk", "last_name", "is_active"))
    plan = plan_for(school, text, user=itadmin, whole_list=True)
    assert [str(p) for p in plan.problems] == ["line 4: 'not-an-email' is not an email address"]
    with pytest.raises(StaffImportRefused) as refused:
        staff_import_apply(plan=plan, user=itadmin, confirm_roles=True)
    assert [str(p) for p in refused.value.problems] == ["line 4: 'not-an-email' is not an email address"]
    assert set(User.objects.values_list("pk", "last_name", "is_active")) == before
    assert User.objects.get(pk=leaver.pk).is_active
    assert invitations == []


@pytest.mark.django_db
def test_the_import_is_one_transaction(school, make_person, monkeypatch):
    """A failure part way (the second invitation) undoes the people already added and the leavers."""
    leaver = make_person(Role.STAFF, school=school, email="gone@westpark.example")
    calls = []

    def invite(user, *, invited_by):
        calls.append(user.email)
        if len(calls) == 2:
            raise RuntimeError("the mail queue is down")

    monkeypatch.setattr("safeguarding.passwords.invite", invite)
    with pytest.raises(RuntimeError):
        run(school, SIS, whole_list=True)
    assert not User.objects.filter(email__endswith="@westpark.example", memberships__isnull=True).exists()
    assert not User.objects.filter(email="a.okafor@westpark.example").exists()
    assert User.objects.get(pk=leaver.pk).is_active


@pytest.mark.django_db
def test_only_the_school_s_it_administrator_plans_or_applies(school, other_school, make_person, itadmin):
    for person in (make_person(Role.DSL, school=school), make_person(Role.IT_ADMIN, school=other_school)):
        with pytest.raises(PermissionDenied):
            plan_for(school, SIS, user=person)
    plan = plan_for(school, SIS, user=itadmin)
    with pytest.raises(PermissionDenied):
        staff_import_apply(plan=plan, user=make_person(Role.HEADTEACHER, school=school), confirm_roles=True)


# --- Leavers ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_leavers_are_deactivated_only_when_the_file_is_the_whole_list(school, make_person, invitations):
    leaver = make_person(Role.STAFF, school=school, email="gone@westpark.example")
    assert plan_for(school, SIS).leaving == []
    run(school, SIS)
    assert User.objects.get(pk=leaver.pk).is_active
    result = run(school, SIS, whole_list=True)
    assert result.deactivated == [leaver]
    assert not User.objects.get(pk=leaver.pk).is_active


@pytest.mark.django_db
def test_a_leaver_keeps_their_records_and_roles_and_the_deactivation_is_audited(school, make_person, invitations):
    leaver = make_person(Role.STAFF, school=school, email="gone@westpark.example")
    concern = raise_concern(author=leaver, school=school)
    run(school, SIS, whole_list=True)
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert concern.__class__.objects.get(pk=concern.pk).author == leaver
    assert list(leaver.memberships.values_list("role", flat=True)) == [Role.STAFF]
    entry = LogEntry.objects.get_for_object(leaver).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert entry.changes_dict["is_active"] == ["True", "False"]
    assert entry.additional_data == {"school": school.pk}


@pytest.mark.django_db
def test_a_leaver_s_session_ends_on_their_next_request(school, make_person, client, invitations):
    """Django's ModelBackend refuses an inactive account, so the session they are signed in with stops working."""
    leaver = make_person(Role.STAFF, school=school, email="gone@westpark.example")
    sign_in(client, leaver)
    assert client.get(reverse("contacts:directory")).status_code == 200
    run(school, SIS, whole_list=True)
    response = client.get(reverse("contacts:directory"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not get_user(client).is_authenticated


@pytest.mark.django_db
def test_a_suspended_account_in_the_export_is_a_leaver(school, make_person, invitations):
    sam = make_person(Role.STAFF, school=school, email="S.Ellery@westpark.example")
    plan = plan_for(school, GOOGLE, whole_list=True)
    assert plan.leaving == [sam]
    assert [a.row.email for a in plan.added] == ["p.nair@westpark.example"]


@pytest.mark.django_db
def test_some_people_not_on_the_list_are_kept(school, other_school, make_person, itadmin):
    """The administrator themselves, a superuser, and someone who also works elsewhere are not deactivated."""
    boss = make_person(Role.STAFF, school=school, is_superuser=True, email="root@westpark.example")
    shared = make_person(Role.STAFF, school=school, email="shared@westpark.example")
    MembershipFactory(user=shared, school=other_school, role=Role.STAFF)
    plan = plan_for(school, SIS, user=itadmin, whole_list=True)
    assert plan.leaving == []
    assert {(kept.person, kept.reason) for kept in plan.kept} == {
        (itadmin, "your own account, which you cannot deactivate here"),
        (boss, "a superuser's account, which only a superuser deactivates"),
        (shared, "also has a role at Riverside Academy; remove their roles here in the admin"),
    }


# --- Safeguarding roles, one's own roles, superusers -----------------------------------------------------------

DSL_ROW = HEADER + "Ada,Okafor,a.okafor@westpark.example,Teacher,DSL\n"


@pytest.mark.django_db
def test_a_safeguarding_role_is_given_only_when_confirmed(school, itadmin, invitations):
    plan = plan_for(school, DSL_ROW, user=itadmin)
    assert plan.problems == []
    assert [str(p) for p in plan.problems_for(confirm_roles=False)] == [
        "line 2: Ada Okafor is given it: Designated Safeguarding Lead is a safeguarding role, given only when you "
        'confirm it (tick "Give the safeguarding roles listed", or pass --confirm-roles)'
    ]
    with pytest.raises(StaffImportRefused):
        staff_import_apply(plan=plan, user=itadmin, confirm_roles=False)
    assert not User.objects.filter(email="a.okafor@westpark.example").exists()
    staff_import_apply(plan=plan, user=itadmin, confirm_roles=True)
    assert Membership.objects.filter(user__email="a.okafor@westpark.example", role=Role.DSL, school=school).exists()


@pytest.mark.parametrize(
    "role", [Role.DEPUTY_DSL, Role.HEADTEACHER, Role.CHAIR, Role.IT_ADMIN, Role.SENIOR_LEADER, Role.DPO, Role.SENCO]
)
@pytest.mark.django_db
def test_every_role_that_reaches_safeguarding_content_needs_confirming(school, role):
    plan = plan_for(school, HEADER + f"Ada,Okafor,a.okafor@westpark.example,Teacher,{Role(role).label}\n")
    assert [grant.role for grant in plan.grants] == [role]


@pytest.mark.django_db
def test_plain_roles_need_no_confirmation(school):
    plan = plan_for(school, HEADER + "Ada,Okafor,a.okafor@westpark.example,Teacher,Staff; Attendance Officer\n")
    assert plan.grants == [] and plan.problems_for(confirm_roles=False) == []


@pytest.mark.django_db
def test_a_former_dsl_returning_needs_confirming(school, make_person):
    """Their account's return gives their old role back, so it is confirmed like a new one."""
    make_person(
        Role.DSL,
        school=school,
        first_name="Ada",
        last_name="Okafor",
        job_title="Teacher",
        email="a.okafor@westpark.example",
        is_active=False,
    )
    plan = plan_for(school, HEADER + "Ada,Okafor,a.okafor@westpark.example,Teacher,\n")
    assert [str(c) for c in plan.changed[0].changes] == ['Account: "deactivated" to "active again"']
    assert [(g.role, g.returning) for g in plan.grants] == [(Role.DSL, True)]


@pytest.mark.django_db
def test_the_administrator_cannot_change_their_own_roles(school, itadmin):
    plan = plan_for(school, HEADER + "Chris,Lowe,IT@westpark.example,Network manager,DSL\n", user=itadmin)
    assert [str(p) for p in plan.problems] == [
        "line 2: this is your own account: you cannot change your own roles. Ask another administrator."
    ]
    assert not Membership.objects.filter(user=itadmin, role=Role.DSL).exists()


@pytest.mark.django_db
def test_the_administrator_may_correct_their_own_name(school, itadmin):
    run(school, HEADER + "Chris,Lowe,it@westpark.example,Network manager,\n", user=itadmin)
    itadmin.refresh_from_db()
    assert (itadmin.first_name, itadmin.last_name, itadmin.job_title) == ("Chris", "Lowe", "Network manager")


@pytest.mark.django_db
def test_only_a_superuser_changes_a_superuser(school, make_person, itadmin):
    make_person(Role.STAFF, school=school, is_superuser=True, email="a.okafor@westpark.example")
    plan = plan_for(school, SIS, user=itadmin)
    assert [str(p) for p in plan.problems] == [
        "line 2: a.okafor@westpark.example is a superuser's account, which only a superuser changes"
    ]


# --- At volume -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_150_staff_are_planned_in_a_fixed_number_of_queries_and_saved_a_few_a_person(
    school, make_person, invitations, django_assert_max_num_queries
):
    for n in range(20):
        make_person(Role.STAFF, school=school, email=f"leaver{n}@westpark.example")
    text = HEADER + "".join(
        f"Person,Number{n},p{n}@westpark.example,Teacher,{'DSL' if n == 0 else ''}\n" for n in range(150)
    )
    with django_assert_max_num_queries(8):
        plan = plan_for(school, text, whole_list=True)
    assert (len(plan.added), len(plan.leaving)) == (150, 20)
    # Each person is saved through save() for the audit log: five statements a new person (the account, its log
    # row and the school it is logged under, the role and its log row), four a leaver; none per field.
    with django_assert_max_num_queries(150 * 5 + 20 * 4 + 5):
        staff_import_apply(plan=plan, user=None, confirm_roles=True)
    assert User.objects.filter(email__startswith="p", memberships__school=school).count() == 150
    assert Membership.objects.filter(school=school, role=Role.DSL).count() == 1
    assert len(invitations) == 150
