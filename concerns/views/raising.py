"""Raising a concern: the "Raise a Concern" desktop link and its form (R1–R13), the pupil type-ahead (R1), drafts
saved as people type and a form kept through an expired session, so nothing typed is lost. The DSL team's back
entry shares the raise form's machinery and is here too: a concern given verbally or on a paper form (R23), and a
police domestic-abuse notification (R24).

Tests: tests/concerns/test_raise_view.py, test_pupil_search.py, test_drafts.py, test_session_expiry.py,
test_back_entry_and_lateness.py, test_queue_and_detail.py (verbal and police entries)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from contacts.models import Purpose
from contacts.selectors import contacts_for_purpose
from safeguarding import access
from safeguarding.forms import typed_data
from safeguarding.views import draft_saved_response

from .. import categories, selectors
from ..forms.checks import INITIALS
from ..forms.raising import (
    OtherPupilFormSet,
    PoliceNotificationForm,
    QuoteFormSet,
    RaiseConcernForm,
    VerbalReporterForm,
    check_back_entry,
    new_key,
)
from ..models import ConcernKind, Pupil, SourceType
from ..services import raising
from ._common import dsl_school, school_people

# Where an expired session's form is kept, in the (anonymous) session, until its author signs in again.
PENDING_KEY = "pending_concern"
AUTHOR_SALT = "concerns.raise.author"


def _raise_school(request, wanted: str | None = None):
    """The school the form is for: the one named (by the form, a draft or a kept form) if the person may raise
    there, else their first."""
    schools = access.raise_schools_for(request.user)
    if not schools:
        raise PermissionDenied
    wanted = wanted or request.POST.get("school") or request.GET.get("school")
    return next((s for s in schools if str(s.public_id) == wanted), schools[0])


def _initial_from(data: dict[str, list[str]]) -> tuple[dict[str, object], list[dict[str, str]], list[dict[str, str]]]:
    """Turns saved form data (a draft, or a form kept through sign-in) back into initial values for the forms."""
    main: dict[str, object] = {}
    quotes: dict[int, dict[str, str]] = {}
    others: dict[int, dict[str, str]] = {}
    for key, values in data.items():
        if key.startswith(("quotes-", "others-")) and key.count("-") == 2:
            prefix, index, field = key.split("-")
            if index.isdigit():
                (quotes if prefix == "quotes" else others).setdefault(int(index), {})[field] = values[0]
        elif key == "categories":
            main[key] = values
        elif values:
            main[key] = values[0]
    for flag in ("is_immediate", "involves_adult"):
        main[flag] = main.get(flag) in ("on", "true", "1")
    return main, [quotes[i] for i in sorted(quotes)], [others[i] for i in sorted(others)]


def _pupil_labels(school, main: dict, others: list[dict]) -> dict[str, Pupil]:
    ids = [main.get("subject")] + [row.get("pupil") for row in others]
    return selectors.pupils_by_public_id(school=school, public_ids=[str(i) for i in ids if i])


def _raise_context(request, school, form, quotes, others, chosen, **extra) -> dict:
    for other in others:
        other.chosen_pupil = chosen.get(str(other["pupil"].value() or ""))
    return {
        "chosen_subject": chosen.get(str(form["subject"].value() or "")),
        "school": school,
        "form": form,
        "quotes": quotes,
        "others": others,
        "groups": categories.GROUPS,
        "chosen_pupils": chosen,
        "immediate_codes": [c.code for g in categories.GROUPS for c in g.categories if c.suggests_immediate],
        "author_token": signing.dumps(request.user.pk, salt=AUTHOR_SALT),
        "team": contacts_for_purpose(school=school, purposes=[Purpose.DSL, Purpose.DEPUTY_DSL]),
        "adult_contacts": contacts_for_purpose(school=school, purposes=[Purpose.SENIOR_LEADER, Purpose.LADO]),
        "day_ends_at": school.day_ends_at.strftime("%H:%M"),
        "initials_pattern": INITIALS.pattern,  # R8: the warning as they type is the server's own rule
        **extra,
    }


def _render_raise(request, school, form, quotes, others, chosen, *, status=200, **extra):
    context = _raise_context(request, school, form, quotes, others, chosen, autosave=True, **extra)
    return render(request, "concerns/raise.html", context, status=status)


def _concern_input(form, quotes, subject, other_pupils=()) -> raising.ConcernInput:
    """The cleaned raise form as the service takes it."""
    data = form.cleaned_data
    return raising.ConcernInput(
        idempotency_key=data["idempotency_key"],
        subject=subject,
        happened_at=data["happened_at"],
        location=data["location"],
        people_present=data["people_present"],
        source_type=data["source_type"],
        source_name=data["source_name"],
        source_role=data["source_role"],
        account=data["account"],
        opinion=data["opinion"],
        opinion_owner=data["opinion_owner"],
        category_codes=data["categories"],
        other_category=data["other_category"],
        is_immediate=data["is_immediate"],
        involves_adult=data["involves_adult"],
        quotes=[(q["words"], q["speaker"]) for q in quotes.cleaned_data if q.get("words")],
        other_pupils=list(other_pupils),
        attachments=[
            raising.UploadedFile(name=f.name, content_type=t, size=f.size, file=f)
            for f, t in zip(data["attachments"], form.content_types, strict=True)
        ],
    )


def raise_concern(request):
    """The "Raise a Concern" desktop link (R1–R13). A session that expired while someone typed loses nothing: the
    form is kept server-side through sign-in and shown again, and the idempotency key makes it one concern."""
    if not request.user.is_authenticated:
        if request.method == "POST":
            return _keep_through_sign_in(request)
        return redirect_to_login(request.get_full_path())
    if request.method == "POST":
        return _submit(request, _raise_school(request))

    restored = request.session.pop(PENDING_KEY, None) if request.GET.get("resume") else None
    if restored and restored.get("author") != request.user.pk:
        restored = None  # kept by someone else on this computer: never shown to another person
    draft = None
    data = restored["data"] if restored else None
    if data is None and request.GET.get("draft"):
        draft = selectors.draft_get_for_user(user=request.user, idempotency_key=request.GET["draft"])
        data = draft.data if draft else None
    # A kept form or a draft belongs to the school it was typed for.
    school = _raise_school(request, wanted=(data or {}).get("school", [None])[0])
    if data is not None:
        main, quote_rows, other_rows = _initial_from(data)
        form = RaiseConcernForm(initial=main, school=school)
        quotes = QuoteFormSet(prefix="quotes", initial=quote_rows or None)
        others = OtherPupilFormSet(prefix="others", initial=other_rows or None)
        chosen = _pupil_labels(school, main, other_rows)
    else:
        form = RaiseConcernForm(initial={"idempotency_key": new_key()}, school=school)
        quotes, others, chosen = QuoteFormSet(prefix="quotes"), OtherPupilFormSet(prefix="others"), {}
        draft = selectors.latest_draft_get_for_user(user=request.user)
        if draft:
            draft.offer_only = True
    return _render_raise(request, school, form, quotes, others, chosen, restored=bool(restored), draft=draft)


def _keep_through_sign_in(request):
    try:
        author = signing.loads(request.POST.get("author_token", ""), salt=AUTHOR_SALT, max_age=60 * 60 * 24)
    except signing.BadSignature:
        return redirect_to_login(reverse("concerns:raise"))
    request.session[PENDING_KEY] = {"author": author, "data": typed_data(request.POST)}
    messages.warning(
        request,
        "The session ended while a concern was being typed. Sign in again to get back what was typed (attached "
        "files need attaching again).",
    )
    return redirect_to_login(reverse("concerns:raise") + "?resume=1")


def _submit(request, school):
    form = RaiseConcernForm(request.POST, request.FILES, school=school)
    quotes = QuoteFormSet(request.POST, prefix="quotes")
    others = OtherPupilFormSet(request.POST, prefix="others")
    valid = all([form.is_valid(), quotes.is_valid(), others.is_valid()])
    main_data = {k: request.POST.get(k) for k in ("subject",)}
    other_rows = [{"pupil": request.POST.get(f"others-{i}-pupil")} for i in range(others.total_form_count())]
    chosen = _pupil_labels(school, main_data, other_rows)
    if valid:
        data = form.cleaned_data
        subject = chosen.get(str(data["subject"]))
        other_pupils = []
        for row in others.cleaned_data:
            if row.get("pupil"):
                pupil = chosen.get(str(row["pupil"]))
                if pupil is None:
                    others.forms[0].add_error(None, "One of the other children is not on your school's roll.")
                    valid = False
                else:
                    other_pupils.append((pupil, row["role"]))
        if subject is None:
            form.add_error("subject", "Choose a child on your school's roll.")
            valid = False
    if valid:
        concern_input = _concern_input(form, quotes, subject, other_pupils)
        try:
            concern = raising.concern_raise(author=request.user, school=school, data=concern_input)
        except ValidationError as error:
            form.add_error(None, error)
        except DatabaseError:
            form.add_error(
                None,
                "The concern could not be saved just now. Nothing you typed is lost: press Send again. If it keeps "
                "failing, tell the DSL in person.",
            )
        else:
            request.session.pop(PENDING_KEY, None)
            return redirect("concerns:receipt", public_id=concern.public_id)
    return _render_raise(request, school, form, quotes, others, chosen, status=400)


@login_required
@require_POST
def pupil_search(request):
    """The type-ahead: pupils on the current roll matching what was typed (R1). Answers an HTML fragment.
    POST, so the letters of a child's name never sit in a URL, a proxy's log or the browser's history."""
    school = _raise_school(request)
    query = request.POST.get("q", "")[:60]
    pupils = selectors.pupil_list_for_user(user=request.user, school=school, query=query)
    names = [(p.legal_first_name + p.legal_last_name).lower() for p in pupils]
    return render(
        request,
        "concerns/_pupil_results.html",
        {"pupils": pupils, "query": query, "same_names": {n for n in names if names.count(n) > 1}},
    )


