"""Settings for the test suite: the project's one settings module, with the environment a test run needs.

Only defaults are set here (the environment still wins, so DATABASE_URL picks PostgreSQL in CI); everything
else is exactly what production runs.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-" + "x" * 48)
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")

from safeguarding.settings import *  # noqa: E402,F403

# Tests render templates without running collectstatic first.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = os.environ.get("TEST_MEDIA_ROOT", "/tmp/safeguarding-test-media")  # noqa: S108
WHITENOISE_AUTOREFRESH = True
