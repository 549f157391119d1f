"""Single sign-on with the school's own accounts (issue 13, item 3), against a real OpenID Connect provider on
loopback (tests/oidc_provider.py): only people the school already has, matched by a verified address; never a new
account; the second factor still asked; every refusal a page that says what to do."""

import uuid
from urllib.parse import urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from safeguarding.models import Role, SignInProvider, User

from .conftest import person
from .factories import SchoolFactory
from .oidc_provider import CLIENT_ID, CLIENT_SECRET, form_of, start_provider

PROVIDER_PUBLIC_ID = uuid.UUID("5ca1ab1e-0000-4000-8000-000000000013")
PROVIDER_ID = f"sso-{PROVIDER_PUBLIC_ID.hex[:12]}"
CALLBACK = f"http://testserver/accounts/sso/oidc/{PROVIDER_ID}/login/callback/"

ACCOUNTS = {
    "jfinch": {"email": "J.Finch@westpark.example.invalid", "email_verified": True, "name": "Jo Finch"},
    "lead": {"email": "lead@westpark.example.invalid", "email_verified": True, "name": "Lee Ward"},
    "stranger": {"email": "stranger@elsewhere.example.invalid", "email_verified": True, "name": "Sam Stranger"},
    "unverified": {"email": "u.nverified@westpark.example.invalid", "email_verified": False, "name": "Una Verified"},
    "leaver": {"email": "leaver@westpark.example.invalid", "email_verified": True, "name": "Lou Leaver"},
    "riverside": {"email": "r.side@riverside.example.invalid", "email_verified": True, "name": "Rae Side"},
}


@pytest.fixture(scope="module")
def provider():
    running = start_provider(redirect_uris=[CALLBACK], accounts=ACCOUNTS)
    yield running
    running.stop()


@pytest.fixture
def sign_in_provider(db, school, provider):
    return SignInProvider.objects.create(
        public_id=PROVIDER_PUBLIC_ID,
        kind=SignInProvider.Kind.OTHER,
        school=school,
        server_url=provider.url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )


@pytest.fixture
def staff(school):
    return person(Role.STAFF, school=school, username="jfinch", email="j.finch@westpark.example.invalid")


def through_provider(client, provider, login: str, *, next_url: str = "", cancel: bool = False):
    """Presses the sign-in button, signs in at the provider as `login` (or cancels there), and comes back: the
    provider's answer to the app's callback, as the browser would bring it."""
    data = {"process": "login", **({"next": next_url} if next_url else {})}
    start = client.post(reverse("openid_connect_login", kwargs={"provider_id": PROVIDER_ID}), data)
    assert start.status_code == 302 and start.url.startswith(provider.url), start
    browser = requests.Session()
    url = start.url
    for _ in range(10):
        answer = browser.get(url, allow_redirects=False, timeout=10)
        if answer.status_code in (302, 303):
            url = requests.compat.urljoin(url, answer.headers["Location"])
            if url.startswith("http://testserver/"):
                parts = urlsplit(url)
                return client.get(f"{parts.path}?{parts.query}")
            continue
        action, hidden = form_of(answer.text, url)
        if cancel:
            url = action.rstrip("/") + "/abort"
            continue
        posted = browser.post(action, data={**hidden, "login": login, "password": "any"}, allow_redirects=False)
        url = requests.compat.urljoin(action, posted.headers["Location"])
    raise AssertionError("the provider never sent the browser back")


