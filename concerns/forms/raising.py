"""Raising a concern: the raise form with its exact words and the other children involved (R3–R13), the key that
makes a draft and a resent form one concern, and the author's addendum (R16). The DSL team's back-entry forms share
its machinery: a concern given verbally or on a paper form (R23), and a police domestic-abuse notification (R24).
Fields are listed explicitly; who, when and which school come from the server.

Tests: tests/concerns/test_raise_view.py, test_drafts.py, test_session_expiry.py, test_back_entry_and_lateness.py,
test_receipts.py."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django import forms
from django.forms import formset_factory
from django.utils import timezone

from safeguarding.models import User

from .. import categories
from ..models import ConcernKind, PupilRole, SourceType
from .checks import MAX_ATTACHMENTS, check_upload, no_initials


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

    reporter: forms.ModelChoiceField[User] = forms.ModelChoiceField(label="Who gave you this concern", queryset=None)
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


def new_key() -> uuid.UUID:
    return uuid.uuid4()
