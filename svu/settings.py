"""Settings for SVU, read from the environment.

With no variables set the app runs on its embedded default: an SQLite file in ``var/``,
Celery in eager mode and a local-memory cache. docker-compose.yml and .ci/run set the real
engines through DATABASE_URL and REDIS_URL.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp import constants as csp
from django.utils.translation import gettext_lazy as _

from svu.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SVU_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])


def _secret_key() -> str:
    """SECRET_KEY from the environment, else a random key kept in var/ for this install.

    No key is ever written in the code; several web instances behind a load balancer
    must share one, so production sets SECRET_KEY (docker-compose.yml does).
    """
    key = env_str("SECRET_KEY", "")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI, vendored (offline)
    "guardian",
    "django_celery_beat",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Apps depend one way: discharges <- webhooks <- deviations <- payment <- analysis <- api
    # <- demo (tests/test_layers.py, LAYERS).
    "discharges",
    "webhooks",
    "deviations",
    "payment",
    "analysis",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise: every response of the app itself is no-store (svu/headers.py).
    "svu.headers.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Swedish unless the user chose a language (never the browser's Accept-Language).
    "svu.language.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Logs out after SVU_SESSION_IDLE_SECONDS without a request (svu/sessions.py).
    "svu.sessions.IdleTimeoutMiddleware",
    # The second factor (svu/two_factor.py): required for staff, optional for others.
    "django_otp.middleware.OTPMiddleware",
    "svu.two_factor.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Failed-login lockout (svu/accounts.py): logins of a user name take turns, then axes, last.
    "svu.accounts.OneLoginAtATimeMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "svu.urls"
WSGI_APPLICATION = "svu.wsgi.application"

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
                "discharges.context_processors.memberships",
                "analysis.analyses.context.analyses",
                "deviations.context.deviations_menu",
                "svu.sessions.idle_timeout",
            ],
        },
    },
]

_database_url = env_str("DATABASE_URL", "")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # The pages' queries take milliseconds; starting parallel workers costs more than it
        # saves (bench/README.md). The statistics task enables them for its own transaction.
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            "-c max_parallel_workers_per_gather=0"
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "svu.sqlite3"),
            "OPTIONS": {
                # Writers queue for the database lock instead of failing: SQLite has no row
                # locks, so IMMEDIATE transactions are how concurrent writes serialise here.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    # Redis down reads as a miss and drops writes (svu/cache.py): the cache is never needed.
    CACHES = {
        "default": {
            "BACKEND": "svu.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out user name or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # The model backend without system accounts (integration): they never log in to pages.
    "svu.accounts.PageLoginBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Patient data is never visible to anonymous users; no guardian anonymous user is created.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": max(12, env_int("SVU_PASSWORD_MIN_LENGTH", 12))},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "svu.accounts.CommonWordPasswordValidator"},
]
# Failed logins (django-axes, svu/accounts.py): a user name is locked after AXES_FAILURE_LIMIT
# failures, an address (a whole hospital may share one) after SVU_LOGIN_ADDRESS_LIMIT, both for
# the cool-off time. Behind proxies set SVU_TRUSTED_PROXIES (how many add X-Forwarded-For).
AXES_HANDLER = "svu.accounts.LockoutHandler"
SVU_LOGIN_PATHS = ("/login/", "/admin/login/")
AXES_FAILURE_LIMIT = max(1, env_int("SVU_LOGIN_FAILURE_LIMIT", 5))
SVU_LOGIN_ADDRESS_LIMIT = max(1, env_int("SVU_LOGIN_ADDRESS_LIMIT", 50))
AXES_COOLOFF_TIME = timedelta(minutes=max(1, env_int("SVU_LOGIN_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = ["username"]  # what a success resets; addresses: svu/accounts.py
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "svu.accounts.lockout_response"
AXES_CLIENT_IP_CALLABLE = "svu.accounts.client_address"
SVU_TRUSTED_PROXIES = max(0, env_int("SVU_TRUSTED_PROXIES", 0))
AXES_VERBOSE = False
# axes.W006 asks for ip_address among the lockout parameters; svu.accounts.LockoutHandler counts
# an address's failures itself (with a higher limit), and a success must not reset them.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# A second factor (TOTP) for staff, the admin's users; others may set one up (svu/two_factor.py).
SVU_REQUIRE_STAFF_OTP = env_bool("SVU_REQUIRE_STAFF_OTP", True)
OTP_TOTP_ISSUER = "SVU"
# A session ends after this long without a request (a warning shows 2 minutes before).
SVU_SESSION_IDLE_SECONDS = 60 * max(1, env_int("SVU_SESSION_IDLE_MINUTES", 30))
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"  # by role: Att göra, or the follow-up overview (svu/views.py)
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "sv")
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# ISO dates and 24-hour times in every language (svu/formats/): 2026-11-29 14:02.
FORMAT_MODULE_PATH = ["svu.formats"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Stockholm")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
# Uploads: the admin's import files, deleted when their import ends. Never served (no URL);
# the web app and the Celery workers must share it (docker-compose.yml: the svu-var volume).
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
# Production runs behind TLS (SVU_HTTPS=true, docker-compose.yml): secure cookies, HSTS, and a
# redirect of plain HTTP, with the scheme taken from the TLS proxy's X-Forwarded-Proto (the
# proxy must set it on every request, overwriting the client's). Each part can be overridden.
# Off by default so that `make run` works on http://127.0.0.1:8000.
SVU_HTTPS = env_bool("SVU_HTTPS", False)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", SVU_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SVU_HTTPS)
if env_bool("SECURE_PROXY_SSL_HEADER", SVU_HTTPS):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if SVU_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SVU_HTTPS)
# Only marks the site as eligible: nothing is submitted to the browsers' preload list.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SVU_HTTPS)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# No inline scripts or styles anywhere (static/js, static/css); nothing from another origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
        "base-uri": [csp.NONE],
        "object-src": [csp.NONE],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Systems send "Authorization: Bearer TOKEN" (api/tokens.py); people's pages, the
        # session. HTTP Basic sent a password with every call, past the login lockout: removed.
        "api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Per token (or user), on the default cache: Redis when REDIS_URL is set (api/throttling.py).
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    # JSON only: people read the API's documentation in Swedish at /api/docs/ (the browsable
    # API named its views after the English class names and docstrings).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # One error shape: {"error": code, "detail": Swedish text, "fields": {...}} (api/errors.py).
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
}
# Requests per token (or signed-in user) and period, e.g. "600/minute"; 429 beyond.
SVU_API_RATE = env_str("SVU_API_RATE", "600/minute")
# How long an Idempotency-Key's first answer is kept for retries (api/idempotency.py).
SVU_IDEMPOTENCY_HOURS = max(1, env_int("SVU_IDEMPOTENCY_HOURS", 24))
SPECTACULAR_SETTINGS = {
    "TITLE": "SVU API",
    "DESCRIPTION": (
        "Samverkan vid utskrivning: episoder och utskrivningens meddelanden för journal- och "
        "verksamhetssystem. Autentisering: Authorization: Bearer TOKEN. Fel har formen "
        '{"error": kod, "detail": text på svenska, "fields": {...}}.'
    ),
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema names every field of patient data: only for those signed in or with a token.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Only /api/v1/ (the paths of before v1 are aliases of the same views).
    "PREPROCESSING_HOOKS": ["api.schema.only_v1"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CareTypeEnum": "discharges.choices.CareType",
        "StatisticCareTypeEnum": "analysis.models.StatCareType",
    },
}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
# Faults (docs/operations.md). A task is acknowledged when it has run, not when it starts: a
# worker killed mid-task leaves it in Redis, and it runs again (the tasks are idempotent). A
# worker process lost under a running worker (the OOM killer) hands its task back at once; a
# whole worker lost leaves it for the visibility timeout, after which another worker takes it.
# No task may run longer than that timeout, or a second worker would start it meanwhile.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
SVU_TASK_VISIBILITY_TIMEOUT = max(1, env_int("SVU_TASK_VISIBILITY_TIMEOUT", 600))
# Processes an analysis PDF is laid out in (analysis/analyses/pdf_parts.py).
SVU_PDF_PROCESSES = max(1, env_int("SVU_PDF_PROCESSES", 2))
CELERY_TASK_TIME_LIMIT = max(1, SVU_TASK_VISIBILITY_TIMEOUT * 9 // 10)
CELERY_TASK_SOFT_TIME_LIMIT = max(1, SVU_TASK_VISIBILITY_TIMEOUT * 8 // 10)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": SVU_TASK_VISIBILITY_TIMEOUT,
    # Every worker looks for tasks of lost workers every 30 s (and when it starts).
    "unacked_restore_interval": min(30, SVU_TASK_VISIBILITY_TIMEOUT),
    "unacked_restore_throttle": 1,
    # Sending a task with Redis down fails within a few seconds (the outbox keeps it),
    # instead of a page waiting 19 s.
    "socket_connect_timeout": 2,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Task modules that autodiscovery (each app's tasks.py) does not find.
CELERY_IMPORTS = ["discharges.maintenance"]
CELERY_BEAT_SCHEDULE = {
    "statistics-nightly": {
        "task": "analysis.tasks.compute_statistics",
        "schedule": crontab(hour=2, minute=15),
    },
    "outbox": {
        # Tasks asked for while Redis was down (discharges/outbox.py), sent once it is back.
        "task": "discharges.send_outbox",
        "schedule": 60.0,
    },
    "webhooks-due": {
        # Webhook deliveries whose next attempt is due (webhooks/services.py): retries, and
        # any the outbox could not queue.
        "task": "webhooks.tasks.deliver_due",
        "schedule": 30.0,
    },
    "access-log-check": {
        # The access log's hash chain (discharges/access_check.py); the admin alerts when broken.
        "task": "discharges.verify_access_log",
        "schedule": crontab(hour=3, minute=40),
    },
    "statistics-month-close": {
        # The month just ended is final on the 1st; recompute it early that morning.
        "task": "analysis.tasks.compute_statistics",
        "schedule": crontab(hour=0, minute=30, day_of_month=1),
    },
}

# Webhooks (webhooks/): how long one POST may take, how long a failing delivery is retried,
# and whether a subscription may use plain http to a loopback address (tests, local trials).
SVU_WEBHOOK_TIMEOUT = max(1, env_int("SVU_WEBHOOK_TIMEOUT", 5))
SVU_WEBHOOK_RETRY_FOR = timedelta(hours=max(1, env_int("SVU_WEBHOOK_RETRY_HOURS", 24)))
SVU_WEBHOOK_ALLOW_LOOPBACK_HTTP = env_bool("SVU_WEBHOOK_ALLOW_LOOPBACK_HTTP", DEBUG)

# The key of the access log's hash chain (discharges/access_chain.py). Set it in production and
# keep it with the backups' secrets: without it the key is derived from SECRET_KEY, and a new
# SECRET_KEY would make every stored row look altered.
SVU_ACCESS_LOG_KEY = env_str("SVU_ACCESS_LOG_KEY", "")

# The follow-up pages show a figure built on fewer episodes than this as "<5" (with this
# number), except to the kommun's own staff and the region's processledare.
SVU_SMALL_NUMBER_THRESHOLD = max(1, env_int("SVU_SMALL_NUMBER_THRESHOLD", 5))  # 1: none hidden

# How long the follow-up overview's figures are cached (analysis/overview_cache.py; they are
# keyed on a generation every write of their tables moves on). 0: not cached.
SVU_FOLLOW_UP_CACHE_SECONDS = max(0, env_int("SVU_FOLLOW_UP_CACHE_SECONDS", 24 * 3600))

# How far back a user may date a message (its time of occurrence) from a page or the API.
# Integration accounts (the historical import) are not limited: they move older history in.
SVU_MAX_BACKDATE = timedelta(days=env_int("SVU_MAX_BACKDATE_DAYS", 7))
# Clock skew tolerated for a message dated slightly in the future.
SVU_FUTURE_TOLERANCE = timedelta(minutes=5)
# The latest plausible planning date (ready date, SIP meeting, homecoming) after an admission.
SVU_MAX_STAY = timedelta(days=env_int("SVU_MAX_STAY_DAYS", 730))

# E-mail. The notices of new analyses of delayed discharge go by e-mail only when a mail
# server is configured (EMAIL_HOST, or another EMAIL_BACKEND); the start page shows them anyway.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "svu@localhost")
SVU_ANALYSIS_EMAIL = bool(env_str("EMAIL_HOST", "") or env_str("EMAIL_BACKEND", ""))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_personnummer": {"()": "discharges.logging.RedactPersonnummerFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_personnummer"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's request logger would otherwise copy query strings and POST data.
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # django-axes writes every login at INFO; failures and lockouts are WARNING.
        "axes": {"level": "WARNING"},
    },
}
