"""The raise form and its parts. Fields are listed explicitly; who, when and which school come from the server."""

from __future__ import annotations

from django import forms

from ..models import (
    LA_OUTCOMES_WITH_SOCIAL_WORKER,
    ActionKind,
    ChildVoice,
    Destination,
    Disagreement,
    FileTransfer,
    InformationShare,
    KeyPerson,
    LaOutcome,
    Meeting,
    ParentContact,
    PupilEvent,
    PupilEventKind,
    PupilFlag,
    TransferMethod,
)
from .checks import check_upload, no_initials, not_in_future


class ActionAddForm(forms.Form):
    """R28: an action with an owner and, where no rule sets one, a due time."""

    kind = forms.ChoiceField(label="Action", choices=[("", "Choose…")])
    owner = forms.ModelChoiceField(label="Owner", queryset=None)
    due_at = forms.DateTimeField(
        label="Due (optional)",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Referrals, FGM reports and the LA decision set their own deadlines.",
    )
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people
        self.fields["owner"].label_from_instance = lambda u: u.name_and_role
        automatic = {ActionKind.SHARE_WITH_DSL, ActionKind.CSC_WRITTEN_FOLLOW_UP, ActionKind.CSC_DECISION_CHASE}
        self.fields["kind"].choices = [("", "Choose…")] + [c for c in ActionKind.choices if c[0] not in automatic]


class ActionCompleteForm(forms.Form):
    outcome = forms.CharField(
        label="What was done",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say what was done."},
    )
    reference = forms.CharField(label="Reference (e.g. police reference)", max_length=100, required=False)


