"""PostOps settings: one module, every value read from the environment.

Each variable is documented in docs/configuration.md. Development defaults apply only with
``POSTOPS_DEBUG=1``; with DEBUG off a missing secret or host stops the process at start-up
(fail fast, as Saleor and Open Zaak do).
"""

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


DEBUG = env_bool("POSTOPS_DEBUG")

SECRET_KEY = os.environ.get("POSTOPS_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("POSTOPS_SECRET_KEY must be set when POSTOPS_DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdefghijklmnop"
elif not DEBUG and len(SECRET_KEY) < 50:
    # Django's deploy check (security.W009) wants 50+ characters; a short key in production
    # is a configuration error, not a warning to scroll past.
    raise ImproperlyConfigured("POSTOPS_SECRET_KEY must be at least 50 characters long.")

ALLOWED_HOSTS = env_list("POSTOPS_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("POSTOPS_ALLOWED_HOSTS must be set when POSTOPS_DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("POSTOPS_CSRF_TRUSTED_ORIGINS")

# models.W040: SQLite ignores the INCLUDE columns of the covering worklist indexes (dossiers
# migration 0008); they are for PostgreSQL, and SQLite still uses the index keys.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks_db",
    "ninja",
    "postops.core",
    "postops.accounts",
    "postops.network",
    "postops.public",
    "postops.demo",
    "postops.payouts",
    "postops.items",
    "postops.dossiers",
    "postops.cod",
    "postops.delivery",
    "postops.notify",
    "postops.complaints",
    "postops.reports",
    "postops.pickups",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "postops.core.middleware.RequestIdMiddleware",
    "postops.core.api_middleware.ApiResponseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "postops.core.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "postops.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
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
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "postops.accounts.context_processors.roles",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite is the embedded default (demo, laptop); PostgreSQL via psycopg 3 in production and CI.
if not os.environ.get("DATABASE_URL"):
    # A fresh clone has no var/ yet; SQLite cannot create the file's directory itself.
    (BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'postops.sqlite3'}",
        conn_max_age=env_int("POSTOPS_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the web process and the task worker share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's PostgreSQL backend with the health check once per interval, not per request.
    DATABASES["default"]["ENGINE"] = "postops.core.db_backends.postgresql"
    # Lets psycopg prepare statements at all (Django turns it off). Django's own cursors
    # bind on the client and never prepare; only the public tracking lookup asks for it
    # (postops.items.selectors._track_rows).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 5)
POSTOPS_DB_HEALTH_CHECK_SECONDS = env_int("POSTOPS_DB_HEALTH_CHECK_SECONDS", 10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login lockout: this many failures for one username (or one IP) lock it for the cool-off.
POSTOPS_LOGIN_MAX_FAILURES = env_int("POSTOPS_LOGIN_MAX_FAILURES", 5)
POSTOPS_LOGIN_LOCKOUT_MINUTES = env_int("POSTOPS_LOGIN_LOCKOUT_MINUTES", 15)
OTP_TOTP_ISSUER = "PostOps"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("POSTOPS_SESSION_SECONDS", 8 * 3600)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("POSTOPS_SSL_REDIRECT", not DEBUG)
# Probes (systemd, load balancer) talk plain HTTP to gunicorn on loopback: no redirect for them.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("POSTOPS_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
LANGUAGE_COOKIE_SECURE = not DEBUG
X_FRAME_OPTIONS = "DENY"

# Content Security Policy, enforced: everything from this server, no inline script.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# --- I18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Static ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("POSTOPS_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("POSTOPS_MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "/media/"
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
# In development files come from the finders; autorefresh also skips scanning STATIC_ROOT,
# which does not exist before collectstatic.
WHITENOISE_AUTOREFRESH = DEBUG

# --- Tasks ----------------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("POSTOPS_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- E-mail ---------------------------------------------------------------------------------
# Django 6.1 mailers (the EMAIL_* settings are deprecated). Production relays through an SMTP
# server, by default the local MTA; development prints mail to the console.
_EMAIL_BACKEND = os.environ.get(
    "POSTOPS_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        "OPTIONS": (
            {
                "host": os.environ.get("POSTOPS_EMAIL_HOST", "localhost"),
                "port": env_int("POSTOPS_EMAIL_PORT", 25),
            }
            if _EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("POSTOPS_DEFAULT_FROM_EMAIL", "postops@localhost")

# --- PostOps --------------------------------------------------------------------------------
POSTOPS_DEMO_PASSWORD = os.environ.get("POSTOPS_DEMO_PASSWORD", "demo-postops")
# Public tracking rate limit (requests per minute per client IP, page and API together),
# counted in the database (postops.core.ratelimit); 0 turns the application's limit off.
POSTOPS_PUBLIC_RATE_PER_MINUTE = env_int("POSTOPS_PUBLIC_RATE_PER_MINUTE", 60)
# New complaints an hour one client address may file on the public form /khieu-nai/.
POSTOPS_COMPLAINT_RATE_PER_HOUR = env_int("POSTOPS_COMPLAINT_RATE_PER_HOUR", 10)
# Decree 47/2011 Art. 24-27: international compensation is in SDR; the rate (đồng per SDR)
# offered on the compensation form, which the officer corrects to the decision day's rate.
POSTOPS_SDR_RATE = env_int("POSTOPS_SDR_RATE", 35000)
# New home pickup requests an hour one client address may file on the public form.
POSTOPS_PICKUP_RATE_PER_HOUR = env_int("POSTOPS_PICKUP_RATE_PER_HOUR", 10)
# Staff/partner API rate limit (requests per minute per API key or per user).
POSTOPS_API_RATE_PER_MINUTE = env_int("POSTOPS_API_RATE_PER_MINUTE", 600)
# UPU S10: an item number must not be reused within 12 months (24 recommended).
POSTOPS_S10_REUSE_MONTHS = env_int("POSTOPS_S10_REUSE_MONTHS", 12)
# Status webhooks to business senders (postops/items/webhooks.py): seconds to wait for the
# receiver, attempts before a delivery is given up (retries back off from 1 min to 6 h).
POSTOPS_WEBHOOK_TIMEOUT_SECONDS = env_int("POSTOPS_WEBHOOK_TIMEOUT_SECONDS", 10)
POSTOPS_WEBHOOK_MAX_ATTEMPTS = env_int("POSTOPS_WEBHOOK_MAX_ATTEMPTS", 12)
# Notifications outbox (postops/notify): channels by name. E-mail uses the mailer above; SMS
# and Zalo ZNS post to an HTTP gateway and stay off until their URL (and token) is set. A
# phone or e-mail address goes through the first enabled channel of the preference list.
# Failed sends back off from 1 min to 6 h; after the last attempt a message is dead.
POSTOPS_NOTIFY_MAX_ATTEMPTS = env_int("POSTOPS_NOTIFY_MAX_ATTEMPTS", 8)
POSTOPS_NOTIFY_TIMEOUT_SECONDS = env_int("POSTOPS_NOTIFY_TIMEOUT_SECONDS", 10)
POSTOPS_NOTIFY_PREFERENCE = env_list("POSTOPS_NOTIFY_PREFERENCE", "zalo,sms,email")


def env_url(name: str) -> str:
    """An https:// URL from the environment (plain HTTP only in development)."""
    url = os.environ.get(name, "").strip()
    if url and not DEBUG and not url.startswith("https://"):
        # The gateway token travels in a header: never over plain HTTP in production.
        raise ImproperlyConfigured(f"{name} must be an https:// URL when POSTOPS_DEBUG is off.")
    return url


def _notify_zalo_templates() -> dict[str, str]:
    templates = {}
    for pair in env_list("POSTOPS_NOTIFY_ZALO_TEMPLATES"):
        key, sep, template_id = pair.partition("=")
        if not sep or not key.strip() or not template_id.strip():
            raise ImproperlyConfigured(
                "POSTOPS_NOTIFY_ZALO_TEMPLATES is a comma-separated list of key=template_id."
            )
        templates[key.strip()] = template_id.strip()
    return templates


POSTOPS_NOTIFY_CHANNELS = {
    "email": {
        "BACKEND": "postops.notify.channels.EmailChannel",
        "OPTIONS": {"enabled": env_bool("POSTOPS_NOTIFY_EMAIL", True)},
    },
    "sms": {
        "BACKEND": "postops.notify.channels.SmsGatewayChannel",
        "OPTIONS": {
            "url": env_url("POSTOPS_NOTIFY_SMS_URL"),
            "token": os.environ.get("POSTOPS_NOTIFY_SMS_TOKEN", ""),
            "timeout": POSTOPS_NOTIFY_TIMEOUT_SECONDS,
        },
    },
    "zalo": {
        "BACKEND": "postops.notify.channels.ZaloZnsChannel",
        "OPTIONS": {
            "url": env_url("POSTOPS_NOTIFY_ZALO_URL"),
            "token": os.environ.get("POSTOPS_NOTIFY_ZALO_TOKEN", ""),
            "templates": _notify_zalo_templates(),
            "timeout": POSTOPS_NOTIFY_TIMEOUT_SECONDS,
        },
    },
}
# Postal Law 49/2010: basic letters up to 500 g are returned to the sender free of charge.
# Services treated as basic letters (ordinary letters carry no S10 number in PostOps).
POSTOPS_FREE_RETURN_SERVICES = env_list("POSTOPS_FREE_RETURN_SERVICES", "registered")
# Dossiers (issue #4). One-stop rule: a paper dossier received after this local time moves to
# the agency at the start of the next working day, so its send leg counts from that day.
POSTOPS_DOSSIER_CUTOFF = os.environ.get("POSTOPS_DOSSIER_CUTOFF", "") or "15:00"
if not re.fullmatch(r"([01]?[0-9]|2[0-3]):[0-5][0-9]", POSTOPS_DOSSIER_CUTOFF):
    raise ImproperlyConfigured("POSTOPS_DOSSIER_CUTOFF must be a time HH:MM, e.g. 15:00.")
# Working days a result may wait at the agency, once ready, before the post collects it
# (the "waiting" worklist). The legal figure is UNKNOWN: configuration.
POSTOPS_DOSSIER_COLLECT_DAYS = env_int("POSTOPS_DOSSIER_COLLECT_DAYS", 2)
# Circular 17/2017/TT-BTTTT: electronic records are kept at least 5 years; older closed
# dossiers are anonymised by ``manage.py dossiers_anonymise`` (deploy/postops-retention.timer).
POSTOPS_DOSSIER_RETENTION_YEARS = env_int("POSTOPS_DOSSIER_RETENTION_YEARS", 5)
if POSTOPS_DOSSIER_RETENTION_YEARS < 5:
    raise ImproperlyConfigured("POSTOPS_DOSSIER_RETENTION_YEARS must be at least 5 (years).")

# Rate limits and lockouts count in the cache, so production needs one shared by every worker:
# the database table by default there (``manage.py createcachetable``), a per-process cache
# in development and tests. The deploy check warns about a per-process cache (postops.W001).
CACHES = {
    "default": {
        "BACKEND": os.environ.get(
            "POSTOPS_CACHE_BACKEND",
            "django.core.cache.backends.locmem.LocMemCache"
            if DEBUG
            else "django.core.cache.backends.db.DatabaseCache",
        ),
        "LOCATION": os.environ.get(
            "POSTOPS_CACHE_LOCATION", "postops" if DEBUG else "postops_cache"
        ),
    }
}

# --- Logging --------------------------------------------------------------------------------
# Personal data never goes to logs (Law 91/2025/QH15): request bodies are not logged, and every
# line passes the redaction filter, which drops query strings and masks 12-digit ID numbers and
# phone numbers (postops.core.logredact). Django's own "django" and "django.server" loggers are
# declared here so that their default handlers (console without the filter, mail_admins with
# request data) are removed; their records reach the root handler below.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "postops.core.middleware.RequestIdLogFilter"},
        "redact": {"()": "postops.core.logredact.RedactPersonalDataFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id", "redact"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("POSTOPS_LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
    },
}
