"""In a real Chromium: the DSL records on a child's file that the child is due to leave, then that they left, sends
the CP file on with the onward support needs and risks of a child-on-child case, and records the receiving school's
confirmation of receipt (R38, R55, R56)."""

from collections import Counter
from datetime import date, timedelta

import pytest
from django.utils import dateformat, timezone
from playwright.sync_api import expect

from concerns.models import (
    ActionKind,
    Concern,
    FileTransfer,
    KeyPerson,
    KeyPersonKind,
    Pupil,
    PupilFlag,
    PupilRole,
)
from safeguarding import calendar
from safeguarding.demo import DEMO_SCHOOL, load_demo
from safeguarding.models import School, User
from tests.factories import raise_concern

from .test_adult_concerns_journey import sign_in_with_code

pytestmark = pytest.mark.django_db(transaction=True)

DESTINATION = "Moving with her mother to Leeds; the new school is Hawthorn Academy, Leeds."
NEW_SCHOOL = "Hawthorn Academy, Leeds"
THEIR_DSL = "Grace Adeyemi"
ONWARD_SUPPORT = "Separate classes and supervised social times; the risk assessment and its review date went too."
CONFIRMED_BY = "Grace Adeyemi, Designated Safeguarding Lead"
SHARE_TASK = "Consider sharing information with the new school before the child leaves"
SEND_TASK = "Send the CP file to the next school"
TO_A_SCHOOL = "Another school in England (state-funded, including academies)"


def two_demo_pupils(school) -> tuple[Pupil, Pupil]:
    """Two demo pupils on roll with names nobody else on the roll has, and nothing on their files yet."""
    pupils = list(Pupil.objects.filter(school=school, on_roll=True).order_by("upn"))
    names = Counter(p.full_name for p in pupils)
    taken = {link.pupil_id for c in Concern.objects.all() for link in c.pupil_links.all()}
    free = [
        p
        for p in pupils
        if names[p.full_name] == 1
        and p.pk not in taken
        and "'" not in p.full_name
        and not p.flags.exists()
        and not p.key_people.exists()
        and not p.events.exists()
        and not p.file_transfers.exists()
    ]
    return free[0], free[1]


def on_a_child_protection_plan(pupil: Pupil, dsl: User) -> None:
    """A current child protection plan and the child's social worker (fictional)."""
    recorded = {
        "recorded_by": dsl,
        "recorded_by_name": "Helen Marsh",
        "recorded_by_role": "Designated Safeguarding Lead",
    }
    PupilFlag.objects.create(
        school=pupil.school,
        pupil=pupil,
        kind="child_protection",
        starts_on=date(2026, 9, 7),
        source="Derby Initial Response Team",
        **recorded,
    )
    KeyPerson.objects.create(
        school=pupil.school,
        pupil=pupil,
        kind=KeyPersonKind.SOCIAL_WORKER,
        name="Sam Ortiz",
        relationship_or_team="Locality 2, Derby City Council",
        phone="01332 640000",
        **recorded,
    )


def last_weekday(day: date) -> date:
    return day - timedelta(days=max(0, day.weekday() - 4))


