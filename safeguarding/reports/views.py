"""The trustees' termly report: the list of terms, one term's report (a school's or the trust's), its PDF, the DSL's
ask to remake a term's figures, and the annual assurance dates (R87–R89). Every figure was counted and protected by
the task worker and stored (snapshots.py); the page and the PDF only read it. No page here links to a record."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguarding import access
from safeguarding.audit import log_access
from safeguarding.models import AssuranceCheck, ReportSnapshot, Term, Trust
from safeguarding.pdf import render_pdf

from . import services, snapshots
from .figures import Scope, head_cases_left_out
from .forms import AssuranceCheckForm
from .periods import TermKey, term_key, term_keys_for


def _scope(request) -> Scope:
    """One school when asked for (and readable), else the trust's view for a trust role, else the person's
    school. Nobody who may read no report gets further than this."""
    schools = access.report_schools_for(request.user)
    if not schools:
        raise PermissionDenied
    wanted = request.GET.get("school")
    if wanted:
        school = next((s for s in schools if str(s.public_id) == wanted), None)
        if school is None:
            raise Http404
        return Scope((school,))
    trust_ids = access.report_trust_ids_for(request.user)
    if trust_ids:
        trust = Trust.objects.get(pk=trust_ids[0])
        return Scope(tuple(s for s in schools if s.trust_id == trust.pk), trust=trust)
    return Scope((schools[0],))


def _key_or_404(academic_year: str, term: str) -> TermKey:
    key = term_key(academic_year, term)
    if key is None:
        raise Http404
    return key


def _entered_or_404(scope: Scope, key: TermKey) -> None:
    """A term none of the scope's schools has entered, or begun, is not found."""
    today = timezone.localdate()
    entered = Term.objects.filter(
        school__in=scope.schools, academic_year=key.academic_year, name=key.name, starts_on__lte=today
    ).exists()
    if not entered:
        raise Http404


def _query(request, scope: Scope) -> str:
    return f"?school={scope.schools[0].public_id}" if not scope.is_trust and request.GET.get("school") else ""


def _report_context(request, scope: Scope, key: TermKey, snapshot: ReportSnapshot | None, *, coming: bool) -> dict:
    """What the page and the PDF print around the stored figures: never a count made here, except the Chair's
    note, which is told to the Chair alone and so is not in the figures every reader shares."""
    periods, without_term = snapshots.stored_periods(snapshot) if snapshot is not None else ([], [])
    chair_note = None
    if snapshot is not None and not scope.is_trust and access.is_chair_of(request.user, scope.schools[0]):
        chair_note = head_cases_left_out(scope, key, today=timezone.localdate())
    return {
        "scope": scope,
        "key": key,
        "snapshot": snapshot,
        "periods": periods,
        "schools_without_term": without_term,
        "coming": coming,
        "remake_pending": snapshot is not None and snapshots.remake_pending(snapshot),
        "can_remake": snapshots.can_remake(request.user, scope),
        "chair_note": chair_note,
        "query": _query(request, scope),
    }


@login_required
def index(request):
    """The terms whose report the person may read, newest first (CONTRACT.md: /reports/)."""
    schools = access.report_schools_for(request.user)
    if not schools:
        raise PermissionDenied
    trust_ids = access.report_trust_ids_for(request.user)
    trusts = list(Trust.objects.filter(pk__in=trust_ids))
    keys = term_keys_for(schools)
    current = next(iter(keys), None)
    return render(
        request,
        "reports/index.html",
        {
            "keys": keys,
            "current": current,
            "schools": schools,
            "trusts": trusts,
            "assurance_schools": [s for s in schools if access.can_record_assurance(request.user, s)],
        },
    )


@login_required
def term_report(request, academic_year, term):
    """R87: one term's report, for a school or the whole trust, compared with last term and the same term last
    year. The page reads the figures the worker stored (issue 12): it never counts or draws. With none stored yet,
    it says they are being prepared and asks the worker for them; the current term's, when old, are asked for
    again."""
    scope = _scope(request)
    key = _key_or_404(academic_year, term)
    _entered_or_404(scope, key)
    snapshot = snapshots.snapshot_get(scope, key)
    coming = services.report_figures_ask_if_due(scope=scope, key=key, snapshot=snapshot)
    return render(request, "reports/report.html", _report_context(request, scope, key, snapshot, coming=coming))


@login_required
def term_report_pdf(request, academic_year, term):
    """The same report as a PDF for the trustees' meeting, from the stored figures; each download is logged on the
    schools it covers. With no figures stored yet, the reader is sent to the page, which says they are coming."""
    scope = _scope(request)
    key = _key_or_404(academic_year, term)
    _entered_or_404(scope, key)
    snapshot = snapshots.snapshot_get(scope, key)
    coming = services.report_figures_ask_if_due(scope=scope, key=key, snapshot=snapshot)
    if snapshot is None:
        return redirect(reverse("reports:term", args=[key.academic_year, key.name]) + _query(request, scope))
    context = _report_context(request, scope, key, snapshot, coming=coming)
    context["chair_note"] = None  # told on the page only: the pack goes to every trustee
    context["printed_at"] = timezone.now()
    pdf = render_pdf("reports/report_pdf.html", context)
    for school in scope.schools:
        log_access(school, how=f"Trustees' report PDF, {key.label}")
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"safeguarding-report-{key.academic_year}-{key.name}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def term_report_remake(request, academic_year, term):
    """Issue 12: the DSL team (for the trust, its safeguarding lead) asks for a term's figures to be made again; the
    worker remakes them, and the page says so until it has."""
    scope = _scope(request)
    key = _key_or_404(academic_year, term)
    _entered_or_404(scope, key)
    services.report_remake_ask(user=request.user, scope=scope, key=key)
    messages.success(
        request, f"A remake of the figures for the {key.label} is on its way: they will replace these shortly."
    )
    return redirect(reverse("reports:term", args=[key.academic_year, key.name]) + _query(request, scope))


@login_required
def assurance(request):
    """R89: the DSL team or the Head records the annual assurance checks; the report shows the latest of each."""
    schools = [s for s in access.report_schools_for(request.user) if access.can_record_assurance(request.user, s)]
    if not schools:
        raise PermissionDenied
    wanted = request.POST.get("school") or request.GET.get("school")
    school = next((s for s in schools if str(s.public_id) == wanted), schools[0])
    form = AssuranceCheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            check = services.assurance_check_record(
                user=request.user, school=school, kind=data["kind"], done_on=data["done_on"], next_due=data["next_due"]
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, f"Recorded: {check}. Next due by {check.next_due:%-d %B %Y}.")
            return redirect(f"{request.path}?school={school.public_id}")
    checks = AssuranceCheck.objects.filter(school=school).select_related("recorded_by").order_by("kind", "-done_on")
    return render(
        request,
        "reports/assurance.html",
        {"form": form, "school": school, "schools": schools, "checks": checks, "today": timezone.localdate()},
        status=400 if request.method == "POST" else 200,
    )
