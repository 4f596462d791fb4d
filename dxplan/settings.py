"""Settings for dxplan. Everything that differs between machines comes from the environment.

See `.env.example` for the variables. Without any, the app runs in development mode on the
SQLite file `db.sqlite3` in the project root.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
import plotly
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from dxplan.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", True)

_DEV_SECRET = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = env_str("DJANGO_SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "import_export",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "csp",
    "axes",
    "strategy",
    "projects",
    "kpis",
    "reports",
    "interchange",  # after the model apps: its admin extends theirs
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Signed-out readers' report pages (no session cookie) read the replica
    # (DATABASE_REPLICA_URL); before the page cache, so its revision query reads the
    # database the page is made from.
    "dxplan.middleware.ReplicaReadsMiddleware",
    # Right after the static files: a hit costs what a static file costs plus one query.
    # Above the middleware whose headers (Vary, Content-Language, CSP, X-Frame-Options) it
    # keeps with each page; it serves only requests without a session cookie.
    "reports.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # last, as django-axes asks: locks out repeated failed logins
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses logins while locked out
    "rules.permissions.ObjectPermissionBackend",  # has_perm → strategy/policy.py
    "dxplan.auth.LoginBackend",  # user name and password; grants no permission itself
]

ROOT_URLCONF = "dxplan.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "dxplan.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Every transaction takes SQLite's write lock when it begins (BEGIN IMMEDIATE), and a
    # second writer waits up to 20 s for it. With the default (DEFERRED) a transaction that
    # read first and then writes fails at once with "database is locked" (HTTP 500) when
    # another writer holds the lock; now it waits, re-reads the version under the lock and
    # gets the same refusal as on PostgreSQL. Django >= 5.1.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
# A read replica (a PostgreSQL hot standby fed by streaming replication from the primary):
# the report pages read by anonymous visitors use it, everything else and every write the
# primary (dxplan/routers.py). In tests the alias mirrors "default": no test database is
# made on the (read-only) standby, and with a real standby behind the URL the mirror reads
# the test database as replicated there (tests/reports/test_replica.py).
_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if _REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        _REPLICA_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60)
    )
    if DATABASES["replica"]["ENGINE"] != DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must be the same kind of database")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["dxplan.routers.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache: what the page cache (reports/pagecache.py) keeps for anonymous readers of
# published plans. Production with several app servers: Redis (REDIS_URL, e.g.
# redis://127.0.0.1:6379/0 or unix:///run/redis/redis.sock; Django's RedisCache on redis-py).
# Without it: files under var/cache/, shared by every gunicorn worker of the machine (each
# entry is written to a temporary file and renamed into place). Files rather than the
# database cache: a hit reads no table (it costs one query, the plan's revision), a miss
# takes no SQLite write lock away from the editors, and there is no createcachetable step.
_REDIS_URL = env_str("REDIS_URL", "")
_CACHE_SECONDS = env_int("DXPLAN_PAGE_CACHE_SECONDS", 24 * 60 * 60)
if _REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _REDIS_URL,
            "KEY_PREFIX": "dxplan",
            "TIMEOUT": _CACHE_SECONDS,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env_str("DXPLAN_CACHE_DIR", str(BASE_DIR / "var" / "cache")),
            "TIMEOUT": _CACHE_SECONDS,
            "OPTIONS": {"MAX_ENTRIES": env_int("DXPLAN_CACHE_MAX_ENTRIES", 5000)},
        }
    }
# The page cache is on in production and off with DJANGO_DEBUG=1: templates edited in
# development show at once, and the test suite (development settings) measures the views
# themselves; tests/reports/test_pagecache.py switches it on.
DXPLAN_PAGE_CACHE = env_bool("DXPLAN_PAGE_CACHE", not DEBUG)
# Each worker also keeps its most recently served pages in memory (compressed), up to this.
DXPLAN_PAGE_CACHE_LOCAL_BYTES = env_int("DXPLAN_PAGE_CACHE_LOCAL_BYTES", 32 * 1024 * 1024)
# Part of every page's key: the release. Default: a digest of the code and templates.
DXPLAN_DEPLOY_KEY = env_str("DXPLAN_DEPLOY_KEY", "")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# plotly.js comes from the plotly package itself (no CDN: municipal networks are closed).
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/plotly", Path(plotly.__file__).resolve().parent / "package_data"),
]
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

LOGIN_URL = "admin:login"

# Published plans are readable without signing in (the public progress report).
DXPLAN_PUBLIC_PLANS = env_bool("DXPLAN_PUBLIC_PLANS", True)
# Workbook uploads: the file itself, and what its zip may expand to.
DXPLAN_IMPORT_MAX_BYTES = env_int("DXPLAN_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
DXPLAN_IMPORT_MAX_EXPANDED_BYTES = env_int("DXPLAN_IMPORT_MAX_EXPANDED_BYTES", 300 * 1024 * 1024)
# An uploaded workbook waits between its preview and the confirmation in the database
# (interchange.PendingUpload), which every app server shares.

# Headless Chromium that prints the report to PDF (Debian package "chromium").
DXPLAN_CHROMIUM = env_str("DXPLAN_CHROMIUM", "/usr/bin/chromium")
# The PDF is printed once per plan revision and kept in this folder (reports/pdf.py); on
# several app servers without a shared folder each server prints it once. Off with
# DJANGO_DEBUG=1, like the page cache: a template edited in development prints at once.
DXPLAN_PDF_STORE = env_bool("DXPLAN_PDF_STORE", not DEBUG)
DXPLAN_PDF_DIR = env_str("DXPLAN_PDF_DIR", str(BASE_DIR / "var" / "pdf"))

# Login throttling (django-axes): by user name *and* address, so one office behind a NAT
# is not locked out by one person's typos; unlocked again after the cool-off.
AXES_FAILURE_LIMIT = env_int("DXPLAN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DXPLAN_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "errors/locked.html"

# Content-Security-Policy (django-csp 4): everything from our own origin, no inline script.
# Plotly sets inline styles on its SVG, hence 'unsafe-inline' for styles only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Security: the rest is switched on when DJANGO_DEBUG=0.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000  # the actuals screen posts one field per indicator
# Request bodies other than file uploads (forms) stay small; files stream to disk above this.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "WARNING")},
}