@login_required
@require_POST
def draft_save(request):
    """Saves what has been typed so far, every few seconds while the person types."""
    school = _raise_school(request)
    try:
        key = RaiseConcernForm.base_fields["idempotency_key"].clean(request.POST.get("idempotency_key"))
    except ValidationError:
        return JsonResponse({"saved": False, "error": "The form has no key; reload the page."}, status=400)
    draft = raising.draft_save(user=request.user, school=school, idempotency_key=key, data=typed_data(request.POST))
    return draft_saved_response(draft)


@login_required
@require_POST
def draft_discard(request):
    key = request.POST.get("idempotency_key", "")
    try:
        key = RaiseConcernForm.base_fields["idempotency_key"].clean(key)
    except ValidationError as error:
        raise Http404 from error
    raising.draft_discard(user=request.user, idempotency_key=key)
    messages.info(request, "The unsent draft was deleted.")
    return redirect("concerns:raise")


@login_required
def record_verbal(request):
    """R23: the DSL team writes down a concern someone gave them verbally; it is theirs, marked as transcribed."""
    school = dsl_school(request)
    reporters = school_people(school)
    reporter_form = VerbalReporterForm(request.POST or None, reporters=reporters)
    status = 200
    if request.method == "POST":
        form = RaiseConcernForm(request.POST, request.FILES, school=school)
        quotes = QuoteFormSet(request.POST, prefix="quotes")
        others = OtherPupilFormSet(request.POST, prefix="others")
        chosen = _pupil_labels(school, {"subject": request.POST.get("subject")}, [])
        valid = [reporter_form.is_valid(), form.is_valid(), quotes.is_valid(), others.is_valid()]
        if all(valid):
            check_back_entry(reporter_form, form)
        if all(valid) and not (reporter_form.errors or form.errors):
            subject = chosen.get(str(form.cleaned_data["subject"]))
            if subject is not None:
                how = reporter_form.cleaned_data["how"]
                concern = raising.concern_raise(
                    author=reporter_form.cleaned_data["reporter"],
                    recorded_by=request.user,
                    kind=how,
                    school=school,
                    data=_concern_input(form, quotes, subject),
                    first_recorded_at=reporter_form.cleaned_data["first_recorded_at"],
                )
                what = "paper form" if how == ConcernKind.PAPER else "verbal concern"
                messages.success(request, f"The {what} is recorded as theirs, marked as entered by you.")
                return redirect("concerns:detail", public_id=concern.public_id)
            form.add_error("subject", "Choose a child on your school's roll.")
        status = 400
    else:
        form = RaiseConcernForm(initial={"idempotency_key": new_key()}, school=school)
        quotes, others, chosen = QuoteFormSet(prefix="quotes"), OtherPupilFormSet(prefix="others"), {}
    context = _raise_context(request, school, form, quotes, others, chosen, reporter_form=reporter_form)
    return render(request, "concerns/record_verbal.html", context, status=status)


