"""unionhub settings: one file, read from the environment.

Every value has a development default so that `make run` works on a fresh machine; production
(``DEBUG=0``) refuses to start without ``SECRET_KEY`` and ``FIELD_ENCRYPTION_KEY``. The variables
are listed in README.md ("Configuration").
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

# Development-only fallbacks. They are refused when DEBUG is off.
_DEV_SECRET_KEY = "django-insecure-unionhub-development-only-never-use-in-production"
_DEV_FIELD_ENCRYPTION_KEY = "dW5pb25odWItZGV2ZWxvcG1lbnQta2V5LW5vdC1zZWM="

SECRET_KEY = env.str("SECRET_KEY", default="")
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")
if not DEBUG:
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    if not FIELD_ENCRYPTION_KEY:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY must be set when DEBUG is off "
            "(generate one with `python manage.py generate_field_key`)."
        )
SECRET_KEY = SECRET_KEY or _DEV_SECRET_KEY
FIELD_ENCRYPTION_KEY = FIELD_ENCRYPTION_KEY or _DEV_FIELD_ENCRYPTION_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "unionhub.core.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "treebeard",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "unionhub.core",
    "unionhub.accounts",
    "unionhub.orgs",
    "unionhub.enterprises",
    "unionhub.workers",
    "unionhub.notifications",
    "unionhub.cases",
    "unionhub.funds",
    "unionhub.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "unionhub.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "unionhub.core.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "unionhub.core.middleware.VaryOnHtmxMiddleware",
    "unionhub.core.middleware.RequestContextMiddleware",
    # Axes turns a locked-out authentication attempt into our lockout page; it must come last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "unionhub.urls"
# Project templates may override the form templates (templates/django/forms/).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "unionhub.wsgi.application"

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
                "django.template.context_processors.i18n",
                "unionhub.core.context_processors.shell",
            ],
        },
    },
]

# Database: an SQLite file beside the project by default (WAL mode), PostgreSQL in production.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "unionhub.accounts.backends.UsernameOrMobileBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "unionhub.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login lockout (django-axes): too many failures for one account, or from one address, lock it.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
# An account locks after AXES_FAILURE_LIMIT failures, an address (many phones share one) after
# LOGIN_ADDRESS_FAILURE_LIMIT: see unionhub.accounts.lockout. The order of the two matters.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "unionhub.accounts.lockout.AccountOrBusyAddressHandler"
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=50)
# A success clears that account's own failures, not its address's (unionhub.accounts.lockout).
AXES_RESET_ON_SUCCESS = True
# A try while locked is refused without being counted: the lock ends when the message says it will,
# not fifteen minutes after a worker last checked whether it had.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "unionhub.accounts.views.lockout_response"
AXES_VERBOSE = False  # its log lines would carry the submitted mobile number
# Behind N reverse proxies the client address is the Nth entry from the right of X-Forwarded-For.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "unionhub.core.request_context.client_ip"

# Language and time: Chinese first, English on request; stored in UTC, shown in Shanghai time.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Uploaded files are served only through views that check access, never by a public URL.
MEDIA_URL = "/media-not-served/"
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

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["unionhub.core.permissions.IsStaffMember"],
    "DEFAULT_PAGINATION_CLASS": "unionhub.core.api.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "unionhub.core.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "unionhub API",
    "DESCRIPTION": (
        "工会服务枢纽 REST API. Lists paginate with `page` (from 1) and `page_size` (1 to 200, "
        "25 by default); a value out of range, or a filter value a list does not know, is "
        "refused with 400 naming the parameter."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "unionhub.core.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "unionhub.cases.models.Case.Status",
        "FollowUpStatusEnum": "unionhub.cases.models.FollowUp.Status",
        "CaseChannelEnum": "unionhub.cases.models.Case.Channel",
        "DonationChannelEnum": "unionhub.funds.models.Donation.Channel",
        "DisbursementStatusEnum": "unionhub.funds.models.Disbursement.Status",
        "DisbursementMethodEnum": "unionhub.funds.models.Disbursement.Method",
    },
}

# Background jobs through the Django tasks API (django-tasks backport), database backend.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# SMS: a class with send(mobile, message); see docs/notifications.md.
SMS_BACKEND = env.str("SMS_BACKEND", default="unionhub.notifications.sms.ConsoleSmsBackend")
SMS_SIGNATURE = env.str("SMS_SIGNATURE", default="工会服务")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="unionhub <noreply@localhost>")

# Content Security Policy: nothing from another host; scripts only from us (or with the nonce).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        # Inline style attributes are allowed (progress bars, Swagger UI); style files are ours.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Project settings.
UNIONHUB = {
    # A staff user who reveals a full ID number or full names must give a reason at least this
    # long; so must one who asks for money, rejects, cancels or reverses it, refuses to ratify an
    # advance or takes a disclosure list down.
    "REVEAL_REASON_MIN_LENGTH": 4,
    # A resolved or closed request may be reopened for this many days after its resolution.
    "REOPEN_DAYS": 30,
    # The check-back call after a case closes is scheduled this many days later.
    "CHECK_BACK_DAYS": 21,
    # A deadline turns "due soon" when this share of its window is left.
    "DUE_SOON_SHARE": 0.25,
    # After a breach, the parent organisation is told when this share of the window has passed again
    # (at least one hour later).
    "ESCALATE_PARENT_SHARE": 0.5,
    # Attachments: size and count limits.
    "ATTACHMENT_MAX_BYTES": 10 * 1024 * 1024,
    "ATTACHMENTS_PER_SUBMISSION": 5,
}
SITE_TITLE = _("unionhub")
