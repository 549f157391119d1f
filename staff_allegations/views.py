"""Pages for concerns about adults. Every view asks safeguarding/access.py (through the selectors); a case
someone may not read is a 404, so its existence is not confirmed either (R61). Every view of a case is logged."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from concerns import paging
from concerns.selectors import is_away, pupils_by_public_id
from concerns.services import alerting as concern_alerting
from contacts.models import Purpose
from contacts.selectors import contacts_for_purpose
from safeguarding import access
from safeguarding.audit import log_access, log_list_access
from safeguarding.forms import typed_data
from safeguarding.models import TRUST_ROLES, Role, School, User
from safeguarding.selectors import people_at
from safeguarding.views import draft_saved_response

from . import selectors, services
from .forms import (
    HARM_TESTS,
    AdultConcernForm,
    CloseForm,
    DecisionForm,
    EntryForm,
    EscalateForm,
    LadoForm,
    MemberForm,
    PracticeConcernForm,
    ReopenForm,
    RetentionForm,
    ReviewForm,
    SettingsForm,
    TaskDoneForm,
)
from .models import OUTCOME_DEFINITIONS, AdultCase, AdultCaseSettings, CaseKind, DraftForm, Outcome, TaskKind
from .register_lines import case_lines, pattern_lines
from .routing import NoCaseManager

SHAREABLE_ROLES = access.ADULT_CASE_SHARES
# Cases a page of the register; 50 access rows fit one INSERT on SQLite too (999 parameters, 15 a row).
REGISTER_PAGE_SIZE = 50


def _raise_school(request) -> School:
    school = next(
        (s for s in access.schools_for(request.user) if access.can_raise_adult_concern(request.user, s)), None
    )
    if school is None:
        raise PermissionDenied
    return school


def _people(school: School, roles=None):
    return people_at(school, roles=roles) if roles else people_at(school, exclude_roles=TRUST_ROLES)


def _lado_contacts(school: School):
    return contacts_for_purpose(school=school, purposes=[Purpose.LADO])


AUTHOR_SALT = "staff_allegations.raise.author"
PENDING_KEY = "pending_adult_concern"


def _keep_through_sign_in(request, url_name: str):
    """A session that ended while someone typed loses nothing: what was sent is kept for the signed author, who
    gets it back after signing in (the same promise as Raise a Concern)."""
    try:
        author = signing.loads(request.POST.get("author_token", ""), salt=AUTHOR_SALT, max_age=60 * 60 * 24)
    except signing.BadSignature:
        return redirect_to_login(reverse(url_name))
    request.session[PENDING_KEY] = {"author": author, "form": url_name, "data": typed_data(request.POST)}
    messages.warning(request, "The session ended while you were typing. Sign in again to get back what you typed.")
    return redirect_to_login(reverse(url_name) + "?resume=1")


def _initial(data: dict[str, list[str]]) -> dict:
    """Typed data (kept through sign-in, or a draft) back into initial values: one value, or the list of several."""
    return {k: v[0] if len(v) == 1 else v for k, v in data.items()}


def _restored(request, url_name: str) -> dict | None:
    """What was kept through sign-in, for this person and this form only."""
    if not request.GET.get("resume"):
        return None
    kept = request.session.pop(PENDING_KEY, None)
    if not kept or kept.get("author") != request.user.pk or kept.get("form") != url_name:
        return None  # kept by someone else on this computer: never shown to another person
    return _initial(kept["data"])


def _draft_initial(request, form: str):
    """The person's draft for this form: (initial values, None) when they asked to continue it with ?draft=, or
    (None, the newest draft) to offer it. Someone else's draft, or one for the other form, is never found."""
    key = request.GET.get("draft")
    if key:
        try:
            draft = selectors.draft_get_for_user(user=request.user, form=form, idempotency_key=uuid.UUID(key))
        except ValueError:
            draft = None
        if draft is not None:
            return _initial(draft.data), None
    return None, selectors.latest_draft_get_for_user(user=request.user, form=form)


def _chosen_child(school: School, value):
    """The pupil a picker holds, if it is a real pupil on the school's roll; None for anything else."""
    try:
        key = str(uuid.UUID(str(value)))
    except ValueError:
        return None
    return pupils_by_public_id(school=school, public_ids=[key]).get(key)


def _form_context(request, form: str, offer) -> dict:
    """What both forms about adults carry: the signed author (for sign-in), which draft form this is, and the
    person's unsent draft to offer."""
    return {"author_token": signing.dumps(request.user.pk, salt=AUTHOR_SALT), "draft_form": form, "draft": offer}


DRAFT_PAGES = {DraftForm.ADULT: "staff_allegations:raise", DraftForm.PRACTICE: "staff_allegations:raise_practice"}


