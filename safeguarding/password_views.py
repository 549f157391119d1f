"""The sign-in page, with a button for each school's single sign-on (safeguarding/sso.py), and the pages of
safeguarding/passwords.py: "Forgot your password?", and choosing a password from an email's link.

Django's own views, given our form, our invitation token and our words. Nobody is signed in by setting a password:
they sign in as usual afterwards, so a role that needs a second factor is asked for it as always.
"""

from __future__ import annotations

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from . import sso
from .passwords import ForgottenPasswordForm, invitation_tokens


class SignInView(auth_views.LoginView):
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "sign_in_providers": self.providers}

    def dispatch(self, request, *args, **kwargs):
        self.providers = sso.providers_for_sign_in_page()
        response = super().dispatch(request, *args, **kwargs)
        if self.providers:
            # A school account's button posts here and is sent on to the provider: the browser checks that redirect
            # against form-action, so the page names the providers' sign-in origins (and only those).
            response._csp_update = {"form-action": sorted({p.sign_in_origin for p in self.providers})}
        return response


class ForgottenPasswordView(auth_views.PasswordResetView):
    form_class = ForgottenPasswordForm
    template_name = "registration/password_forgotten.html"
    success_url = reverse_lazy("password_reset_done")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "reset_minutes": settings.PASSWORD_RESET_TIMEOUT // 60}


class ForgottenPasswordSentView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_forgotten_sent.html"


class ChoosePasswordView(auth_views.PasswordResetConfirmView):
    """A reset link's page. A person locked out by wrong passwords (django-axes) is let in again once they have
    proved they hold their email by choosing a new one."""

    template_name = "registration/password_choose.html"
    success_url = reverse_lazy("login")
    done_message = "Your new password is set. Sign in with it now."
    extra_context = {"invitation": False}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "invitation_days": settings.INVITATION_DAYS}

    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=form.user.get_username())
        messages.success(self.request, self.done_message)
        return response


class InvitationView(ChoosePasswordView):
    """An invitation's link: the same page, with the invitation's own token and a welcome."""

    token_generator = invitation_tokens
    done_message = "Your password is set. Sign in with your username and the password you chose."
    extra_context = {"invitation": True}
