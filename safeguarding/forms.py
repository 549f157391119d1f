from django import forms

from .two_factor import BACKUP_CODE_LENGTH, normalise_backup_code


class OneTimeCodeForm(forms.Form):
    """The six-digit code from the person's authenticator app."""

    otp_token = forms.CharField(
        label="Six-digit code from your authenticator app",
        min_length=6,
        max_length=6,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}", "autofocus": True}
        ),
    )

    def clean_otp_token(self) -> str:
        token = self.cleaned_data["otp_token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError("The code is six digits, with no letters.")
        return token


class BackupCodeForm(forms.Form):
    """One of the person's ten backup codes, typed with or without its dash, in any case."""

    backup_code = forms.CharField(
        label="Backup code",
        max_length=20,
        strip=True,
        help_text="Ten letters and numbers, for example abcde-23456. Each code works once.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "autofocus": True}),
    )

    def clean_backup_code(self) -> str:
        code = normalise_backup_code(self.cleaned_data["backup_code"])
        if len(code) != BACKUP_CODE_LENGTH or not code.isalnum():
            raise forms.ValidationError("A backup code is ten letters and numbers, like abcde-23456.")
        return code


class ConfirmItIsYouForm(forms.Form):
    """Before a new set of backup codes: a current code from the authenticator app, or the password."""

    otp_token = forms.CharField(
        label="Six-digit code from your authenticator app",
        required=False,
        max_length=6,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}),
    )
    password = forms.CharField(
        label="Or your password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean_otp_token(self) -> str:
        token = self.cleaned_data["otp_token"].replace(" ", "")
        if token and (len(token) != 6 or not token.isdigit()):
            raise forms.ValidationError("The code is six digits, with no letters.")
        return token

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("otp_token") and not cleaned.get("password"):
            raise forms.ValidationError(
                "To make new backup codes, enter the code from your authenticator app or your password."
            )
        return cleaned


class AuditLogFilterForm(forms.Form):
    q = forms.CharField(label="Person or record", required=False, max_length=100)
    action = forms.ChoiceField(label="What happened", required=False)
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, action_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Anything"), *action_choices]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned


def typed_data(querydict) -> dict[str, list[str]]:
    """What a person typed into a form, as JSON-safe lists, for a draft or a form kept through sign-in. The CSRF
    token and the signed author token are left out: neither may ever be stored."""
    return {key: querydict.getlist(key) for key in querydict if key not in ("csrfmiddlewaretoken", "author_token")}
