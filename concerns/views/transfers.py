"""Moving schools, on the child's file: the next step of each CP file transfer (R55: sent, then receipt confirmed by
the next school; R58: receipt confirmed to the previous school), with its form. The steps are posted to the child's
file (concerns/views/pupil_file.py), which shows a refused step again with its errors.

Tests: tests/concerns/test_file_transfers.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404

from ..forms.transfers import FileTransferConfirmationForm, FileTransferReceiptForm, FileTransferSentForm
from ..services import transfers as transfers_services
from ._common import add_errors

# R55, R58: the next step of a transfer already on the file, named by its public id in the form.
TRANSFER_STEPS = {
    "transfer_sent": FileTransferSentForm,
    "transfer_receipt": FileTransferReceiptForm,
    "transfer_confirmed": FileTransferConfirmationForm,
}


def _next_step(transfer) -> str | None:
    if transfer.is_complete:
        return None
    if not transfer.is_out:
        return "transfer_confirmed"
    return "transfer_receipt" if transfer.sent_on else "transfer_sent"


def transfers_with_forms(pupil, bound=None):
    """Each transfer on the file, newest first, with the form for its next step (the posted one when it failed)."""
    transfers = list(pupil.file_transfers.all())
    for index, transfer in enumerate(transfers):
        transfer.step = _next_step(transfer)
        if bound is not None and bound[0].pk == transfer.pk:
            transfer.step_form = bound[1]
        elif transfer.step:
            transfer.step_form = TRANSFER_STEPS[transfer.step](auto_id=f"transfer{index}_%s")
        else:
            transfer.step_form = None
    return transfers


def transfer_step(request, pupil, record):
    """R55, R58: the next step of a transfer on this child's file: sent, receipt confirmed, or receipt confirmed to
    the sender. The transfer is named by its public id, looked up among this child's transfers only. Returns None
    once the step is recorded (the person is told what it did), else the transfer and its refused form, for the
    child's file to show again."""
    try:
        transfer = pupil.file_transfers.filter(public_id=request.POST.get("transfer", "")).first()
    except ValidationError:  # not a UUID
        transfer = None
    if transfer is None or _next_step(transfer) != record:
        raise Http404
    index = next(i for i, t in enumerate(pupil.file_transfers.all()) if t.pk == transfer.pk)
    form = TRANSFER_STEPS[record](request.POST, auto_id=f"transfer{index}_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            if record == "transfer_sent":
                transfers_services.file_transfer_sent(user=request.user, transfer=transfer, **data)
                done = "Recorded: the CP file is sent. The task stays open until the receiving school confirms receipt."
            elif record == "transfer_receipt":
                transfers_services.file_transfer_receipt_confirmed(
                    user=request.user,
                    transfer=transfer,
                    confirmed_by=data["receipt_confirmed_by"],
                    confirmed_on=data["receipt_confirmed_on"],
                )
                done = "Recorded: receipt confirmed. The task to send the CP file is done."
            else:
                transfers_services.file_transfer_confirmation_sent(
                    user=request.user, transfer=transfer, confirmation_sent_on=data["confirmation_sent_on"]
                )
                done = "Recorded: receipt confirmed to the sending school. The task is done."
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, done)
            return None
    return transfer, form
