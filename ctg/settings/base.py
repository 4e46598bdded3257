"""Production-safe settings: every secret and host comes from the environment.

`dev.py` and `test.py` import this module and override a handful of values.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

SECRET_KEY = env("SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "axes",
    "csp",
    "django_filters",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "import_export",
    "simple_history",
    "template_partials.apps.SimpleAppConfig",
    "ctg",
    "partners",
    "actions",
    "evaluation",
    "reports",
    "governance",
]

MIDDLEWARE = [
    # First, so that every log line written while a request is served carries its method, path and user.
    "ctg.logging.RequestContextMiddleware",
    # Then a host not in ALLOWED_HOSTS gets the French 400 page, before any other middleware reads the host.
    "ctg.middleware.AllowedHostMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML compressed (static files are compressed by WhiteNoise); CSRF tokens are masked per response (BREACH).
    "django.middleware.gzip.GZipMiddleware",
    "csp.middleware.CSPMiddleware",
    "ctg.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Django's LoginRequiredMiddleware, plus: explains an expired session and keeps what it was sending
    # (after MessageMiddleware, which then stores the messages it adds to a response).
    "ctg.session_replay.SessionReplayMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # French 405 page in every mode; French 400/404/500 pages with DEBUG on too (the demo).
    "ctg.middleware.ErrorPagesMiddleware",
    "ctg.middleware.HtmxLoginRedirectMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a lock-out noted during the login into the French lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ctg.urls"
WSGI_APPLICATION = "ctg.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ctg.context_processors.site",
                "evaluation.context_processors.navigation",
                "reports.context_processors.navigation",
            ],
            "builtins": ["template_partials.templatetags.partials"],
            "loaders": [
                (
                    "template_partials.loader.Loader",
                    [
                        (
                            "django.template.loaders.cached.Loader",
                            [
                                "django.template.loaders.filesystem.Loader",
                                "django.template.loaders.app_directories.Loader",
                            ],
                        )
                    ],
                )
            ],
        },
    },
]

# PostgreSQL's JIT compiler costs seconds on the indicator status (one large expression over the plan) and saves
# nothing on queries of this size: measured at ×100, 4.3 s with it, 0.23 s without (README, `make bench`).
POSTGRESQL_OPTIONS = {"options": "-c jit=off"}
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# Persistent connections: a gunicorn worker keeps its database connection for CONN_MAX_AGE seconds (0: one per
# request) instead of opening one for every request; the health check replaces one the server has closed.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the task worker share the embedded database: wait for each other's writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
else:
    DATABASES["default"]["OPTIONS"] = POSTGRESQL_OPTIONS | DATABASES["default"].get("OPTIONS", {})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "ctg.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses any password, even the right one, to a locked-out account.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "fr-fr"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded logos and the bilans' PDF: private files, served only through views that check permissions.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Signed agreements: the largest document accepted, and how far ahead the agreements to renew are listed.
AGREEMENT_DOCUMENT_MAX_BYTES = env.int("AGREEMENT_DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
AGREEMENT_RENEWAL_HORIZON_DAYS = env.int("AGREEMENT_RENEWAL_HORIZON_DAYS", default=120)

# Background jobs (the bilan's PDF): a database queue run by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)  # STARTTLS, usually on port 587
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)  # implicit TLS, usually on port 465
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="pilote-ctg@localhost")
# Where the site is served, for the links in e-mails sent outside a request (campaign reminders).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# HTTPS everywhere in production.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
# Asking browsers to preload HSTS binds the whole domain for months: whoever runs the domain decides, here
# in the environment. `check --deploy` warns when either is off; that warning is silenced below, the
# choice being written in the environment.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [
    check
    for check, enabled in [("security.W005", SECURE_HSTS_INCLUDE_SUBDOMAINS), ("security.W021", SECURE_HSTS_PRELOAD)]
    if not enabled
]
# Off only to run the production settings over plain HTTP on the loopback (`make load`).
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SESSION_COOKIE_AGE = 60 * 60 * 10
X_FRAME_OPTIONS = "DENY"
# A refused form token gets a French page (Django's says "CSRF verification failed" in English).
CSRF_FAILURE_VIEW = "ctg.views.errors.csrf_failure"

# Content-Security-Policy (django-csp): our own files only, no inline script or style, no eval; the
# templates are written for it (tests/test_security.py checks them). The admin works under it as well.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Powerful browser features the application never uses (ctg.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed logins for one username, that account
# is locked for AXES_COOLOFF_MINUTES, whatever the address the attempts come from (a botnet has many), and
# whatever the password, even the right one. Counting per username rather than per address spares the
# agents of a town hall who share one public address; the price, someone locking a known account for the
# cool-off, is bounded by it (and `manage.py axes_reset_username` lifts it). A successful login resets.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for the address among the parameters, against attackers rotating user agents or cookies:
# neither changes the username, which alone is counted here, on purpose (see above).
SILENCED_SYSTEM_CHECKS.append("axes.W006")
AXES_RESET_ON_SUCCESS = True
# The lock-out lasts the announced time from the last counted failure: trying again does not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "ctg.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "ctg.security.client_ip"
# Number of reverse proxies in front of the application (nginx: 1). Only then is X-Forwarded-For read.
REVERSE_PROXY_COUNT = env.int("REVERSE_PROXY_COUNT", default=0)

# Shown on every page when the database holds the fictional demo CTG.
CTG_DEMO_BANNER = env.bool("CTG_DEMO_BANNER", default=False)

# One JSON line per event on stderr (one per write in our apps' loggers), with the request's method, path
# and user: see ctg/logging.py. The process manager (systemd, gunicorn) collects stderr.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "ctg.logging.RequestContextFilter"}},
    "formatters": {"json": {"()": "ctg.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_context"]},
    },
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING"},
        "ctg": {"handlers": ["console"], "level": "INFO"},
        "actions": {"handlers": ["console"], "level": "INFO"},
        "partners": {"handlers": ["console"], "level": "INFO"},
        "evaluation": {"handlers": ["console"], "level": "INFO"},
        "reports": {"handlers": ["console"], "level": "INFO"},
        "governance": {"handlers": ["console"], "level": "INFO"},
        "axes": {"handlers": ["console"], "level": "INFO"},  # failed logins and lock-outs
    },
}
FORM_RENDERER = "ctg.forms.FormRenderer"
