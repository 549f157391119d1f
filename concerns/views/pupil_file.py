"""The child's CP file: looking a pupil up for the "file held" tag (R51); the file itself, with its flags, key people,
concerns and chronology (R48–R53); adding to it, flags (R48), key people (R50), leaving, due to leave or missing
(R38, R56, R57) and a file received (R58); ending a flag; and the whole file as a PDF (R54). Each view and export
is logged (R85).

Tests: tests/concerns/test_pupil_lookup.py, test_pupil_file.py, test_pupil_profile.py, test_inform_social_worker.py,
test_share_before_leaving.py, test_last_known_school.py, test_file_transfers.py, test_query_counts_at_volume.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguarding import access
from safeguarding.audit import log_access
from safeguarding.pdf import render_pdf

from .. import file_selectors, paging, selectors
from ..file_selectors import EARLIER_PAGE_SIZE, FILE_CHRONOLOGY_SHOWN, FILE_CONCERNS_SHOWN
from ..forms.pupil_file import KeyPersonForm, PupilEventForm, PupilFlagForm
from ..forms.transfers import FileTransferInForm
from ..models import ActionKind, PupilEventKind
from ..services import actions, leaving, transfers
from ..services import pupil_file as pupil_file_services
from ._common import add_errors, school_people
from .transfers import TRANSFER_STEPS, transfer_step, transfers_with_forms


@login_required
def pupil_lookup(request):
    """R51: find a pupil and see whether a safeguarding file is held (a tag, no content), to know to ask the DSL.
    The search is a POST, like the raise form's, so names stay out of URLs and logs."""
    school = next((s for s in access.schools_for(request.user) if access.can_see_file_held(request.user, s)), None)
    if school is None:
        raise PermissionDenied
    query = request.POST.get("q", "")[:60] if request.method == "POST" else ""
    pupils = selectors.pupil_file_list_for_user(user=request.user, school=school, query=query)
    return render(
        request,
        "concerns/pupil_lookup.html",
        {
            "school": school,
            "query": query,
            "pupils": pupils,
            "can_open_files": access.is_dsl_team(request.user, school),
        },
    )


PROFILE_FORMS = {
    "flag": (PupilFlagForm, "flag_form"),
    "person": (KeyPersonForm, "person_form"),
    "event": (PupilEventForm, "event_form"),  # R38: left the school, or unexplained absence or missing
    "transfer_in": (FileTransferInForm, "transfer_in_form"),  # R58: a CP file received from the previous school
}


def _pupil_file_page(request, pupil, *, status=200, bound_step=None, **forms):
    people = list(pupil.key_people.all())
    flags = list(pupil.flags.all())
    open_tasks = [a for a in pupil.pupil_tasks if a.is_open]
    for action in open_tasks:
        action.closes_on_file = actions.TRANSFER_TASKS.get(action.kind, "")
    today = timezone.localdate()
    # The newest entries and concerns, with the count of the earlier ones: the file of a child known for years
    # opens on what happened lately (issue 12); the earlier pages and the PDF hold the rest.
    concerns = file_selectors.concern_newest_for_user(user=request.user, pupil=pupil)
    transfers = transfers_with_forms(pupil, bound_step)
    return render(
        request,
        "concerns/pupil_file.html",
        {
            "pupil": pupil,
            "chronology": file_selectors.chronology_newest_for_user(user=request.user, pupil=pupil),
            "concerns": concerns,
            "flags": flags,
            "key_people": people,
            # R50: at least two emergency contacts are kept for every child.
            "too_few_emergency_contacts": sum(p.kind == "emergency_contact" for p in people) < 2,
            "today": today,
            "events": list(pupil.events.all()),
            "open_tasks": open_tasks,
            "social_worker_task_open": any(a.kind == ActionKind.INFORM_SOCIAL_WORKER for a in open_tasks),
            "school_people": school_people(pupil.school) if open_tasks else [],
            # R38: leaving or going missing sets a task to tell the social worker of a child on a plan or looked
            # after; the form says so beforehand.
            "informs_social_worker": [
                f for f in flags if f.kind in leaving.SOCIAL_WORKER_FLAGS and f.is_current(today)
            ],
            "transfers": transfers,
            # R55: leaving sets the task to send the CP file when there is one; the form says so beforehand.
            "has_cp_file": concerns.total > 0 or any(f.is_current(today) for f in flags),
            # R56: the file goes with onward support; only the form recording a file sent says so, so it is asked
            # only when that form is on the page.
            "child_on_child": any(t.step == "transfer_sent" for t in transfers)
            and selectors.is_child_on_child_case(pupil),
            **{
                name: forms.get(name) or form_class(auto_id=f"{key}_%s")
                for key, (form_class, name) in PROFILE_FORMS.items()
            },
        },
        status=status,
    )


