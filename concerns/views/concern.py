"""One concern, for the DSL team (and a senior leader it was routed to): the page itself, logged at every view (R85),
with the child's flags, chronology and other concerns beside the triage (R26); acknowledging (R20, R21); the DSL
team's addendum (R16); triage and re-categorising (R26, R27, R9); decisions with their reason (R40); closing with an
outcome (R25) and reopening. A change made by someone else meanwhile is shown, with what the person typed kept.

Tests: tests/concerns/test_queue_and_detail.py, test_triage.py, test_decisions_and_closing.py,
test_closing_rules.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from contacts.models import Purpose
from contacts.selectors import contacts_for_purpose
from safeguarding import access
from safeguarding.audit import log_access

from .. import categories, selectors
from ..forms.concern import CloseForm, DecisionForm, ReopenForm, TriageForm
from ..forms.dsl_desk import (
    ActionAddForm,
    ChildVoiceForm,
    DisagreementForm,
    DslAttachmentForm,
    InformationShareForm,
    MeetingForm,
    ParentContactForm,
    StaffNoteForm,
)
from ..forms.raising import AddendumForm
from ..models import ActionKind, ActionStatus, Concern, MirrorStatus
from ..services import alerting, raising, records
from ..services import triage as triage_services
from ._common import concern_or_404, la_form, school_people, triage_owner_or_404


def _effective_categories(concern) -> list[str]:
    return [c.code for c in concern.effective_categories]


def concern_page(request, concern, *, status=200, conflict=None, **forms):
    """The concern page, with whatever forms were just posted (bound, with their errors) and fresh ones for the
    rest."""
    can_triage = access.can_triage(request.user, concern.school)
    subject = concern.subject
    bound_la = forms.get("la_form")
    for action in concern.actions.all():
        # R30: each open "LA decision received?" is answered with its own form (the one just posted, if refused).
        if action.kind == ActionKind.CSC_DECISION_CHASE and action.is_open:
            action.la_form = bound_la[1] if bound_la and bound_la[0] == action.pk else la_form(action)
    context = {
        "concern": concern,
        "subject": subject,
        "addenda": concern.addenda.all(),
        "now": timezone.now(),
        "conflict": conflict,
        "can_triage": can_triage,
        "form": forms.get("addendum_form") or AddendumForm(),
        # R21: after a senior leader acknowledged, the DSL's own acknowledgement closes the hand-back task.
        "dsl_can_take_back": access.is_dsl_team(request.user, concern.school)
        and any(a.kind == ActionKind.SHARE_WITH_DSL and a.status == ActionStatus.OPEN for a in concern.actions.all()),
    }
    if can_triage:
        latest = next(iter(concern.triages.all()), None)
        context.update(
            {
                "latest_triage": latest,
                "decisions": concern.decisions.all(),
                "triage_form": forms.get("triage_form")
                or TriageForm(
                    auto_id="triage_%s",
                    levels=selectors.level_of_need_list(),
                    initial={
                        "version": concern.version,
                        "level": latest.level_id if latest else None,
                        "categories": _effective_categories(concern),
                    },
                ),
                "decision_form": forms.get("decision_form") or DecisionForm(auto_id="decision_%s"),
                "action_form": forms.get("action_form")
                or ActionAddForm(auto_id="action_%s", people=school_people(concern.school)),
                "school_people": school_people(concern.school),
                "mirrors": [
                    (m, records.mirror_default_summary(m) if m.status == MirrorStatus.PROPOSED else "")
                    for m in concern.mirror_records.all()
                ],
                "staff_note_form": forms.get("staff_note_form")
                or StaffNoteForm(auto_id="staffnote_%s", people=school_people(concern.school)),
                **{
                    name: forms.get(name) or form_class(auto_id=f"{key}_%s")
                    for key, (form_class, name, _, _) in CONCERN_RECORDS.items()
                },
                "attachment_form": forms.get("attachment_form")
                or DslAttachmentForm(
                    auto_id="attach_%s", nudes=any(c.code == categories.NUDES for c in concern.categories.all())
                ),
                "thresholds_url": settings.THRESHOLDS_DOCUMENT_URL,
                "close_form": forms.get("close_form")
                or CloseForm(auto_id="close_%s", initial={"version": concern.version}),
                "reopen_form": forms.get("reopen_form")
                or ReopenForm(auto_id="reopen_%s", initial={"version": concern.version}),
                "chronology": selectors.chronology_list_for_user(user=request.user, pupil=subject)[:20],
                # R26: the child's current flags (plans, looked after…) and social worker beside the triage.
                "subject_flags": [f for f in subject.flags.all() if f.is_current()],
                "social_workers": [p for p in subject.key_people.all() if p.kind == "social_worker"],
                "other_concerns": selectors.other_concern_list_for_user(
                    user=request.user, pupil=subject, concern=concern
                ),
                "crisis_contacts": contacts_for_purpose(
                    school=concern.school,
                    purposes=[Purpose.CSC_URGENT, Purpose.CSC_OUT_OF_HOURS, Purpose.POLICE_EMERGENCY],
                ),
            }
        )
    return render(request, "concerns/detail.html", context, status=status)


# R41, R45, R46: records the DSL team writes on a concern, each a form and the service that saves it.
CONCERN_RECORDS = {
    "parents": (ParentContactForm, "parent_form", records.parent_contact_record, "Recorded: parents or carers."),
    "child_voice": (ChildVoiceForm, "child_voice_form", records.child_voice_record, "Recorded: the child's voice."),
    "sharing": (
        InformationShareForm,
        "sharing_form",
        records.information_share_record,
        "Recorded on the information-sharing log.",
    ),
    "meeting": (MeetingForm, "meeting_form", records.meeting_record, "Meeting recorded."),
    "disagreement": (DisagreementForm, "disagreement_form", records.disagreement_record, "Disagreement recorded."),
}


@login_required
def concern_detail(request, public_id):
    """One concern, for the DSL team (and a senior leader it was routed to). Every view is audit-logged (R85)."""
    concern = concern_or_404(request, public_id)
    log_access(concern)
    return concern_page(request, concern)


def _conflict_message(concern) -> str:
    return (
        "Someone else changed this concern while you were working on it, so nothing of yours was saved. The page "
        "now shows what they did; what you typed is kept in the form below. Check it, then save again."
    )


@login_required
@require_POST
def triage(request, public_id):
    """R26, R27: the level of need, its reason, and re-categorising that keeps the reporter's choice (R9)."""
    concern = triage_owner_or_404(request, public_id)
    form = TriageForm(request.POST, auto_id="triage_%s", levels=selectors.level_of_need_list())
    if form.is_valid():
        data = form.cleaned_data
        try:
            triage_services.concern_triage(
                user=request.user,
                concern=concern,
                expected_version=data["version"],
                data=triage_services.TriageInput(
                    level=data["level"],
                    rationale=data["rationale"],
                    immediate_needs=data["immediate_needs"],
                    presentation=data["presentation"],
                    known_already=data["known_already"],
                    checks_needed=data["checks_needed"],
                    category_codes=data["categories"],
                    known_fgm=data["known_fgm"],
                ),
            )
        except triage_services.ConcurrentEdit as conflict:
            return _resubmittable(request, public_id, "triage_form", form, conflict)
        messages.success(request, f"Triaged: {data['level']}.")
        return redirect("concerns:detail", public_id=public_id)
    return concern_page(request, concern, status=400, triage_form=form)


