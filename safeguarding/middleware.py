"""Request-wide rules: the second sign-in factor, and no caching of pages on shared staff computers."""

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


class NoStoreMiddleware:
    """Signed-in pages are never kept in the browser's cache: staff computers are shared."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated and not request.path.startswith(settings.STATIC_URL):
            response.headers["Cache-Control"] = "no-store, private"
        return response
