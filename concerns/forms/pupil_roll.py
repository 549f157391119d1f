"""The pupil roll's forms (issue 13): the information system's export uploaded, and the preview confirmed.

Tests: tests/concerns/test_pupil_roll_page.py."""

from __future__ import annotations

from django import forms

from safeguarding.models import School

from ..pupil_import_csv import MAX_BYTES, MAX_ROWS, PupilFileError, decode


class RollFileForm(forms.Form):
    file_name = ""  # the uploaded file's name, once it is read
    school = forms.ChoiceField(label="School")
    file = forms.FileField(
        label="The roll, as a CSV file",
        help_text="The pupil export of the school information system (SIMS, Arbor, Bromcom...), Wonde or Assembly, "
        f'saved as "CSV UTF-8". Up to {MAX_BYTES // 1024 // 1024} MB and {MAX_ROWS:,} pupils.',
    )
    whole_roll = forms.BooleanField(
        label="This file is the whole roll",
        required=False,
        help_text="Then the pupils on roll who are not in it are marked off roll, from today. Nobody is deleted: "
        "their records stay. Leave it unticked for a file of some pupils only (one year group, the new Year 7).",
    )

    def __init__(self, *args, schools: list[School], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["school"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(s.public_id), s.name) for s in schools]
        if len(schools) == 1:
            field.initial = str(schools[0].public_id)
            field.widget = forms.HiddenInput()

    def clean_file(self) -> str:
        """The file's text, or what is wrong with it and how to save it as CSV UTF-8."""
        upload = self.cleaned_data["file"]
        self.file_name = upload.name
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB, larger than the {MAX_BYTES // 1024 // 1024} MB a "
                "roll needs. Check that it is the pupil export, with one row a pupil, not a report with photographs."
            )
        try:
            return decode(upload.read())
        except PupilFileError as error:
            raise forms.ValidationError(str(error)) from error


class ConfirmRollForm(forms.Form):
    digest = forms.CharField(widget=forms.HiddenInput())
    confirm_upn_changes = forms.BooleanField(
        label="Confirm these UPN changes",
        required=False,
        help_text="Each of these pupils keeps their records under the new UPN. If one of them is another child, "
        "don't tick this: correct the file and upload it again.",
    )

    def __init__(self, *args, has_upn_changes: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not has_upn_changes:
            del self.fields["confirm_upn_changes"]