@login_required
def pupil_file(request, public_id):
    """R48–R53: the child's CP file: flags, key people, every concern, and a chronology that builds itself. Each
    view is logged."""
    pupil = selectors.pupil_get_for_user(user=request.user, public_id=public_id)
    if pupil is None:
        raise Http404
    log_access(pupil)
    return _pupil_file_page(request, pupil)


def _pupil_or_404(request, public_id):
    pupil = selectors.pupil_get_for_user(user=request.user, public_id=public_id)
    if pupil is None:
        raise Http404
    return pupil


def _earlier_page(request, pupil, *, part: str, rows, lines, on_file: int):
    """The rows after the `on_file` newest that the file shows, a page at a time: the earlier entries or concerns."""
    pager = paging.paginate(request, file_selectors.earlier_rows(rows, on_file), per_page=EARLIER_PAGE_SIZE)
    page = pager["page"]
    return render(
        request,
        "concerns/pupil_file_earlier.html",
        {
            **pager,
            "pupil": pupil,
            "part": part,
            "lines": lines(page.object_list),
            "on_file": on_file,
            # Counted in the whole list, so "entries 21–120 of 238" follows on from the file's "the newest 20".
            "first": on_file + page.start_index(),
            "last": on_file + page.end_index(),
            "total": on_file + page.paginator.count,
        },
    )


@login_required
def pupil_file_chronology(request, public_id):
    """R52: the chronology's earlier entries, after the newest the file shows, 100 a page, newest first. Each view
    is logged, as the file's are (R85)."""
    pupil = _pupil_or_404(request, public_id)
    log_access(pupil, how="earlier chronology entries")
    return _earlier_page(
        request,
        pupil,
        part="chronology",
        rows=file_selectors.chronology_rows_for_user(user=request.user, pupil=pupil),
        lines=file_selectors.chronology_lines,
        on_file=FILE_CHRONOLOGY_SHOWN,
    )


@login_required
def pupil_file_concerns(request, public_id):
    """The concerns on the file before the newest it shows, 100 a page, newest first. Each view is logged (R85)."""
    pupil = _pupil_or_404(request, public_id)
    log_access(pupil, how="earlier concerns")
    return _earlier_page(
        request,
        pupil,
        part="concerns",
        rows=file_selectors.concern_rows_for_user(user=request.user, pupil=pupil),
        lines=file_selectors.concern_lines,
        on_file=FILE_CONCERNS_SHOWN,
    )


