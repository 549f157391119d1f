"""The key-contacts directory: read by everyone, kept by the DSL team, printed as a poster."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguarding import access
from safeguarding.pdf import render_pdf

from . import selectors, services
from .forms import ContactForm


def _school_or_403(request):
    school = access.current_school(request.user, request.GET.get("school"))
    if school is None or not access.can_view_contacts(request.user, school):
        raise PermissionDenied
    return school


def _editable_contact(request, public_id):
    """The entry and its school; 404 both when it does not exist and when the person may not edit it."""
    contact = selectors.contact_get_for_user(user=request.user, public_id=public_id)
    if contact is None:
        raise Http404
    return contact.school, contact


def _back_to_directory(school):
    return redirect(reverse("contacts:directory") + f"?school={school.public_id}")


@login_required
def directory(request):
    school = _school_or_403(request)
    query = request.GET.get("q", "").strip()[:100]
    groups = selectors.directory_list_for_user(user=request.user, school=school, query=query)
    return render(
        request,
        "contacts/directory.html",
        {
            "school": school,
            "schools": access.schools_for(request.user),
            "groups": groups,
            "query": query,
            "can_edit": access.can_edit_contacts(request.user, school),
            "today": timezone.localdate(),
        },
    )


@login_required
def contact_create(request):
    school = _school_or_403(request)
    if not access.can_edit_contacts(request.user, school):
        raise PermissionDenied
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        contact = services.contact_save(user=request.user, school=school, contact=form.save(commit=False))
        messages.success(request, f"Added “{contact}” to the directory.")
        return _back_to_directory(school)
    return render(request, "contacts/contact_form.html", {"form": form, "school": school, "contact": None})


@login_required
def contact_edit(request, public_id):
    school, contact = _editable_contact(request, public_id)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        services.contact_save(user=request.user, school=school, contact=form.save(commit=False))
        messages.success(request, f"Saved “{contact}”. Its review date is now today.")
        return _back_to_directory(school)
    return render(request, "contacts/contact_form.html", {"form": form, "school": school, "contact": contact})


def _contact_action(request, public_id, service, message: str, back_to: str):
    """One POST action of the DSL team on an entry: run the service, say what happened, go back to the list."""
    school, contact = _editable_contact(request, public_id)
    service(user=request.user, school=school, contact=contact)
    messages.success(request, message.format(contact=contact))
    return redirect(reverse(back_to) + f"?school={school.public_id}")


@login_required
@require_POST
def contact_mark_reviewed(request, public_id):
    return _contact_action(
        request,
        public_id,
        services.contact_mark_reviewed,
        "Marked “{contact}” as reviewed today.",
        "contacts:directory",
    )


@login_required
@require_POST
def contact_retire(request, public_id):
    return _contact_action(
        request,
        public_id,
        services.contact_retire,
        "Retired “{contact}”. It is kept in the list of retired entries.",
        "contacts:directory",
    )


@login_required
@require_POST
def contact_restore(request, public_id):
    return _contact_action(
        request, public_id, services.contact_restore, "Restored “{contact}” to the directory.", "contacts:retired"
    )


@login_required
def retired(request):
    school = _school_or_403(request)
    if not access.can_edit_contacts(request.user, school):
        raise PermissionDenied
    contacts = selectors.retired_contact_list_for_user(user=request.user, school=school)
    return render(request, "contacts/retired.html", {"school": school, "contacts": contacts})


@login_required
def poster_pdf(request):
    """The printable "who to talk to" poster for staff rooms and classrooms."""
    school = _school_or_403(request)
    context = {"school": school, **selectors.poster_contacts(school=school), "printed_on": timezone.localdate()}
    pdf = render_pdf("contacts/poster_pdf.html", context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="who-to-talk-to.pdf"'
    return response
