"""In a real Chromium, a school's first morning (issue 13): the IT administrator imports 150 staff and 1,500 pupils
from CSV files and gives the DSL role; the DSL chooses a password from the invitation (read from a real SMTP
conversation), links an authenticator app, sees the queue, and later signs in with a backup code, which works once;
a member of staff signs in through the school's own OpenID Connect provider (a real one, on loopback)."""

import re
import uuid

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect

from concerns.models import Pupil
from safeguarding.models import Membership, Role, SignInProvider, User
from safeguarding.tasks import send_password_email
from tests.conftest import TOTP_KEY_HEX, current_code, person
from tests.factories import SchoolFactory
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, start_provider

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery"
DSL_PASSWORD = "a kettle on the staffroom windowsill"
FIRST = ["Adaeze", "Bryn", "Ciara", "Dev", "Elin", "Femi", "Gwen", "Hari", "Isla", "Jonah"]
LAST = ["Okafor", "Hollis", "Chen", "Patel", "Morgan", "Adeyemi", "Price", "Rao", "Baird", "Quinn", "Lowe", "Ashby",
        "Noor", "Vance", "Yates"]  # fmt: skip


def staff_csv() -> bytes:
    """150 fictional staff as Microsoft 365's export names its columns; the last is the DSL, given the role."""
    lines = ["Display name,First name,Last name,User principal name,Title,Role"]
    for i in range(149):
        first, last = FIRST[i % 10], LAST[i // 10]
        lines.append(f"{first} {last},{first},{last},{first.lower()}.{last.lower()}@westpark.example.invalid,Teacher,")
    lines.append("Dana Lowe,Dana,Lowe,d.lowe@westpark.example.invalid,Assistant Headteacher,DSL")
    return ("\n".join(lines) + "\n").encode()


def pupils_csv() -> bytes:
    """1,500 fictional pupils, Years 7 to 11, as a school information system exports them."""
    lines = ["UPN,Legal Surname,Legal Forename,Date of Birth,Year,Reg Group"]
    for i in range(1500):
        year = 7 + i % 5
        born = 2019 - year  # Year 7 in 2026-27 were born in 2014-15
        lines.append(f"A{100000000000 + i},{LAST[i % 15]},{FIRST[i % 10]}{i},{1 + i % 28:02d}/03/{born},{year},{year}W")
    return ("\n".join(lines) + "\n").encode()


def upload(page, label, name, data):
    """Chooses the file, as the file picker would, in the page's file field, labelled `label`."""
    field = page.locator("input[type=file]")
    expect(page.locator(f"label[for='{field.get_attribute('id')}']")).to_contain_text(label)
    field.set_input_files({"name": name, "mimeType": "text/csv", "buffer": data})


def test_the_first_morning(page, browser, live_server, mail_server):
    school = SchoolFactory(name="West Park School")
    itadmin = person(Role.IT_ADMIN, school=school, username="itadmin", first_name="Nadia", last_name="Brook")
    TOTPDevice.objects.create(user=itadmin, name="Phone", key=TOTP_KEY_HEX, confirmed=True)
    base = live_server.url

    # The IT administrator signs in with their code.
    page.goto(f"{base}/staff/import/")
    page.get_by_label("Username").fill("itadmin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Six-digit code from your authenticator app").fill(current_code())
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Import staff from a CSV file")).to_be_visible()

    # A bad file first: it says what is wrong and changes nothing.
    upload(page, "Staff list", "staff.csv", b"Name,Phone\nSomeone,01332 000000\n")
    page.get_by_role("button", name="Upload and preview").click()
    problems = page.get_by_role("region", name=re.compile("^Problems"))
    expect(problems).to_contain_text("Nothing has changed")
    expect(problems.locator("tbody")).to_contain_text("mail")
    expect(page.get_by_role("button", name="Import the staff list")).to_have_count(0)
    assert User.objects.count() == 1

    # The real list: a preview, the DSL role confirmed, then imported.
    problems.get_by_role("link", name="upload it again").click()
    upload(page, "Staff list", "staff.csv", staff_csv())
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_text("Dana Lowe").first).to_be_visible()
    page.get_by_label("Give the safeguarding roles listed above").check()
    page.get_by_role("button", name="Import the staff list").click()
    expect(page.get_by_text(re.compile(r": 150 added, 0 changed"))).to_be_visible()
    assert User.objects.filter(memberships__school=school).count() == 151
    dana = User.objects.get(email="d.lowe@westpark.example.invalid")
    assert Membership.objects.filter(user=dana, school=school, role=Role.DSL).exists()

    # The roll: 1,500 pupils.
    page.goto(f"{base}/pupils/import/")
    upload(page, "The roll, as a CSV file", "roll.csv", pupils_csv())
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("list", name="Counts")).to_contain_text("1500")
    page.get_by_role("button", name="Import the roll").click()
    expect(page.get_by_role("heading", name="The roll is imported")).to_be_visible()
    expect(page.get_by_text("1500 pupils added")).to_be_visible()
    assert Pupil.objects.filter(school=school, on_roll=True).count() == 1500

    # The DSL's invitation, sent by the worker over SMTP, read from the mailbox.
    (job,) = [
        job
        for job in DBTaskResult.objects.filter(task_path=send_password_email.module_path)
        if job.args_kwargs["args"][0] == dana.pk
    ]
    send_password_email.call(*job.args_kwargs["args"])
    (message,) = mail_server.mailbox.messages_to(dana.email)
    body = message.get_content()
    assert "Nadia Brook added you" in body and "Your username is: d.lowe" in body
    link = re.search(r"http://\S+/accounts/invitation/\S+/", body).group(0)
    path = link.split("/accounts/", 1)[1]

    dsl_context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
    dsl_page = dsl_context.new_page()
    dsl_page.goto(f"{base}/accounts/{path}")
    expect(dsl_page.get_by_role("heading", name="Welcome: choose your password")).to_be_visible()
    dsl_page.get_by_label("New password", exact=False).first.fill("Derby2026")
    dsl_page.get_by_label("New password confirmation").fill("Derby2026")
    dsl_page.get_by_role("button", name="Set my password").click()
    expect(dsl_page.get_by_text("at least 12 characters").first).to_be_visible()
    dsl_page.get_by_label("New password", exact=False).first.fill(DSL_PASSWORD)
    dsl_page.get_by_label("New password confirmation").fill(DSL_PASSWORD)
    dsl_page.get_by_role("button", name="Set my password").click()
    expect(dsl_page.get_by_text("Your password is set.")).to_be_visible()

    # She signs in, links her authenticator app, and sees the queue.
    dsl_page.get_by_label("Username").fill("d.lowe")
    dsl_page.get_by_label("Password").fill(DSL_PASSWORD)
    dsl_page.get_by_role("button", name="Sign in").click()
    expect(dsl_page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    secret = dsl_page.locator(".secret-code").inner_text().strip()
    dsl_page.get_by_label("Six-digit code from your authenticator app").fill(current_code(secret))
    dsl_page.get_by_role("button", name="Confirm and continue").click()
    expect(dsl_page.get_by_role("heading", name="Your backup codes")).to_be_visible()
    codes = dsl_page.locator(".backup-codes li").all_inner_texts()
    assert len(codes) == 10
    dsl_page.get_by_role("link", name="I have kept my codes safe: continue").click()
    expect(dsl_page.get_by_role("heading", name=re.compile("queue", re.IGNORECASE)).first).to_be_visible()

    # Her phone is at home: a backup code lets her in, once.
    for attempt in ("first", "again"):
        dsl_page.get_by_role("button", name="Sign out").click()
        dsl_page.get_by_label("Username").fill("d.lowe")
        dsl_page.get_by_label("Password").fill(DSL_PASSWORD)
        dsl_page.get_by_role("button", name="Sign in").click()
        dsl_page.get_by_role("link", name="Use a backup code instead").click()
        dsl_page.get_by_label("Backup code").fill(codes[0])
        dsl_page.get_by_role("button", name="Continue").click()
        if attempt == "first":
            expect(
                dsl_page.get_by_text("9 backup codes left").or_(dsl_page.get_by_text("9 left")).first
            ).to_be_visible()
            expect(dsl_page.get_by_role("heading", name=re.compile("queue", re.IGNORECASE)).first).to_be_visible()
        else:
            expect(dsl_page.get_by_text("each code works once").first).to_be_visible()
    dsl_context.close()

    # A teacher signs in with the school's own account, through the provider.
    public_id = uuid.uuid4()
    provider_id = f"sso-{public_id.hex[:12]}"
    provider = start_provider(
        redirect_uris=[f"{base}/accounts/sso/oidc/{provider_id}/login/callback/"],
        accounts={"adaeze": {"email": "adaeze.okafor@westpark.example.invalid", "email_verified": True}},
    )
    try:
        SignInProvider.objects.create(
            public_id=public_id,
            kind=SignInProvider.Kind.OTHER,
            school=school,
            server_url=provider.url,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
        )
        teacher_context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
        teacher = teacher_context.new_page()
        teacher.goto(f"{base}/accounts/login/")
        teacher.get_by_role("button", name="Sign in with your school account").click()
        teacher.locator("input[name=login]").fill("adaeze")
        teacher.locator("input[name=password]").fill("any")
        teacher.get_by_role("button", name="Sign-in").click()
        expect(teacher.get_by_role("heading", name="Raise a Concern")).to_be_visible()
        expect(teacher.get_by_text("You are signed in with your school account.")).to_be_visible()
        teacher_context.close()
    finally:
        provider.stop()
