"""Single sign-on with the school's own accounts (issue 13, item 3), through django-allauth's OpenID Connect client.

allauth does the protocol (discovery, the redirect with state and PKCE, the code exchange, the ID token's signature
and claims). What is ours, in this adapter:
- Where the configuration comes from: each school's or trust's SignInProvider, kept in the admin, instead of
  allauth's SocialApp table or settings, so that the IT administrator sets it up where they set up everything else.
- Who may sign in: only a person the school already has, who is active and holds a role at the provider's school
  (or at a school of its trust), matched once by a verified email address and then by the provider's own id for
  them. Nobody is ever created: an address with no account here is refused with a page that says what to do.
- Nothing more than the password would give: the session is the one a password sign-in makes (Django's
  ModelBackend, set here rather than left to allauth's pick among AUTHENTICATION_BACKENDS), and the person is not
  verified, so TwoFactorRequiredMiddleware still asks every role that needs it for its second factor.
"""

from __future__ import annotations

import logging

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.db.models import Q
from django.shortcuts import render

from .models import SignInProvider, User

logger = logging.getLogger(__name__)

# The session a sign-in through a provider makes is the one a password makes (see the module's docstring).
SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"

REFUSALS = {
    "no_account": (
        "There is no account here for the address your school account gave us. Ask your school's IT administrator "
        "to add you, or sign in with your username and password."
    ),
    "unverified": (
        "Your school account did not say that its email address is verified, so we cannot tell it is yours. Ask your "
        "school's IT administrator."
    ),
    "elsewhere": (
        "Your account here is not at the school this sign-in belongs to. Use your own school's sign-in button, or "
        "your username and password."
    ),
    "shared_address": (
        "More than one account here has the address your school account gave us, so we cannot tell which is yours. "
        "Ask your school's IT administrator to give each its own address."
    ),
    "failed": "The sign-in did not finish. Try again, or sign in with your username and password.",
}


def providers_for_sign_in_page() -> list[SignInProvider]:
    return list(SignInProvider.objects.filter(enabled=True).select_related("school", "trust").order_by("pk"))


def _provider(provider_id: str) -> SignInProvider | None:
    return next((row for row in providers_for_sign_in_page() if row.provider_id == provider_id), None)


def _app(row: SignInProvider):
    from allauth.socialaccount.models import SocialApp  # allauth's models load after the app registry

    return SocialApp(
        provider="openid_connect",
        provider_id=row.provider_id,
        name=row.button_label,
        client_id=row.client_id,
        secret=row.client_secret,
        settings={"server_url": row.issuer, "oauth_pkce_enabled": True},
    )


def _refuse(request, reason: str, provider_id: str = "") -> None:
    # The log names the provider and the reason only: never the address or the person.
    logger.warning("Single sign-on refused (%s) through %s", reason, provider_id or "an unknown provider")
    raise ImmediateHttpResponse(
        render(request, "registration/sso_refused.html", {"message": REFUSALS[reason]}, status=403)
    )


def _claims(extra_data: dict) -> dict:
    """The person's claims as allauth keeps them: the userinfo answer, else the ID token's."""
    return extra_data.get("userinfo") or extra_data.get("id_token") or {}


def _claimed_address(row: SignInProvider, claims: dict) -> tuple[str, bool]:
    """The address the provider gives, and whether it may be trusted as the person's own."""
    address = (claims.get("email") or "").strip()
    if not address and row.kind == SignInProvider.Kind.MICROSOFT and "@" in claims.get("preferred_username", ""):
        address = claims["preferred_username"].strip()  # Entra ID sends the sign-in name where it has no email claim
    verified = str(claims.get("email_verified", "")).lower() == "true"
    return address, verified or row.trusts_domain_of(address)


def _people_of(row: SignInProvider):
    """The active people who hold a role at the provider's school, or at any school of its trust."""
    if row.school_id:
        place = Q(memberships__school_id=row.school_id)
    else:
        place = Q(memberships__school__trust_id=row.trust_id) | Q(memberships__trust_id=row.trust_id)
    return User.objects.filter(place, is_active=True).distinct()


class SchoolSignInAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        return [
            _app(row)
            for row in providers_for_sign_in_page()
            if provider in (None, "openid_connect", row.provider_id) and client_id in (None, row.client_id)
        ]

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False  # never creates an account (pre_social_login refuses first; this is the second lock)

    def pre_social_login(self, request, sociallogin) -> None:
        provider_id = sociallogin.account.provider
        row = _provider(provider_id)
        if row is None:
            _refuse(request, "failed", provider_id)
        assert row is not None  # for the type checker: _refuse raises
        people = _people_of(row)
        if sociallogin.is_existing:
            if not people.filter(pk=sociallogin.user.pk).exists():
                _refuse(request, "elsewhere", provider_id)
        else:
            address, trusted = _claimed_address(row, _claims(sociallogin.account.extra_data or {}))
            if not address:
                _refuse(request, "no_account", provider_id)
            if not trusted:
                _refuse(request, "unverified", provider_id)
            matches = list(people.filter(email__iexact=address)[:2])
            if len(matches) > 1:
                _refuse(request, "shared_address", provider_id)
            if not matches:
                anywhere = User.objects.filter(email__iexact=address, is_active=True).exists()
                _refuse(request, "elsewhere" if anywhere else "no_account", provider_id)
            sociallogin.connect(request, matches[0])  # from now on matched by the provider's id for them
        sociallogin.user.backend = SESSION_BACKEND

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        _refuse(request, "failed", getattr(getattr(provider, "app", None), "provider_id", ""))
