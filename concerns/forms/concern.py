"""The concern page's steps: triage, with the level of need and re-categorising that keeps the reporter's choice
(R26, R27, R9; a known FGM case, R32), decisions with their reason (R40), closing with an outcome (R25) and
reopening. The forms that change the concern carry its version, so that a conflicting change is caught.

Tests: tests/concerns/test_triage.py, test_decisions_and_closing.py, test_closing_rules.py."""

from __future__ import annotations

from django import forms

from .. import categories
from ..models import DecisionKind, LevelOfNeed


class TriageForm(forms.Form):
    """R26, R27, R9: the DSL team's triage. `version` is the concern's version when the page was opened."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    level: forms.ModelChoiceField[LevelOfNeed] = forms.ModelChoiceField(
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
