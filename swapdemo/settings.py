"""The one Django settings module of the process: the union of what the demos need.

Django settings are process-global, so every Django demo shares this module;
each demo keeps its own URLs through a per-mount URLconf (see ``site.py``).
Values come from :func:`swapdemo.kernel.config.from_environment`, never from
``os.environ`` directly.  Check it with::

    python -m django check --deploy --settings=swapdemo.settings
"""

from __future__ import annotations

from pathlib import Path

from swapdemo.kernel import logs
from swapdemo.kernel.config import from_environment
from swapdemo.kernel.pages import JINJA2_DIR, TEMPLATES_DIR

# Lower case, so it is not a setting: debug pages and error reports list every upper-case name.
config = from_environment()
BASE_DIR = Path(__file__).resolve().parent

SECRET_KEY = config.secret_key
DEBUG = config.debug
ALLOWED_HOSTS = list(config.allowed_hosts)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "apps.jinja_templates",
    "apps.api_datasource",
    "apps.external_login",
    "apps.oidc_provider",
    "apps.orm_scripts",
    "apps.postmortem",
]

# The OpenID Connect backend first; ModelBackend keeps local accounts (a superuser) working, and
# never accepts the backend's users, whose passwords are unusable.  See apps/external_login.
AUTHENTICATION_BACKENDS = [
    "apps.external_login.backend.OpenIDConnectBackend",
    "django.contrib.auth.backends.ModelBackend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "swapdemo.kernel.site.MountUrlconfMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "swapdemo.urls"

# Both engines find the site's base layout and error page (swapdemo/kernel), and get `chrome`, the
# header and nav built from the registry, from the same context processor.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [TEMPLATES_DIR],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "swapdemo.kernel.layout.context_processor",
            ],
        },
    },
    # Second, so render() without using= still finds DTL templates first; see apps/jinja_templates.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [JINJA2_DIR],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "apps.jinja_templates.environment.environment",
            "context_processors": ["swapdemo.kernel.layout.context_processor"],
        },
    },
]
CSRF_FAILURE_VIEW = "swapdemo.kernel.handlers.csrf_failure"

DATABASES = {"default": config.database}
if config.database["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers write to one file: take the write lock when a transaction starts
    # (a deferred one fails at once with "database is locked" when it has to upgrade), wait for
    # it, and let readers go on beside the writer (WAL).  A one-writer script keeps the defaults.
    DATABASES["default"] = {
        **config.database,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if config.cache_url:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": config.cache_url}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Messages live in a signed cookie so pages that only flash a message need no database.
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "German")]
USE_I18N = True
# UTC, and so the process's clock (Django sets TZ from it): every log line, gunicorn's included, is
# UTC.  The conference's pages show its own time zone explicitly (apps/conference).
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if config.https:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

DEFAULT_EXCEPTION_REPORTER_FILTER = "swapdemo.kernel.site.ExceptionReporterFilter"

# Django logs server errors to the console only when DEBUG is on; these handlers keep the
# tracebacks of 500s (and security events) on stderr, for the operator, never for the visitor.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"utc": {"()": "swapdemo.kernel.logs.UTCFormatter", "format": logs.FORMAT}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "utc"}},
    "loggers": {
        "django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
        "django.security": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
    },
}
