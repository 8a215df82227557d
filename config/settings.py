"""Vigia settings, read from the environment (12-factor).

With nothing set, Vigia runs on embedded defaults: SQLite and a file-system
Celery broker under var/, e-mail written to var/mail/. Setting DATABASE_URL,
REDIS_URL and EMAIL_URL switches to PostgreSQL, Redis and SMTP.

Sections: core, database, cache and Celery, e-mail, security, static and uploaded
files, logging, then the app settings (API, terminals and alerts, import/export).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

env = environ.Env()

BASE_DIR = Path(__file__).resolve().parent.parent
# Everything the running instance writes (SQLite, broker, mail, jobs, media) lives here.
VAR_DIR = Path(env.str("VIGIA_VAR_DIR", default=str(BASE_DIR / "var")))

# Core

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str(
    "SECRET_KEY",
    default="django-insecure-vigia-local-only-key-change-me-in-production-0123456789",
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "import_export",
    "ninja",
    "csp",
    "axes",
    "auditlog",
    "tenancy",
    "clients",
    "contacts",
    "terminals",
    "specialists",
    "tokens",
    "notifications",
    "importexport",
    "catalogs",
    "portal",
    "servicerequests",
    "clientportal",
    # Last: the demo data may import every app above, and no app imports it.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tenancy.middleware.UserLanguageMiddleware",
    "tenancy.middleware.TenantMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tenancy.middleware.ContentSecurityPolicyMiddleware",
    "tenancy.middleware.NoStoreForUsersMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # The audit trail's entries name the request's user (tenancy.audit).
    "auditlog.middleware.AuditlogMiddleware",
    # Last, as axes asks: it turns a lockout flagged during the request into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenancy.context_processors.tenancy",
            ],
        },
    }
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "tenancy.User"
AUTHENTICATION_BACKENDS = [
    # First: it refuses a locked-out person before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "tenancy.auth.EmailOrUsernameBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Logins (django-axes): LOGIN_FAILURE_LIMIT wrong passwords for one account from one address,
# each within LOGIN_LOCKOUT_MINUTES of the last, lock that account out from that address (the
# back office and the Django admin) for LOGIN_LOCKOUT_MINUTES; another address or account is
# not affected, so nobody can lock a colleague out from elsewhere. A successful login resets
# the count; the admin's "Access attempts" unlocks early. The API's tokens are not logins.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "tenancy.auth.axes_username"
AXES_LOCKOUT_CALLABLE = "tenancy.auth.lockout_response"
# One password-reset e-mail per address in this many minutes, however often it is asked for.
PASSWORD_RESET_THROTTLE_MINUTES = env.int("PASSWORD_RESET_THROTTLE_MINUTES", default=15)

LANGUAGE_CODE = "pt-br"
LANGUAGES = [("pt-br", _("Portuguese (Brazil)")), ("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="America/Sao_Paulo")
USE_I18N = True
USE_TZ = True

# Database

database = env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'vigia.sqlite3'}")
database["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A connection kept across requests is checked before reuse: after a database restart the
# next request reconnects instead of failing on the dead connection.
database["CONN_HEALTH_CHECKS"] = True
if database["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes.
    database["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # The clients' list index carries its search column (INCLUDE) on PostgreSQL; SQLite
    # builds the same index without it, which is all this warning says.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    # A server that does not answer fails the request (and /healthz) in seconds.
    database.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DATABASES = {"default": database}

# Cache and Celery

REDIS_URL = env.str("REDIS_URL", default="")
broker_dir = VAR_DIR / "broker"
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that does not answer costs a request two seconds, not a hung worker.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    # A message taken by a worker that died comes back after this long. Jobs and alert
    # e-mails do not wait for it: their rows are the source of truth, and the periodic
    # tasks below hand a stalled one to a worker again within minutes.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
    # The kombu file-system transport needs no server: web, worker and beat share a folder.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(broker_dir / "queue"),
        "data_folder_out": str(broker_dir / "queue"),
        "processed_folder": str(broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(broker_dir / "control"),
    }
    # The transport does not create its folders; any process may be the first to need them.
    for _folder in ("queue", "processed", "control"):
        (broker_dir / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# Workers and beat outlive a broker restart: they reconnect for as long as it takes.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
SWEEP_INTERVAL_SECONDS = env.float("SWEEP_INTERVAL_SECONDS", default=60)
WORKER_HEARTBEAT_SECONDS = env.float("WORKER_HEARTBEAT_SECONDS", default=30)
JOB_RESUME_INTERVAL_SECONDS = env.float("JOB_RESUME_INTERVAL_SECONDS", default=60)
CELERY_BEAT_SCHEDULE = {
    "sweep-terminals": {
        "task": "terminals.tasks.sweep_terminals",
        "schedule": SWEEP_INTERVAL_SECONDS,
        "options": {"expires": SWEEP_INTERVAL_SECONDS * 0.9},
    },
    # The dashboard's figures (the fleet chart's buckets and availability's hours) just over,
    # counted before an operator asks (terminals.figures).
    "terminals-warm-fleet-charts": {
        "task": "terminals.tasks.warm_fleet_charts",
        "schedule": 600,
        "options": {"expires": 540},
    },
    "worker-heartbeat": {
        "task": "config.celery.heartbeat",
        "schedule": WORKER_HEARTBEAT_SECONDS,
        # A heartbeat still proves a live worker until /healthz would call it missing (four
        # periods): with a shorter expiry a polling broker (the file-system one) or a busy
        # machine discards beats a live worker did receive.
        "options": {"expires": WORKER_HEARTBEAT_SECONDS * 4},
    },
    "importexport-resume-stalled-jobs": {
        "task": "importexport.tasks.resume_stalled_jobs",
        "schedule": JOB_RESUME_INTERVAL_SECONDS,
        "options": {"expires": JOB_RESUME_INTERVAL_SECONDS * 0.9},
    },
    "notifications-purge-expired-files": {
        "task": "notifications.tasks.purge_expired_files",
        "schedule": 3600,
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# E-mail

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="filemail://")
if EMAIL_CONFIG["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend":
    EMAIL_BACKEND = EMAIL_CONFIG["EMAIL_BACKEND"]
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
else:
    vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Vigia <vigia@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 10

# Security
#
# Production mode: DEBUG off and ALLOWED_HOSTS (or CSRF_TRUSTED_ORIGINS) naming a host other
# than this machine's loopback names. Every real deployment sets them (its users' browsers
# would get 400s or CSRF failures otherwise), so there the HTTPS redirect and HSTS (one year)
# are on by default and the development SECRET_KEY is refused. With loopback names only (the
# test suite, CI, the benchmarks' gunicorn, `docker compose up` tried on localhost) the
# instance is reached as itself over plain HTTP. SECURE_SSL_REDIRECT and SECURE_HSTS_SECONDS
# in the environment force either way.
# Behind a proxy that terminates TLS, the proxy must set X-Forwarded-Proto (replacing any the
# client sent): SECURE_PROXY_SSL_HEADER trusts it to tell an HTTPS request from plain HTTP, so
# the redirect does not loop and the secure cookies are sent.

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
PRODUCTION = not DEBUG and (
    bool(CSRF_TRUSTED_ORIGINS) or any(host.lower() not in LOOPBACK_HOSTS for host in ALLOWED_HOSTS)
)
if PRODUCTION and SECRET_KEY.startswith("django-insecure-"):
    raise ImproperlyConfigured(
        "SECRET_KEY is the development key: set SECRET_KEY in the environment "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=SECURE_HSTS_SECONDS > 0
)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=SECURE_HSTS_SECONDS > 0)
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): no inline script, style or event handler anywhere, and
# nothing loaded from another origin (htmx, Swagger UI and the admin's files are our static
# files). htmx is configured for it in base.html (no injected <style>, no eval). The admin
# adds three hashed values for django-import-export's export page
# (tenancy.middleware.ContentSecurityPolicyMiddleware); the API docs need none.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# The client page's map (Leaflet, served from our static files): its tile server (that page's
# Content-Security-Policy allows its images), and the geocoder our server asks for the search
# box (Nominatim's API; empty: none, the search then looks in the organization's locations
# and clients).
CLIENT_MAP_TILE_URL = env.str(
    "CLIENT_MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
CLIENT_MAP_GEOCODER_URL = env.str(
    "CLIENT_MAP_GEOCODER_URL", default="https://nominatim.openstreetmap.org/search"
)
CLIENT_MAP_GEOCODER_TIMEOUT = env.float("CLIENT_MAP_GEOCODER_TIMEOUT", default=3.0)
CLIENT_MAP_GEOCODER_USER_AGENT = env.str("CLIENT_MAP_GEOCODER_USER_AGENT", default="Vigia")

# Static and uploaded files

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Built with the code (the image runs collectstatic), not with the instance's data: a
# volume mounted on VIGIA_VAR_DIR must not hide the collected files.
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploaded files (photos, job files) live in an S3-compatible bucket when VIGIA_S3_BUCKET is
# set, shared by every web and worker machine; else in MEDIA_ROOT (the embedded default).
# Credentials come from the usual AWS variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)
# or the machine's role; nothing in the bucket is public, the views hand files out.
S3_BUCKET = env.str("VIGIA_S3_BUCKET", default="")
S3_PREFIX = env.str("VIGIA_S3_PREFIX", default="").strip("/")


def _bucket(folder: str) -> dict:
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env.str("VIGIA_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("VIGIA_S3_REGION", default="") or None,
            "location": "/".join(part for part in (S3_PREFIX, folder) if part),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }


STORAGES = {
    "default": _bucket("media")
    if S3_BUCKET
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Import and export files (importexport.files), under JOB_FILES_DIR or the bucket's "jobs/".
    "jobs": _bucket("jobs") if S3_BUCKET else {"BACKEND": "importexport.files.JobFileStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
# With DEBUG on (make run) whitenoise serves straight from the source folders.
WHITENOISE_USE_FINDERS = DEBUG

# Uploads: request bodies beyond this are refused before they reach a view.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The client portal's terms and conditions (a PDF an admin uploads).
PORTAL_TERMS_MAX_BYTES = env.int("PORTAL_TERMS_MAX_BYTES", default=10 * 1024 * 1024)

# Logging

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every rendering step at INFO; the worker's log is for alerts.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# App settings

# API: requests allowed per integration token in each window of API_RATE_LIMIT_WINDOW seconds
# (0 turns the limit off).
API_RATE_LIMIT_REQUESTS = env.int("API_RATE_LIMIT_REQUESTS", default=120)
API_RATE_LIMIT_WINDOW = env.int("API_RATE_LIMIT_WINDOW", default=60)
# Largest photo accepted on the specialist screen.
SPECIALIST_PHOTO_MAX_BYTES = env.int("SPECIALIST_PHOTO_MAX_BYTES", default=5 * 1024 * 1024)
# Photos (tenancy.images, specialists and clients): the most pixels a photo's header may
# declare (checked before decoding; a larger one is refused), and the longest side kept.
PHOTO_MAX_PIXELS = env.int("PHOTO_MAX_PIXELS", default=40_000_000)
PHOTO_MAX_SIDE = env.int("PHOTO_MAX_SIDE", default=2048)
# Largest file accepted as a catalog document.
CATALOG_DOCUMENT_MAX_BYTES = env.int("CATALOG_DOCUMENT_MAX_BYTES", default=20 * 1024 * 1024)

# Terminals and alerts. A claimed e-mail belongs to its worker this long; after that another
# worker may send it.
ALERT_EMAIL_LEASE_SECONDS = env.int("ALERT_EMAIL_LEASE_SECONDS", default=600)
ALERT_EMAIL_RETRY_BASE_SECONDS = env.int("ALERT_EMAIL_RETRY_BASE_SECONDS", default=30)
ALERT_EMAIL_MAX_ATTEMPTS = env.int("ALERT_EMAIL_MAX_ATTEMPTS", default=8)
# /healthz reports the outbox down when its oldest unsent e-mail is older than this.
ALERT_OUTBOX_MAX_AGE_SECONDS = env.int("ALERT_OUTBOX_MAX_AGE_SECONDS", default=600)

# Import, export and notifications. Job files (uploads, export zips, failed-rows files) live
# outside MEDIA_ROOT: only the ownership-checking download view hands them out.
JOB_FILES_DIR = Path(env.str("JOB_FILES_DIR", default=str(VAR_DIR / "jobs")))
JOB_DOWNLOAD_TTL_HOURS = env.int("JOB_DOWNLOAD_TTL_HOURS", default=24)
IMPORT_MAX_FILE_BYTES = env.int("IMPORT_MAX_FILE_BYTES", default=50 * 1024 * 1024)
IMPORT_MAX_UNCOMPRESSED_BYTES = env.int("IMPORT_MAX_UNCOMPRESSED_BYTES", default=600 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=1_000_000)
# The readers hold a sheet's whole rectangle, up to its farthest cell, in memory (about 32 bytes
# a cell), and the text of every cell (a shared string once per cell naming it): a file
# reaching further or holding more is refused before it is loaded.
IMPORT_MAX_CELLS = env.int("IMPORT_MAX_CELLS", default=2_500_000)
IMPORT_MAX_TEXT_BYTES = env.int("IMPORT_MAX_TEXT_BYTES", default=100 * 1024 * 1024)
# A part of the zip packed more than this many times is refused as a zip bomb.
IMPORT_MAX_COMPRESSION_RATIO = env.int("IMPORT_MAX_COMPRESSION_RATIO", default=100)
# A running job renews its lease while its worker lives; a pending job without one for this
# long is handed to a worker again (its broker message was lost, or its worker died), at
# most JOB_MAX_RESUMES times before it is marked failed.
JOB_LEASE_SECONDS = env.int("JOB_LEASE_SECONDS", default=120)
JOB_MAX_RESUMES = env.int("JOB_MAX_RESUMES", default=3)
# The Django admin's exports (django-import-export) write a cell that starts with "=" as
# text, as the job export does, never as a live formula.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