def _draft_form_and_key(request) -> tuple[str, uuid.UUID]:
    form = request.POST.get("draft_form", "")
    if form not in DRAFT_PAGES:
        raise ValueError(form)
    return form, uuid.UUID(request.POST.get("idempotency_key", ""))


@login_required
@require_POST
def draft_save(request):
    """Saves what has been typed so far into a form about an adult, every few seconds while the person types."""
    school = _raise_school(request)
    try:
        form, key = _draft_form_and_key(request)
    except ValueError:
        return JsonResponse({"saved": False, "error": "The form has no key; reload the page."}, status=400)
    data = typed_data(request.POST)
    data.pop("draft_form", None)
    return draft_saved_response(
        services.draft_save(user=request.user, school=school, form=form, idempotency_key=key, data=data)
    )


@login_required
@require_POST
def draft_discard(request):
    try:
        form, key = _draft_form_and_key(request)
    except ValueError as error:
        raise Http404 from error
    services.draft_discard(user=request.user, idempotency_key=key)
    messages.info(request, "The unsent draft was deleted.")
    return redirect(DRAFT_PAGES[form])


def raise_adult(request):
    """R59–R62, R71, R72: the four harm-threshold questions decide the route; the receipt says who handles it."""
    if not request.user.is_authenticated:
        if request.method == "POST":
            return _keep_through_sign_in(request, "staff_allegations:raise")
        return redirect_to_login(request.get_full_path())
    school = _raise_school(request)
    people = _people(school).exclude(pk=request.user.pk)
    restored = _restored(request, "staff_allegations:raise")
    continued, offer = (None, None) if restored or request.POST else _draft_initial(request, DraftForm.ADULT)
    initial = restored or continued or {"idempotency_key": uuid.uuid4()}
    form = AdultConcernForm(request.POST or None, people=people, initial=initial)
    status = 200
    if request.method == "POST":
        child = None
        if form.is_valid() and form.cleaned_data.get("child"):
            child = _chosen_child(school, form.cleaned_data["child"])
            if child is None:
                form.add_error("child", "Choose the child from your school's roll.")
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = services.adult_concern_raise(
                    reporter=request.user,
                    school=school,
                    data=services.AdultConcernInput(
                        idempotency_key=data["idempotency_key"],
                        witnessed=data["witnessed"],
                        subject_user=None if data["self_referral"] else data["subject_user"],
                        subject_name=data["subject_name"],
                        subject_role=data["subject_role"],
                        employment=data["employment"] or ("staff" if data["self_referral"] else ""),
                        employer=data["employer"],
                        self_referral=data["self_referral"],
                        happened_at=data.get("happened_at"),
                        non_recent=data["non_recent"],
                        location=data["location"],
                        people_present=data["people_present"],
                        said=data["said"],
                        theme=data["theme"],
                        harmed=data["harmed"],
                        offence=data["offence"],
                        risk_of_harm=data["risk_of_harm"],
                        unsuitable=data["unsuitable"],
                        conflict_of_interest=data["conflict_of_interest"],
                        conflict_details=data["conflict_details"],
                        child=child,
                    ),
                )
            except NoCaseManager as error:
                form.add_error(None, str(error))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("staff_allegations:sent", public_id=case.public_id)
        status = 400
    return render(
        request,
        "staff_allegations/raise_adult.html",
        {
            "form": form,
            "school": school,
            "harm_tests": HARM_TESTS,
            "lado_contacts": _lado_contacts(school),
            "chosen_child": _chosen_child(school, form["child"].value()),
            "restored": bool(restored),
            **_form_context(request, DraftForm.ADULT, offer),
        },
        status=status,
    )


def raise_practice(request):
    """R18: whistleblowing about safeguarding practice, to the Head (the Chair if it names the Head)."""
    if not request.user.is_authenticated:
        if request.method == "POST":
            return _keep_through_sign_in(request, "staff_allegations:raise_practice")
        return redirect_to_login(request.get_full_path())
    school = _raise_school(request)
    restored = _restored(request, "staff_allegations:raise_practice")
    continued, offer = (None, None) if restored or request.POST else _draft_initial(request, DraftForm.PRACTICE)
    initial = restored or continued or {"idempotency_key": uuid.uuid4()}
    form = PracticeConcernForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = services.adult_concern_raise(
                    reporter=request.user,
                    school=school,
                    data=services.AdultConcernInput(
                        idempotency_key=data["idempotency_key"],
                        witnessed=data["witnessed"],
                        kind_hint=CaseKind.PRACTICE,
                        names_head=data["names_head"],
                        happened_at=data.get("happened_at"),
                        location=data["location"],
                    ),
                )
            except NoCaseManager as error:
                form.add_error(None, str(error))
            else:
                return redirect("staff_allegations:sent", public_id=case.public_id)
        status = 400
    return render(
        request,
        "staff_allegations/raise_practice.html",
        {
            "form": form,
            "whistleblowing": contacts_for_purpose(school=school, purposes=[Purpose.WHISTLEBLOWING, Purpose.NSPCC]),
            "restored": bool(restored),
            **_form_context(request, DraftForm.PRACTICE, offer),
        },
        status=status,
    )


