"""Staff in bulk (issue 13): the IT administrator's upload, preview, confirmation and result pages."""

from django.urls import path

from . import staff_import_views as views

app_name = "staff_import"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("preview/", views.preview, name="preview"),
    path("confirm/", views.confirm, name="confirm"),
    path("done/", views.done, name="done"),
]
