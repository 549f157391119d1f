"""Small helpers that several of the children's app's view modules use: the people of a school, the concern or the
DSL team's school a person may act on (missing and not allowed answered alike, with a 404), a service's refusal put
on its form, and the form answering "LA decision received?" (R30), which the concern page, My concerns and the task
itself all show.

Tests: through the views that use them; tests/test_access_matrix.py proves who reaches what."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from safeguarding import access
from safeguarding.selectors import people_at

from .. import selectors
from ..forms.dsl_desk import LaDecisionForm


def school_people(school):
    """Everyone active at the school, by name: the owners, reporters and note recipients a DSL may choose."""
    return people_at(school)


def la_form(action, data=None) -> LaDecisionForm:
    return LaDecisionForm(data, auto_id=f"la-{action.public_id}-%s")


def concern_or_404(request, public_id):
    concern = selectors.concern_get_for_user(user=request.user, public_id=public_id)
    if concern is None:
        raise Http404
    return concern


def triage_owner_or_404(request, public_id):
    concern = concern_or_404(request, public_id)
    if not access.can_triage(request.user, concern.school):
        raise Http404
    return concern


def add_errors(form, error: ValidationError) -> None:
    """A service's refusal on the form: under the field it names when the form has that field, else at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def dsl_school(request):
    school = next((s for s in access.schools_for(request.user) if access.can_record_for_others(request.user, s)), None)
    if school is None:
        raise PermissionDenied
    return school