def signed_in_as(client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


@pytest.mark.django_db
def test_the_sign_in_page_offers_the_school_account_only_once_set_up(client, school, provider):
    assert "Or use your school account" not in client.get(reverse("login")).content.decode()
    SignInProvider.objects.create(
        kind=SignInProvider.Kind.GOOGLE, school=school, client_id="x", client_secret="y", enabled=False
    )
    assert "Or use your school account" not in client.get(reverse("login")).content.decode()
    SignInProvider.objects.update(enabled=True)
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with Google" in page and 'name="process" value="login"' in page


@pytest.mark.django_db
def test_a_member_of_staff_signs_in_with_their_school_account(client, provider, sign_in_provider, staff):
    users_before = User.objects.count()
    answer = through_provider(client, provider, "jfinch", next_url=reverse("concerns:my_concerns"))
    assert answer.status_code == 302 and answer.url == reverse("concerns:my_concerns")
    assert signed_in_as(client) == staff
    assert client.session["_auth_user_backend"] == "django.contrib.auth.backends.ModelBackend"  # as a password's
    assert User.objects.count() == users_before  # nobody created
    link = SocialAccount.objects.get(user=staff)
    assert (link.provider, link.uid) == (PROVIDER_ID, "jfinch")

    # Next time the link (the provider's own id for them) is what matches them, even after the address here changes.
    client.logout()
    User.objects.filter(pk=staff.pk).update(email="jo.finch@westpark.example.invalid")
    assert through_provider(client, provider, "jfinch").status_code == 302
    assert signed_in_as(client) == staff


@pytest.mark.django_db
def test_an_address_with_no_account_here_is_refused_and_nobody_is_created(client, provider, sign_in_provider, staff):
    users_before = User.objects.count()
    answer = through_provider(client, provider, "stranger")
    assert answer.status_code == 403
    assert "There is no account here for the address your school account gave us" in answer.content.decode()
    assert signed_in_as(client) is None and User.objects.count() == users_before
    assert not SocialAccount.objects.exists()


@pytest.mark.django_db
def test_an_unverified_address_is_refused_unless_the_school_gives_it(client, provider, sign_in_provider, school):
    person(Role.STAFF, school=school, username="una", email="u.nverified@westpark.example.invalid")
    answer = through_provider(client, provider, "unverified")
    assert answer.status_code == 403 and "did not say that its email address is verified" in answer.content.decode()
    assert signed_in_as(client) is None

    sign_in_provider.email_domains = "westpark.example.invalid"
    sign_in_provider.save()
    assert through_provider(client, provider, "unverified").status_code == 302
    assert signed_in_as(client).username == "una"


@pytest.mark.django_db
def test_a_person_who_has_left_is_refused_even_when_linked(client, provider, sign_in_provider, school):
    leaver = person(Role.STAFF, school=school, username="leaver", email="leaver@westpark.example.invalid")
    assert through_provider(client, provider, "leaver").status_code == 302
    client.logout()
    leaver.is_active = False
    leaver.save()
    answer = through_provider(client, provider, "leaver")
    assert answer.status_code == 403 and signed_in_as(client) is None


@pytest.mark.django_db
def test_one_schools_sign_in_never_lets_in_a_person_of_another(client, provider, sign_in_provider):
    riverside = SchoolFactory(name="Riverside Academy")
    person(Role.DSL, school=riverside, username="rside", email="r.side@riverside.example.invalid")
    answer = through_provider(client, provider, "riverside")
    assert answer.status_code == 403 and "not at the school this sign-in belongs to" in answer.content.decode()
    assert signed_in_as(client) is None


@pytest.mark.django_db
def test_the_dsl_is_still_asked_for_the_second_factor(client, provider, sign_in_provider, school):
    person(Role.DSL, school=school, username="lead", email="lead@westpark.example.invalid")
    answer = through_provider(client, provider, "lead", next_url=reverse("concerns:queue"))
    assert answer.status_code == 302
    queue = client.get(reverse("concerns:queue"))
    assert queue.status_code == 302 and queue.url.startswith(reverse("two_factor_setup"))


@pytest.mark.django_db
def test_cancelling_at_the_provider_says_so(client, provider, sign_in_provider, staff):
    answer = through_provider(client, provider, "jfinch", cancel=True)
    assert answer.status_code == 403 and "The sign-in did not finish" in answer.content.decode()
    assert signed_in_as(client) is None


@pytest.mark.django_db
def test_a_trust_wide_sign_in_serves_every_school_of_the_trust(client, provider, school):
    SignInProvider.objects.create(
        public_id=PROVIDER_PUBLIC_ID,
        kind=SignInProvider.Kind.OTHER,
        trust=school.trust,
        server_url=provider.url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    sister = SchoolFactory(name="Aldridge Academy", trust=school.trust)
    rae = person(Role.STAFF, school=sister, username="rside", email="r.side@riverside.example.invalid")
    assert through_provider(client, provider, "riverside").status_code == 302
    assert signed_in_as(client) == rae


@pytest.mark.django_db
def test_a_sign_in_started_by_a_link_is_not_signed_in_on_a_get(client, sign_in_provider):
    """allauth signs in only from the button's POST (with its CSRF token), never from a link someone sent."""
    response = client.get(reverse("openid_connect_login", kwargs={"provider_id": PROVIDER_ID}))
    assert response.status_code in (200, 405) and signed_in_as(client) is None


@pytest.mark.django_db
def test_the_sign_in_page_lets_its_buttons_reach_the_providers_and_nowhere_else(client, school):
    """The button's form is sent on to the provider; the browser checks that against form-action (a real Chromium
    refuses it otherwise: tests/e2e/test_first_morning_journey.py), so the page names exactly those origins."""
    assert "form-action 'self';" in client.get(reverse("login"))["Content-Security-Policy"] + ";"
    SignInProvider.objects.create(
        kind=SignInProvider.Kind.MICROSOFT, school=school, tenant="contoso", client_id="x", client_secret="y"
    )
    SignInProvider.objects.create(kind=SignInProvider.Kind.GOOGLE, school=school, client_id="x", client_secret="y")
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    form_action = next(part.strip() for part in policy.split(";") if part.strip().startswith("form-action"))
    assert form_action == "form-action 'self' https://accounts.google.com https://login.microsoftonline.com"
