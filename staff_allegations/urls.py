from django.urls import path

from . import views

app_name = "staff_allegations"

urlpatterns = [
    path("raise/adult/", views.raise_adult, name="raise"),
    path("raise/practice/", views.raise_practice, name="raise_practice"),
    path("raise/adult/draft/", views.draft_save, name="draft_save"),
    path("raise/adult/draft/discard/", views.draft_discard, name="draft_discard"),
    path("raise/adult/sent/<uuid:public_id>/", views.sent, name="sent"),
    path("staff-concerns/", views.case_list, name="list"),
    path("staff-concerns/reviewed/", views.reviewed, name="reviewed"),
    path("staff-concerns/away/", views.head_away, name="head_away"),
    path("staff-concerns/settings/", views.register_settings, name="settings"),
    path("staff-concerns/<uuid:public_id>/", views.detail, name="detail"),
    path("staff-concerns/<uuid:public_id>/entries/", views.add_entry, name="add_entry"),
    path("staff-concerns/<uuid:public_id>/decision/", views.decide, name="decide"),
    path("staff-concerns/<uuid:public_id>/escalate/", views.escalate, name="escalate"),
    path("staff-concerns/<uuid:public_id>/close/", views.close, name="close"),
    path("staff-concerns/<uuid:public_id>/reopen/", views.reopen, name="reopen"),
    path("staff-concerns/<uuid:public_id>/share/", views.share, name="share"),
    path("staff-concerns/<uuid:public_id>/retention/", views.retention, name="retention"),
    path("staff-concerns/tasks/<uuid:public_id>/complete/", views.complete_task, name="complete_task"),
]