class LaDecisionForm(forms.Form):
    """R30: "LA decision received?" is answered with what the local authority decided, when, and the social worker
    it allocated: a choice that the child's file and the trustees' figures can count, not words alone."""

    la_outcome = forms.ChoiceField(
        label="What did the local authority decide?",
        choices=LaOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the local authority decided."},
    )
    la_decided_on = forms.DateField(
        label="Date of the decision",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Give the date of the decision.", "invalid": "Give the date as day, month, year."},
    )
    social_worker_name = forms.CharField(
        label="Allocated social worker (full name)",
        max_length=100,
        required=False,
        help_text="Needed for a section 47 enquiry or a section 17 assessment.",
    )
    social_worker_team = forms.CharField(label="Their team and local authority", max_length=95, required=False)
    outcome = forms.CharField(
        label="Anything else the local authority said (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_social_worker_name(self):
        return no_initials(self.cleaned_data["social_worker_name"])

    def clean_la_decided_on(self):
        return not_in_future(self.cleaned_data["la_decided_on"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("la_outcome") in LA_OUTCOMES_WITH_SOCIAL_WORKER and not cleaned.get("social_worker_name"):
            self.add_error("social_worker_name", "Give the allocated social worker's full name.")
        if cleaned.get("social_worker_name") and not cleaned.get("social_worker_team"):
            self.add_error("social_worker_team", "Give the social worker's team and local authority.")
        return cleaned


class DslAttachmentForm(forms.Form):
    """The DSL team attaches a file to a concern after it was sent (a scan, a letter). On a concern about nude or
    semi-nude images the reason for the override is required (R11)."""

    file = forms.FileField(label="File (PDF, JPEG or PNG, up to 10 MB)")
    override_reason = forms.CharField(
        label="Reason (required for a concern about nude or semi-nude images)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, nudes=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.nudes = nudes
        self.content_type = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.content_type = check_upload(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        if self.nudes and not (cleaned.get("override_reason") or "").strip():
            self.add_error(
                "override_reason",
                "This concern is about nude or semi-nude images: record why this file must be kept, then attach it.",
            )
        return cleaned


class ParentContactForm(forms.ModelForm):
    """R45. Who, when and by whom are needed when they were told; the reason when they were not."""

    class Meta:
        model = ParentContact
        fields = ["told", "who_was_told", "told_at", "told_by", "reason_not_told", "csc_advice_sought"]
        widgets = {
            "told": forms.RadioSelect,
            "told_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "reason_not_told": forms.Textarea(attrs={"rows": 2}),
        }


class ChildVoiceForm(forms.ModelForm):
    class Meta:
        model = ChildVoice
        fields = ["wishes_and_feelings", "taken_into_account", "how"]
        widgets = {
            "wishes_and_feelings": forms.Textarea(attrs={"rows": 3}),
            "taken_into_account": forms.RadioSelect,
            "how": forms.Textarea(attrs={"rows": 2}),
        }


class InformationShareForm(forms.ModelForm):
    """R41, R42: what, with whom, how, why, on what lawful basis, with or without consent, and the reason."""

    class Meta:
        model = InformationShare
        fields = [
            "direction",
            "shared_on",
            "what",
            "recipient_name",
            "recipient_role",
            "agency",
            "method",
            "purpose",
            "lawful_basis",
            "consent",
            "reason",
            "dpo_advice_sought",
        ]
        widgets = {
            "direction": forms.RadioSelect,
            "shared_on": forms.DateInput(attrs={"type": "date"}),
            "what": forms.Textarea(attrs={"rows": 2}),
            "purpose": forms.Textarea(attrs={"rows": 2}),
            "reason": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_recipient_name(self):
        return no_initials(self.cleaned_data["recipient_name"])


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["kind", "held_on", "attendees", "report_submitted", "report_shared_with_parents", "notes"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}),
            "attendees": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class DisagreementForm(forms.ModelForm):
    class Meta:
        model = Disagreement
        fields = ["raised_on", "with_whom", "about", "stage", "outcome"]
        widgets = {
            "raised_on": forms.DateInput(attrs={"type": "date"}),
            "about": forms.Textarea(attrs={"rows": 2}),
            "outcome": forms.Textarea(attrs={"rows": 2}),
        }


class StaffNoteForm(forms.Form):
    """R47: who is told on a need-to-know basis, and the short note they see."""

    staff = forms.ModelMultipleChoiceField(
        label="Staff told",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose who is being told."},
    )
    note = forms.CharField(
        label="Note for staff",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only what they need to know to support the child: they will not see the file.",
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = people
        self.fields["staff"].label_from_instance = lambda u: u.name_and_role


class PupilFlagForm(forms.ModelForm):
    class Meta:
        model = PupilFlag
        fields = ["kind", "starts_on", "ends_on", "source", "details"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "details": forms.Textarea(attrs={"rows": 2}),
        }


class KeyPersonForm(forms.ModelForm):
    class Meta:
        model = KeyPerson
        fields = ["kind", "name", "relationship_or_team", "phone", "email", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def clean_name(self):
        return no_initials(self.cleaned_data["name"])


class PupilEventForm(forms.ModelForm):
    """R38: the child left the school, or is absent without explanation or missing: the date cannot be in the
    future. R56: the child is due to leave: the date cannot have passed (the model checks both)."""

    kind = forms.ChoiceField(
        label="What happened",
        choices=PupilEventKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether the child left the school, is due to leave, or is absent without explanation."
        },
    )

    # R57, R55: no "none" choice; the model asks for one when the child left.
    destination = forms.ChoiceField(
        label="Where the child went, or will go (needed when the child left)",
        choices=Destination.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text="It decides whether the CP file goes on to a next school or college, and which school keeps the "
        "record (the last known school rule).",
    )

    class Meta:
        model = PupilEvent
        fields = ["kind", "on", "destination", "details"]
        widgets = {
            "on": forms.DateInput(attrs={"type": "date"}),
            "details": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "on": {"required": "Give the date.", "invalid": "That is not a real date."},
            "details": {
                "required": "Say where the child has gone or is believed to be, and the circumstances (say so if "
                "nobody knows)."
            },
        }


# --- Moving schools: the CP file sent and received (R55, R58) ----------------------------------------------------


def _date_field(label, required_message):
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": required_message, "invalid": "That is not a real date."},
    )


class FileTransferSentForm(forms.Form):
    """R55: the CP file went to the next school. The day it was due is worked out by the app, never typed."""

    other_school = forms.CharField(
        label="School the file went to (full name and town)",
        max_length=200,
        error_messages={"required": "Give the school the file went to."},
    )
    other_school_contact = forms.CharField(label="Their DSL (full name), if known", max_length=200, required=False)
    method = forms.ChoiceField(
        label="How it was sent",
        choices=TransferMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say how the file was sent."},
    )
    sent_on = _date_field("Date sent", "Give the date the file was sent.")
    onward_support = forms.CharField(
        label="Onward support needs and risks passed on",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when the child was part of a child-on-child case: what support the child needs, and any "
        "risks, so the new school can carry on keeping children safe.",
    )

    def clean_sent_on(self):
        return not_in_future(self.cleaned_data["sent_on"])


class FileTransferReceiptForm(forms.Form):
    """R55: who at the receiving school confirmed receipt, and when. Recording it closes the task."""

    receipt_confirmed_by = forms.CharField(
        label="Who confirmed receipt (full name and role at the receiving school)",
        max_length=200,
        error_messages={"required": "Say who at the receiving school confirmed receipt."},
    )
    receipt_confirmed_on = _date_field("Date receipt was confirmed", "Give the date receipt was confirmed.")

    def clean_receipt_confirmed_by(self):
        return no_initials(self.cleaned_data["receipt_confirmed_by"])

    def clean_receipt_confirmed_on(self):
        return not_in_future(self.cleaned_data["receipt_confirmed_on"])


class FileTransferInForm(forms.ModelForm):
    """R58: a CP file received from the child's previous school."""

    method = forms.ChoiceField(
        label="How it came",
        choices=TransferMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say how the file came."},
    )

    class Meta:
        model = FileTransfer
        fields = ["other_school", "other_school_contact", "received_on", "method"]
        labels = {
            "other_school": "School the file came from (full name and town)",
            "other_school_contact": "Their DSL (full name), if known",
        }
        widgets = {"received_on": forms.DateInput(attrs={"type": "date"})}
        error_messages = {
            "received_on": {"invalid": "That is not a real date."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other_school"].required = True
        self.fields["other_school"].error_messages["required"] = "Give the school the file came from."
        self.fields["received_on"].required = True
        self.fields["received_on"].error_messages["required"] = "Give the date the file was received."

    def clean_received_on(self):
        return not_in_future(self.cleaned_data["received_on"])


class FileTransferConfirmationForm(forms.Form):
    """R58: the day receipt was confirmed to the sending school. Recording it closes the task."""

    confirmation_sent_on = _date_field(
        "Date we confirmed receipt to the sending school", "Give the date you confirmed receipt."
    )

    def clean_confirmation_sent_on(self):
        return not_in_future(self.cleaned_data["confirmation_sent_on"])
