from __future__ import annotations

from datetime import date

from django import forms

from safeguarding.models import AssuranceKind


def a_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


class AssuranceCheckForm(forms.Form):
    """R89: which check, the day it was done, and when the next is due (a year on, unless said otherwise)."""

    kind = forms.ChoiceField(label="Which check", choices=[("", "Choose a check"), *AssuranceKind.choices])
    done_on = forms.DateField(label="Done on", widget=forms.DateInput(attrs={"type": "date"}))
    next_due = forms.DateField(
        label="Next due by",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty for a year after it was done.",
    )

    def clean(self):
        cleaned = super().clean()
        done_on = cleaned.get("done_on")
        if done_on and not cleaned.get("next_due") and "next_due" not in self.errors:
            cleaned["next_due"] = a_year_after(done_on)
        return cleaned
