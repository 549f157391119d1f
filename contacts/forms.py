from crispy_forms.helper import FormHelper
from django import forms

from .models import Contact


class ContactForm(forms.ModelForm):
    """An entry of the directory as the DSL team edits it. School and review date come from the server."""

    class Meta:
        model = Contact
        fields = [
            "area",
            "role",
            "name",
            "organisation",
            "phone",
            "phone_alternative",
            "email",
            "use_when",
            "notes",
            "data_warning",
            "purpose",
            "sort_order",
        ]
        widgets = {
            "use_when": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(field) for field in ("phone", "phone_alternative", "email", "use_when")):
            raise forms.ValidationError("Give at least a phone number, an email address or how to reach this contact.")
        return cleaned
