"""Heelwise settings: everything comes from the environment, with safe local defaults.

Production sets ``DJANGO_DEBUG=false`` (the default), ``SECRET_KEY``, ``ALLOWED_HOSTS``,
``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL`` (shared cache and rate limits across app servers).
See README.md, "Configuration".
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from heelwise.common.env import ConfigError, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("HEELWISE_VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DJANGO_DEBUG", default=False)
# No built-in fallback: a missing key fails loudly. `make run` generates var/secret_key, which
# local commands (heelwise manage, heelwise runs import) pick up too.
SECRET_KEY: str = env_str("SECRET_KEY") or ""
if not SECRET_KEY and (VAR_DIR / "secret_key").is_file():
    SECRET_KEY = (VAR_DIR / "secret_key").read_text(encoding="utf-8").strip()
if not SECRET_KEY:
    raise ConfigError(
        "SECRET_KEY (or SECRET_KEY_FILE) must be set; `make run` creates var/secret_key."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = (env_str("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    # django-ninja's own swagger-ui files (static/ninja/, templates/ninja/) for /api/v1/docs,
    # served from our origin: the CSP allows no CDN and no inline script.
    "ninja",
    "heelwise.common",
    "heelwise.accounts",
    "heelwise.clinics",
    "heelwise.website",
    "heelwise.booking",
    "heelwise.runlog",
    "heelwise.assessment",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Turns django-ratelimit's Ratelimited (block=True) into RATELIMIT_VIEW: a 429, not a 403.
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Refuse oversized bodies (413) before CsrfViewMiddleware.process_view reads them: every
    # middleware's request phase runs before any process_view. The import has its own limit.
    "heelwise.common.request_limits.RequestSizeLimitMiddleware",
    "heelwise.runlog.upload_limits.ImportSizeLimitMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "heelwise.common.context_processors.site_context",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite file under var/ by default (make run); DATABASE_URL=postgres://... in production and CI.
_default_sqlite = f"sqlite:///{VAR_DIR / 'heelwise.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or _default_sqlite,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the web server and the task worker share the file safely;
    # IMMEDIATE transactions serialise writers (the booking re-check relies on it).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/accounts/"
LOGOUT_REDIRECT_URL = "/"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Cache and rate limits -------------------------------------------------------------------
# Rate limits must be shared by every app server: Redis when REDIS_URL is set, else the database.
_redis_url = env_str("REDIS_URL")
if _redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "heelwise_cache",
        }
    }
RATELIMIT_USE_CACHE = "default"
RATELIMIT_VIEW = "heelwise.common.views.rate_limited"
# Behind a load balancer the client's address is taken from X-Forwarded-For, counting only the
# entries our own proxies appended (heelwise/common/client_ip.py); a client cannot spoof it.
HEELWISE_TRUSTED_PROXIES = env_int(
    "HEELWISE_TRUSTED_PROXIES", 1 if env_bool("HEELWISE_BEHIND_PROXY", default=False) else 0
)
RATELIMIT_IP_META_KEY = "heelwise.common.client_ip.client_ip"
if env_str("RATELIMIT_IP_META_KEY"):
    raise ConfigError(
        "RATELIMIT_IP_META_KEY is no longer read: a raw header can be spoofed by clients. "
        "Set HEELWISE_TRUSTED_PROXIES to the number of proxies in front of Heelwise instead."
    )
ENQUIRY_RATE = env_str("HEELWISE_ENQUIRY_RATE") or "5/10m"
HEELWISE_MAX_REQUEST_BYTES = env_int("HEELWISE_MAX_REQUEST_BYTES", 5 * 1024 * 1024)
BOOKING_RATE = env_str("HEELWISE_BOOKING_RATE") or "20/h"

# --- Background tasks (Django Tasks API via the django-tasks backport) ----------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Email ------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or "django.core.mail.backends.console.EmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "mail"  # used by the file backend that `make run` selects
EMAIL_HOST = env_str("EMAIL_HOST") or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = (
    env_str("DEFAULT_FROM_EMAIL") or "ProHealth Clinic <bookings@prohealthclinic.co.uk>"
)
CLINIC_STAFF_EMAILS = env_list("CLINIC_STAFF_EMAILS", ["info@prohealthclinic.co.uk"])

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files --------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# No app keeps files in default storage or under MEDIA_ROOT: the app servers share no disk, so
# an uploaded watch file is held in the database until a task worker imports it (runlog).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Security ----------------------------------------------------------------------------------
SECURE_HTTPS = env_bool("HEELWISE_HTTPS", default=False)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = SECURE_HTTPS and env_bool("HEELWISE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if SECURE_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("HEELWISE_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# A strict Content-Security-Policy: no inline scripts or styles anywhere in Heelwise.
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

# --- Logging: nothing personal in logs --------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "heelwise.common.logging.RedactPersonalData"}},
    "formatters": {
        "plain": {
            "class": "heelwise.common.logging.RedactingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL") or "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

NINJA_PAGINATION_PER_PAGE = 50
