from django.urls import path

from . import views

app_name = "contacts"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("new/", views.contact_create, name="create"),
    path("retired/", views.retired, name="retired"),
    path("poster.pdf", views.poster_pdf, name="poster"),
    path("<uuid:public_id>/edit/", views.contact_edit, name="edit"),
    path("<uuid:public_id>/reviewed/", views.contact_mark_reviewed, name="mark_reviewed"),
    path("<uuid:public_id>/retire/", views.contact_retire, name="retire"),
    path("<uuid:public_id>/restore/", views.contact_restore, name="restore"),
]