def submit_on_concern_page(
    request: HttpRequest,
    concern: Concern,
    form: forms.Form,
    *,
    name: str,
    write: Callable[[dict[str, Any]], Any],
    done: str | Callable[[Any], str],
) -> HttpResponse:
    """A form the DSL team posts from the concern page: a valid form goes to `write(cleaned_data)` (a service), and
    the person is sent back to the concern with `done` (or `done(result)`). A refusal (ValidationError) is put on
    the form, and the page is shown again with what they typed, at status 400, under the template's `name`."""
    if form.is_valid():
        try:
            result = write(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, done(result) if callable(done) else done)
            return redirect("concerns:detail", public_id=concern.public_id)
    return concern_page(request, concern, status=400, **{name: form})


def _resubmittable(request, public_id, name, form, conflict):
    """After a conflicting change: the fresh concern, and the person's own entries in a form carrying the new
    version, so saving again is a deliberate choice made with the other change in view."""
    concern = concern_or_404(request, public_id)
    data = request.POST.copy()
    data["version"] = str(conflict.concern.version)
    extra = {"levels": selectors.level_of_need_list()} if name == "triage_form" else {}
    fresh = form.__class__(data, auto_id=form.auto_id, **extra)
    fresh.is_valid()
    return concern_page(request, concern, status=409, conflict=_conflict_message(concern), **{name: fresh})