def test_the_dsl_records_a_leaving_and_sends_the_cp_file_with_the_onward_support(page, live_server):
    """Due to leave (a task to consider sharing first), left (the CP file is due, the child is off roll), the file
    sent (refused without the onward support of a child-on-child case, what was typed kept), and receipt confirmed
    (the task to send the file is done, and the chronology tells it all)."""
    load_demo()
    school = School.objects.get(name=DEMO_SCHOOL)
    staff, dsl = User.objects.get(username="staff"), User.objects.get(username="dsl")
    pupil, other_child = two_demo_pupils(school)
    on_a_child_protection_plan(pupil, dsl)
    raise_concern(author=staff, school=school, subject=pupil, location="Library")  # the child's CP file
    raise_concern(
        author=staff,
        school=school,
        subject=other_child,
        category_codes=["sexual_harassment"],
        other_pupils=[(pupil, PupilRole.ALLEGED_PERPETRATOR)],
        account="At break the pupil sent another child sexual comments about her body, in front of others.",
    )
    today = timezone.localdate()  # real clock: the browser and the server it drives share the machine's clock
    leaving_on = today + timedelta(days=10)
    left_on = last_weekday(today)

    sign_in_with_code(page, live_server.url, "dsl", next_path=f"/pupils/{pupil.public_id}/")
    expect(page.get_by_role("heading", name=f"Child protection file: {pupil.full_name}")).to_be_visible()
    status = page.get_by_role("status")
    tasks = page.get_by_role("region", name="Open tasks about this child")
    expect(tasks).to_have_count(0)

    # 1. The child is due to leave: the DSL is set a task to consider sharing with the new school first.
    events = page.get_by_role("region", name="Leaving and absence")
    events.locator(
        "summary", has_text="Record that the child left or is due to leave, or an unexplained absence"
    ).click()
    events.get_by_label("Is due to leave the school (the date is known)").check()
    events.get_by_role("textbox", name="Date").fill(leaving_on.isoformat())
    events.get_by_label(TO_A_SCHOOL).check()
    events.get_by_label("Details").fill(DESTINATION)
    events.get_by_role("button", name="Record it").click()
    due = timezone.localtime(calendar.school_day_start(school, leaving_on))
    expect(status).to_contain_text(
        f"A task is set for you, due {due:%-d %B %Y at %H:%M}: consider sharing information with the new school "
        "before the child leaves."
    )
    expect(status).to_contain_text("The child stays on roll until you record that they left.")
    share = tasks.locator("div.border.rounded", has_text=SHARE_TASK)
    expect(share).to_contain_text(f"{SHARE_TASK}, for Helen Marsh, due {dateformat.format(due, 'D j M Y, H:i')}.")
    expect(share).to_contain_text("Sam Ortiz")  # whom to talk to
    expect(page.get_by_text("No longer on roll.", exact=True)).to_have_count(0)

    # 2. The child left: the CP file must go to the next school, and the child is off roll.
    events.locator(
        "summary", has_text="Record that the child left or is due to leave, or an unexplained absence"
    ).click()
    events.get_by_label("Left the school").check()
    events.get_by_role("textbox", name="Date").fill(left_on.isoformat())
    events.get_by_label(TO_A_SCHOOL).check()
    events.get_by_label("Details").fill(DESTINATION)
    events.get_by_role("button", name="Record it").click()
    file_due = calendar.transfer_due(school, left_on)
    expect(status).to_contain_text("Recorded: the child left the school. The child is marked as no longer on roll.")
    expect(status).to_contain_text(
        f"The CP file must go to the next school by the end of the school day on {file_due:%A %-d %B %Y}: record it "
        "under Moving schools."
    )
    expect(status).to_contain_text(
        "A task is set for you, due now: inform the child's social worker immediately. Call Sam Ortiz"
    )
    expect(page.get_by_text("No longer on roll.", exact=True)).to_be_visible()
    expect(tasks.locator("div.border.rounded", has_text=SEND_TASK)).to_be_visible()

    # 3. The file is sent: without the onward support it is refused, and what was typed stays.
    moving = page.get_by_role("region", name="Moving schools: the CP file")
    expect(moving).to_contain_text(f"Due by the end of the school day on {file_due:%A %-d %B %Y}. Not sent yet.")
    moving.locator("summary", has_text="Record that the file was sent").click()
    sending = moving.locator("details", has_text="Record that the file was sent")
    sending.get_by_label("School the file went to (full name and town)").fill(NEW_SCHOOL)
    sending.get_by_label("Their DSL (full name), if known").fill(THEIR_DSL)
    sending.get_by_label("Secure portal (e.g. S2S or a CPOMS transfer)").check()
    sending.get_by_label("Date sent").fill(left_on.isoformat())
    sending.get_by_role("button", name="Record it").click()
    expect(sending.locator(".invalid-feedback", has_text="child-on-child")).to_have_text(
        "This child was part of a child-on-child case: record the onward support needs and risks passed on to the "
        "new school."
    )
    expect(sending.get_by_label("School the file went to (full name and town)")).to_have_value(NEW_SCHOOL)
    expect(sending.get_by_label("Their DSL (full name), if known")).to_have_value(THEIR_DSL)
    expect(sending.get_by_label("Secure portal (e.g. S2S or a CPOMS transfer)")).to_be_checked()
    expect(sending.get_by_label("Date sent")).to_have_value(left_on.isoformat())
    assert FileTransfer.objects.get(pupil=pupil).sent_on is None

    sending.get_by_label("Onward support needs and risks passed on").fill(ONWARD_SUPPORT)
    sending.get_by_role("button", name="Record it").click()
    expect(status).to_contain_text(
        "Recorded: the CP file is sent. The task stays open until the receiving school confirms receipt."
    )
    expect(moving).to_contain_text(f"Sent {left_on:%-d %b %Y} through a secure portal, on time.")
    expect(moving).to_contain_text("Receipt not confirmed yet: the task stays open until it is.")
    expect(tasks.locator("div.border.rounded", has_text=SEND_TASK)).to_be_visible()

    # 4. The receiving school confirms receipt: the task to send the file is done.
    moving.locator("summary", has_text="Record the receiving school's confirmation of receipt").click()
    receipt = moving.locator("details", has_text="Record the receiving school's confirmation of receipt")
    receipt.get_by_label("Who confirmed receipt (full name and role at the receiving school)").fill(CONFIRMED_BY)
    receipt.get_by_label("Date receipt was confirmed").fill(today.isoformat())
    receipt.get_by_role("button", name="Record it").click()
    expect(status).to_contain_text("Recorded: receipt confirmed. The task to send the CP file is done.")
    expect(moving).to_contain_text(f"Receipt confirmed by {CONFIRMED_BY} on {today:%-d %b %Y}.")
    expect(tasks.locator("div.border.rounded", has_text=SEND_TASK)).to_have_count(0)
    expect(tasks.locator("div.border.rounded", has_text=SHARE_TASK)).to_be_visible()  # still to do, like any task

    chronology = page.locator("ol.chronology > li")
    sent_line = chronology.filter(has_text="CP file sent")
    expect(sent_line).to_have_count(1)
    expect(sent_line).to_contain_text(
        f"CP file sent to {NEW_SCHOOL}, for {THEIR_DSL} through a secure portal on {left_on:%A %-d %B %Y}, on time. "
        f"Onward support needs and risks passed on: {ONWARD_SUPPORT}"
    )
    expect(chronology.nth(0)).to_contain_text(
        f"{NEW_SCHOOL} confirmed receipt of the CP file: {CONFIRMED_BY}, on {today:%A %-d %B %Y}."
    )
    expect(chronology.filter(has_text=f"Due to leave the school on {leaving_on:%-d %B %Y}.")).to_have_count(1)
    expect(chronology.filter(has_text=f"Left the school on {left_on:%-d %B %Y}.")).to_have_count(1)

    transfer = FileTransfer.objects.get(pupil=pupil)
    assert transfer.onward_support == ONWARD_SUPPORT
    assert transfer.action.kind == ActionKind.SEND_CP_FILE and transfer.action.status == "done"
