"""The raise form and its parts. Fields are listed explicitly; who, when and which school come from the server."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django import forms
from django.forms import formset_factory
from django.utils import timezone

from .. import categories
from ..models import (
    LA_OUTCOMES_WITH_SOCIAL_WORKER,
    ActionKind,
    ChildVoice,
    ConcernKind,
    DecisionKind,
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
    PupilRole,
    SourceType,
    TransferMethod,
)
from .checks import MAX_ATTACHMENTS, check_upload, no_initials, not_in_future


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def combine_happened_at(form: forms.Form, cleaned: dict) -> None:
    """Puts the date and time fields together as `happened_at` (London time), refusing a moment in the future."""
    day, at = cleaned.get("happened_on"), cleaned.get("happened_time")
    if day and at:
        happened = timezone.make_aware(datetime.combine(day, at), timezone.get_current_timezone())
        if happened > timezone.now() + timedelta(minutes=5):
            form.add_error("happened_time", "This is in the future. Give the date and time it happened.")
        cleaned["happened_at"] = happened


class RaiseConcernForm(forms.Form):
    """R3–R13: the concern itself. The pupil is chosen by type-ahead; their public id arrives here."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    subject = forms.UUIDField(
        label="Which child is this about?",
        widget=forms.HiddenInput,
        error_messages={"required": "Choose the child this concern is about: type at least two letters of their name."},
    )
    happened_on = forms.DateField(
        label="Date it happened or was disclosed", widget=forms.DateInput(attrs={"type": "date"})
    )
    happened_time = forms.TimeField(label="Time", widget=forms.TimeInput(attrs={"type": "time"}))
    location = forms.CharField(label="Where it happened", max_length=300)
    people_present = forms.CharField(
        label="Who was present",
        help_text="Full names and roles, e.g. “Sam Patel, teaching assistant”. Write “nobody else” if you were alone.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    source_type = forms.ChoiceField(
        label="Did you see or hear this yourself?", choices=SourceType.choices, widget=forms.RadioSelect
    )
    source_name = forms.CharField(label="Who told you (full name)", max_length=200, required=False)
    source_role = forms.CharField(
        label="Their role or relationship to the child",
        max_length=200,
        required=False,
        help_text="For example: mother, another pupil in Year 9, lunchtime supervisor.",
    )
    account = forms.CharField(
        label="What you saw or heard",
        help_text="Facts, in the order they happened. Use the child's own words where you can.",
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    opinion = forms.CharField(
        label="Your opinion, if you need to give one",
        required=False,
        help_text="Keep opinion apart from fact, here, and say whose it is.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    opinion_owner = forms.CharField(label="Whose opinion (full name)", max_length=200, required=False)
    categories = forms.MultipleChoiceField(
        label="What kind of concern is it?",
        choices=categories.CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one kind of concern. If none fits, choose “Other” and say what."},
    )
    other_category = forms.CharField(label="Other: say what", max_length=200, required=False)
    is_immediate = forms.BooleanField(
        label="Immediate: the DSL must know now",
        required=False,
        help_text="Injury or marks, a disclosure of abuse, risk at home, FGM, forced marriage, radicalisation, "
        "exploitation, child-on-child sexual abuse, or anything that cannot wait.",
    )
    involves_adult = forms.BooleanField(
        label="A member of staff, a volunteer or a hirer caused (or may have caused) the harm", required=False
    )
    attachments = MultipleFileField(
        label="Attach scans of handwritten notes (optional)",
        required=False,
        help_text="PDF, JPEG or PNG, up to 10 MB each, at most five files.",
    )

    def __init__(self, *args, school=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.content_types: list[str] = []

    def clean_source_name(self):
        return no_initials(self.cleaned_data["source_name"])

    def clean_opinion_owner(self):
        return no_initials(self.cleaned_data["opinion_owner"])

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError("Attach at most five files.")
        self.content_types = [check_upload(f) for f in files]
        return files

    def clean(self):
        cleaned = super().clean()
        combine_happened_at(self, cleaned)
        if cleaned.get("source_type") == SourceType.SECOND_HAND:
            if not cleaned.get("source_name"):
                self.add_error("source_name", "Say who told you, with their full name.")
            if not cleaned.get("source_role"):
                self.add_error("source_role", "Say who they are: their role or relationship to the child.")
        if cleaned.get("opinion") and not cleaned.get("opinion_owner"):
            self.add_error("opinion_owner", "Say whose opinion this is.")
        chosen = cleaned.get("categories") or []
        if categories.OTHER in chosen and not cleaned.get("other_category"):
            self.add_error("other_category", "You chose “Other”: say what kind of concern it is.")
        # R11: a PDF can hold an image as easily as a JPEG, so nothing at all is attached to such a concern.
        if categories.NUDES in chosen and self.content_types:
            self.add_error(
                "attachments",
                "Do not upload images or files for a concern about nude or semi-nude images. Describe what you saw "
                "in words, and tell the DSL now.",
            )
        return cleaned


class QuoteForm(forms.Form):
    """R6: exact words, always with the speaker's name."""

    words = forms.CharField(label="Exact words", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    speaker = forms.CharField(label="Who said them (full name)", max_length=200, required=False)

    def clean_speaker(self):
        return no_initials(self.cleaned_data["speaker"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("words") and not cleaned.get("speaker"):
            self.add_error("speaker", "Say who said these words.")
        if cleaned.get("speaker") and not cleaned.get("words"):
            self.add_error("words", "Write the exact words, or clear the speaker's name.")
        return cleaned


OTHER_ROLES = [(value, label) for value, label in PupilRole.choices if value != PupilRole.SUBJECT]


class OtherPupilForm(forms.Form):
    """R10: another child involved, found by the same type-ahead, with their part in it."""

    pupil = forms.UUIDField(widget=forms.HiddenInput, required=False)
    role = forms.ChoiceField(label="Their part", choices=[("", "Choose…"), *OTHER_ROLES], required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("pupil") and not cleaned.get("role"):
            self.add_error("role", "Say what part this child had.")
        return cleaned


QuoteFormSet = formset_factory(QuoteForm, extra=1, max_num=10, absolute_max=10)
OtherPupilFormSet = formset_factory(OtherPupilForm, extra=1, max_num=10, absolute_max=10)


class AddendumForm(forms.Form):
    text = forms.CharField(
        label="Add a correction or something you remembered",
        help_text="The original record stays as it was; this is added with today's date and your name.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class PoliceNotificationForm(forms.Form):
    """R24: a police domestic-abuse notification (Operation Encompass / Stopping Domestic Abuse Together)."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    subject = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={"required": "Choose the child: type at least two letters of their name."},
    )
    police_reference = forms.CharField(label="Police reference", max_length=100)
    happened_on = forms.DateField(label="Date of the incident", widget=forms.DateInput(attrs={"type": "date"}))
    happened_time = forms.TimeField(label="Time of the incident", widget=forms.TimeInput(attrs={"type": "time"}))
    location = forms.CharField(label="Where the incident happened", max_length=300)
    child_present = forms.TypedChoiceField(
        label="Was the child present?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        coerce=lambda v: v == "yes",
    )
    child_voice = forms.CharField(
        label="The child's voice, if the police recorded it", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    officer = forms.CharField(label="Who gave the notification (full name and role)", max_length=200)
    account = forms.CharField(label="What the police said", widget=forms.Textarea(attrs={"rows": 5}))

    def clean_officer(self):
        return no_initials(self.cleaned_data["officer"])

    def clean(self):
        cleaned = super().clean()
        combine_happened_at(self, cleaned)
        return cleaned


class VerbalReporterForm(forms.Form):
    """R23: whose concern the DSL team is writing down, how it reached them, and, for a record entered after the
    event (a paper form, a concern told earlier), when it was first written down or given (issue 18, item 3)."""

    reporter = forms.ModelChoiceField(label="Who gave you this concern", queryset=None)
    how = forms.ChoiceField(
        label="How did it reach you?",
        choices=[
            (ConcernKind.VERBAL, "They told me (a concern given verbally)"),
            (ConcernKind.PAPER, "They wrote it on a paper form (attach the scan below)"),
        ],
        initial=ConcernKind.VERBAL,
        required=False,  # a form from before this choice existed means "verbally"
        widget=forms.RadioSelect,
    )
    first_recorded_on = forms.DateField(
        label="Date it was first written down or told to you",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave both blank if they told you just now. The record shows this time beside the time you "
        "enter it, and whether it is late is judged from this one.",
    )
    first_recorded_time = forms.TimeField(label="Time", required=False, widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args, reporters=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reporter"].queryset = reporters
        self.fields["reporter"].label_from_instance = lambda u: u.name_and_role

    def clean(self):
        cleaned = super().clean()
        cleaned["how"] = cleaned.get("how") or ConcernKind.VERBAL
        day, at = cleaned.get("first_recorded_on"), cleaned.get("first_recorded_time")
        cleaned["first_recorded_at"] = None
        if day and not at:
            self.add_error("first_recorded_time", "Give the time it was first written down or told to you.")
        elif at and not day:
            self.add_error("first_recorded_on", "Give the date it was first written down or told to you.")
        elif day and at:
            moment = timezone.make_aware(datetime.combine(day, at), timezone.get_current_timezone())
            if moment > timezone.now():
                self.add_error("first_recorded_time", "This is in the future. Give the time it was first written.")
            else:
                cleaned["first_recorded_at"] = moment
        if cleaned.get("how") == ConcernKind.PAPER and not (day or at) and "first_recorded_on" not in self.errors:
            self.add_error("first_recorded_on", "Give the date and time written on the paper form.")
        return cleaned


def check_back_entry(reporter_form: VerbalReporterForm, form: RaiseConcernForm) -> None:
    """A back-entered record cannot have been written before the thing it describes happened, and a paper form is
    kept as its scan (R11), except on a concern about nude images, where nothing is attached."""
    first = reporter_form.cleaned_data.get("first_recorded_at")
    happened = form.cleaned_data.get("happened_at")
    if first and happened and first < happened - timedelta(minutes=5):
        reporter_form.add_error("first_recorded_on", "This is before the time it happened. Check both dates and times.")
    paper = reporter_form.cleaned_data.get("how") == ConcernKind.PAPER
    nudes = categories.NUDES in (form.cleaned_data.get("categories") or [])
    if paper and not nudes and not form.cleaned_data.get("attachments"):
        form.add_error("attachments", "Attach the scan of the paper form: the original is kept with the record.")


class CoverShiftForm(forms.Form):
    """R22: who watches alerts, and when (a holiday, an evening, a weekend)."""

    person = forms.ModelChoiceField(label="Who", queryset=None)
    starts_at = forms.DateTimeField(label="From", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label="Until", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    note = forms.CharField(label="Note (optional)", max_length=200, required=False)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda u: u.name_and_role

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("starts_at") and cleaned.get("ends_at") and cleaned["ends_at"] <= cleaned["starts_at"]:
            self.add_error("ends_at", "The end must be after the start.")
        if cleaned.get("ends_at") and cleaned["ends_at"] <= timezone.now():
            self.add_error("ends_at", "This shift is already over.")
        return cleaned


def new_key() -> uuid.UUID:
    return uuid.uuid4()


class TriageForm(forms.Form):
    """R26, R27, R9: the DSL team's triage. `version` is the concern's version when the page was opened."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    level = forms.ModelChoiceField(
        label="Level of need",
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose the level of need."},
    )
    rationale = forms.CharField(label="Why this level", widget=forms.Textarea(attrs={"rows": 3}))
    immediate_needs = forms.CharField(
        label="Urgent medical or safety needs", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    presentation = forms.CharField(
        label="How the child presented today", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    known_already = forms.CharField(
        label="What is already known", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    checks_needed = forms.CharField(label="Checks needed", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    known_fgm = forms.BooleanField(
        label="Known FGM case: the girl disclosed it, or signs were seen",
        required=False,
        help_text="Creates the mandatory police report for the person who found it, due by the close of the next "
        "working day (R32). Suspected or at-risk cases take the normal route.",
    )
    categories = forms.MultipleChoiceField(
        label="Categories (the reporter's choice is kept whatever you choose)",
        choices=categories.CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, levels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = levels


class DecisionForm(forms.Form):
    """R40: what was decided, and why. Not referring is a decision too."""

    kind = forms.ChoiceField(label="Decision", choices=[("", "Choose…"), *DecisionKind.choices])
    details = forms.CharField(label="Details (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    rationale = forms.CharField(
        label="Why",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Every decision needs its reason, including a decision not to refer."},
    )


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


class CloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome_summary = forms.CharField(
        label="Outcome",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="How the concern was followed up and resolved.",
        error_messages={"required": "Write the outcome before closing the concern."},
    )


class ReopenForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why reopen it",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the concern is being reopened."},
    )


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
