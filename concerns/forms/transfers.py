"""Moving schools: the CP file sent to the next school and its receipt confirmed (R55); a file received from the
previous school, and receipt confirmed to it (R58). The day a file is due is worked out by the app, never typed.

Tests: tests/concerns/test_file_transfers.py."""

from __future__ import annotations

from django import forms

from ..models import FileTransfer, TransferMethod
from .checks import no_initials, not_in_future


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
