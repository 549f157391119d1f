"""Request-wide rules: the second sign-in factor, the idle timeout, the school a person at several is working in,
and no caching of pages on shared computers."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from . import access


class TwoFactorRequiredMiddleware:
    """Sends a person whose role needs two-factor sign-in (R86) to the code step until they have passed it.

    Only the sign-in, two-factor, sign-out and health pages (and static files) are reachable before then; not
    even the password change, so a password alone cannot lock the owner out of their account.
    """

    EXEMPT_URL_NAMES = ("login", "logout", "two_factor_verify", "two_factor_setup", "healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()
            and access.requires_two_factor(user)
            and not self._is_exempt(request.path)
        ):
            target = "two_factor_verify" if user.totpdevice_set.filter(confirmed=True).exists() else "two_factor_setup"
            next_url = request.get_full_path()
            query = ""
            if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}) and next_url != "/":
                query = "?" + urlencode({"next": next_url})
            return redirect(reverse(target) + query)
        return self.get_response(request)

    def _is_exempt(self, path: str) -> bool:
        if path.startswith(settings.STATIC_URL):
            return True
        return path in {reverse(name) for name in self.EXEMPT_URL_NAMES}


class ChosenSchoolMiddleware:
    """A person at several schools works in one at a time (issue 13, item 6): the one they chose in the menu, kept
    in their session, comes first wherever a page picks the person's school (access.schools_for)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.session.get(access.CHOSEN_SCHOOL_SESSION_KEY)
        if chosen:
            access.remember_chosen_school(request.user, chosen)
        return self.get_response(request)


class NoStoreMiddleware:
    """Signed-in pages are never kept in the browser's cache: staff computers are shared."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated and not request.path.startswith(settings.STATIC_URL):
            response.headers["Cache-Control"] = "no-store, private"
        return response


# The idle timeout (R86) is pushed back at most this often: between renewals a request writes nothing to the session.
SESSION_RENEW_SECONDS = 60
RENEWED_AT = "idle_renewed_at"  # the session key: when the timeout was last pushed back, in seconds since the epoch


def not_activity(request) -> None:
    """This request does not count as the person being active: their idle timeout keeps running (the queue's poll)."""
    request.not_activity = True


class IdleTimeoutMiddleware:
    """Renews a signed-in session's idle timeout (SESSION_COOKIE_AGE, 30 minutes) at most once a minute.

    Django's SESSION_SAVE_EVERY_REQUEST would renew it by saving the session on every request: a write and a
    commit on every page. Django has no setting for "renew now and then", so this marks the session changed only
    when it was last renewed a minute or more ago, and SessionMiddleware then saves it with a new expiry. A session
    therefore ends between 29 and 30 minutes after the person's last request. Requests marked `not_activity` never
    renew it, and nor does any request of someone signed out (no empty session is ever stored).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # After the view: a sign-in has by then made the session to renew, and a sign-out emptied it.
        if getattr(request, "not_activity", False) or not request.user.is_authenticated:
            return response
        now = int(time.time())
        if now - request.session.get(RENEWED_AT, 0) >= SESSION_RENEW_SECONDS:
            request.session[RENEWED_AT] = now
        return response
