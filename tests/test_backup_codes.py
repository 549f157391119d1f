"""Backup codes (issue 13, item 4): ten one-time codes, shown once, kept hashed, each working once, throttled."""

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding import two_factor
from safeguarding.calendar import LONDON
from safeguarding.models import Role

from .conftest import TOTP_KEY_HEX, current_code, sign_in

PASSWORD = "correct-horse-battery"  # the factories' password
NOW = datetime(2026, 12, 2, 10, 30, tzinfo=LONDON)  # a Wednesday morning
SHOWN_CODE = re.compile(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def dsl(school, make_person):
    person = make_person(Role.DSL, school=school, username="lead")
    TOTPDevice.objects.create(user=person, name="Phone", key=TOTP_KEY_HEX, confirmed=True)
    return person


def sign_in_with_password(client, username="lead"):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 302
    return client


def use_backup_code(client, code, next_url="/audit/"):
    return client.post(reverse("two_factor_verify"), {"method": "backup", "backup_code": code, "next": next_url})


def is_verified(client) -> bool:
    return client.get(reverse("audit_log")).status_code == 200


def everything_stored() -> str:
    """Every value in every table of the database, as one string."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (names from the schema)
            values += [str(value) for row in cursor.fetchall() for value in row]
    return "\n".join(values)


@pytest.mark.django_db
def test_setting_up_an_app_shows_ten_backup_codes_once(client, school, make_person):
    """Straight after the app is confirmed, ten codes are shown with advice to keep them safe; never again."""
    make_person(Role.DSL, school=school, username="newlead")
    sign_in_with_password(client, "newlead")
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user__username="newlead", confirmed=False)
    confirmed = client.post(
        reverse("two_factor_setup"), {"otp_token": current_code(_base32(device)), "next": "/audit/"}
    )
    assert confirmed.status_code == 302 and confirmed.url.startswith(reverse("two_factor_backup_codes"))

    page = client.get(confirmed.url).content.decode()
    codes = SHOWN_CODE.findall(page)
    assert len(codes) == len(set(codes)) == 10
    assert "shown only this once" in page and "Print this page" in page
    assert 'href="/audit/"' in page  # and on to where they were going

    again = client.get(confirmed.url).content.decode()
    assert SHOWN_CODE.findall(again) == []
    assert not any(code in again for code in codes)
    assert "You have <strong>10</strong> backup codes left" in again


@pytest.mark.django_db
def test_codes_are_stored_hashed_and_nowhere_in_plain_text(client, dsl):
    """The database (tokens, audit log, sessions, task queue) holds no code in any form a person types it."""
    codes = two_factor.backup_codes_make(user=dsl)
    sign_in_with_password(client)
    use_backup_code(client, codes[0])
    stored = everything_stored()
    for code in codes:
        plain = two_factor.normalise_backup_code(code)
        for form in (code, plain, code.upper(), plain.upper()):
            assert form not in stored
    tokens = list(StaticToken.objects.filter(device__user=dsl).values_list("token", flat=True))
    assert len(tokens) == 9 and all(len(token) == 16 for token in tokens)


@pytest.mark.django_db
def test_the_stored_hash_is_not_a_code(client, dsl):
    """Someone who read the database cannot sign in by typing what it holds."""
    two_factor.backup_codes_make(user=dsl)
    stored = StaticToken.objects.filter(device__user=dsl).first().token
    assert not two_factor.backup_code_use(user=dsl, code=stored).accepted
    sign_in_with_password(client)
    use_backup_code(client, stored)
    assert not is_verified(client)


@pytest.mark.django_db
def test_a_backup_code_works_once(client, dsl, clock):
    """A code signs the person in and says how many are left; the same code a second time is refused, clearly."""
    codes = two_factor.backup_codes_make(user=dsl)
    page = sign_in_with_password(client).get(reverse("two_factor_verify")).content.decode()
    assert "Use a backup code instead" in page

    first = use_backup_code(client, codes[3].upper().replace("-", " "))  # typed in capitals, with a space
    assert first.status_code == 302 and first.url == "/audit/"
    assert "You have 9 backup codes left" in client.get(first.url).content.decode()
    assert two_factor.backup_codes_left(user=dsl) == 9

    client.post(reverse("logout"))
    sign_in_with_password(client)
    second = use_backup_code(client, codes[3]).content.decode()
    assert "has been used already: each code works once" in second
    assert not is_verified(client)
    clock.shift(timedelta(seconds=2))  # the refused code is throttled as a wrong one
    assert use_backup_code(client, codes[4]).status_code == 302  # another code still works


@pytest.mark.django_db
def test_after_the_last_code_the_person_is_told_to_make_a_new_set(client, dsl):
    """The last code says none remain and leads to making a new set; with none left, the code page says so."""
    codes = two_factor.backup_codes_make(user=dsl)
    for code in codes[:9]:
        assert two_factor.backup_code_use(user=dsl, code=code).accepted
    sign_in_with_password(client)
    last = use_backup_code(client, codes[9])
    assert last.status_code == 302 and last.url.startswith(reverse("two_factor_backup_codes"))
    page = client.get(last.url).content.decode()
    assert "You have used your last backup code. Make a new set now" in page
    assert "You have no backup codes left" in page and "Make new backup codes" in page

    client.post(reverse("logout"))
    sign_in_with_password(client)
    none_left = use_backup_code(client, codes[9]).content.decode()
    assert "You have no backup codes left" in none_left
    assert not is_verified(client)


@pytest.mark.django_db
def test_a_new_set_replaces_the_old_after_the_person_confirms_it_is_them(client, dsl, signed_in):
    """A new set needs the password or a current code; it is shown once and the old codes stop working."""
    old = two_factor.backup_codes_make(user=dsl)
    client = signed_in(dsl)
    url = reverse("two_factor_backup_codes")
    assert "You have <strong>10</strong> backup codes left" in client.get(url).content.decode()

    for data, error in (
        ({}, "enter the code from your authenticator app or your password"),
        ({"password": "not-my-password"}, "That password is not right"),
        ({"otp_token": "000000"}, "That code is not right or has expired"),
    ):
        refused = client.post(url, data)
        assert refused.status_code == 400 and error in refused.content.decode()
        assert SHOWN_CODE.findall(refused.content.decode()) == []
    with time_machine.travel(NOW + timedelta(seconds=5), tick=False):  # after the wrong code's throttle
        by_code = SHOWN_CODE.findall(client.post(url, {"otp_token": current_code()}).content.decode())
    by_password = SHOWN_CODE.findall(client.post(url, {"password": PASSWORD}).content.decode())
    assert len(by_code) == len(by_password) == 10
    assert two_factor.backup_codes_left(user=dsl) == 10
    for code in (*old, *by_code):
        assert not two_factor.backup_code_use(user=dsl, code=code).accepted
        two_factor.backup_device_for(dsl).throttle_reset()
    assert two_factor.backup_code_use(user=dsl, code=by_password[0]).accepted


@pytest.mark.django_db
def test_wrong_backup_codes_are_throttled(client, dsl, clock):
    """After a wrong backup code even a right one is refused for a moment, as with the app's codes."""
    codes = two_factor.backup_codes_make(user=dsl)
    sign_in_with_password(client)
    assert "not right" in use_backup_code(client, "zzzzz-zzzzz").content.decode()
    throttled = use_backup_code(client, codes[0]).content.decode()
    assert "Too many wrong codes in a row" in throttled
    assert two_factor.backup_codes_left(user=dsl) == 10  # the right code was not spent
    assert not is_verified(client)
    clock.shift(timedelta(seconds=2))
    assert use_backup_code(client, codes[0]).status_code == 302


@pytest.mark.django_db
def test_a_code_is_compared_with_every_stored_hash(dsl, monkeypatch):
    """However early the match, every stored hash is compared, in constant time, so timing tells nothing."""
    codes = two_factor.backup_codes_make(user=dsl)
    compared = []
    real = two_factor.constant_time_compare
    monkeypatch.setattr(two_factor, "constant_time_compare", lambda a, b: compared.append(a) or real(a, b))
    first_stored = StaticToken.objects.filter(device__user=dsl).order_by("pk").first()
    attempt = two_factor.backup_code_use(user=dsl, code=codes[0])
    assert attempt.accepted and not StaticToken.objects.filter(pk=first_stored.pk).exists()
    assert len(compared) == 10 and len(set(compared)) == 10


@pytest.mark.django_db
def test_codes_outlive_a_secret_key_rotation(dsl, settings):
    """Codes made before SECRET_KEY changes keep working while the old key is in SECRET_KEY_FALLBACKS."""
    codes = two_factor.backup_codes_make(user=dsl)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "y" * 50
    assert two_factor.backup_code_use(user=dsl, code=codes[0]).accepted


@pytest.mark.django_db
def test_only_people_who_sign_in_with_a_second_factor_have_backup_codes(school, make_person):
    """A member of staff signs in with a password alone, so has no backup codes to make."""
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        two_factor.backup_codes_make(user=make_person(Role.STAFF, school=school))


def _base32(device) -> str:
    return __import__("base64").b32encode(device.bin_key).decode()


def test_the_menu_links_the_backup_codes_for_those_who_have_them(client, school, dsl, make_person):
    sign_in(client, dsl)
    assert f'href="{reverse("two_factor_backup_codes")}"' in client.get(reverse("concerns:queue")).content.decode()
    client.logout()
    sign_in(client, make_person(Role.STAFF, school=school))
    assert reverse("two_factor_backup_codes") not in client.get(reverse("concerns:raise")).content.decode()
