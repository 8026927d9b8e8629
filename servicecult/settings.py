"""Settings for servicecult, all read from the environment.

Every variable is listed with a safe local value in ``.env.example``. Debug is off
unless ``DJANGO_DEBUG`` turns it on, and then a secret key must be provided.

A ``.env`` file in the project folder, if there is one, fills in what the
environment leaves unset: a variable set in the environment always wins over the
file. ``make run`` writes one for local development (debug on, a generated secret
key), so ``manage.py`` commands work as written. ``DJANGO_ENV_FILE``, read from the
environment only, names another file, or none when empty: the tests set it empty
so that a ``.env`` in the checkout never changes what they see.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

# --- The environment ------------------------------------------------------------


class Env(environ.Env):
    """django-environ's reader, strict where it would guess.

    A value is taken as written: django-environ would read a leading ``$`` as the
    name of another variable, emptying a secret that starts with one. A boolean is
    one of true/false, yes/no, on/off, 1/0 (django-environ reads any other word as
    false); list items are stripped; an empty number means the default. A value
    that does not parse is refused in one line naming the variable.
    """

    TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
    FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})

    def get_value(
        self, var, cast=None, default=environ.Env.NOTSET, parse_default=False
    ):
        if var not in self.ENVIRON:
            return super().get_value(var, cast, default, parse_default)
        raw = self.ENVIRON[var]
        if cast is int and raw.strip() == "":
            return default
        try:
            return self.parse_value(raw, cast)
        except ValueError:
            expected = (
                "a boolean: use true or false" if cast is bool else "a whole number"
            )
            raise ImproperlyConfigured(f"{var}={raw!r} is not {expected}.") from None

    @classmethod
    def parse_value(cls, value, cast):
        if cast is bool:
            word = value.strip().lower()
            if word not in cls.TRUE_WORDS | cls.FALSE_WORDS:
                raise ValueError(value)
            return word in cls.TRUE_WORDS
        if cast is list:
            return [item.strip() for item in value.split(",") if item.strip()]
        return super().parse_value(value, cast)


env = Env()

# Read first, and only into variables the environment leaves unset.
ENV_FILE = os.environ.get("DJANGO_ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE:
    if Path(ENV_FILE).is_file():
        Env.read_env(ENV_FILE)
    elif "DJANGO_ENV_FILE" in os.environ:
        raise ImproperlyConfigured(
            f"DJANGO_ENV_FILE={ENV_FILE!r} is not a file: name an existing file, or "
            "set it empty to read none."
        )


# --- Core -----------------------------------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off: set it to a long "
            "random value (see .env.example)."
        )
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# The site's address as people reach it: every link in every email starts with it,
# never with the Host header of the request that caused the email.
SITE_URL = env.str(
    "DJANGO_SITE_URL", default="http://127.0.0.1:8000" if DEBUG else ""
).rstrip("/")
if not SITE_URL:
    raise ImproperlyConfigured(
        "DJANGO_SITE_URL is required when DJANGO_DEBUG is off: the address people "
        "open the site at, such as https://service.example.com (links in emails "
        "start with it)."
    )
site_address = urlsplit(SITE_URL)
if (
    site_address.scheme not in ("http", "https")
    or not site_address.netloc
    or (site_address.path or site_address.query)
):
    raise ImproperlyConfigured(
        f"DJANGO_SITE_URL={SITE_URL!r} is not a site address: give the scheme and "
        "host alone, such as https://service.example.com."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "django_tasks_db",
    "axes",
    "allauth",
    "allauth.account",
    "accounts",
    "assessments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before anything reads the body: it refuses one too large, and files sent
    # where no page takes them.
    "assessments.middleware.RequestBodyLimitMiddleware",
    # Every view needs a signed-in user unless marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Lets the audit trail record which signed-in user made each change.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "assessments.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes requires: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "servicecult.urls"
WSGI_APPLICATION = "servicecult.wsgi.application"

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

# --- Database ---------------------------------------------------------------------

DEFAULT_DATABASE_URL = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASE_URL = env.str("DATABASE_URL", default="").strip() or DEFAULT_DATABASE_URL
SUPPORTED_DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql")

scheme = DATABASE_URL.split("://", 1)[0].lower() if "://" in DATABASE_URL else ""
if scheme not in SUPPORTED_DATABASE_SCHEMES:
    raise ImproperlyConfigured(
        f"DATABASE_URL scheme {scheme or '(none)'!r} is not supported: use "
        "postgres://user:password@host:port/name or sqlite:///path/to/db.sqlite3."
    )

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env.int("DJANGO_CONN_MAX_AGE", default=60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Persistent connections buy nothing for a local file; WAL with immediate
    # transactions and a busy timeout lets concurrent submissions queue instead of
    # failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
        "timeout": 20,
    }
else:
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int(
        "DJANGO_DB_CONNECT_TIMEOUT", default=5
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------

# In the database, so throttling holds across several app servers with nothing
# more to run (`manage.py createcachetable` makes the table; `make run` does).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "servicecult_cache",
    }
}

# --- Request bodies ---------------------------------------------------------------

# A request body larger than this is refused with the 413 page before it is read
# (assessments.middleware.RequestBodyLimitMiddleware); the largest form, the
# survey, is three answers of at most 5,000 characters.
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
# The largest file signed-in staff may send where a page takes one (the admin's
# import of answers); files sent anywhere else are dropped unread.
UPLOAD_MAX_BYTES = env.int("DJANGO_UPLOAD_MAX_BYTES", default=25 * 2**20)
# A file larger than this is spooled to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int(
    "DJANGO_FILE_UPLOAD_MAX_MEMORY_SIZE", default=int(2.5 * 2**20)
)

# Database sessions that refuse keys Django never issues (assessments/sessions.py).
SESSION_ENGINE = "assessments.sessions"

# --- Authentication -------------------------------------------------------------

VALIDATORS_MODULE = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{VALIDATORS_MODULE}.UserAttributeSimilarityValidator"},
    {
        "NAME": f"{VALIDATORS_MODULE}.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": f"{VALIDATORS_MODULE}.CommonPasswordValidator"},
    {"NAME": f"{VALIDATORS_MODULE}.NumericPasswordValidator"},
]
# Managers log in with their email address (accounts.User), through django-allauth:
# an account is used only once its address is proved, and neither signing up,
# logging in nor a password reset tells whether an address has an account.
AUTH_USER_MODEL = "accounts.User"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "servicecult: "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = site_address.scheme
# django-axes (below) locks out repeated login failures; allauth's own count of
# them would answer the sixth attempt before django-axes sees it.
ACCOUNT_RATE_LIMITS = {"login_failed": None}
# Login brute force: after 5 failures for one email address from one client address,
# that pair waits 15 minutes. Locking on the pair (not the address alone, and not
# for ever) keeps an office behind one address, and the account's owner
# elsewhere, able to log in. Only failures are kept, never successful logins.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesBackend",  # refuses locked-out attempts, then defers
    "allauth.account.auth_backends.AuthenticationBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The app's login form names its field "login", the admin's "username"; the
# callable reads either and counts "Boss@x" and "boss@x" as the one account.
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "accounts.logins.submitted_email"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_LOCKOUT_TEMPLATE = "account/locked_out.html"
AXES_VERBOSE = False
# How many proxies (load balancers) stand in front of the app and append to
# X-Forwarded-For; 0 when clients connect directly. Throttling keys on the client.
TRUSTED_PROXIES = env.int("DJANGO_TRUSTED_PROXIES", default=0)
AXES_CLIENT_IP_CALLABLE = "assessments.clients.client_address"
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXIES

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "account_login"

# --- Internationalisation -------------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Security ---------------------------------------------------------------------

# Served over TLS (behind a proxy that sets X-Forwarded-Proto): redirect plain HTTP,
# send HSTS and keep cookies off plain connections.
HTTPS = env.bool("DJANGO_HTTPS", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = (
    env.int("DJANGO_HSTS_SECONDS", default=60 * 60 * 24 * 365) if HTTPS else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Everything comes from our own origin; no inline script or style anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
CSRF_FAILURE_VIEW = "assessments.views.errors.csrf_failure"

# --- Static files -----------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Bootstrap comes from the npm registry at the version pinned in package-lock.json
# and is served from our own origin, never a CDN.
BOOTSTRAP_DIST = BASE_DIR / "node_modules" / "bootstrap" / "dist"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap/css", BOOTSTRAP_DIST / "css"),
    ("vendor/bootstrap/js", BOOTSTRAP_DIST / "js"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Email ------------------------------------------------------------------------

EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
}
email_backend = (
    env.str("DJANGO_EMAIL_BACKEND", default="console" if DEBUG else "smtp")
    .strip()
    .lower()
)
if email_backend not in EMAIL_BACKENDS:
    raise ImproperlyConfigured(
        f"DJANGO_EMAIL_BACKEND={email_backend!r} is not supported: use console or smtp."
    )
MAILERS = {"default": {"BACKEND": EMAIL_BACKENDS[email_backend]}}
# Seconds the SMTP server has to answer each step of a conversation. The worker's
# claim on a message it is sending lasts a few of these (services/mail.py). Not
# EMAIL_TIMEOUT: Django refuses its old EMAIL_* settings beside MAILERS.
MAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=30)
if email_backend == "smtp":
    MAILERS["default"]["OPTIONS"] = {
        "host": env.str("DJANGO_EMAIL_HOST", default="localhost"),
        "port": env.int("DJANGO_EMAIL_PORT", default=587),
        "username": env.str("DJANGO_EMAIL_HOST_USER", default=""),
        "password": env.str("DJANGO_EMAIL_HOST_PASSWORD", default=""),
        "use_tls": env.bool("DJANGO_EMAIL_USE_TLS", default=True),
        # Without one, a server that stops answering holds the worker for ever.
        "timeout": MAIL_TIMEOUT,
    }
DEFAULT_FROM_EMAIL = env.str(
    "DJANGO_DEFAULT_FROM_EMAIL", default="servicecult <noreply@localhost>"
)

# --- Background work ----------------------------------------------------------------
# django.tasks with a database queue: the database is the queue for any number of
# workers (``manage.py db_worker``) on any number of machines. ``immediate`` runs
# each task inside whatever enqueues it, for tests that do not start a worker.
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
tasks_backend = env.str("DJANGO_TASKS_BACKEND", default="database").strip().lower()
if tasks_backend not in TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"DJANGO_TASKS_BACKEND={tasks_backend!r} is not supported: use database or "
        "immediate."
    )
TASKS = {"default": {"BACKEND": TASK_BACKENDS[tasks_backend]}}

# --- Audit trail -------------------------------------------------------------------

# History is a record, not an undo button: a revert would skip the services that keep
# revisions, judgements and engaged flags in step.
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Forms ------------------------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Logging ----------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env.str("DJANGO_LOG_LEVEL", default="INFO"),
    },
    # django-axes reports every login at INFO; failures and lockouts are warnings.
    "loggers": {"axes": {"level": "WARNING"}},
}