@login_required
@require_POST
def add_profile(request, public_id, record):
    """Adds a flag (R48), a key person (R50), or a leaving or unexplained absence (R38) to the child's file."""
    pupil = selectors.pupil_get_for_user(user=request.user, public_id=public_id)
    if pupil is None or record not in (*PROFILE_FORMS, *TRANSFER_STEPS):
        raise Http404
    if record in TRANSFER_STEPS:
        refused = transfer_step(request, pupil, record)
        if refused is None:
            return redirect("concerns:pupil_file", public_id=public_id)
        return _pupil_file_page(request, pupil, status=400, bound_step=refused)
    form_class, name = PROFILE_FORMS[record]
    form = form_class(request.POST, auto_id=f"{record}_%s")
    if form.is_valid():
        try:
            if record == "event":
                result = leaving.pupil_event_record(user=request.user, pupil=pupil, event=form.save(commit=False))
                done = _event_message(result)
            elif record == "transfer_in":
                transfers.file_transfer_received(user=request.user, pupil=pupil, transfer=form.save(commit=False))
                done = (
                    "Recorded: CP file received. A task is set for you: confirm receipt to the sending school by "
                    "the close of the next working day. The DSL, the deputies and the SENCo are told."
                )
            else:
                pupil_file_services.pupil_profile_add(user=request.user, pupil=pupil, record=form.save(commit=False))
                done = "Added to the file."
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("concerns:pupil_file", public_id=public_id)
    return _pupil_file_page(request, pupil, status=400, **{name: form})


def _event_message(result: leaving.PupilEventResult) -> str:
    """What recording a leaving or absence did, and for a child on a plan or looked after, whom to call now."""
    recorded: dict[str, str] = {
        PupilEventKind.LEFT: "Recorded: the child left the school.",
        PupilEventKind.LEAVING: "Recorded: the child is due to leave the school.",
    }
    done = recorded.get(result.event.kind, "Recorded: an unexplained absence, or the child is missing.")
    if result.event.kind == PupilEventKind.LEFT:
        done += " The child is marked as no longer on roll."
    elif result.event.kind == PupilEventKind.LEAVING:
        done += " The child stays on roll until you record that they left."
    if result.event.keeps_record:
        done += " This school is the child's last known school: it keeps the whole record."
    if result.notify_task is not None:
        done += " A task is set for you, due now: tell the local authority's children missing education team."
    if result.share_task is not None:
        done += (
            f" A task is set for you, due {timezone.localtime(result.share_task.due_at):%-d %B %Y at %H:%M}: consider "
            "sharing information with the new school before the child leaves."
        )
    if result.transfer is not None and result.transfer.due_on:
        done += (
            f" The CP file must go to the next school by the end of the school day on "
            f"{result.transfer.due_on:%A %-d %B %Y}: record it under Moving schools."
        )
    if result.task is None:
        return done
    if result.task_created:
        done += " A task is set for you, due now: inform the child's social worker immediately."
    else:
        owner = result.task.owner
        done += " A task to inform the child's social worker is already open"
        done += f", for {owner.get_full_name()}." if owner else "."
    if result.social_workers:
        return done + f" Call {leaving.social_workers_text(result.social_workers)}."
    return done + " No social worker is recorded on the file: ask children's social care who it is."


@login_required
@require_POST
def end_flag(request, public_id, flag_id):
    pupil = selectors.pupil_get_for_user(user=request.user, public_id=public_id)
    flag = pupil.flags.filter(pk=flag_id).first() if pupil else None
    if flag is None:
        raise Http404
    try:
        pupil_file_services.flag_end(user=request.user, flag=flag, ends_on=timezone.localdate())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{flag.get_kind_display()}: ended today.")
    return redirect("concerns:pupil_file", public_id=public_id)


@login_required
def pupil_file_pdf(request, public_id):
    """R54: the whole file as a PDF that a stranger can read decades from now; each export is logged (R85)."""
    pupil = selectors.pupil_get_for_user(user=request.user, public_id=public_id)
    if pupil is None:
        raise Http404
    log_access(pupil, how="PDF export")
    concerns = list(selectors.pupil_concern_list_for_user(user=request.user, pupil=pupil, full=True))
    pdf = render_pdf(
        "concerns/pupil_file_pdf.html",
        {
            "pupil": pupil,
            "chronology": selectors.chronology_list_for_user(user=request.user, pupil=pupil),
            "concerns": concerns,
            "attachment_count": sum(len(c.attachments.all()) for c in concerns),
            "today": timezone.localdate(),
            "printed_by": request.user.name_and_role,
            "printed_at": timezone.now(),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="child-protection-file.pdf"'
    return response
