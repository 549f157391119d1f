"""What the DSL team adds to the child's file: flags (R48), key people (R50), and the child leaving, due to leave
or missing (R38, R56, R57).

Tests: tests/concerns/test_pupil_profile.py, test_inform_social_worker.py, test_share_before_leaving.py,
test_last_known_school.py."""

from __future__ import annotations

from django import forms

from ..models import Destination, KeyPerson, PupilEvent, PupilEventKind, PupilFlag
from .checks import no_initials


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
