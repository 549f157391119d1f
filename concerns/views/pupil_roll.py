"""The pupil roll from a page (issue 13): the DSL team or the IT administrator uploads the information system's
export, checks the preview (added, changed, UPN changes, leaving, and every problem by line) and confirms.

The file is read once, on upload; its text waits in the person's session with its SHA-256, which the confirm form
carries, until it is confirmed or replaced, so nothing is uploaded twice. The preview and the confirmation each plan
afresh from it, and the confirmation applies only the plan the preview showed (its signature, kept in the session):
if the roll changed in between, the preview is shown again. The pages show the roll only (names, UPNs, dates of
birth, year and form): the IT administrator sees nothing of concerns or files.

Tests: tests/concerns/test_pupil_roll_page.py, tests/test_access_matrix.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safeguarding import access, pending_upload
from safeguarding.models import School, User

from ..forms.pupil_roll import ConfirmRollForm, RollFileForm
from ..pupil_import import PupilImportRefused, RollPlan, pupil_roll_apply, pupil_roll_plan

PENDING = "pupil_import"  # the session key: the uploaded roll waiting to be confirmed
DONE = "pupil_import_done"  # the session key: what the last import did, for its result page


def _schools(request: HttpRequest) -> list[School]:
    schools = access.pupil_import_schools_for(request.user)
    if not schools:
        raise PermissionDenied
    return schools


def _pending(request: HttpRequest, schools: list[School]) -> tuple[dict | None, School | None]:
    """The file waiting to be confirmed, and its school, while the person may still import for it."""
    return pending_upload.waiting(request, PENDING, schools)


def _plan(pending: dict, school: School) -> RollPlan:
    return pupil_roll_plan(school=school, text=pending["text"], whole_roll=pending["whole_roll"])


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """The roll is chosen and uploaded; it is read at once, and the preview says what it would do."""
    schools = _schools(request)
    form = RollFileForm(request.POST or None, request.FILES or None, schools=schools)
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["file"]
        pending_upload.keep(
            request,
            PENDING,
            school=form.cleaned_data["school"],
            name=form.file_name,
            text=text,
            whole_roll=form.cleaned_data["whole_roll"],
        )
        return redirect("concerns:pupil_import_preview")
    return render(
        request, "concerns/pupil_import.html", {"form": form}, status=400 if request.method == "POST" else 200
    )


@login_required
@require_GET
def preview(request: HttpRequest) -> HttpResponse:
    """Who would be added, changed, matched with a new UPN and taken off roll, and every problem by line."""
    pending, school = _pending(request, _schools(request))
    if pending is None or school is None:
        messages.info(request, "Choose the roll to import.")
        return redirect("concerns:pupil_import")
    plan = _plan(pending, school)
    pending["signature"] = plan.signature()
    request.session.modified = True
    form = ConfirmRollForm(initial={"digest": pending["digest"]}, has_upn_changes=bool(plan.upn_changes))
    return _preview_page(request, pending, plan, form)


def _preview_page(
    request: HttpRequest, pending: dict, plan: RollPlan, form: ConfirmRollForm, status: int = 200
) -> HttpResponse:
    context = {"plan": plan, "file_name": pending["name"], "form": form}
    return render(request, "concerns/pupil_import_preview.html", context, status=status)


@login_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    """Applies the plan the preview showed, all or nothing; UPN changes only with their box ticked."""
    pending, school = _pending(request, _schools(request))
    if pending is None or school is None:
        messages.error(request, "There is no roll waiting to be imported. Choose the file again.")
        return redirect("concerns:pupil_import")
    plan = _plan(pending, school)
    form = ConfirmRollForm(request.POST, has_upn_changes=bool(plan.upn_changes))
    if not form.is_valid() or form.cleaned_data["digest"] != pending["digest"]:
        messages.error(
            request,
            "That confirmation was for another file than the one uploaded last (in another tab?). Nothing was "
            "changed: check this preview, then confirm.",
        )
        return redirect("concerns:pupil_import_preview")
    if plan.signature() != pending.get("signature"):
        messages.warning(request, "The roll has changed since the preview. Nothing was changed: check it again.")
        return redirect("concerns:pupil_import_preview")
    user = request.user
    assert isinstance(user, User)  # signed in (login_required)
    try:
        result = pupil_roll_apply(
            plan=plan, user=user, confirm_upn_changes=form.cleaned_data.get("confirm_upn_changes", False)
        )
    except PupilImportRefused:
        if plan.problems:
            messages.error(request, "This file has problems, so nothing was changed. Correct it and upload it again.")
        else:
            form.add_error(
                "confirm_upn_changes",
                "Tick this box to confirm the UPN changes listed, or correct the file and upload it again. Nothing "
                "was changed.",
            )
        return _preview_page(request, pending, plan, form, status=400)
    del request.session[PENDING]
    request.session[DONE] = {
        "school": school.name,
        "file_name": pending["name"],
        "added": len(result.added),
        "updated": len(result.updated),
        "unchanged": result.unchanged,
        "not_in_file": result.not_in_file,
        "upn_changed": [[u.pupil.full_name, u.old_upn, u.new_upn] for u in result.upn_changed],
        "left": [[p.full_name, p.upn, p.year_and_form] for p in result.left],
        "left_on": f"{result.left_on:%-d %B %Y}" if result.left_on else "",
    }
    messages.success(
        request,
        f"The roll is imported: {len(result.added)} added, {len(result.updated) + len(result.upn_changed)} changed, "
        f"{len(result.left)} marked off roll.",
    )
    return redirect("concerns:pupil_import_done")


@login_required
@require_GET
def done(request: HttpRequest) -> HttpResponse:
    """What the last import did, to check against the information system."""
    _schools(request)
    result = request.session.get(DONE)
    if result is None:
        return redirect("concerns:pupil_import")
    return render(request, "concerns/pupil_import_done.html", {"result": result})
