"""What the person who raised a concern sees (R15, R16): My concerns, their receipts, newest first, with their own
tasks (answered there, R30), the notes shared with them (R47) and files received; and the read-only receipt of one
concern, where they add dated addenda. Nothing of any child's file.

Tests: tests/concerns/test_my_concerns_paging.py, test_receipts.py, test_receipt_need_to_know.py,
test_staff_notes.py, test_la_decision.py, test_actions.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from contacts.models import Purpose
from contacts.selectors import contacts_for_purpose
from safeguarding import access
from safeguarding.audit import log_access

from .. import paging, selectors
from ..forms.dsl_desk import ActionCompleteForm
from ..forms.raising import AddendumForm
from ..models import ActionKind
from ..services import actions, raising
from ._common import la_form


@login_required
def my_concerns(request):
    """R15: the person's own receipts, newest first, 25 a page (issue 18, item 12: loading every receipt a person
    ever wrote took 10 seconds at 27,833): when, which child, and whether the safeguarding team has received it.
    Their tasks, the notes shared with them (R47; newest first, 10 a page) and the files received are on the first
    page, where they land."""
    return my_concerns_page(request)


def my_concerns_page(request, *, bound_la=None, status=200):
    receipts = paging.paginate(
        request, selectors.own_concern_list_for_user(user=request.user), per_page=paging.RECEIPTS_PAGE_SIZE
    )
    first_page = receipts["page"].number == 1
    my_actions = list(selectors.owned_action_list_for_user(user=request.user)) if first_page else []
    # Paged too (issue 12, item 5): a member of staff told of every child they teach for years would otherwise get
    # every note ever shared with them on each visit.
    notes = (
        paging.paginate(
            request,
            selectors.staff_note_list_for_user(user=request.user),
            per_page=paging.STAFF_NOTES_PAGE_SIZE,
            param="notes",
        )
        if first_page
        else None
    )
    for action in my_actions:
        # A pupil-level task (R38) links to the child's file for those who may open it.
        action.file_link = action.pupil is not None and access.can_view_pupil_file(request.user, action.pupil)
        # R55, R58: a transfer's task closes from the child's file, not with "Done".
        action.closes_on_file = actions.TRANSFER_TASKS.get(action.kind, "")
        # R30: "LA decision received?" is answered with the decision itself, here as on the concern's page.
        if action.kind == ActionKind.CSC_DECISION_CHASE:
            action.la_form = bound_la[1] if bound_la and bound_la[0] == action.pk else la_form(action)
    return render(
        request,
        "concerns/my_concerns.html",
        {
            "concerns": receipts["page"],
            "pager": receipts,
            "my_actions": my_actions,
            "staff_notes": notes["page"] if notes else [],
            "notes_pager": notes,
            "file_arrivals": selectors.file_arrival_list_for_user(user=request.user) if first_page else [],
            "complete_form": ActionCompleteForm(),
        },
        status=status,
    )


@login_required
def receipt(request, public_id):
    """R15, R16: the author's read-only copy of what they sent, with dated addenda; nothing of any file."""
    concern = selectors.own_concern_get_for_user(user=request.user, public_id=public_id)
    if concern is None:
        raise Http404
    form = AddendumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        raising.addendum_add(user=request.user, concern=concern, text=form.cleaned_data["text"])
        messages.success(request, "Your addendum was added. The DSL team will see it with the concern.")
        return redirect("concerns:receipt", public_id=concern.public_id)
    adult_contacts = []
    if concern.involves_adult:
        adult_contacts = contacts_for_purpose(school=concern.school, purposes=[Purpose.SENIOR_LEADER, Purpose.LADO])
    log_access(concern, how="author's receipt")  # R85: it shows what was written about the child
    return render(
        request,
        "concerns/receipt.html",
        {
            "concern": concern,
            "form": form,
            "adult_contacts": adult_contacts,
            "subject": concern.subject,
            # Need to know (R15): own_concern_get_for_user holds only the reporter's own additions, not the team's.
            "addenda": concern.addenda.all(),
        },
    )
