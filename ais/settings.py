"""Settings for AIS#Emploi, read from environment variables (django-environ).

Defaults are safe for production (DEBUG off); ``scripts/run`` and the tests set
what development needs. Every variable read here is listed in docs/operations.md
and passed by docker-compose.yml.
"""

import re
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="insecure-development-key-change-me" if DEBUG else "")
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "ais.core.views.csrf_failure"
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "ais.core",
    "ais.accounts",
    "ais.territories",
    "ais.outbox",
    "ais.health",
    "projects",
    "essaimage",
    "evaluation",
    "events",
    "archive",
    "reporting",
    "portal",
    "devtools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ais.core.middleware.FrenchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ais.accounts.middleware.StaffSessionTimeoutMiddleware",
    "ais.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "ais.core.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, so that its error pages have what base.html needs (CSP nonce, user, messages);
    # it still runs before every view and every process_view (CSRF, login required).
    "ais.core.middleware.ControlCharactersMiddleware",
]

ROOT_URLCONF = "ais.urls"
WSGI_APPLICATION = "ais.wsgi.application"

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
                "csp.context_processors.nonce",
                "portal.navigation.navigation",
            ],
            # Dates written the language's way (« 1er janvier 2026 », « 10 h 45 »): ais/core/dates.py.
            "builtins": ["ais.core.templatetags.dates"],
        },
    },
]

# Widgets are rendered by Django's own template renderer (its widget templates, then the apps':
# the admin's), which reads templates/django/forms/ first (one faster select.html); forms in our
# templates by crispy-forms' Bootstrap 5 pack (CRISPY_* below).
FORM_RENDERER = "ais.core.form_renderer.FormRenderer"

# Database and cache -------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:54329/ais")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if env.str("TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:63799/0")
# The cache (computed indicators, see reporting.indicators.cached) lives in its own Redis
# database, next to Celery's: clearing it never touches the task queue.
CACHE_URL = env.str("CACHE_URL", default=re.sub(r"/\d*$", "", REDIS_URL) + "/1")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": "ais",
        "TIMEOUT": 600,
    }
}

# Auth ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "portal:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "ais.accounts.validators.FrenchCommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day
# Password-reset e-mails per account and rolling hour (counted in the outbox, not in Redis).
PASSWORD_RESET_MAX_PER_HOUR = env.int("PASSWORD_RESET_MAX_PER_HOUR", default=2)

# Lockout (ais/accounts/lockout.py): an account is locked *from one address* after
# AXES_FAILURE_LIMIT failures from that address (so that a stranger cannot lock its owner
# out from elsewhere); an address after AXES_IP_FAILURE_LIMIT failures whatever the
# accounts tried. Both for AXES_COOLOFF_TIME after the last failure. When an account gets
# locked its owner is e-mailed a link that unlocks it (valid ACCOUNT_UNLOCK_MAX_AGE seconds).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # the pair (account, address)
ACCOUNT_UNLOCK_MAX_AGE = env.int("ACCOUNT_UNLOCK_MAX_AGE", default=60 * 60)
AXES_HANDLER = "ais.accounts.lockout.AccountAndAddressLockoutHandler"
AXES_USERNAME_CALLABLE = "ais.accounts.lockout.normalised_username"
AXES_CLIENT_IP_CALLABLE = "ais.accounts.lockout.client_ip_address"
# Reverse proxies in front of gunicorn that append the client's address to X-Forwarded-For
# (0: the address is REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_LOCKOUT_CALLABLE = "ais.accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

# Staff sessions (managers, committee members, administrators; ais/accounts/middleware.py):
# logged out after this many seconds without a request, and this many after logging in.
STAFF_SESSION_IDLE_TIMEOUT = env.int("STAFF_SESSION_IDLE_TIMEOUT", default=30 * 60)
STAFF_SESSION_ABSOLUTE_TIMEOUT = env.int("STAFF_SESSION_ABSOLUTE_TIMEOUT", default=10 * 60 * 60)
# Two-factor authentication (TOTP, django-otp) required of staff; on in production (compose).
REQUIRE_2FA_FOR_STAFF = env.bool("REQUIRE_2FA_FOR_STAFF", default=False)
OTP_TOTP_ISSUER = "AIS#Emploi"
TWO_FACTOR_RECOVERY_CODES = 10
# Setting up a first authenticator after a password-only login needs a code e-mailed to
# the account: 6 digits, valid this many seconds, this many tries, this many e-mails an hour.
TWO_FACTOR_EMAIL_CODE_MAX_AGE = 10 * 60
TWO_FACTOR_EMAIL_CODE_ATTEMPTS = 5
TWO_FACTOR_EMAIL_CODES_PER_HOUR = 5

# Personal data: accounts without a login for GDPR_INACTIVE_DAYS are warned, then
# anonymised GDPR_WARNING_DAYS after the warning if nobody logged in meanwhile.
GDPR_INACTIVE_DAYS = env.int("GDPR_INACTIVE_DAYS", default=3 * 365)
GDPR_WARNING_DAYS = env.int("GDPR_WARNING_DAYS", default=30)

# Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "fr"
# Each language named in itself (autonyms): never translated.
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Paris")
USE_I18N = True
USE_TZ = True

# Static and media ---------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# E-mail: every message is a row of the outbox, sent by a Celery task -------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
if env.str("EMAIL_FILE_PATH", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="AIS#Emploi <ne-pas-repondre@ais-emploi.fr>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=5)

# Celery -------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# max_retries=0: a request queueing an e-mail while Redis is down fails fast (the row waits
# in the outbox for the periodic flush) instead of blocking the page for seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "max_retries": 0}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)

# Security -----------------------------------------------------------------
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = 60 * 60 * 12

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Forms --------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Logging ------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # The tokens of e-mailed links never reach the log (ais/core/access_log.py).
    "filters": {"mask_tokens": {"()": "ais.core.access_log.TokenMaskingFilter"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"filters": ["mask_tokens"]},
        "django.db.backends": {"level": "INFO"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Evaluation ---------------------------------------------------------------
# Months after a structure's start of spreading when each questionnaire opens, the days
# it stays open before its due date, and how long an e-mailed link keeps working after it.
EVALUATION_PHASE_MONTHS = {"appropriation": 3, "implementation": 9, "impact": 18}
EVALUATION_ANSWER_DAYS = env.int("EVALUATION_ANSWER_DAYS", default=30)
EVALUATION_LINK_GRACE_DAYS = env.int("EVALUATION_LINK_GRACE_DAYS", default=30)
EVALUATION_REMINDER_EVERY_DAYS = 7
EVALUATION_LATE_REMINDERS = 3

CELERY_BEAT_SCHEDULE = {
    "outbox-flush": {"task": "outbox.flush", "schedule": 60.0},
    "health-beat": {"task": "health.beat_heartbeat", "schedule": 60.0},
    "dossier-reminders": {"task": "projects.remind_unsubmitted_drafts", "schedule": 3600.0},
    "review-reminders": {"task": "projects.remind_pending_reviews", "schedule": 3600.0},
    "evaluation-reminders": {"task": "evaluation.send_reminders", "schedule": 3600.0},
    "reporting-stale-reports": {"task": "reporting.retry_stale_reports", "schedule": 300.0},
    "inactive-accounts": {"task": "accounts.sweep_inactive_accounts", "schedule": 86400.0},
}
