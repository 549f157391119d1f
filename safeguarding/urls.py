"""The whole URL map, app by app."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from . import password_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", password_views.SignInView.as_view(), name="login"),
    # allauth's OpenID Connect client only: /accounts/sso/oidc/<provider>/login/ and its callback (safeguarding/sso.py)
    path("accounts/sso/", include("allauth.socialaccount.providers.openid_connect.urls")),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("password_change_done")),
        name="password_change",
    ),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/password/forgotten/", password_views.ForgottenPasswordView.as_view(), name="password_reset"),
    path(
        "accounts/password/forgotten/sent/",
        password_views.ForgottenPasswordSentView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/new/<uidb64>/<token>/",
        password_views.ChoosePasswordView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/invitation/<uidb64>/<token>/", password_views.InvitationView.as_view(), name="invitation_accept"),
    path("accounts/two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("accounts/two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("accounts/two-factor/backup-codes/", views.two_factor_backup_codes, name="two_factor_backup_codes"),
    path("", include("concerns.urls")),
    path("", include("staff_allegations.urls")),
    path("contacts/", include("contacts.urls")),
    path("reports/", include("safeguarding.reports.urls")),
    path("staff/import/", include("safeguarding.staff_import_urls")),
    path("audit/", views.audit_log, name="audit_log"),
    path("accounts/school/", views.choose_school, name="choose_school"),
    path("admin/", admin.site.urls),
]