@login_required
def sent(request, public_id):
    """The reporter's receipt: when it was sent and who will handle it, nothing more (the case is not theirs)."""
    case = AdultCase.objects.select_related("school").filter(public_id=public_id, reporter=request.user).first()
    if case is None:
        raise Http404
    return render(
        request,
        "staff_allegations/sent.html",
        {"case": case, "lado_contacts": _lado_contacts(case.school) if case.reported_to_lado_directly else []},
    )


def _head_school(user) -> School | None:
    return next((s for s in access.schools_for(user) if access.can_mark_head_away(user, s)), None)


def _list_page(request, *, settings_form=None, status=200):
    school = selectors.register_school(request.user)
    if school is None:
        raise PermissionDenied
    head_school = _head_school(request.user)
    if head_school is not None and settings_form is None:
        settings_form = SettingsForm(instance=AdultCaseSettings.for_school(head_school))
    # Paged (issue 12, item 5): a school's register holds hundreds of cases after a few years, and every case shown
    # is an access row written to the audit log (R85), so only the page's are shown and logged.
    pager = paging.paginate(request, selectors.case_list_for_user(request.user), per_page=REGISTER_PAGE_SIZE)
    cases = list(pager["page"])
    log_list_access(cases, how=selectors.LISTED)
    return render(
        request,
        "staff_allegations/list.html",
        {
            "cases": cases,
            "lines": case_lines(cases),
            "page": pager["page"],
            "pager": pager,
            "patterns": pattern_lines(selectors.pattern_list_for_user(user=request.user)),
            "reviews": selectors.review_list_for_user(user=request.user),
            "review_form": ReviewForm(),
            "can_log_review": access.can_log_records_review(request.user, school),
            "is_head": head_school is not None,
            "head_away": head_school is not None and is_away(user=request.user, school=head_school),
            "settings_form": settings_form,
        },
        status=status,
    )


@login_required
def case_list(request):
    """/staff-concerns/: the person's own cases (managed or shared), open first, with deadlines and patterns."""
    return _list_page(request)


@login_required
@require_POST
def register_settings(request):
    """Decision 4 and R76: the Headteacher chooses who decides low-level concerns and what makes a pattern."""
    school = _head_school(request.user)
    if school is None:
        raise Http404
    form = SettingsForm(request.POST, instance=AdultCaseSettings.for_school(school))
    if form.is_valid():
        services.settings_save(user=request.user, settings=form.save(commit=False))
        messages.success(request, "Settings saved.")
        return redirect("staff_allegations:list")
    return _list_page(request, settings_form=form, status=400)


@login_required
@require_POST
def head_away(request):
    """The Headteacher marks themselves away (or back): new concerns about adults then go to the DSL, or to the
    Chair when they are about the DSL (routing.py)."""
    school = _head_school(request.user)
    if school is None:
        raise Http404
    away = request.POST.get("away") == "1"
    concern_alerting.availability_set(user=request.user, school=school, away=away)
    messages.success(
        request,
        "You are marked away: new concerns about adults go to the DSL (the Chair if they are about the DSL)."
        if away
        else "You are marked available: new concerns about adults come to you again.",
    )
    return redirect("staff_allegations:list")


@login_required
@require_POST
def reviewed(request):
    """R76: the dated "records reviewed" log."""
    school = next((s for s in access.schools_for(request.user) if access.can_log_records_review(request.user, s)), None)
    if school is None:
        raise PermissionDenied
    form = ReviewForm(request.POST)
    if form.is_valid():
        services.records_reviewed(user=request.user, school=school, notes=form.cleaned_data["notes"])
        messages.success(request, "Recorded: the low-level concern records were reviewed today.")
    return redirect("staff_allegations:list")


def _case_or_404(request, public_id) -> AdultCase:
    case = selectors.case_get_for_user(user=request.user, public_id=public_id)
    if case is None:
        raise Http404
    return case


def _share_people(case: AdultCase):
    """Who the case manager may share a case with: never its subject, nor the Head on a case about the Head."""
    people = _people(case.school, SHAREABLE_ROLES).exclude(Q(pk=case.case_manager_id) | Q(pk=case.subject_user_id or 0))
    if case.subject_is_head:
        people = people.exclude(memberships__school=case.school, memberships__role=Role.HEADTEACHER)
    return people


