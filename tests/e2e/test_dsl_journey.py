"""In a real Chromium: the DSL takes a concern from the queue through triage, a decision and closing, and finds it
all in the child's chronology (R25–R27, R40, R52)."""

from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.utils import dateformat, timezone
from playwright.sync_api import expect

from concerns.models import ActionKind, Concern, ConcernStatus, Pupil
from safeguarding.demo import DEMO_SCHOOL, load_demo
from safeguarding.models import School, User
from tests.conftest import current_code
from tests.factories import raise_concern

from .test_contacts_journey import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

LEVEL_2 = "Level 2: Emerging needs (early help)"
TRIAGE_REASON = "Tiredness and missed meals over three weeks; the family would accept early help."
DECISION_REASON = "Mum is the subject of the worry this week; telling her first could make things worse at home."
PHONE_REFERRAL = "Children's social care referral: urgent, by phone"
LONDON = ZoneInfo("Europe/London")
OUTCOME = "Early Help Assessment started with the family; reviewed at the Team Around the Family meeting."


def a_demo_pupil(school) -> Pupil:
    """A demo pupil with a name nobody else on the roll has, and no demo concern about them yet."""
    pupils = list(Pupil.objects.filter(school=school, on_roll=True).order_by("upn"))
    names = Counter(p.full_name for p in pupils)
    taken = {link.pupil_id for c in Concern.objects.all() for link in c.pupil_links.all()}
    return next(p for p in pupils if names[p.full_name] == 1 and p.pk not in taken and "legal" not in p.full_name)


def test_the_dsl_triages_decides_and_closes_and_the_file_shows_it(page, live_server):
    """The DSL opens a new concern from the queue, acknowledges it, triages it at level 2 with a reason, records a
    decision not to tell the parents with its reason, closes it with an outcome, and reads all of it, newest first,
    in the child's chronology."""
    load_demo()  # also puts back the levels of need, which an earlier transactional test's flush removed
    school = School.objects.get(name=DEMO_SCHOOL)
    pupil = a_demo_pupil(school)
    concern = raise_concern(
        author=User.objects.get(username="staff"), school=school, subject=pupil, location="Dining hall"
    )

    sign_in(page, live_server.url, "dsl")
    page.get_by_label("Six-digit code from your authenticator app").fill(current_code())
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Alert queue")).to_be_visible()
    row = page.locator("tr.queue-row.is-waiting", has_text=pupil.full_name)
    row.get_by_role("link", name=f"Open the concern about {pupil.full_name}").click()
    expect(page.get_by_role("heading", name=f"Concern about {pupil.full_name}")).to_be_visible()

    page.get_by_role("button", name="Acknowledge", exact=True).click()
    expect(page.get_by_text("Acknowledged. The escalation to senior leaders is stopped.")).to_be_visible()
    expect(page.locator("p", has_text="Status:").first).to_contain_text("Status: Acknowledged. Acknowledged")

    page.get_by_label(LEVEL_2).check()
    page.get_by_label("Why this level").fill(TRIAGE_REASON)
    page.get_by_role("button", name="Save the triage").click()
    expect(page.get_by_text(f"Triaged: {LEVEL_2}.")).to_be_visible()
    expect(page.locator("#triage-heading + p")).to_contain_text(LEVEL_2)

    decision = page.locator("form", has=page.get_by_role("button", name="Record the decision"))
    decision.get_by_label("Decision").select_option(label="Not to tell the parents or carers")
    decision.get_by_label("Why").fill(DECISION_REASON)
    decision.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Decision recorded with its reason.")).to_be_visible()
    expect(page.get_by_text(f"Why: {DECISION_REASON}")).to_be_visible()

    closing = page.locator("form", has=page.get_by_role("button", name="Close the concern"))
    closing.get_by_label("Outcome").fill(OUTCOME)
    closing.get_by_role("button", name="Close the concern").click()
    expect(page.get_by_text("The concern is closed.")).to_be_visible()
    expect(page.get_by_role("heading", name="Closed", exact=True)).to_be_visible()

    page.get_by_role("link", name=f"Open {pupil.full_name}'s file").click()
    expect(page.get_by_role("heading", name=f"Child protection file: {pupil.full_name}")).to_be_visible()
    lines = page.locator("ol.chronology > li")
    expect(lines).to_have_count(5)
    expect(lines.nth(0)).to_contain_text(f"Closed by Helen Marsh (Designated Safeguarding Lead). Outcome: {OUTCOME}")
    expect(lines.nth(1)).to_contain_text(
        f"Decision by Helen Marsh (Designated Safeguarding Lead): Not to tell the parents or carers. "
        f"Reason: {DECISION_REASON}"
    )
    expect(lines.nth(2)).to_contain_text(f"level of need {LEVEL_2}. Reason: {TRIAGE_REASON}")
    expect(lines.nth(3)).to_contain_text("Concern acknowledged by Helen Marsh (Designated Safeguarding Lead).")
    expect(lines.nth(4)).to_contain_text("Concern recorded by Priya Naylor (Teacher of Geography)")
    expect(lines.nth(4)).to_contain_text("Dining hall")

    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CLOSED
    assert concern.closed_by.username == "dsl"


def test_a_phone_referral_shows_its_follow_up_and_decision_chase_with_their_due_times(page, live_server):
    """The DSL opens a concern, sets the urgent phone referral for themselves, and the page then lists the written
    follow-up and "LA decision received?" with the due times the rules gave them (R29, R30)."""
    load_demo()
    school = School.objects.get(name=DEMO_SCHOOL)
    pupil = a_demo_pupil(school)
    concern = raise_concern(author=User.objects.get(username="staff"), school=school, subject=pupil)
    dsl = User.objects.get(username="dsl")

    sign_in(page, live_server.url, "dsl")
    page.get_by_label("Six-digit code from your authenticator app").fill(current_code())
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Alert queue")).to_be_visible()
    row = page.locator("tr.queue-row.is-waiting", has_text=pupil.full_name)
    row.get_by_role("link", name=f"Open the concern about {pupil.full_name}").click()
    expect(page.get_by_role("heading", name=f"Concern about {pupil.full_name}")).to_be_visible()

    form = page.locator("form", has=page.get_by_role("button", name="Add the action"))
    form.get_by_label("Action").select_option(label=PHONE_REFERRAL)
    form.get_by_label("Owner").select_option(label=dsl.name_and_role)
    form.get_by_role("button", name="Add the action").click()
    expect(page.get_by_text(f"Action set: {PHONE_REFERRAL}.")).to_be_visible()

    actions = page.locator("section[aria-labelledby=actions-heading] div.border.rounded")
    for kind in (ActionKind.CSC_WRITTEN_FOLLOW_UP, ActionKind.CSC_DECISION_CHASE):
        action = concern.actions.get(kind=kind)
        assert action.owner == dsl
        due = dateformat.format(timezone.localtime(action.due_at, LONDON), "D j M Y, H:i")
        card = actions.filter(has_text=action.get_kind_display())
        expect(card).to_have_count(1)
        expect(card).to_contain_text(f"{action.get_kind_display()} · Helen Marsh, Designated Safeguarding Lead")
        expect(card).to_contain_text(f"due {due}")
    expect(actions.filter(has_text="Written follow-up on the LA online referral system")).to_have_count(1)
    expect(actions.filter(has_text="LA decision received?")).to_have_count(1)
    expect(actions).to_have_count(3)