@login_required
@require_POST
def record_decision(request, public_id):
    """R40: a decision with its reason; "not to refer" is a decision too."""
    concern = triage_owner_or_404(request, public_id)
    return submit_on_concern_page(
        request,
        concern,
        DecisionForm(request.POST, auto_id="decision_%s"),
        name="decision_form",
        write=lambda data: triage_services.decision_record(
            user=request.user, concern=concern, kind=data["kind"], details=data["details"], rationale=data["rationale"]
        ),
        done="Decision recorded with its reason.",
    )


def _change_with_version(request, public_id, *, form_class, name, apply, done):
    """A POSTed change that carries the concern's version (closing, reopening): on a conflict the person sees what
    changed with their entries kept; a refused change comes back with its reason; otherwise back to the concern."""
    concern = triage_owner_or_404(request, public_id)
    form = form_class(request.POST, auto_id=f"{name.removesuffix('_form')}_%s")
    try:
        return submit_on_concern_page(
            request, concern, form, name=name, write=lambda data: apply(concern, data), done=done
        )
    except triage_services.ConcurrentEdit as conflict:
        return _resubmittable(request, public_id, name, form, conflict)


@login_required
@require_POST
def close(request, public_id):
    """R25: closing needs an outcome summary (and no open action)."""
    return _change_with_version(
        request,
        public_id,
        form_class=CloseForm,
        name="close_form",
        done="The concern is closed.",
        apply=lambda concern, data: triage_services.concern_close(
            user=request.user,
            concern=concern,
            outcome_summary=data["outcome_summary"],
            expected_version=data["version"],
        ),
    )


@login_required
@require_POST
def reopen(request, public_id):
    """A closed concern reopens with its reason recorded."""
    return _change_with_version(
        request,
        public_id,
        form_class=ReopenForm,
        name="reopen_form",
        done="The concern is reopened.",
        apply=lambda concern, data: triage_services.concern_reopen(
            user=request.user, concern=concern, reason=data["reason"], expected_version=data["version"]
        ),
    )


@login_required
@require_POST
def acknowledge(request, public_id):
    """One click, recorded with who and when; stops the escalation (R20)."""
    concern = concern_or_404(request, public_id)
    alerting.concern_acknowledge(user=request.user, concern=concern)
    messages.success(request, "Acknowledged. The escalation to senior leaders is stopped.")
    return redirect("concerns:detail", public_id=public_id)


@login_required
@require_POST
def add_addendum(request, public_id):
    concern = concern_or_404(request, public_id)
    form = AddendumForm(request.POST)
    if form.is_valid():
        raising.addendum_add(user=request.user, concern=concern, text=form.cleaned_data["text"])
        messages.success(request, "Addendum added.")
    else:
        messages.error(request, "Write the addendum before adding it.")
    return redirect("concerns:detail", public_id=public_id)
