"""Parents or carers told or not (R45), the child's wishes and feelings (R46), and the information-sharing log with
its golden rules (R41, R42): saved through the concern page by the DSL team, each with its chronology line."""

import html
from datetime import date

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse

from concerns.models import (
    ChildVoice,
    ChronologyEntry,
    ChronologyKind,
    Consent,
    InformationShare,
    LawfulBasis,
    ParentContact,
    ParentsTold,
    ShareDirection,
    TakenIntoAccount,
)
from concerns.services import records, triage
from safeguarding.models import Role

from ..conftest import sign_in
from ..factories import raise_concern

NOT_TELLING = "The police asked us to wait: telling the father could put the child at greater risk."
WORDS = "I don't want to go home tonight. I want to stay at Nan's."
SHARE_REASON = "The school nurse needs to know to support the child at the clinic; sharing protects the child."
REFUSAL_REASON = "The caller could not confirm who they were, and the father has no contact order."
OUTCOME = "Early help assessment completed; the family is working with the Team Around the Family."


@pytest.fixture
def concern(school, teacher):
    return raise_concern(author=teacher, school=school)


def record_url(concern, record):
    return reverse("concerns:add_record", kwargs={"public_id": concern.public_id, "record": record})


def text(response) -> str:
    return html.unescape(response.content.decode())


def chronology(concern, kind):
    return [entry.summary for entry in ChronologyEntry.objects.filter(concern=concern, kind=kind)]


def share_data(**overrides):
    data = {
        "direction": ShareDirection.SHARED,
        "shared_on": "2025-10-14",
        "what": "The concern about the bruising and the plan agreed with the family",
        "recipient_name": "Joanna Smith",
        "recipient_role": "School nurse",
        "agency": "Westshire Community Health",
        "method": "Secure email",
        "purpose": "So the nurse can support the child at the clinic",
        "lawful_basis": LawfulBasis.SAFEGUARDING,
        "consent": Consent.NOT_SOUGHT,
        "reason": SHARE_REASON,
        "dpo_advice_sought": "on",
    }
    data.update(overrides)
    return data


# --- R45: parents or carers -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_not_telling_the_parents_without_a_reason_is_refused_and_what_was_typed_is_kept(client, concern, dsl):
    """ "No" without the reason is refused with a 400 that asks why, keeps what was typed, and records nothing."""
    sign_in(client, dsl)
    response = client.post(
        record_url(concern, "parents"),
        {"told": ParentsTold.NO, "reason_not_told": "  ", "told_by": "Helen Marsh, DSL", "csc_advice_sought": "on"},
    )
    assert response.status_code == 400
    page = text(response)
    assert "Say why the parents or carers were not told." in page
    assert 'value="Helen Marsh, DSL"' in page
    assert not ParentContact.objects.exists()
    assert not chronology(concern, ChronologyKind.PARENTS)


@pytest.mark.django_db
def test_not_telling_the_parents_with_a_reason_is_saved_with_the_reason_and_the_advice(client, concern, dsl):
    """ "No" with its reason and CSC's advice saves, and the chronology line holds the reason and the advice."""
    sign_in(client, dsl)
    response = client.post(
        record_url(concern, "parents"),
        {"told": ParentsTold.NO, "reason_not_told": NOT_TELLING, "csc_advice_sought": "on"},
    )
    assert response.status_code == 302
    contact = ParentContact.objects.get()
    assert (contact.concern, contact.told, contact.reason_not_told) == (concern, ParentsTold.NO, NOT_TELLING)
    assert contact.csc_advice_sought
    assert contact.recorded_by == dsl
    [line] = chronology(concern, ChronologyKind.PARENTS)
    assert NOT_TELLING in line
    assert "Children's social care or the police advised." in line
    assert "Helen Marsh" in line


@pytest.mark.django_db
@pytest.mark.parametrize("missing", ["who_was_told", "told_at", "told_by"])
def test_telling_the_parents_needs_who_when_and_by_whom(client, concern, dsl, missing):
    """ "Yes" is refused unless it says who was told, when, and by whom."""
    sign_in(client, dsl)
    data = {
        "told": ParentsTold.YES,
        "who_was_told": "Sarah Jones, mother",
        "told_at": "2025-10-14T15:30",
        "told_by": "Helen Marsh, DSL",
    }
    data[missing] = ""
    response = client.post(record_url(concern, "parents"), data)
    assert response.status_code == 400
    assert "Say who was told, when, and by whom." in text(response)
    assert not ParentContact.objects.exists()


