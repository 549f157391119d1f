"""The DSL team's alert queue (R19, R20, R39): what waits for acknowledgement first, then the record, paged; giving a
concern to someone; marking oneself away or back (R21); and the holiday and out-of-hours cover rota (R22).

Tests: tests/concerns/test_queue_and_detail.py, test_queue_order.py, test_queue_live.py,
test_query_counts_at_volume.py, tests/test_access_matrix.py (the cover rota)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguarding import access
from safeguarding.selectors import people_at

from .. import categories, live, paging, selectors
from ..forms.queue import CoverShiftForm
from ..models import ConcernStatus
from ..queue_rows import queue_rows, row_values
from ..services import alerting, triage
from ._common import dsl_school, school_people, triage_owner_or_404


@login_required
def queue(request):
    """The DSL team's alert queue (R19–R22): what has not been acknowledged first, Immediate first and oldest first
    among those; then the rest, newest first, 50 a page."""
    school = live.queue_school(request.user)
    if school is None:
        raise PermissionDenied
    filters = _queue_filters(request)
    concerns = selectors.filter_queue(
        selectors.queue_list_for_user(user=request.user, school=school), user=request.user, filters=filters
    )
    # A concern waiting for acknowledgement is a live alert that goes to the senior leaders after 15 or 60 minutes
    # of school time. A DSL expects every one of them in front of them, Immediate first, whatever page they are on:
    # none may sit behind a "Next" link. So all of them are listed at the top of every page (in practice a
    # handful), and only the acknowledged ones, the record, are paged, newest first, with their count.
    waiting = row_values(concerns.filter(acknowledged_at__isnull=True))
    # The queue's order, said plainly for the acknowledged ones (their waiting, urgency and waiting-since are all
    # alike), so the database reads a page off the school's index by date instead of sorting the whole record.
    acknowledged = concerns.filter(acknowledged_at__isnull=False)
    state = live.queue_state(user=request.user, school=school)
    count = (
        live.acknowledged_count(user=request.user, school=school, state=state)
        if filters == selectors.QueueFilters()
        else acknowledged.count()
    )
    pager = paging.paginate(
        request, row_values(acknowledged.order_by("-recorded_at", "-pk")), per_page=paging.QUEUE_PAGE_SIZE, count=count
    )
    team = selectors.available_dsl_team(school=school)
    # htmx asks for the live part only (every 30 seconds, and when static/js/live-alerts.js sees the queue change):
    # the rest of the page, the filters and the page number stay as they are.
    template = "concerns/_queue_live.html" if request.headers.get("HX-Request") else "concerns/queue.html"
    now = timezone.now()
    return render(
        request,
        template,
        {
            "filters": filters,
            "groups": categories.GROUPS,
            "years": range(7, 14),
            "statuses": ConcernStatus.choices,
            # The "Assigned to" filter's people: one query, not a look at every member of staff's roles.
            "dsl_team": list(people_at(school, roles=access.DSL_TEAM)),
            "school": school,
            "waiting": queue_rows(waiting, now=now),
            "acknowledged": pager["page"],
            "acknowledged_rows": queue_rows(pager["page"], now=now),
            "here": request.get_full_path(),
            "pager": pager,
            "live_token": state.token,
            "is_dsl_team": access.is_dsl_team(request.user, school),
            "away": selectors.is_away(user=request.user, school=school),
            "available_team": team,
            "overdue_actions": list(selectors.overdue_actions(school=school, user=request.user))
            if access.is_dsl_team(request.user, school)
            else [],
            "now": now,
        },
    )


def _queue_filters(request) -> selectors.QueueFilters:
    year = request.GET.get("year", "")
    return selectors.QueueFilters(
        status=request.GET.get("status", "")[:20],
        group=request.GET.get("group", "")[:40],
        year=int(year) if year.isdigit() else None,
        assigned=request.GET.get("assigned", "")[:20],
    )


@login_required
@require_POST
def assign(request, public_id):
    """Gives the concern to someone in the DSL team (or to nobody); "take it" assigns it to oneself."""
    concern = triage_owner_or_404(request, public_id)
    wanted = request.POST.get("assignee", "")
    assignee = None
    if wanted == "me":
        assignee = request.user
    elif wanted:
        assignee = school_people(concern.school).filter(pk=wanted if wanted.isdigit() else 0).first()
        if assignee is None:
            raise Http404
    try:
        triage.concern_assign(user=request.user, concern=concern, assignee=assignee)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if request.POST.get("acknowledge") and concern.acknowledged_at is None:
            alerting.concern_acknowledge(user=request.user, concern=concern)
        messages.success(request, f"Assigned to {assignee.get_full_name() if assignee else 'nobody'}.")
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/queue/") else reverse("concerns:detail", kwargs={"public_id": public_id}))


@login_required
@require_POST
def set_availability(request):
    """R21: a DSL or deputy marks themselves away, or back."""
    school = next(
        (s for s in access.schools_for(request.user) if access.can_set_own_availability(request.user, s)), None
    )
    if school is None:
        raise Http404
    away = request.POST.get("away") == "1"
    alerting.availability_set(user=request.user, school=school, away=away)
    messages.success(
        request,
        "You are marked away: new alerts go to the rest of the team (or the senior leaders)."
        if away
        else "You are marked available: new alerts come to you again.",
    )
    return redirect("concerns:queue")


@login_required
def cover_rota(request):
    """R22: the holiday and out-of-hours cover rota: who gets alerts, and when."""
    school = dsl_school(request)
    people = school_people(school)
    form = CoverShiftForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            alerting.cover_shift_add(
                user=request.user,
                school=school,
                person=data["person"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                note=data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{data['person'].get_full_name()} is on the cover rota.")
            return redirect("concerns:cover_rota")
    shifts = selectors.cover_shift_list_for_user(user=request.user, school=school)
    return render(
        request,
        "concerns/cover_rota.html",
        {"school": school, "form": form, "shifts": shifts, "now": timezone.now()},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def cover_shift_end(request, shift_id):
    shift = selectors.cover_shift_get_for_user(user=request.user, shift_id=shift_id)
    if shift is None:
        raise Http404
    alerting.cover_shift_end(user=request.user, shift=shift)
    messages.success(request, "Done: that person no longer gets alerts from this shift.")
    return redirect("concerns:cover_rota")
