"""What the DSL team records on a concern, posted from its page: parents told or not (R45), the child's voice (R46),
information shared or refused (R41), meetings (R36) and disagreements (R37); the other children's mirror records
(R10); notes for staff (R47); files attached (R11), and the one way any file is downloaded, logged (R85); actions,
set, done, reassigned, and the local authority's decision (R28–R32, R38).

Tests: tests/concerns/test_parents_voice_sharing.py, test_meetings_and_disagreements.py, test_mirror_records.py,
test_staff_notes.py, test_actions.py, test_la_decision.py, test_inform_social_worker.py, test_raise_view.py and
test_receipt_need_to_know.py (attachments)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from safeguarding import access
from safeguarding.audit import log_access

from .. import categories, selectors
from ..forms.dsl_desk import ActionAddForm, ActionCompleteForm, DslAttachmentForm, StaffNoteForm
from ..models import ActionKind
from ..services import actions, raising, records
from ._common import add_errors, la_form, school_people, triage_owner_or_404
from .concern import CONCERN_RECORDS, concern_page, submit_on_concern_page
from .reporter import my_concerns_page


@login_required
@require_POST
def add_record(request, public_id, record):
    """Parents told or not (R45), the child's wishes and feelings (R46), information shared or refused (R41)."""
    concern = triage_owner_or_404(request, public_id)
    if record not in CONCERN_RECORDS:
        raise Http404
    form_class, name, service, done = CONCERN_RECORDS[record]
    form = form_class(request.POST, auto_id=f"{record}_%s")
    return submit_on_concern_page(
        request,
        concern,
        form,
        name=name,
        write=lambda data: service(user=request.user, concern=concern, record=form.save(commit=False)),
        done=done,
    )


@login_required
@require_POST
def decide_mirror(request, public_id, mirror_id):
    """R10: confirm the other child's record (with what it says) or decline it with a reason."""
    concern = triage_owner_or_404(request, public_id)
    mirror = next((m for m in concern.mirror_records.all() if m.public_id == mirror_id), None)
    if mirror is None:
        raise Http404
    try:
        records.mirror_decide(
            user=request.user,
            mirror=mirror,
            confirm=request.POST.get("decision") == "confirm",
            summary=request.POST.get("summary", ""),
            reason=request.POST.get("reason_declined", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Recorded for {mirror.pupil.full_name}.")
    return redirect("concerns:detail", public_id=public_id)


@login_required
@require_POST
def add_staff_note(request, public_id):
    """R47: tell named staff what they need to know, in a short note they see on My concerns."""
    concern = triage_owner_or_404(request, public_id)
    return submit_on_concern_page(
        request,
        concern,
        StaffNoteForm(request.POST, auto_id="staffnote_%s", people=school_people(concern.school)),
        name="staff_note_form",
        write=lambda data: records.staff_note_share(
            user=request.user, concern=concern, staff=list(data["staff"]), note=data["note"]
        ),
        done="The note is shared with the staff chosen.",
    )


@login_required
@require_POST
def add_attachment(request, public_id):
    """R11: the DSL team attaches a file; on a nudes concern only with a recorded reason."""
    concern = triage_owner_or_404(request, public_id)
    nudes = any(c.code == categories.NUDES for c in concern.categories.all())
    form = DslAttachmentForm(request.POST, request.FILES, nudes=nudes, auto_id="attach_%s")
    if form.is_valid():
        upload = form.cleaned_data["file"]
        records.attachment_add(
            user=request.user,
            concern=concern,
            upload=raising.UploadedFile(
                name=upload.name, content_type=form.content_type, size=upload.size, file=upload
            ),
            override_reason=form.cleaned_data["override_reason"],
        )
        messages.success(request, "File attached.")
        return redirect("concerns:detail", public_id=public_id)
    return concern_page(request, concern, status=400, attachment_form=form)


@login_required
@require_POST
def add_action(request, public_id):
    """R28–R30: an action with an owner; referrals and FGM reports bring their own deadlines and follow-ups."""
    concern = triage_owner_or_404(request, public_id)
    return submit_on_concern_page(
        request,
        concern,
        ActionAddForm(request.POST, auto_id="action_%s", people=school_people(concern.school)),
        name="action_form",
        write=lambda data: actions.action_add(
            user=request.user,
            concern=concern,
            kind=data["kind"],
            owner=data["owner"],
            due_at=data["due_at"],
            notes=data["notes"],
        ),
        done=lambda action: f"Action set: {action.get_kind_display()}.",
    )


def _action_or_404(request, action_public_id):
    action = selectors.action_get_for_user(user=request.user, public_id=action_public_id)
    if action is None:
        raise Http404
    return action


def _back_from_action(request, action):
    """Back to the concern, or for a pupil-level task (R38) to the child's file, if the person may open it; else to
    My concerns, where their own tasks are."""
    if action.concern is not None:
        if access.can_view_concern(request.user, action.concern):
            return redirect("concerns:detail", public_id=action.concern.public_id)
    elif access.can_view_pupil_file(request.user, action.pupil):
        return redirect("concerns:pupil_file", public_id=action.pupil.public_id)
    return redirect("concerns:my_concerns")


@login_required
@require_POST
def complete_action(request, action_id):
    """Done, with what was done; the FGM report needs the police reference (R32), the LA decision what the local
    authority decided (R30)."""
    action = _action_or_404(request, action_id)
    if action.kind == ActionKind.CSC_DECISION_CHASE:
        return _record_la_decision(request, action)
    form = ActionCompleteForm(request.POST)
    if form.is_valid():
        try:
            actions.action_complete(
                user=request.user,
                action=action,
                outcome=form.cleaned_data["outcome"],
                reference=form.cleaned_data["reference"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Done: {action.get_kind_display()}.")
    else:
        messages.error(request, "Say what was done before marking the action done.")
    return _back_from_action(request, action)


def _record_la_decision(request, action):
    """R30: a bad answer comes back on the concern's page with everything typed and the reason, never lost."""
    form = la_form(action, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.la_decision_record(
                user=request.user,
                action=action,
                la_outcome=data["la_outcome"],
                decided_on=data["la_decided_on"],
                social_worker_name=data["social_worker_name"],
                social_worker_team=data["social_worker_team"],
                notes=data["outcome"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "The local authority's decision is recorded.")
            return _back_from_action(request, action)
    concern = selectors.concern_get_for_user(user=request.user, public_id=action.concern.public_id)
    if concern is None:
        # The task's owner outside the DSL team answers it under Tasks for you: the refusal comes back there.
        return my_concerns_page(request, bound_la=(action.pk, form), status=400)
    return concern_page(request, concern, status=400, la_form=(action.pk, form))


@login_required
@require_POST
def reassign_action(request, action_id):
    action = _action_or_404(request, action_id)
    if not access.can_triage(request.user, action.school):
        raise Http404
    owner = school_people(action.school).filter(pk=request.POST.get("owner") or 0).first()
    if owner is None:
        messages.error(request, "Choose someone who works at this school.")
    else:
        try:
            actions.action_reassign(user=request.user, action=action, owner=owner)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{action.get_kind_display()} is now for {owner.get_full_name()}.")
    return _back_from_action(request, action)


@login_required
def attachment_download(request, public_id, attachment_id):
    """Attachments are served only through this check, never by URL; each download is audit-logged (R85)."""
    attachment = selectors.attachment_get_for_user(user=request.user, public_id=public_id, attachment_id=attachment_id)
    if attachment is None:
        raise Http404
    log_access(attachment, how="download")
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=True,
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
