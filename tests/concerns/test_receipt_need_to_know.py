"""Issue 18, item 1 (R11, R15): the reporter's receipt shows what they sent and added themselves, and nothing the
DSL team hung off the concern afterwards: no file, no reason, no note, no re-categorisation, no record of any kind.

Every kind of record the DSL team can add to a concern is added below, each carrying a word of its own; the
receipt, and the download of every file on it, are then read as the reporter, for every role that can raise.
"""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from concerns.models import (
    ActionKind,
    ChildVoice,
    Consent,
    Disagreement,
    InformationShare,
    LevelOfNeed,
    Meeting,
    MeetingKind,
    ParentContact,
    ParentsTold,
    ShareDirection,
    TakenIntoAccount,
)
from concerns.services import actions, raising, records, triage
from safeguarding import access
from safeguarding.models import Role

from ..conftest import sign_in
from ..factories import PDF_BYTES, PupilFactory, raise_concern

# Every role that raises a concern (R1); the DSL team's own receipts are read the same way.
REPORTER_ROLES = sorted(access.RAISERS)


def _upload(name: str) -> raising.UploadedFile:
    file = SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")
    return raising.UploadedFile(name=name, content_type="application/pdf", size=len(PDF_BYTES), file=file)


def _add_everything(*, concern, dsl, school, colleague) -> list[str]:
    """Adds every kind of record the DSL team can hang off a concern; returns the words each one carries."""
    level = LevelOfNeed.objects.filter(is_active=True).order_by("order").first()
    assert level is not None, "a data migration loads the levels of need"
    records.attachment_add(
        user=dsl, concern=concern, upload=_upload("dsl-scan-zebra.pdf"), override_reason="Reason-kestrel"
    )
    raising.addendum_add(user=dsl, concern=concern, text="Addendum-otter by the DSL.")
    triage.concern_triage(
        user=dsl,
        concern=concern,
        data=triage.TriageInput(
            level=level,
            rationale="Rationale-heron",
            immediate_needs="Needs-badger",
            known_already="Known-marten",
            category_codes=["physical_abuse"],
        ),
        expected_version=None,
    )
    triage.decision_record(
        user=dsl, concern=concern, kind="monitor", rationale="Decision-weasel", details="Details-vole"
    )
    action = actions.action_add(
        user=dsl, concern=concern, kind=ActionKind.PASTORAL_SUPPORT, owner=colleague, notes="Notes-lynx"
    )
    records.parent_contact_record(
        user=dsl,
        concern=concern,
        record=ParentContact(told=ParentsTold.NO, reason_not_told="Parents-puffin"),
    )
    records.child_voice_record(
        user=dsl,
        concern=concern,
        record=ChildVoice(
            wishes_and_feelings="Voice-curlew", taken_into_account=TakenIntoAccount.YES, how="How-plover"
        ),
    )
    records.information_share_record(
        user=dsl,
        concern=concern,
        record=InformationShare(
            direction=ShareDirection.SHARED,
            shared_on=date(2026, 11, 2),
            what="Shared-ibis",
            recipient_name="Joanna Smith",
            recipient_role="School nurse",
            agency="Agency-egret",
            purpose="Purpose-tern",
            consent=Consent.NOT_SOUGHT,
            reason="Share-reason-crane",
        ),
    )
    records.meeting_record(
        user=dsl,
        concern=concern,
        record=Meeting(
            kind=MeetingKind.values[0], held_on=date(2026, 11, 3), attendees="Attendees-grebe", notes="Meeting-stoat"
        ),
    )
    records.disagreement_record(
        user=dsl,
        concern=concern,
        record=Disagreement(raised_on=date(2026, 11, 4), with_whom="With-shrike", about="About-wren"),
    )
    records.staff_note_share(user=dsl, concern=concern, staff=[colleague], note="Staffnote-finch")
    triage.concern_assign(user=dsl, concern=concern, assignee=dsl)
    for mirror in concern.mirror_records.all():
        records.mirror_decide(user=dsl, mirror=mirror, confirm=False, reason="Mirror-reason-swift")
    actions.action_complete(user=dsl, action=action, outcome="Outcome-jay")
    concern.refresh_from_db()
    for action_open in concern.actions.filter(status="open"):
        actions.action_complete(user=dsl, action=action_open, outcome="Outcome-jay")
    concern.refresh_from_db()
    triage.concern_close(user=dsl, concern=concern, outcome_summary="Closed-magpie", expected_version=None)
    return [
        "dsl-scan-zebra",
        "Reason-kestrel",
        "Addendum-otter",
        "Rationale-heron",
        "Needs-badger",
        "Known-marten",
        "Physical abuse",
        "Decision-weasel",
        "Details-vole",
        "Notes-lynx",
        "Parents-puffin",
        "Voice-curlew",
        "How-plover",
        "Shared-ibis",
        "Agency-egret",
        "Purpose-tern",
        "Share-reason-crane",
        "Attendees-grebe",
        "Meeting-stoat",
        "With-shrike",
        "About-wren",
        "Staffnote-finch",
        "Mirror-reason-swift",
        "Outcome-jay",
        "Closed-magpie",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", REPORTER_ROLES)
def test_nothing_the_dsl_team_adds_after_sending_reaches_the_reporters_receipt(client, school, make_person, role):
    reporter = make_person(role, school=school)
    dsl = make_person(Role.DSL, school=school)
    colleague = make_person(Role.PASTORAL, school=school)
    other_child = PupilFactory(school=school)
    concern = raise_concern(
        author=reporter,
        school=school,
        attachment=True,
        account="The reporter's own account.",
        category_codes=["emotional_abuse"],
        other_pupils=[(other_child, "witness")],
    )
    words = _add_everything(concern=concern, dsl=dsl, school=school, colleague=colleague)

    sign_in(client, reporter)
    page = client.get(reverse("concerns:receipt", args=[concern.public_id])).content.decode()

    assert "The reporter&#x27;s own account." in page
    assert "notes.pdf" in page  # the reporter's own file is theirs to see
    assert "Emotional abuse" in page  # their own choice of category
    leaked = [word for word in words if word in page]
    assert leaked == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", REPORTER_ROLES)
def test_the_reporter_downloads_only_the_files_they_attached(client, school, make_person, role):
    """The DSL's file on a nudes concern, kept with a reason, is not the reporter's to open (it was 200 before)."""
    reporter = make_person(role, school=school)
    dsl = make_person(Role.DSL, school=school)
    concern = raise_concern(author=reporter, school=school, attachment=True, category_codes=["emotional_abuse"])
    own = concern.attachments.get()
    triage.concern_triage(
        user=dsl,
        concern=concern,
        data=triage.TriageInput(
            level=LevelOfNeed.objects.filter(is_active=True).first(), rationale="Why", category_codes=["nudes"]
        ),
        expected_version=None,
    )
    theirs = records.attachment_add(
        user=dsl, concern=concern, upload=_upload("kept.pdf"), override_reason="Evidence for the police"
    )

    sign_in(client, reporter)
    own_url = reverse("concerns:attachment_download", args=[concern.public_id, own.public_id])
    theirs_url = reverse("concerns:attachment_download", args=[concern.public_id, theirs.public_id])
    assert client.get(own_url).status_code == 200
    # The DSL team opens every file of the concern; anyone else who wrote it, only their own.
    expected = 200 if access.is_dsl_team(reporter, school) else 404
    assert client.get(theirs_url).status_code == expected


@pytest.mark.django_db
def test_the_dsl_still_sees_every_file_and_both_category_choices_on_the_concern(client, school, make_person):
    reporter = make_person(Role.STAFF, school=school)
    dsl = make_person(Role.DSL, school=school)
    concern = raise_concern(author=reporter, school=school, attachment=True, category_codes=["emotional_abuse"])
    triage.concern_triage(
        user=dsl,
        concern=concern,
        data=triage.TriageInput(
            level=LevelOfNeed.objects.filter(is_active=True).first(), rationale="Why", category_codes=["neglect"]
        ),
        expected_version=None,
    )
    records.attachment_add(user=dsl, concern=concern, upload=_upload("dsl-file.pdf"))

    sign_in(client, dsl)
    page = client.get(reverse("concerns:detail", args=[concern.public_id])).content.decode()
    assert "notes.pdf" in page and "dsl-file.pdf" in page
    assert "Chosen by the reporter: Emotional abuse" in page
    assert "Re-categorised by the DSL team as: Neglect" in page
