"""What the DSL team records on a concern: parents told or not (R45), the child's wishes and feelings (R46),
information shared or refused (R41, R42), meetings (R36) and professional disagreements (R37), notes for staff
(R47), files attached after it was sent (R11), and actions: set (R28), done (R32), and the local authority's
decision (R30).

Tests: tests/concerns/test_parents_voice_sharing.py, test_meetings_and_disagreements.py, test_staff_notes.py,
test_actions.py, test_la_decision.py, test_raise_view.py (attachments)."""

from __future__ import annotations

from django import forms

from safeguarding.models import User

from ..models import (
    LA_OUTCOMES_WITH_SOCIAL_WORKER,
    ActionKind,
    ChildVoice,
    Disagreement,
    InformationShare,
    LaOutcome,
    Meeting,
    ParentContact,
)
from .checks import check_upload, no_initials, not_in_future


class ActionAddForm(forms.Form):
    """R28: an action with an owner and, where no rule sets one, a due time."""

    kind = forms.ChoiceField(label="Action", choices=[("", "Choose…")])
    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(label="Owner", queryset=None)
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

    staff: forms.ModelMultipleChoiceField[User] = forms.ModelMultipleChoiceField(
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
