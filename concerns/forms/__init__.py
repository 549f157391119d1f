"""The raise form and its parts. Fields are listed explicitly; who, when and which school come from the server."""

from __future__ import annotations

from django import forms

from ..models import Destination, FileTransfer, KeyPerson, PupilEvent, PupilEventKind, PupilFlag, TransferMethod
from .checks import no_initials, not_in_future


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