def _detail_page(request, case: AdultCase, *, status: int = 200, **forms):
    can_manage = access.can_manage_adult_case(request.user, case)
    share_people = _share_people(case) if can_manage else User.objects.none()
    tasks = list(case.tasks.select_related("owner"))
    context = {
        "case": case,
        "can_manage": can_manage,
        "entries": list(case.entries.all()),
        "tasks": tasks,
        "members": list(case.members.select_related("user")),
        "harm_answers": [(label, getattr(case, name)) for name, label in HARM_TESTS],
        "outcome_definitions": [(Outcome(k).label, v) for k, v in OUTCOME_DEFINITIONS.items()],
        "lado_contacts": _lado_contacts(case.school) if case.kind == CaseKind.ALLEGATION else [],
        "access_log": selectors.case_access_log(case) if can_manage else [],
        "entry_form": forms.get("entry_form") or EntryForm(),
        "decision_form": forms.get("decision_form") or DecisionForm(),
        "escalate_form": forms.get("escalate_form") or EscalateForm(),
        "close_form": forms.get("close_form") or CloseForm(),
        "reopen_form": forms.get("reopen_form") or ReopenForm(),
        "member_form": forms.get("member_form") or MemberForm(people=share_people),
        "retention_form": forms.get("retention_form")
        or RetentionForm(initial={"retirement_on": case.retirement_on, "left_employment_on": case.left_employment_on}),
        "task_forms": {
            t.pk: forms.get(f"task_form_{t.pk}")
            or (
                LadoForm(prefix=f"t{t.pk}") if t.kind == TaskKind.LADO_CONSULTATION else TaskDoneForm(prefix=f"t{t.pk}")
            )
            for t in tasks
            if t.is_open
        },
    }
    return render(request, "staff_allegations/detail.html", context, status=status)


@login_required
def detail(request, public_id):
    case = _case_or_404(request, public_id)
    log_access(case)
    return _detail_page(request, case)


def _case_change(form_class, form_name: str, service, success: str, people: bool = False):
    """A POST that changes a case: its case manager only (anyone else gets the same 404 as for a case they cannot
    read). The form's fields are the service's arguments. A bad form or a refused change shows the case again with
    what was typed and the reason."""

    @login_required
    @require_POST
    def view(request, public_id):
        case = _case_or_404(request, public_id)
        if not access.can_manage_adult_case(request.user, case):
            raise PermissionDenied
        form = form_class(request.POST, **({"people": _share_people(case)} if people else {}))
        if form.is_valid():
            try:
                service(user=request.user, case=case, **form.cleaned_data)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, success)
                return redirect("staff_allegations:detail", public_id=case.public_id)
        return _detail_page(request, case, status=400, **{form_name: form})

    view.__doc__ = service.__doc__
    return view


# R63, R65, R67: fact-finding, police, strategy meeting, suspension, who was told, DBS and TRA referrals.
add_entry = _case_change(EntryForm, "entry_form", services.entry_add, "Added to the case record.")
decide = _case_change(DecisionForm, "decision_form", services.low_level_decide, "Decision recorded.")
escalate = _case_change(
    EscalateForm,
    "escalate_form",
    services.case_escalate,
    "Escalated to an allegation. Consult the LADO within one working day.",
)
close = _case_change(CloseForm, "close_form", services.case_close, "Case closed.")
reopen = _case_change(ReopenForm, "reopen_form", services.case_reopen, "Case reopened.")
share = _case_change(
    MemberForm,
    "member_form",
    services.member_add,
    "Shared. They have been told a case is waiting for them, with no details.",
    people=True,
)
retention = _case_change(RetentionForm, "retention_form", services.retention_set, "Retention dates saved.")


@login_required
@require_POST
def complete_task(request, public_id):
    """R63: the LADO consultation with its reference, advice and agreed course (or why not referred); R75: the
    employer told."""
    task = selectors.task_get_for_user(user=request.user, public_id=public_id)
    if task is None:
        raise Http404
    case = task.case
    form_class = LadoForm if task.kind == TaskKind.LADO_CONSULTATION else TaskDoneForm
    form = form_class(request.POST, prefix=f"t{task.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.task_complete(
                user=request.user,
                task=task,
                outcome=data["outcome"],
                referred=data.get("referred"),
                reference=data.get("reference", ""),
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        except PermissionDenied:
            raise
        else:
            messages.success(request, f"{task.get_kind_display()}: done.")
            return redirect("staff_allegations:detail", public_id=case.public_id)
    return _detail_page(request, case, status=400, **{f"task_form_{task.pk}": form})