@pytest.mark.django_db
def test_telling_the_parents_with_who_when_and_by_whom_is_saved(client, concern, dsl):
    """ "Yes" with who, when and by whom saves, and the chronology line names them."""
    sign_in(client, dsl)
    response = client.post(
        record_url(concern, "parents"),
        {
            "told": ParentsTold.YES,
            "who_was_told": "Sarah Jones, mother",
            "told_at": "2025-10-14T15:30",
            "told_by": "Helen Marsh, DSL",
        },
    )
    assert response.status_code == 302
    assert ParentContact.objects.get().told == ParentsTold.YES
    [line] = chronology(concern, ChronologyKind.PARENTS)
    assert "Sarah Jones, mother" in line and "by Helen Marsh, DSL" in line and "14 October 2025" in line


@pytest.mark.django_db
def test_not_yet_telling_the_parents_is_saved(client, concern, dsl):
    """ "Not yet" needs nothing more, and is saved with its chronology line."""
    sign_in(client, dsl)
    response = client.post(record_url(concern, "parents"), {"told": ParentsTold.NOT_YET})
    assert response.status_code == 302
    assert ParentContact.objects.get().told == ParentsTold.NOT_YET
    assert chronology(concern, ChronologyKind.PARENTS) == [
        "Parents or carers not yet told. Recorded by Helen Marsh (Designated Safeguarding Lead)."
    ]


# --- R46: the child's wishes and feelings ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_childs_wishes_and_feelings_are_saved_in_their_words(client, concern, dsl):
    """The child's words and whether they were taken into account are saved, and the chronology holds the words."""
    sign_in(client, dsl)
    response = client.post(
        record_url(concern, "child_voice"),
        {
            "wishes_and_feelings": WORDS,
            "taken_into_account": TakenIntoAccount.PARTLY,
            "how": "Nan is being assessed as a safe adult.",
        },
    )
    assert response.status_code == 302
    voice = ChildVoice.objects.get()
    assert (voice.concern, voice.wishes_and_feelings, voice.taken_into_account) == (
        concern,
        WORDS,
        TakenIntoAccount.PARTLY,
    )
    [line] = chronology(concern, ChronologyKind.CHILD_VOICE)
    assert WORDS in line
    assert "Taken into account: partly." in line


# --- R41, R42: the information-sharing log ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_share_is_saved_with_its_recipient_basis_consent_and_reason(client, concern, dsl):
    """A share saves every field, and its chronology line names the recipient, the lawful basis and the reason."""
    sign_in(client, dsl)
    response = client.post(record_url(concern, "sharing"), share_data())
    assert response.status_code == 302
    share = InformationShare.objects.get()
    assert share.concern == concern
    assert share.direction == ShareDirection.SHARED
    assert share.shared_on == date(2025, 10, 14)
    assert (share.recipient_name, share.recipient_role, share.agency) == (
        "Joanna Smith",
        "School nurse",
        "Westshire Community Health",
    )
    assert share.lawful_basis == LawfulBasis.SAFEGUARDING
    assert share.consent == Consent.NOT_SOUGHT
    assert share.reason == SHARE_REASON
    assert share.dpo_advice_sought
    [line] = chronology(concern, ChronologyKind.INFORMATION_SHARED)
    assert "Joanna Smith (School nurse, Westshire Community Health)" in line
    assert LawfulBasis.SAFEGUARDING.label in line
    assert SHARE_REASON in line
    assert "The DPO's advice was sought." in line


def test_the_safeguarding_basis_is_the_default_lawful_basis():
    """A new share starts on the safeguarding lawful basis (DPA 2018 Sch 1 para 18)."""
    assert InformationShare().lawful_basis == LawfulBasis.SAFEGUARDING
    assert "Sch 1 para 18" in LawfulBasis.SAFEGUARDING.label


