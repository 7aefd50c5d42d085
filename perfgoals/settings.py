"""Settings read from the environment, with safe defaults for a first run on SQLite."""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# Off unless asked for: `make run` turns it on for the demo; production never does.
DEBUG = env_bool("DEBUG", False)
# The test suite runs without an environment; pytest-django keeps DEBUG off while it runs.
TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]

# What serves requests (the WSGI app, runserver) signs sessions and needs the real key; a
# management command that serves nothing (migrate, makemigrations --check, load_demo) may run
# without one, as CI and a fresh checkout run them.
_COMMAND = sys.argv[1] if sys.argv[0].endswith("manage.py") and len(sys.argv) > 1 else None
SERVES_REQUESTS = _COMMAND is None or _COMMAND == "runserver"

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING) and SERVES_REQUESTS:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Only for local first runs and tests; production refuses to start without a real key.
    SECRET_KEY = "dev-only-insecure-key-perfgoals-do-not-use-in-production"

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tables2",
    "django_filters",
    "template_partials",
    "simple_history",
    "perfgoals",
    "indicators",
    "allocations",
    "perfgoals.exports",
    # --- security (issue 15) ---
    "perfgoals.apps.AxesConfig",
    "csp",
    "django_otp",
    "perfgoals.apps.TOTPConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Right after the user is known: tells whether this session gave a second factor
    # (request.user.is_verified()); perfgoals/accounts/.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # --- security (issue 15): see the security block at the end ---
    "perfgoals.inputs.PlainInputMiddleware",
    "perfgoals.security.IdleTimeoutMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "perfgoals.urls"
WSGI_APPLICATION = "perfgoals.wsgi.application"

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
                # One CSRF token per response, shared with the forms printed in Python.
                "perfgoals.rendering.csrf",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
# Several suites may run at once on one machine (helpers, CI): each names its own test database.
_TEST_DB_SUFFIX = os.environ.get("PERFGOALS_TEST_DB", "")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file-based test database so that concurrency tests use real connections.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db{_TEST_DB_SUFFIX}.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_perfgoals{_TEST_DB_SUFFIX}"}

# Django's stock widgets and error lists printed in Python (perfgoals/rendering.py).
FORM_RENDERER = "perfgoals.rendering.FormRenderer"

AUTH_USER_MODEL = "perfgoals.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "perfgoals.security.CharacterClassesValidator", "OPTIONS": {"classes": 3}},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
# Chinese for what Django's admin and django-axes leave untranslated (locale/zh_Hans).
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Working copies of the CJK fonts cut down for PDF export (perfgoals/exports/fonts.py),
# built on first use and kept per machine.
PDF_FONT_DIR = Path(os.environ.get("PDF_FONT_DIR", BASE_DIR / ".cache" / "pdf-fonts"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
if not (DEBUG or TESTING):
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# ── Operations: background tasks, database health, served deployment (issue 16) ──────────────

# Background exports run on Django's task framework (django-tasks, the `django.tasks` API of
# Django 6) with its database backend: `manage.py db_worker` processes, one or many, on one or
# several machines against the same PostgreSQL. docs/deploy.md names how to move to RQ/Celery.
# Before the project's apps: perfgoals/admin.py replaces the backend's English admin page.
_FIRST_OWN_APP = INSTALLED_APPS.index("perfgoals")
INSTALLED_APPS[_FIRST_OWN_APP:_FIRST_OWN_APP] = [
    "django_tasks",
    "perfgoals.apps.TasksDatabaseConfig",
]
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# A connection kept between requests (CONN_MAX_AGE) is pinged before reuse, so a restarted
# PostgreSQL costs a reconnect instead of an error page.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# While the database is unreachable: idempotent requests are retried after these pauses
# (seconds, about two in all, enough for a restart), then every request gets the Chinese 503
# page with Retry-After instead of a 500 (perfgoals/operations/).
DB_RETRY_DELAYS = tuple(
    float(d) for d in os.environ.get("DB_RETRY_DELAYS", "0.25,0.5,1.0").split(",") if d
)
# Before django-axes, which must stay last.
_AXES = MIDDLEWARE.index("axes.middleware.AxesMiddleware")
MIDDLEWARE[_AXES:_AXES] = [
    "perfgoals.operations.middleware.DatabaseUnavailableMiddleware",
    # An htmx request after the session expired goes to the login page and back, typing kept.
    "perfgoals.operations.middleware.HtmxLoginMiddleware",
]

# --- Security (issue 15): login protection, idle logout, Content-Security-Policy ---------
# Kept in one block so deployment settings (static files, tasks, proxies) stay apart.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

# Logout after this much inactivity (等保2.0: 登录连接超时自动退出); the idle clock is slid by
# perfgoals.security.IdleTimeoutMiddleware.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# django-axes: after AXES_FAILURE_LIMIT failed logins an account, and separately an address,
# is locked for AXES_COOLOFF_TIME hours, on the app login and the admin login alike.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, with the session's user loaded with its organisation and office.
    "perfgoals.accounts.backends.UserBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind the reverse proxy of README § Production the client address is X-Forwarded-For.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if BEHIND_PROXY else ["REMOTE_ADDR"]
)

# Second factor (django-otp TOTP, 等保2.0 level 3 双因素鉴别): optional for every account, set up
# at /accounts/otp/; an account with a confirmed device gives its 6-digit code at login (app and
# admin). Roles listed in OTP_REQUIRED_ROLES (comma-separated role values, e.g.
# "administrator,finance_staff,performance_reviewer") must set one up before anything else.
OTP_TOTP_ISSUER = "预算绩效目标管理"
OTP_REQUIRED_ROLES = [
    r.strip() for r in os.environ.get("OTP_REQUIRED_ROLES", "").split(",") if r.strip()
]
# The admin may delete a lost phone's device, but never reads a user's secret or QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Inside the database-blip handling (it queries devices), before django-axes which stays last.
MIDDLEWARE.insert(
    MIDDLEWARE.index("axes.middleware.AxesMiddleware"),
    "perfgoals.accounts.middleware.SecondFactorRequiredMiddleware",
)

# django-csp: scripts and styles from this site only; a page's own <style> block carries the
# request's nonce. Inline style attributes remain for a few layout tweaks in templates; no
# inline script runs anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
