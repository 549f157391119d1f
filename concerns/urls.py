from django.urls import path

from . import live
from .views import concern, dsl_desk, pupil_file, pupil_roll, queue, raising, reporter

app_name = "concerns"

urlpatterns = [
    path("raise/", raising.raise_concern, name="raise"),
    path("raise/pupils/", raising.pupil_search, name="pupil_search"),
    path("raise/draft/", raising.draft_save, name="draft_save"),
    path("raise/draft/discard/", raising.draft_discard, name="draft_discard"),
    path("raise/verbal/", raising.record_verbal, name="record_verbal"),
    path("raise/police-notification/", raising.record_police_notification, name="record_police_notification"),
    path("my-concerns/", reporter.my_concerns, name="my_concerns"),
    path("my-concerns/<uuid:public_id>/", reporter.receipt, name="receipt"),
    path("queue/", queue.queue, name="queue"),
    path("queue/poll/", live.queue_poll, name="queue_poll"),
    path("queue/availability/", queue.set_availability, name="set_availability"),
    path("queue/cover/", queue.cover_rota, name="cover_rota"),
    path("queue/cover/<uuid:shift_id>/end/", queue.cover_shift_end, name="cover_shift_end"),
    path("concerns/<uuid:public_id>/", concern.concern_detail, name="detail"),
    path("concerns/<uuid:public_id>/acknowledge/", concern.acknowledge, name="acknowledge"),
    path("concerns/<uuid:public_id>/assign/", queue.assign, name="assign"),
    path("concerns/<uuid:public_id>/addenda/", concern.add_addendum, name="add_addendum"),
    path("concerns/<uuid:public_id>/triage/", concern.triage, name="triage"),
    path("concerns/<uuid:public_id>/decisions/", concern.record_decision, name="record_decision"),
    path("concerns/<uuid:public_id>/close/", concern.close, name="close"),
    path("concerns/<uuid:public_id>/actions/", dsl_desk.add_action, name="add_action"),
    path("concerns/<uuid:public_id>/attachments/", dsl_desk.add_attachment, name="add_attachment"),
    path("concerns/<uuid:public_id>/records/<slug:record>/", dsl_desk.add_record, name="add_record"),
    path("concerns/<uuid:public_id>/staff-notes/", dsl_desk.add_staff_note, name="add_staff_note"),
    path("concerns/<uuid:public_id>/mirrors/<uuid:mirror_id>/", dsl_desk.decide_mirror, name="decide_mirror"),
    path("actions/<uuid:action_id>/complete/", dsl_desk.complete_action, name="complete_action"),
    path("actions/<uuid:action_id>/reassign/", dsl_desk.reassign_action, name="reassign_action"),
    path("concerns/<uuid:public_id>/reopen/", concern.reopen, name="reopen"),
    path("pupils/", pupil_file.pupil_lookup, name="pupil_lookup"),
    path("pupils/import/", pupil_roll.upload, name="pupil_import"),
    path("pupils/import/preview/", pupil_roll.preview, name="pupil_import_preview"),
    path("pupils/import/confirm/", pupil_roll.confirm, name="pupil_import_confirm"),
    path("pupils/import/done/", pupil_roll.done, name="pupil_import_done"),
    path("pupils/<uuid:public_id>/", pupil_file.pupil_file, name="pupil_file"),
    path("pupils/<uuid:public_id>/chronology/", pupil_file.pupil_file_chronology, name="pupil_file_chronology"),
    path("pupils/<uuid:public_id>/concerns/", pupil_file.pupil_file_concerns, name="pupil_file_concerns"),
    path("pupils/<uuid:public_id>/file.pdf", pupil_file.pupil_file_pdf, name="pupil_file_pdf"),
    path("pupils/<uuid:public_id>/add/<slug:record>/", pupil_file.add_profile, name="add_profile"),
    path("pupils/<uuid:public_id>/flags/<int:flag_id>/end/", pupil_file.end_flag, name="end_flag"),
    path(
        "concerns/<uuid:public_id>/attachments/<uuid:attachment_id>/",
        dsl_desk.attachment_download,
        name="attachment_download",
    ),
]
