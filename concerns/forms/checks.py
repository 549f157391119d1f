"""Checks that the children's app's forms make alike: names written in full, never initials (R8; the same pattern
warns people as they type, in static/js/raise.js); files that are what their names say, a PDF, JPEG or PNG of at
most 10 MB (R11); and dates that have already happened.

Tests: tests/concerns/test_initials.py, test_raise_view.py (uploads), and the forms that use them:
test_parents_voice_sharing.py, test_pupil_profile.py, test_la_decision.py, test_file_transfers.py."""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone

MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Allowed file types, checked by extension AND by the first bytes of the file.
FILE_SIGNATURES = {
    "pdf": (b"%PDF-", "application/pdf"),
    "jpg": (b"\xff\xd8\xff", "image/jpeg"),
    "jpeg": (b"\xff\xd8\xff", "image/jpeg"),
    "png": (b"\x89PNG\r\n\x1a\n", "image/png"),
}

# Capitals that are not somebody's initials: the school's and the agencies' usual abbreviations, police ranks, and
# short words a child's quoted words may shout ("NO"). Words of four capitals or more are never taken for initials.
NOT_INITIALS = (  # noqa: SIM905 (a list of words reads better as words)
    "DSL DPO TA LSA SLT SMT HOY PE RE IT ICT DT RSE SEN EAL CP CIN LAC EHA TAF FGM CSE CCE HSB LA CSC NHS GP "
    "PC DC DS DI DCI CID UK TV ID OK AM PM BST GMT BBC PTA HR CEO MP ASD OCD ED PPE USB SMS YOT VSH PA DBS KS "
    "NFA SGO CAO CME EHE AP PRU SAR DPA PPA FYI NB PS AKA OMG LOL IDK TBH "
    "NO OH HI YES THE AND NOT YOU ME MY WE US HE SHE HIM HER IS TO DO GO SO UP ON IN AT OF OR BE BY AN AS IF"
).split()

# R8: initials standing for a name. "J Smith", "J. Smith", "Mr S", "J.S." and "J.S", and bare capitals such as "JS"
# or "KMB" that are not a known abbreviation. One pattern for the server and for the form's warning (raise.js reads
# it from the page), written so that Python and JavaScript read it alike.
INITIALS = re.compile(
    r"(?<![\w.])(?:[A-Z]\.){2,}"
    r"|(?<![\w.])[A-Z]\.[A-Z](?![\w.])"
    r"|(?<![\w.])(?!I\b)[A-Z]\.?(?=\s+[A-Z][a-z])"
    r"|\b(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+[A-Z]\b\.?"
    r"|(?<![\w.&'])(?!(?:" + "|".join(NOT_INITIALS) + r")(?![\w&]))[A-Z]{2,3}(?![\w&'])"
)


def looks_like_initials(text: str) -> bool:
    return bool(INITIALS.search(text or ""))


def no_initials(value: str) -> str:
    if looks_like_initials(value):
        raise forms.ValidationError("Write full names (first name and surname), not initials.")
    return value


def check_upload(upload) -> str:
    """Returns the file's real content type, or raises if its name or its bytes are not an allowed type."""
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in FILE_SIGNATURES:
        raise forms.ValidationError(f"“{upload.name}” is not a PDF, JPEG or PNG file.")
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise forms.ValidationError(f"“{upload.name}” is larger than 10 MB.")
    signature, content_type = FILE_SIGNATURES[extension]
    upload.seek(0)
    head = upload.read(len(signature))
    upload.seek(0)
    if head != signature:
        raise forms.ValidationError(f"“{upload.name}” is not really a {extension.upper()} file.")
    return content_type


def not_in_future(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError("This date is in the future. Give the date it happened.")
    return value
