"""The alert queue's form: the holiday and out-of-hours cover rota, who watches alerts and when (R22).

Tests: tests/test_access_matrix.py (the rota's pages); whom the rota alerts is in
tests/concerns/test_concern_raise.py."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from safeguarding.models import User


class CoverShiftForm(forms.Form):
    """R22: who watches alerts, and when (a holiday, an evening, a weekend)."""

    person: forms.ModelChoiceField[User] = forms.ModelChoiceField(label="Who", queryset=None)
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
