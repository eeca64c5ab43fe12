"""Settings shared by every environment. Everything configurable is read from the environment
through `env()`, with embedded defaults that run the app on SQLite with in-process tasks."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_HASHES, UNSAFE_INLINE

from config.inline_code import inline_code_hashes

BASE_DIR = Path(__file__).resolve().parents[2]


def env(name: str, default: str | None = None) -> str | None:
    """An environment variable; empty strings count as unset."""
    value = os.environ.get(name, "").strip()
    return value or default


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


SECRET_KEY = env("DJANGO_SECRET_KEY", "insecure-local-development-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = (env("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost") or "").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "csp",
    "projects",
    "perfgoals",
    "perfgoals.reports",
    "perfgoals.intake",
    "perfgoals.recheck",
    "perfgoals.evidence",
    "perfgoals.results",
    "perfgoals.rectify",
    "perfgoals.publication",
    "perfgoals.goaltables",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # the Content-Security-Policy header (CONTENT_SECURITY_POLICY below), on every answer
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # a 405 (a GET on a form's address) answers a Chinese page, not an empty one (config.errors)
    "config.errors.MethodNotAllowedPage",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # the audit log's actor and address (accounts.audit)
    "accounts.audit.AuditRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # last, as axes asks: turns a locked-out sign-in into the lockout page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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

WSGI_APPLICATION = "config.wsgi.application"

# --- Content-Security-Policy (django-csp) ------------------------------------------------------------
# Scripts, styles, images, fonts and fetches from this site only; no plugins, no framing, forms post
# here. Behaviour lives in static files (static/perfeval/site.js reads data attributes). Inline code
# left in templates other branches own is allowed by the hash of its exact text (config.inline_code):
#   perfgoals/project.html — the entry page's script (sticky headings, target editor, toast);
#   intake/rollover.html — onchange="this.form.submit()" on the year select (needs 'unsafe-hashes').
# Move those into static files and drop them from this list. Inline style attributes stay allowed
# (style-src-attr: column widths, progress bars); <style> elements are not.
INLINE_CODE_TEMPLATES = ["perfgoals/project.html", "intake/rollover.html"]
_inline_hashes, _inline_handlers = inline_code_hashes(
    INLINE_CODE_TEMPLATES, [BASE_DIR / "templates", BASE_DIR / "perfgoals" / "intake" / "templates"]
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, *([UNSAFE_HASHES] if _inline_handlers else []), *_inline_hashes],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# SQLite next to the code unless DATABASE_URL names another database (postgres://...).
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "0") or 0),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
#: the only language: LocaleMiddleware would otherwise follow the browser's Accept-Language and show
#: Django's own texts (the admin, form errors, dates) in English to an official whose browser asks for it
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Amounts are formatted explicitly (perfgoals.templatetags) the way the forms print them.
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").exists() else []
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
#: the seed documents (../shared/seeds beside the project): the tests compare the outputs with them and
#: skip that comparison where the folder is absent. Only tests read it.
PERFEVAL_SEEDS_DIR = Path(env("PERFEVAL_SEEDS_DIR", str(BASE_DIR.parent / "shared" / "seeds")))
MEDIA_URL = "media/"
# --- where files are kept (issue 18 "shared storage", issue 14 evidence) -------------------------------
# Every file the product writes or reads (import uploads, report parts and packages, evidence) goes
# through STORAGES["default"]: the local MEDIA_ROOT unless STORAGE_S3_BUCKET names a bucket of an
# S3-compatible object storage, which every web and worker host then shares (django-storages).
STORAGE_S3_BUCKET = env("STORAGE_S3_BUCKET")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if STORAGE_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": STORAGE_S3_BUCKET,
            # an S3-compatible service's address (MinIO, a cloud's object storage); unset: AWS itself
            "endpoint_url": env("STORAGE_S3_ENDPOINT_URL"),
            "region_name": env("STORAGE_S3_REGION"),
            # unset: boto3's own chain (environment, instance role …)
            "access_key": env("STORAGE_S3_ACCESS_KEY"),
            "secret_key": env("STORAGE_S3_SECRET_KEY"),
            # keys under this prefix, so that one bucket can hold several installations
            "location": env("STORAGE_S3_PREFIX", ""),
            "addressing_style": env("STORAGE_S3_ADDRESSING_STYLE"),
            # private objects: files are only ever reached through the application's checked views
            # (an evidence download redirects to a URL signed for a minute, see EVIDENCE_SIGNED_URLS)
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
#: the largest evidence file (佐证材料) accepted, in bytes (perfgoals.evidence.content)
EVIDENCE_MAX_BYTES = int(env("EVIDENCE_MAX_BYTES", str(20 * 1024 * 1024)) or 20 * 1024 * 1024)
#: on object storage, an evidence download redirects to a short-lived signed URL that downloads as an
#: attachment (perfgoals.evidence.serving) instead of passing the bytes through the web host; "0" streams
EVIDENCE_SIGNED_URLS = env_bool("EVIDENCE_SIGNED_URLS", True)
#: evidence files a project-year may hold (those removed not counted)
EVIDENCE_MAX_PER_PROJECT = int(env("EVIDENCE_MAX_PER_PROJECT", "50") or 50)
#: report packages larger than this many projects are built in parts of this size, one Celery task
#: each, spread over the workers (perfgoals.reports.packages.package_parts)
REPORT_PACKAGE_PART_SIZE = int(env("REPORT_PACKAGE_PART_SIZE", "50") or 50)
#: minutes without progress after which a queued or running package is taken for stuck (worker crash):
#: the reports page then offers to rebuild it (ReportPackage.is_stale)
REPORT_PACKAGE_STALE_MINUTES = max(1, int(env("REPORT_PACKAGE_STALE_MINUTES", "30") or 30))
#: days an uploaded import workbook is kept once its batch is finished or its preview abandoned
#: (perfgoals.intake.batches.clean_uploads: `manage.py clean_uploads`, daily under Celery beat)
IMPORT_UPLOAD_RETENTION_DAYS = max(1, int(env("IMPORT_UPLOAD_RETENTION_DAYS", "30") or 30))
# minutes without progress after which an import batch is taken for stuck (its worker died): its
# owner may then start it again or cancel it from the batch page (intake.batches.stale_batches)
INTAKE_STALE_MINUTES = max(1, int(env("INTAKE_STALE_MINUTES", "30") or 30))
# one indicator library shared by every region (names and typical targets of one region suggested to
# the users of all); by default each region has its own (perfgoals.intake.library)
INTAKE_LIBRARY_SHARED = env_bool("INTAKE_LIBRARY_SHARED")

# --- signing in -------------------------------------------------------------------------------------
# django-axes counts failed sign-ins and refuses them past the limits (accounts.throttle explains the
# rules); its backend goes first, so that a locked-out sign-in never reaches the password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
#: failures of one account from one address within LOGIN_LOCKOUT_MINUTES that lock it there
LOGIN_FAILURE_LIMIT = max(1, int(env("LOGIN_FAILURE_LIMIT", "5") or 5))
#: failures of any accounts from one address that lock the address (0: no such limit)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = max(0, int(env("LOGIN_FAILURE_LIMIT_PER_ADDRESS", "30") or 0))
#: minutes failures count, and a lockout lasts after the last failure
LOGIN_LOCKOUT_MINUTES = max(1, int(env("LOGIN_LOCKOUT_MINUTES", "15") or 15))
#: reverse proxies in front of the app that append the client's address to X-Forwarded-For; 0: use
#: the connection's address (REMOTE_ADDR). Production assumes one (see production.py).
TRUSTED_PROXY_COUNT = max(0, int(env("TRUSTED_PROXY_COUNT", "0") or 0))
AXES_HANDLER = "accounts.throttle.LoginThrottle"
AXES_FAILURE_LIMIT = "accounts.throttle.failure_limit"
AXES_COOLOFF_TIME = "accounts.throttle.cool_off"
# an account at an address, and an address alone (with its own limit: accounts.throttle.LoginThrottle)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_CLIENT_IP_CALLABLE = "accounts.throttle.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.throttle.lockout_response"
# every failure is kept (AccessFailureLog), not only the counts of the cool-off period
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# the records are shown by accounts.admin, in Chinese
AXES_ENABLE_ADMIN = False
AXES_COOLOFF_MESSAGE = "登录失败次数过多，已暂时锁定，请稍后再试。"
AXES_PERMALOCK_MESSAGE = "登录失败次数过多，已锁定，请联系系统管理员。"
#: `load_demo --with-demo-accounts` may create the demo accounts (public password); off in production
DEMO_ACCOUNTS_ALLOWED = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

# The cache (the overview's stored figures, perfgoals.oversight.snapshots): Redis when REDIS_URL is set,
# shared by every web host and worker; else in the process's memory (one host, the embedded defaults).
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("REDIS_URL"),
            "KEY_PREFIX": "perfeval",
        }
        if env("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "perfeval"}
    )
}

# Celery: Redis when REDIS_URL is set, otherwise every task runs in-process at .delay() time.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 55 * 60
# A task is acknowledged when it has finished, and a worker killed mid-task (OOM, host lost) gives it
# back to the queue instead of dropping it; every task is safe to run twice (see docs/architecture.md).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis redelivers an unacknowledged task after the visibility timeout: it must outlast the longest
# task (the hard time limit), or a long package part would run twice at the same time.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT * 2}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT * 2}
# Periodic tasks, run by one `celery -A config beat` process beside the workers (see the README).
CELERY_BEAT_SCHEDULE = {
    "intake-clean-uploads": {
        "task": "intake.clean_uploads",
        "schedule": crontab(hour=3, minute=30),  # daily, in CELERY_TIMEZONE
    },
    # imports and submissions update the library entries they touch; the nightly rebuild also
    # corrects names no project uses any more
    "intake-rebuild-library": {
        "task": "intake.rebuild_library",
        "schedule": crontab(hour=3, minute=45),
    },
    # chunks of a bulk rescoring left running by a dead worker (or whose message was lost) queued again
    "perfgoals-requeue-stale-rescores": {
        "task": "perfgoals.requeue_stale_rescores",
        "schedule": crontab(minute="*/5"),
    },
}
#: a chunk of a bulk rescoring running longer than this has lost its worker (perfgoals.rescore_runs)
RESCORE_STALE_SECONDS = int(env("RESCORE_STALE_SECONDS", str(15 * 60)))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}