@login_required
def record_police_notification(request):
    """R24: a police domestic-abuse notification, with the rule: no questions to the child or parent about it."""
    school = dsl_school(request)
    form = PoliceNotificationForm(request.POST or None, initial={"idempotency_key": new_key()})
    chosen = _pupil_labels(school, {"subject": request.POST.get("subject") or ""}, [])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        subject = chosen.get(str(data["subject"]))
        if subject is None:
            form.add_error("subject", "Choose a child on your school's roll.")
        else:
            concern = raising.concern_raise(
                author=request.user,
                school=school,
                kind=ConcernKind.DOMESTIC_ABUSE_NOTIFICATION,
                data=raising.ConcernInput(
                    idempotency_key=data["idempotency_key"],
                    subject=subject,
                    happened_at=data["happened_at"],
                    location=data["location"],
                    people_present="Not known to the school: see the police notification.",
                    source_type=SourceType.SECOND_HAND,
                    source_name=data["officer"],
                    source_role="Police",
                    account=data["account"],
                    category_codes=["domestic_abuse"],
                ),
                police=raising.PoliceNotificationInput(
                    police_reference=data["police_reference"],
                    child_present=data["child_present"],
                    child_voice=data["child_voice"],
                ),
            )
            messages.success(request, "The police notification is recorded on the child's concern list.")
            return redirect("concerns:detail", public_id=concern.public_id)
    return render(
        request,
        "concerns/police_notification.html",
        {"school": school, "form": form, "chosen_subject": chosen.get(str(form["subject"].value() or ""))},
        status=400 if request.method == "POST" else 200,
    )
