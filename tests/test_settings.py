"""The app refuses to start in production without a real SECRET_KEY."""

import os
import subprocess
import sys

import pytest
from django.conf import settings


def import_settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE"}}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import safeguarding.settings"],
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("key", ["", "change-me", "django-insecure-development-only-key", "short"])
def test_refuses_a_missing_or_default_secret_key_with_debug_off(key):
    """With DEBUG off, a missing, default or short SECRET_KEY stops the app with a clear message."""
    result = import_settings(DEBUG="0", SECRET_KEY=key)
    assert result.returncode != 0
    assert "SECRET_KEY is missing, too short or a default" in result.stderr


def test_starts_with_a_long_random_key():
    """A proper key lets the settings load with DEBUG off."""
    result = import_settings(DEBUG="0", SECRET_KEY="k" * 60)
    assert result.returncode == 0, result.stderr


def test_debug_runs_without_a_key():
    """A developer with DEBUG on needs no key."""
    assert import_settings(DEBUG="1").returncode == 0


def test_defaults_follow_the_contract():
    """London time, stored in UTC; SQLite by default under var/ unless DATABASE_URL says otherwise."""
    assert settings.TIME_ZONE == "Europe/London" and settings.USE_TZ
    if not os.environ.get("DATABASE_URL"):
        assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
