"""One settings module; every knob comes from the environment (django-environ).

Each variable read here is documented in `.env.example`. A `.env` file beside `manage.py`, when present, is read
first, so a developer can keep their settings there; real environment variables win over it.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# Placeholders that must never sign sessions in production. The app refuses to start with DEBUG off and one of
# these (or nothing) as its key.
INSECURE_SECRET_KEYS = {"", "change-me", "changeme", "replace-me", "django-insecure-development-only-key"}
SECRET_KEY = env.str("SECRET_KEY", default="")
if not DEBUG and (
    SECRET_KEY in INSECURE_SECRET_KEYS or SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50
):
    raise ImproperlyConfigured(
        "SECRET_KEY is missing, too short or a default. Set a long random SECRET_KEY (50+ characters) in the "
        "environment before running with DEBUG off."
    )
if not SECRET_KEY:
    SECRET_KEY = "django-insecure-development-only-key"  # noqa: S105 (DEBUG only; refused above otherwise)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "safeguarding.apps.SafeguardingAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "crispy_forms",
    "crispy_bootstrap5",
    "auditlog",
    "axes",
    "django_tasks",
    "django_tasks_db",
    # Single sign-on with the school's own accounts (safeguarding/sso.py): allauth's OpenID Connect client only; its
    # own account pages (sign-up, email, password) are not used and not in the URL map.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    # Project apps last, so safeguarding/admin.py can take third-party models back off the admin.
    "safeguarding.apps.SafeguardingConfig",
    "contacts",
    "concerns",
    "staff_allegations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "safeguarding.middleware.IdleTimeoutMiddleware",
    "safeguarding.middleware.ChosenSchoolMiddleware",
    "safeguarding.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "safeguarding.middleware.NoStoreMiddleware",
    # Last, so a locked-out sign-in is answered before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "safeguarding.urls"
WSGI_APPLICATION = "safeguarding.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "safeguarding.context_processors.navigation",
            ],
        },
    },
]

# SQLite under var/ is the embedded default for the demo and for development; production sets DATABASE_URL to
# PostgreSQL. WAL and IMMEDIATE transactions let the web server and the task worker share the SQLite file
# without "database is locked".
VAR_DIR = BASE_DIR / "var"
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Behind PgBouncer in transaction mode (docs/performance.md): consecutive transactions may reach different
    # server connections, which carry neither a server-side cursor nor a prepared statement from one to the next.
    if env.bool("DATABASE_POOLER", default=False):
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
# A read replica for the trustees' report counting (safeguarding/db_routers.py); in tests, the default database.
DATABASE_ROUTERS: list[str] = []
if env.str("REPORTS_DATABASE_URL", default=""):
    DATABASES["reports"] = env.db("REPORTS_DATABASE_URL")
    DATABASES["reports"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["safeguarding.db_routers.ReportsReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "safeguarding.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Admin permissions follow a person's role (access.py), so no group has to be kept in step by hand.
    "safeguarding.backends.RolePermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A forgotten password's reset link works for an hour; a new person's invitation (safeguarding/passwords.py) for
# days, to cover a weekend. Both work once. Passwords never expire on a schedule (NCSC advice).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_MINUTES", default=60) * 60
INVITATION_DAYS = env.int("INVITATION_DAYS", default=5)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Single sign-on (safeguarding/sso.py): the configuration is each school's, in the admin (SignInProvider); allauth
# never creates an account, never signs in on a GET, keeps no tokens, and asks the provider with PKCE.
SOCIALACCOUNT_ADAPTER = "safeguarding.sso.SchoolSignInAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # the adapter matches people itself, only within the provider's school
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True}}
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_EMAIL_NOTIFICATIONS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10

# Each web process's own memory, for what is cheap to lose and never stale: counts kept under a token read from the
# database on every request (concerns.live.acknowledged_count). Sessions, drafts and everything else stay in the
# database, so any number of processes and machines share them.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "safeguarding"}}

# Sessions: short idle timeout (R86) on shared staff computers; a request renews it, at most once a minute
# (safeguarding.middleware.IdleTimeoutMiddleware), so that most pages write nothing to the session.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Two-factor sign-in (django-otp TOTP) for every role that can see safeguarding content (R86); see access.py.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Safeguarding records")
# Never show a device's secret or QR code in the admin: whoever saw it could make that person's codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=True)

# Brute-force lockout (django-axes). Locking by address alone would lock out a whole school behind one NAT
# address, so lock the pair of username and address, and let it cool off.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Security headers. HTTPS settings follow DEBUG so the demo runs on plain http://127.0.0.1.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Behind a proxy REMOTE_ADDR is the proxy's: lockout must key on the person's own address instead.
    # 0 suits one proxy that appends the client's address to X-Forwarded-For (docs/deployment.md has a table).
    AXES_IPWARE_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

# Content security policy (django-csp): no inline script or style anywhere, nothing from another origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
# Private uploads (attachments, photos): never served by URL, only through permission-checked views.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
globals().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="safeguarding@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work (Django's tasks API through the django-tasks backport). The database backend keeps queued jobs
# in the same database as the records, so a job enqueued inside a transaction commits or rolls back with it.
TASKS = {"default": {"BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Audit log (django-auditlog) on every model. Per-model options live here, not in models.py: with
# AUDITLOG_INCLUDE_ALL_MODELS, options given to auditlog.register() are replaced.
AUDITLOG_INCLUDE_ALL_MODELS = True
AUDITLOG_EXCLUDE_TRACKING_MODELS = (
    "sessions",
    "contenttypes",
    "auth.permission",
    "admin.logentry",
    "axes",
    "django_tasks_database",
    "auditlog",
)
AUDITLOG_INCLUDE_TRACKING_MODELS: tuple[dict[str, Any], ...] = (
    # The password hash is masked, not left out, so the log shows that a password was changed and by whom.
    {"model": "safeguarding.user", "exclude_fields": ["last_login"], "mask_fields": ["password"]},
    {
        "model": "otp_totp.totpdevice",
        "exclude_fields": [
            "key",
            "last_t",
            "drift",
            "throttling_failure_timestamp",
            "throttling_failure_count",
            "last_used_at",
        ],
    },
    {
        "model": "otp_static.staticdevice",
        "exclude_fields": ["throttling_failure_timestamp", "throttling_failure_count", "last_used_at"],
    },
    {"model": "otp_static.statictoken", "exclude_fields": ["token"]},
    # Single sign-on: the log shows that a provider's secret changed, never the secret; a person's link to their
    # school account keeps what the provider said of them (refreshed at each sign-in) out of it.
    {"model": "safeguarding.signinprovider", "mask_fields": ["client_secret"]},
    {"model": "socialaccount.socialaccount", "exclude_fields": ["extra_data", "last_login"]},
    {"model": "socialaccount.socialapp", "mask_fields": ["secret", "key"]},
    {"model": "socialaccount.socialtoken", "exclude_fields": ["token", "token_secret"]},
    # Children's records: the narrative is masked whole in the change log; the log says that it changed and who
    # changed it, never what it says.
    {
        "model": "concerns.concern",
        "mask_fields": [
            "account",
            "opinion",
            "opinion_owner",
            "people_present",
            "source_name",
            "source_role",
            "location",
            "other_category",
            "author_name",
            "outcome_summary",
        ],
    },
    {"model": "concerns.action", "mask_fields": ["notes", "outcome", "reference"]},
    {"model": "concerns.quote", "mask_fields": ["words", "speaker"]},
    {"model": "concerns.addendum", "mask_fields": ["text"]},
    {"model": "concerns.domesticabusenotification", "mask_fields": ["child_voice", "police_reference"]},
    {"model": "concerns.attachment", "mask_fields": ["original_name", "file", "override_reason"]},
    {
        "model": "concerns.pupil",
        "mask_fields": ["date_of_birth", "upn"],
        "exclude_fields": ["search_text"],
    },
    {
        "model": "concerns.triage",
        "mask_fields": ["rationale", "immediate_needs", "presentation", "known_already", "checks_needed"],
    },
    {"model": "concerns.decision", "mask_fields": ["details", "rationale"]},
    {"model": "concerns.parentcontact", "mask_fields": ["who_was_told", "told_by", "reason_not_told"]},
    {"model": "concerns.childvoice", "mask_fields": ["wishes_and_feelings", "how"]},
    {"model": "concerns.meeting", "mask_fields": ["attendees", "notes"]},
    {"model": "concerns.staffnote", "mask_fields": ["note"], "m2m_fields": ["staff"]},
    {"model": "concerns.mirrorrecord", "mask_fields": ["summary", "reason_declined"]},
    {"model": "concerns.pupilflag", "mask_fields": ["details", "source"]},
    {"model": "concerns.keyperson", "mask_fields": ["name", "relationship_or_team", "phone", "email", "notes"]},
    {"model": "concerns.pupilevent", "mask_fields": ["details"]},
    {
        "model": "concerns.filetransfer",
        "mask_fields": ["other_school", "other_school_contact", "receipt_confirmed_by"],
        "m2m_fields": ["told"],
    },
    {"model": "concerns.disagreement", "mask_fields": ["with_whom", "about", "stage", "outcome"]},
    {
        "model": "concerns.informationshare",
        "mask_fields": ["what", "recipient_name", "recipient_role", "agency", "purpose", "reason", "method"],
    },
    {"model": "concerns.chronologyentry", "mask_fields": ["summary"]},
    # Drafts change every few seconds while someone types; their text and their key (which would let a reader ask
    # whether the form was sent) are never logged.
    {"model": "concerns.concerndraft", "exclude_fields": ["data", "updated_at", "idempotency_key"]},
    # A term's stored report (issue 12): the log keeps who asked for a remake and when figures were made; the
    # rendered pages themselves (counts only, with charts, remade every night while a term goes on) and the
    # worker's own bookkeeping of its next nightly refresh stay out of it.
    {"model": "safeguarding.reportsnapshot", "exclude_fields": ["summary", "detail", "periods", "refresh_queued_at"]},
)
# A narrative field registered with mask_fields is replaced whole, not half-shown (auditlog's default).
# Concerns about adults: every word masked; the rows also carry the case and its subject (staff_allegations.models)
# so /audit/ keeps them from the subject and from readers the case is not shared with (R61).
AUDITLOG_INCLUDE_TRACKING_MODELS += (
    {
        "model": "staff_allegations.adultcase",
        "mask_fields": [
            "subject_name",
            "subject_role",
            "employer",
            "reporter_name",
            "reporter_role",
            "location",
            "people_present",
            "witnessed",
            "said",
            "conflict_details",
            "routing_reason",
            "decision",
            "action_taken",
            "decided_by_name",
            "summary",
            "lessons_learnt",
            "closed_by_name",
        ],
    },
    {"model": "staff_allegations.caseentry", "mask_fields": ["details", "reference", "person", "author_name"]},
    {"model": "staff_allegations.casetask", "mask_fields": ["reference", "outcome", "completed_by_name"]},
    {"model": "staff_allegations.recordsreview", "mask_fields": ["notes", "reviewed_by_name"]},
    {"model": "staff_allegations.adultconcerndraft", "exclude_fields": ["data", "updated_at", "idempotency_key"]},
)
AUDITLOG_MASK_CALLABLE = "safeguarding.audit.redact"
AUDITLOG_DISABLE_REMOTE_ADDR = False

# R27: the local safeguarding partnership's thresholds document, linked from the triage form.
THRESHOLDS_DOCUMENT_URL = env.str("THRESHOLDS_DOCUMENT_URL", default="https://www.ddscp.org.uk/")

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django logs the path of every 404/403 at WARNING; keep only server errors. Paths hold public ids, never
        # names, and request bodies never reach a log line.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
