"""Django settings for Meldpunt.

Everything that differs between a laptop and production is read from
``MELDPUNT_*`` environment variables through ``meldpunt.env``; see README.md.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from meldpunt import env
from meldpunt.private_files import create_private_file

BASE_DIR = Path(__file__).resolve().parent.parent

# The state folder holds what must never be committed or stored in the
# database: the key-encryption key, the secret key, the SQLite file and the
# demo mail folder.
STATE_DIR = Path(env.get_str("STATE_DIR", str(BASE_DIR / "state"))).resolve()
KEY_FILE = Path(env.get_str("KEY_FILE", str(STATE_DIR / "kek.key")))
# The Ed25519 signing key (proofs of filing, audit checkpoints): meldpunt/signing.py.
SIGNING_KEY_FILE = Path(env.get_str("SIGNING_KEY_FILE", str(STATE_DIR / "signing.key")))
# The audit key (HMAC of the audit chain, meldpunt/audit/keys.py): outside the database like the KEK,
# and needed by every process that writes audit events (web servers and workers).
AUDIT_KEY_FILE = Path(env.get_str("AUDIT_KEY_FILE", str(STATE_DIR / "audit.key")))

DEBUG = env.get_bool("DEBUG", False)
HTTPS = env.get_bool("HTTPS", False)


def _secret_key() -> str:
    from_env = env.get_str("SECRET_KEY", "")
    if from_env:
        return from_env
    path = STATE_DIR / "secret_key"
    if not path.exists():
        # Created 0600 and whole in one step (meldpunt/private_files.py).
        create_private_file(path, secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "django_tasks",
    "django_tasks_db",
    "meldpunt.organisations",
    "meldpunt.registry",
    "meldpunt.accounts",
    "meldpunt.cases",
    "meldpunt.protocol",
    "meldpunt.notifications",
    "meldpunt.escalation",
    "meldpunt.maatregelen",
    "meldpunt.nazorg",
    "meldpunt.verslagen",
    "meldpunt.bewijs",
    "meldpunt.cijfers",
    "meldpunt.audit",
    "meldpunt.melden",
    "meldpunt.throttle",
    "meldpunt.behandelen",
    "meldpunt.beheer",
    "meldpunt.demo",
    "meldpunt.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "meldpunt.privacy.NoStoreMiddleware",
]

ROOT_URLCONF = "meldpunt.urls"
WSGI_APPLICATION = "meldpunt.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "meldpunt" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "meldpunt.nlds.theme",
            ],
            # |datum, |datum_tijd (one date format per language), |tel_links and the
            # form-control filters (meldpunt/formmarkup.py) on every template.
            "builtins": ["meldpunt.dates", "meldpunt.text", "meldpunt.formmarkup"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env.get_str("DATABASE_URL", f"sqlite:///{STATE_DIR / 'meldpunt.sqlite3'}"),
        # A worker keeps its connection between requests (a new PostgreSQL
        # connection per request was a new server process each time), checked
        # before reuse so a restarted database server costs no failed request.
        conn_max_age=env.get_int("DB_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file-backed test database, so tests can read the raw file and the
    # browser tests' server thread sees the same data. One file per process,
    # so test runs side by side do not share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(STATE_DIR / f"test-meldpunt-{os.getpid()}.sqlite3")}
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL: readers never wait for the writer nor the writer for readers; one
    # writer at a time remains, taken at BEGIN (IMMEDIATE) so a transaction
    # never fails halfway upgrading a read lock ("database is locked"), and a
    # busy writer is waited for up to 20 s. Backups: README, "Backups".
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # The same backend, with waiting writers let in within 2 ms (meldpunt/sqlite_writers).
    DATABASES["default"]["ENGINE"] = "meldpunt.sqlite_writers"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Statements a worker sends again and again (every submission sends the
    # same 40-odd) are prepared on its connection after the fifth time, so
    # PostgreSQL parses and plans each once per connection, not once per
    # request: docs/performance.md. 0 turns it off (a connection pooler that
    # cannot keep prepared statements, such as PgBouncer before 1.21 in
    # transaction mode).
    prepare_after = env.get_int("DB_PREPARE_THRESHOLD", 5)
    if prepare_after:
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": prepare_after}
        )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Every form's fields: aria-invalid and aria-describedby as the page shows them (meldpunt/formmarkup.py).
FORM_RENDERER = "meldpunt.formmarkup.Renderer"

# Nothing is cached across processes: the rate limits count in their own table (meldpunt/throttle).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "behandelen:home"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = STATE_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "meldpunt" / "static",
    ("nlds/utrecht", BASE_DIR / "node_modules" / "@utrecht" / "component-library-css" / "dist"),
    ("nlds/theme", BASE_DIR / "node_modules" / "@nl-design-system-unstable" / "voorbeeld-design-tokens" / "dist"),
]
# The fonts the theme's tokens name (Noto Sans, Noto Serif, Noto Sans Mono),
# from the @fontsource npm packages: served by Meldpunt, never by a font CDN.
# Only the THEME_FONT_CSS stylesheets and the font files they use are
# collected (meldpunt.fonts), not each package's every weight and subset.
FONT_PACKAGES = {
    f"fonts/{family}": BASE_DIR / "node_modules" / "@fontsource" / family
    for family in ("noto-sans", "noto-serif", "noto-sans-mono")
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "meldpunt.fonts.ThemeFontFinder",
]
# The NL Design System theme: a CSS file with design tokens (served by
# Meldpunt, from STATICFILES_DIRS or MELDPUNT_THEME_DIR) and the class that
# switches it on. An organisation swaps in its own theme here, not in templates.
THEME_DIR = env.get_str("THEME_DIR", "")
if THEME_DIR:
    STATICFILES_DIRS.append(("theme", Path(THEME_DIR)))
THEME_CSS = env.get_str("THEME_CSS", "nlds/theme/theme.css")
THEME_CLASS = env.get_str("THEME_CLASS", "voorbeeld-theme")
# The @font-face stylesheets for the font families the theme names (static
# paths, comma-separated); a theme with other fonts lists its own here.
THEME_FONT_CSS = env.get_list(
    "THEME_FONT_CSS",
    [
        "fonts/noto-sans/400.css",
        "fonts/noto-sans/700.css",
        "fonts/noto-serif/700.css",
        "fonts/noto-sans-mono/400.css",
    ],
)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# Uploads are read into memory and encrypted before anything is written;
# nothing of a reporter's file ever lands unencrypted on disk.
# An oversized file is cut off at the limit and refused with a message.
# A file part without a name is refused, not dropped (meldpunt/multipart.py).
FILE_UPLOAD_HANDLERS = ["meldpunt.multipart.NamelessPartHandler", "meldpunt.uploads.BoundedMemoryUploadHandler"]
# The form fields, without files. A statement at its limit (cases.validators.MAX_TEXT,
# 100,000 characters) of 4-byte characters, percent-encoded, is 1.2 MB; 5 MB holds it
# with every other field. A larger body gets a page naming this limit (meldpunt/errors.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Each file is cut off at ATTACHMENT_MAX_BYTES, so this bounds a request's memory.
DATA_UPLOAD_MAX_NUMBER_FILES = 10

# E-mail: SMTP in production, a folder of files in the demo.
EMAIL_HOST = env.get_str("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env.get_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env.get_str("EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = env.get_str("EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = env.get_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = STATE_DIR / "mail"
DEFAULT_FROM_EMAIL = env.get_str("EMAIL_FROM", "meldpunt@localhost")
# A hanging mail server must not hold a worker for long.
EMAIL_TIMEOUT = env.get_int("EMAIL_TIMEOUT", 10, minimum=1)
# Someone who had a notification e-mail less than this many minutes ago gets the
# next ones bundled in one digest e-mail at the end of that time; 0: one e-mail each.
EMAIL_DIGEST_MINUTES = env.get_int("EMAIL_DIGEST_MINUTES", 10)
# Where staff open Meldpunt; used for the links in notification e-mails.
BASE_URL = env.get_str("BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Passkeys (WebAuthn, django-otp-webauthn) as a second factor beside TOTP.
# The relying party id is the domain a passkey belongs to: by default the host
# of MELDPUNT_BASE_URL (a loopback address becomes "localhost"); set
# MELDPUNT_WEBAUTHN_RP_ID to a parent domain to share passkeys between
# subdomains. Changing it later means enrolling every passkey again. Browsers
# offer passkeys only over HTTPS or on http://localhost; elsewhere they are off.
from meldpunt.accounts.relying_party import relying_party  # noqa: E402

WEBAUTHN = relying_party(BASE_URL, env.get_str("WEBAUTHN_RP_ID", ""))
PASSKEYS_ENABLED = WEBAUTHN.secure
OTP_WEBAUTHN_RP_ID = WEBAUTHN.rp_id
OTP_WEBAUTHN_RP_NAME = "Meldpunt"
OTP_WEBAUTHN_ALLOWED_ORIGINS = [WEBAUTHN.origin] if PASSKEYS_ENABLED else []
# A passkey is a second factor after the password, never a login on its own.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_TIMEOUT_SECONDS = 5 * 60
# Without a secure origin passkeys are switched off (PASSKEYS_ENABLED) instead of stopping start-up.
SILENCED_SYSTEM_CHECKS = [] if PASSKEYS_ENABLED else ["otp_webauthn.E030"]

# Staff accounts: a one-time set-up link (new account, or after a reset of the
# second factor) is valid this many hours. The authenticator app shows
# OTP_TOTP_ISSUER beside the username.
SETUP_LINK_HOURS = env.get_int("SETUP_LINK_HOURS", 72, minimum=1)
OTP_TOTP_ISSUER = "Meldpunt"

# Sessions: reporters get a short session after entering their receipt
# code; staff sessions end after a working day.
SESSION_ENGINE = "meldpunt.sessions"
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "meldpunt.privacy.csrf_failure"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
# "same-origin", not "no-referrer": with no-referrer browsers send "Origin: null" on form posts,
# which fails the CSRF check. No address ever goes to another site either way.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_SSL_REDIRECT = env.get_bool("SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env.get_int("HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy: only Meldpunt's own origin, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "connect-src": ["'self'"],
    }
}

# Client addresses are used only, keyed and in memory of the cache, to count
# receipt-code attempts; set this when a reverse proxy puts the client
# address in a header (for example HTTP_X_FORWARDED_FOR).
CLIENT_ADDRESS_HEADER = env.get_str("CLIENT_ADDRESS_HEADER", "REMOTE_ADDR")
RECEIPT_ATTEMPTS_PER_CLIENT = env.get_int("RECEIPT_ATTEMPTS_PER_CLIENT", 10, minimum=1)
RECEIPT_ATTEMPTS_WINDOW = env.get_int("RECEIPT_ATTEMPTS_WINDOW", 15 * 60, minimum=1)
RECEIPT_ATTEMPTS_GLOBAL_PER_MINUTE = env.get_int("RECEIPT_ATTEMPTS_GLOBAL_PER_MINUTE", 600, minimum=1)
# Reports sent through the public form, per client and for the whole
# installation; each costs an argon2 hash and notifies the protocol's recipients.
REPORT_SUBMISSIONS_PER_CLIENT = env.get_int("REPORT_SUBMISSIONS_PER_CLIENT", 10, minimum=1)
REPORT_SUBMISSIONS_WINDOW = env.get_int("REPORT_SUBMISSIONS_WINDOW", 60 * 60, minimum=1)
REPORT_SUBMISSIONS_GLOBAL_PER_HOUR = env.get_int("REPORT_SUBMISSIONS_GLOBAL_PER_HOUR", 1200, minimum=1)
# Failed staff logins (wrong password or code) per client and per username.
LOGIN_FAILURES_ALLOWED = env.get_int("LOGIN_FAILURES_ALLOWED", 10, minimum=1)
LOGIN_FAILURES_WINDOW = env.get_int("LOGIN_FAILURES_WINDOW", 15 * 60, minimum=1)
# Failures on one username from all clients together: more than one client may
# make, so that a single client cannot lock a staff member out.
LOGIN_FAILURES_PER_USERNAME = env.get_int("LOGIN_FAILURES_PER_USERNAME", 5 * LOGIN_FAILURES_ALLOWED, minimum=1)
# Wrong staff API tokens (unknown, expired, revoked) per client and for the
# whole installation; a refused check is counted nowhere, so one client uses
# at most its own allowance of the installation's.
API_TOKEN_FAILURES_PER_CLIENT = env.get_int("API_TOKEN_FAILURES_PER_CLIENT", 10, minimum=1)
API_TOKEN_FAILURES_WINDOW = env.get_int("API_TOKEN_FAILURES_WINDOW", 15 * 60, minimum=1)
API_TOKEN_FAILURES_GLOBAL_PER_MINUTE = env.get_int("API_TOKEN_FAILURES_GLOBAL_PER_MINUTE", 100, minimum=1)

# Attachments.
ATTACHMENT_MAX_BYTES = env.get_int("ATTACHMENT_MAX_MB", 10, minimum=1) * 1024 * 1024
ATTACHMENT_MAX_FILES = 5
# The one number of files: the upload handler keeps the bytes of the first
# ATTACHMENT_MAX_FILES files of a request (each cut off at ATTACHMENT_MAX_BYTES),
# so a request holds at most ATTACHMENT_MAX_FILES x ATTACHMENT_MAX_BYTES. Further
# files arrive empty with their real size, so the form says how many it takes and
# keeps what was typed; a request with more than twice as many is refused whole.
DATA_UPLOAD_MAX_NUMBER_FILES = 2 * ATTACHMENT_MAX_FILES

# No request logging with client details: Django's own loggers only, and
# no access log (see docs/security.md).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{levelname} {name} {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # django.request logs the request object on errors; keep it to the
        # message only (no META, so no address or user agent).
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": [], "level": "CRITICAL", "propagate": False},
    },
}
