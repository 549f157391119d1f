"""The audit log's search form, as it is posted (never sent in the address: decision 0002)."""

from __future__ import annotations

from django import forms

from .forms import AuditLogFilterForm


class AuditSearchForm(AuditLogFilterForm):
    """The filters of `AuditLogFilterForm`, with the school (for someone who reads more than one school's log) and
    the page number, so that paging posts the same search again instead of putting its words in a link."""

    school = forms.ChoiceField(
        label="School",
        required=False,
        error_messages={"invalid_choice": "Choose one of the schools whose audit log you can read."},
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        error_messages={
            "invalid": "The page number must be a whole number.",
            "min_value": "Pages are numbered from 1.",
        },
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.schools = list(schools)
        self.fields["school"].choices = [(str(s.public_id), s.name) for s in self.schools]
        self.fields["q"].error_messages["max_length"] = "Search for at most 100 characters."
        self.fields["action"].error_messages["invalid_choice"] = "Choose what happened from the list."
        for name in ("date_from", "date_to"):
            self.fields[name].error_messages["invalid"] = "Enter a date, for example 20/11/2026."

    def chosen_school(self):
        """The school whose log is read: the one chosen, or the reader's first. Only once the form is valid."""
        public_id = self.cleaned_data.get("school") if self.is_bound else ""
        return next((s for s in self.schools if str(s.public_id) == public_id), self.schools[0])

    def filters(self) -> dict:
        """The selector's filters (see selectors.audit_entry_list_for_user); none for an unbound form."""
        if not self.is_bound:
            return {}
        data = self.cleaned_data
        return {
            "query": data["q"],
            "action": int(data["action"]) if data["action"] not in ("", None) else None,
            "date_from": data["date_from"],
            "date_to": data["date_to"],
        }

    def applied(self) -> dict[str, str]:
        """The search as hidden fields, posted again with each page button. Empty ones are left out."""
        if not self.is_bound:
            return {}
        data = self.cleaned_data
        values = {
            "school": data["school"],
            "q": data["q"],
            "action": data["action"],
            "date_from": data["date_from"].isoformat() if data["date_from"] else "",
            "date_to": data["date_to"].isoformat() if data["date_to"] else "",
        }
        return {name: value for name, value in values.items() if value}