@pytest.mark.django_db
def test_a_refused_request_is_logged_with_its_reason(client, concern, dsl):
    """A request refused is logged too, and its chronology line says it was refused and why (golden rule 7)."""
    sign_in(client, dsl)
    response = client.post(
        record_url(concern, "sharing"),
        share_data(direction=ShareDirection.REFUSED, reason=REFUSAL_REASON, dpo_advice_sought=""),
    )
    assert response.status_code == 302
    assert InformationShare.objects.get().direction == ShareDirection.REFUSED
    assert not chronology(concern, ChronologyKind.INFORMATION_SHARED)
    [line] = chronology(concern, ChronologyKind.INFORMATION_REFUSED)
    assert "refused" in line
    assert REFUSAL_REASON in line
    assert "DPO" not in line


@pytest.mark.django_db
def test_initials_for_the_recipients_name_are_refused(client, concern, dsl):
    """The recipient is named in full: "J. Smith" is refused and nothing is logged."""
    sign_in(client, dsl)
    response = client.post(record_url(concern, "sharing"), share_data(recipient_name="J. Smith"))
    assert response.status_code == 400
    assert "Write full names (first name and surname), not initials." in text(response)
    assert not InformationShare.objects.exists()
    assert not chronology(concern, ChronologyKind.INFORMATION_SHARED)


@pytest.mark.django_db
def test_the_concern_page_shows_the_seven_golden_rules(client, concern, dsl):
    """The sharing section of the concern page lists the seven golden rules, including recording the reasons."""
    sign_in(client, dsl)
    page = text(client.get(reverse("concerns:detail", kwargs={"public_id": concern.public_id})))
    assert "The seven golden rules" in page
    assert "Record the reasons for your decision, whether or not you share." in page


# --- Who may record, and when ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.STAFF, Role.HEADTEACHER])
@pytest.mark.parametrize("record", ["parents", "child_voice", "sharing"])
def test_only_the_dsl_team_reaches_the_record_pages(client, concern, school, make_person, role, record):
    """A member of staff or the Headteacher gets a 404 on every record, and nothing is saved."""
    sign_in(client, make_person(role, school=school))
    data = {"parents": {"told": ParentsTold.NOT_YET}, "child_voice": {}, "sharing": share_data()}[record]
    assert client.post(record_url(concern, record), data).status_code == 404
    assert not ParentContact.objects.exists()
    assert not InformationShare.objects.exists()


@pytest.mark.django_db
def test_an_unknown_record_is_not_found(client, concern, dsl):
    """A record slug the page does not know gives a 404, even for the DSL."""
    sign_in(client, dsl)
    assert client.post(record_url(concern, "diary"), {"told": ParentsTold.NOT_YET}).status_code == 404


@pytest.mark.django_db
def test_a_closed_concern_takes_no_new_records(concern, dsl):
    """Once closed, the services refuse parents, voice and sharing records until the concern is reopened."""
    concern.refresh_from_db()
    triage.concern_close(user=dsl, concern=concern, outcome_summary=OUTCOME, expected_version=concern.version)
    concern.refresh_from_db()
    attempts = [
        (records.parent_contact_record, ParentContact(told=ParentsTold.NOT_YET)),
        (records.child_voice_record, ChildVoice(wishes_and_feelings=WORDS, taken_into_account=TakenIntoAccount.YES)),
        (
            records.information_share_record,
            InformationShare(
                direction=ShareDirection.SHARED,
                shared_on=date(2025, 10, 14),
                what="The plan",
                recipient_name="Joanna Smith",
                recipient_role="School nurse",
                agency="Westshire Community Health",
                purpose="Support",
                consent=Consent.NOT_SOUGHT,
                reason=SHARE_REASON,
            ),
        ),
    ]
    for service, record in attempts:
        with pytest.raises(ValidationError, match="reopen it first"):
            service(user=dsl, concern=concern, record=record)
    assert not ParentContact.objects.exists()
    assert not ChildVoice.objects.exists()
    assert not InformationShare.objects.exists()


# --- The audit log ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_audit_log_masks_what_was_shared_and_why(client, concern, dsl):
    """The change log records that a share was made, but its reason and what was shared are masked whole."""
    sign_in(client, dsl)
    client.post(record_url(concern, "sharing"), share_data())
    share = InformationShare.objects.get()
    entry = LogEntry.objects.get_for_object(share).get(action=LogEntry.Action.CREATE)
    changes = entry.changes_dict
    assert changes["reason"][1] == "[redacted]"
    assert changes["what"][1] == "[redacted]"
    assert SHARE_REASON not in str(changes)
