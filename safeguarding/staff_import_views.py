"""Staff in bulk (issue 13): the IT administrator uploads the staff list, checks the preview, and confirms.

The file is read once, on upload; its text waits in the person's session (with its SHA-256, which the confirm form
carries) until it is confirmed or replaced, so nothing is uploaded twice. The preview and the confirmation each
plan afresh from it, and the confirmation applies only the plan the preview showed (its signature, kept in the
session): if the school's people changed in between, the preview is shown again.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import access, pending_upload
from .models import School, User
from .staff_import import StaffImportPlan, StaffImportRefused, role_labels, staff_import_apply, staff_import_plan
from .staff_import_csv import MAX_BYTES, StaffFileError, decode

PENDING = "staff_import"  # the session key: the uploaded file waiting to be confirmed
DONE = "staff_import_done"  # the session key: what the last import did, for its result page


class StaffListForm(forms.Form):
    school = forms.ChoiceField(label="School")
    file = forms.FileField(
        label="Staff list",
        help_text="A CSV file: the staff export of the school information system, or the user export of Microsoft "
        '365 or Google Workspace, saved as "CSV UTF-8". Up to 2 MB and 5,000 people.',
    )
    whole_list = forms.BooleanField(
        label="This file is the whole staff list",
        required=False,
        help_text="Then the people of the school who are not on it are deactivated: they can no longer sign in, "
        "and everything they wrote is kept.",
    )

    def __init__(self, *args, schools: list[School], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["school"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(s.public_id), s.name) for s in schools]
        self.only_school = str(schools[0].public_id) if len(schools) == 1 else None
        if self.only_school:
            field.required, field.initial, field.widget = False, self.only_school, forms.HiddenInput()

    def clean_school(self) -> str:
        return self.cleaned_data["school"] or self.only_school or ""

    def clean_file(self) -> str:
        """The file's text, or why it can't be read as a staff list."""
        upload = self.cleaned_data["file"]
        self.file_name = upload.name
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB, larger than the 2 MB a staff list needs. "
                "Check that it is the staff export, not a report with photographs."
            )
        try:
            return decode(upload.read())
        except StaffFileError as error:
            raise forms.ValidationError(str(error)) from error


class ConfirmForm(forms.Form):
    digest = forms.CharField(widget=forms.HiddenInput())
    confirm_roles = forms.BooleanField(
        label="Give the safeguarding roles listed above",
        required=False,
        help_text="Each of these people will see safeguarding records, or manage the people who do.",
    )

    def __init__(self, *args, has_grants: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not has_grants:
            del self.fields["confirm_roles"]


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # every view here is login_required
    return request.user


def _schools(request: HttpRequest) -> list[School]:
    schools = access.staff_import_schools_for(_user(request))
    if not schools:
        raise PermissionDenied
    return schools


def _pending(request: HttpRequest, schools: list[School]) -> tuple[dict | None, School | None]:
    """The file waiting to be confirmed, and its school, while the person may still import for it."""
    return pending_upload.waiting(request, PENDING, schools)


def _plan(request: HttpRequest, pending: dict, school: School) -> StaffImportPlan:
    return staff_import_plan(school=school, text=pending["text"], user=_user(request), whole_list=pending["whole_list"])


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """The staff list is chosen and uploaded; it is read at once, and the preview says what it would do."""
    schools = _schools(request)
    form = StaffListForm(request.POST or None, request.FILES or None, schools=schools)
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["file"]
        pending_upload.keep(
            request,
            PENDING,
            school=form.cleaned_data["school"],
            name=form.file_name,
            text=text,
            whole_list=form.cleaned_data["whole_list"],
        )
        return redirect("staff_import:preview")
    return render(
        request,
        "safeguarding/staff_import.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def preview(request: HttpRequest) -> HttpResponse:
    """Who would be added, changed, left alone and deactivated, and every problem by line."""
    pending, school = _pending(request, _schools(request))
    if pending is None or school is None:
        messages.info(request, "Choose the staff list to import.")
        return redirect("staff_import:upload")
    plan = _plan(request, pending, school)
    pending["signature"] = plan.signature()
    request.session.modified = True
    form = ConfirmForm(initial={"digest": pending["digest"]}, has_grants=bool(plan.grants))
    return _preview_page(request, pending, plan, form)


def _preview_page(
    request: HttpRequest, pending: dict, plan: StaffImportPlan, form: ConfirmForm, status: int = 200
) -> HttpResponse:
    context = {
        "plan": plan,
        "file_name": pending["name"],
        "form": form,
        "leaving": [(person, role_labels(_roles_here(person, plan.school))) for person in plan.leaving],
    }
    return render(request, "safeguarding/staff_import_preview.html", context, status=status)


def _roles_here(person, school: School) -> list[str]:
    return [m.role for m in person.memberships.all() if m.school_id == school.pk]


@login_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    """Applies the plan the preview showed, all or nothing; safeguarding roles only with their box ticked."""
    pending, school = _pending(request, _schools(request))
    if pending is None or school is None:
        messages.error(request, "There is no staff list waiting to be imported. Choose the file again.")
        return redirect("staff_import:upload")
    plan = _plan(request, pending, school)
    form = ConfirmForm(request.POST, has_grants=bool(plan.grants))
    if not form.is_valid() or form.cleaned_data["digest"] != pending["digest"]:
        messages.error(
            request,
            "That confirmation was for another file than the one uploaded last (in another tab?). Nothing was "
            "changed: check this preview, then confirm.",
        )
        return redirect("staff_import:preview")
    if plan.signature() != pending.get("signature"):
        messages.warning(
            request, "The school's people have changed since the preview. Nothing was changed: check it again."
        )
        return redirect("staff_import:preview")
    try:
        result = staff_import_apply(
            plan=plan, user=_user(request), confirm_roles=form.cleaned_data.get("confirm_roles", False)
        )
    except StaffImportRefused:
        if plan.problems:
            messages.error(
                request, "This file has problems, so nothing was changed. Correct the file and upload it again."
            )
        else:
            form.add_error(
                "confirm_roles",
                "Tick this box to give the safeguarding roles listed, or take them out of the file and upload it "
                "again. Nothing was changed.",
            )
        return _preview_page(request, pending, plan, form, status=400)
    del request.session[PENDING]
    request.session[DONE] = {
        "school": school.name,
        "file_name": pending["name"],
        "added": [[p.display_name, p.username, p.email] for p in result.added],
        "changed": [[p.display_name, p.email] for p in result.changed],
        "deactivated": [[p.display_name, p.email] for p in result.deactivated],
        "unchanged": result.unchanged,
    }
    messages.success(
        request,
        f"The staff list is imported: {len(result.added)} added and invited, {len(result.changed)} changed, "
        f"{len(result.deactivated)} deactivated.",
    )
    return redirect("staff_import:done")


@login_required
@require_GET
def done(request: HttpRequest) -> HttpResponse:
    """What the last import did, for the IT administrator to check against the list."""
    _schools(request)
    result = request.session.get(DONE)
    if result is None:
        return redirect("staff_import:upload")
    return render(request, "safeguarding/staff_import_done.html", {"result": result})
