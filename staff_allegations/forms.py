"""Forms for concerns about adults. Fields are listed explicitly; who, when and which school come from the
request. Every error keeps what was typed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from django import forms
from django.utils import timezone

from safeguarding.models import User

from .models import (
    EXTERNAL_EMPLOYMENT,
    RECORDABLE_KINDS,
    AdultCaseSettings,
    Employment,
    EntryKind,
    LowLevelTheme,
    Outcome,
)

HARM_TESTS = [
    ("harmed", "Behaved in a way that has harmed a child, or may have harmed a child"),
    ("offence", "Possibly committed a criminal offence against or related to a child"),
    ("risk_of_harm", "Behaved towards a child or children in a way that indicates they may pose a risk of harm"),
    (
        "unsuitable",
        "Behaved, or may have behaved, in a way that indicates they may not be suitable to work with children "
        "(including behaviour outside school: transferable risk)",
    ),
]


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.name_and_role


class _AddsErrors(Protocol):
    def add_error(self, field: str | None, error: str) -> None: ...


class WhenMixin:
    """For a form (`forms.Form`) with the fields `happened_on` and `happened_time`."""

    def _clean_when(self: _AddsErrors, cleaned: dict) -> None:
        day, at = cleaned.get("happened_on"), cleaned.get("happened_time")
        if day is None:
            return
        moment = timezone.make_aware(datetime.combine(day, at or datetime.min.time()))
        if moment > timezone.now() + timedelta(minutes=5):
            self.add_error("happened_on", "This is in the future. Give the date it happened.")
        cleaned["happened_at"] = moment


class AdultConcernForm(WhenMixin, forms.Form):
    """R59, R62, R72: the reporter's signed and dated record of a concern about an adult."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    self_referral = forms.BooleanField(
        label="This is about me: I want to report my own conduct (self-referral)",
        required=False,
        help_text="For a situation that could be misinterpreted, or where you think you fell below the standards "
        "expected.",
    )
    subject_user = PersonChoiceField(
        label="The adult, if they work here and have an account",
        queryset=User.objects.none(),
        required=False,
        empty_label="Not in this list (type their details below)",
    )
    subject_name = forms.CharField(label="Their full name", max_length=200, required=False)
    subject_role = forms.CharField(
        label="Their role or job", max_length=200, required=False, help_text="e.g. supply teacher, site contractor."
    )
    employment = forms.ChoiceField(
        label="Who they are to the school", choices=[("", "Choose one")] + Employment.choices, required=False
    )
    employer = forms.CharField(
        label="Their employer or agency",
        max_length=200,
        required=False,
        help_text="Needed for supply staff, contractors and hirers: the school tells their employer (R75).",
    )
    happened_on = forms.DateField(label="Date it happened", widget=forms.DateInput(attrs={"type": "date"}))
    happened_time = forms.TimeField(
        label="Time (if known)", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    non_recent = forms.BooleanField(
        label="This happened some time ago (a non-recent allegation); the date is my best estimate", required=False
    )
    location = forms.CharField(label="Where it happened", max_length=200)
    people_present = forms.CharField(
        label="Who was present",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Full names and roles. Write “nobody else” if there was no one.",
    )
    witnessed = forms.CharField(
        label="What you saw or heard",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Facts, in the order they happened. Do not investigate or talk to the adult about it.",
    )
    said = forms.CharField(
        label="What was said, in the words used", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    harmed = forms.BooleanField(label=HARM_TESTS[0][1], required=False)
    offence = forms.BooleanField(label=HARM_TESTS[1][1], required=False)
    risk_of_harm = forms.BooleanField(label=HARM_TESTS[2][1], required=False)
    unsuitable = forms.BooleanField(label=HARM_TESTS[3][1], required=False)
    theme = forms.ChoiceField(
        label="Which best describes it?", choices=[("", "Choose one")] + LowLevelTheme.choices, required=False
    )
    child = forms.UUIDField(label="A child involved (optional)", required=False, widget=forms.HiddenInput)
    conflict_of_interest = forms.BooleanField(
        label="I have a conflict of interest in reporting this to the Headteacher", required=False
    )
    conflict_details = forms.CharField(
        label="What is the conflict?", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["subject_user"].queryset = people

    def clean(self):
        cleaned = super().clean()
        self._clean_when(cleaned)
        if not cleaned.get("self_referral"):
            if not cleaned.get("subject_user") and not (cleaned.get("subject_name") or "").strip():
                self.add_error("subject_name", "Choose the adult from the list, or type their full name.")
            if not cleaned.get("subject_user") and not cleaned.get("employment"):
                self.add_error("employment", "Say who they are to the school.")
        if cleaned.get("employment") in EXTERNAL_EMPLOYMENT and not (cleaned.get("employer") or "").strip():
            self.add_error("employer", "Give their employer or agency, so they can be told.")
        if cleaned.get("conflict_of_interest") and not (cleaned.get("conflict_details") or "").strip():
            self.add_error("conflict_details", "Say briefly what the conflict is.")
        return cleaned

    @property
    def harm_fields(self):
        return [self[name] for name, _ in HARM_TESTS]


class PracticeConcernForm(WhenMixin, forms.Form):
    """R18: a concern about safeguarding practice in the school (whistleblowing)."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    witnessed = forms.CharField(
        label="What is the concern about the school's safeguarding practice?",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What happened or keeps happening, and why it worries you.",
    )
    happened_on = forms.DateField(label="When you noticed it", widget=forms.DateInput(attrs={"type": "date"}))
    happened_time = forms.TimeField(required=False, widget=forms.HiddenInput)
    location = forms.CharField(label="Where (if it applies)", max_length=200, required=False)
    names_head = forms.BooleanField(
        label="It concerns the Headteacher (it will go to the Chair of Trustees instead)", required=False
    )

    def clean(self):
        cleaned = super().clean()
        self._clean_when(cleaned)
        return cleaned


class EntryForm(forms.Form):
    kind = forms.ChoiceField(label="What you are recording", choices=[(k.value, k.label) for k in RECORDABLE_KINDS])
    on = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate)
    details = forms.CharField(label="Details", widget=forms.Textarea(attrs={"rows": 3}))
    person = forms.CharField(label="Who (e.g. the support contact, who was told)", max_length=200, required=False)
    reference = forms.CharField(label="Reference (police, DBS, TRA)", max_length=100, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == EntryKind.SUBJECT_INFORMED and not (cleaned.get("person") or "").strip():
            self.add_error("person", "Name their support contact (R65).")
        return cleaned


class LadoForm(forms.Form):
    referred = forms.TypedChoiceField(
        label="Was the case referred to the LADO?",
        choices=[("yes", "Yes: the LADO is involved"), ("no", "No: we decided not to refer")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    reference = forms.CharField(label="LADO reference", max_length=100, required=False)
    outcome = forms.CharField(
        label="The advice given and the agreed course of action, or why not referred",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("referred") and not (cleaned.get("reference") or "").strip():
            self.add_error("reference", "Give the LADO reference.")
        return cleaned


class TaskDoneForm(forms.Form):
    outcome = forms.CharField(label="What was done (who was told, and when)", widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    decision = forms.CharField(label="Your decision", widget=forms.Textarea(attrs={"rows": 3}))
    action_taken = forms.CharField(label="Action taken", widget=forms.Textarea(attrs={"rows": 3}))


class EscalateForm(forms.Form):
    reason = forms.CharField(
        label="Why it now meets the harm threshold (on its own or as a pattern)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", choices=Outcome.choices, widget=forms.RadioSelect, required=False)
    summary = forms.CharField(
        label="Summary: how the case was followed up and resolved, actions and decisions",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    lessons_learnt = forms.CharField(
        label="Lessons learnt",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when an allegation is substantiated (R70).",
    )
    copy_given_on = forms.DateField(
        label="Date a copy was given to the person", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(label="Why reopen it", widget=forms.Textarea(attrs={"rows": 2}))


class MemberForm(forms.Form):
    person = PersonChoiceField(label="Share with", queryset=User.objects.none())

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["person"].queryset = people


class RetentionForm(forms.Form):
    retirement_on = forms.DateField(
        label="Their normal pension or retirement date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    left_employment_on = forms.DateField(
        label="The date they left", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class SettingsForm(forms.ModelForm):
    """Decision 4: who decides low-level concerns, and what makes a pattern (R76). The Headteacher sets them."""

    class Meta:
        model = AdultCaseSettings
        fields = ["low_level_decision_maker", "pattern_window_days", "pattern_threshold", "theme_threshold"]
        labels = {
            "low_level_decision_maker": "Who decides low-level concerns",
            "pattern_window_days": "Look for patterns over this many days",
            "pattern_threshold": "Concerns about one person that make a pattern",
            "theme_threshold": "Different people with concerns on one theme that make a pattern",
        }

    def clean(self):
        cleaned = super().clean()
        for name, least in (("pattern_window_days", 30), ("pattern_threshold", 2), ("theme_threshold", 2)):
            value = cleaned.get(name)
            if value is not None and value < least:
                self.add_error(name, f"Use at least {least}.")
        return cleaned


class ReviewForm(forms.Form):
    notes = forms.CharField(
        label="What the review found",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Others who decide low-level concerns read this log: use case references, not names.",
    )
