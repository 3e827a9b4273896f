"""Settings shared by every environment.

Every external engine is optional: without DATABASE_URL, REDIS_URL or ELASTICSEARCH_URL the site runs on its
embedded defaults (SQLite, in-memory channel layer, database search backend, console e-mail).
"""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from config.env import env, envbool, envint, envlist

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "daphne",
    # Our apps first so their templates win over the libraries'.
    "core",
    "accounts",
    "consult",
    "projects",
    "livinglabs",
    "search",
    # DSFR before Wagtail admin is harmless: we keep Django's default FORM_RENDERER (see STACK-NOTES).
    "widget_tweaks",
    "dsfr",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Anonymous copies of consultation pages, before URL resolution (after the middleware above, whose
    # response phase every answer needs: CSP nonce, language, CSRF cookie, frame options).
    "core.pagecache.EarlyPageCacheMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
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
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "core.context_processors.site_config",
                "core.context_processors.platform",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the server, the task worker and tests share one SQLite file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )


def use_connection_pool(databases: dict, max_size: int) -> None:
    """A psycopg pool per process for PostgreSQL (Django ≥ 5.1; pooling requires CONN_MAX_AGE = 0); max_size 0: none.

    Under ASGI every request runs its synchronous part in its own thread: without a pool each request opens (and
    closes) its own connection — a PostgreSQL backend forked per request — and persistent connections
    (CONN_MAX_AGE) pile up, one per thread, until PostgreSQL refuses clients (measured by bench/load_mixed)."""
    if not max_size or "postgresql" not in databases["default"]["ENGINE"]:
        return
    databases["default"]["CONN_MAX_AGE"] = 0
    # CONN_HEALTH_CHECKS makes Django give the pool its connection check: a restarted PostgreSQL's dead
    # connections are replaced at checkout.
    databases["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": envint("DB_POOL_MIN_SIZE", 2),
        "max_size": max_size,
        "timeout": envint("DB_POOL_TIMEOUT", 10),
    }


# Requests a server process handles at a time (core/asgi.py); the others wait in its event loop, in order.
ASGI_MAX_REQUESTS_IN_PROGRESS = envint("ASGI_MAX_REQUESTS_IN_PROGRESS", 32)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Cache (rate limits, presence) ----------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        # Fails open: a Redis restart must not turn every page into an error (core/cache.py).
        "default": {
            "BACKEND": "core.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    # Files, not process memory: the processes of one machine (the server and the task worker of `make run`)
    # must see one another's writes, e.g. the page-cache versions an index update in the worker bumps.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env("CACHE_DIR", str(BASE_DIR / "var" / "cache")),
        }
    }

# Whole pages for anonymous readers of busy pages (core/pagecache.py): invalidated by version on every change
# readers can see; this is the upper bound for what no event announces. 0 turns the page cache off.
PAGE_CACHE_SECONDS = envint("PAGE_CACHE_SECONDS", 60)
# An anonymous reader who finds the page being rendered by another request waits this long for its copy.
PAGE_CACHE_WAIT_SECONDS = float(env("PAGE_CACHE_WAIT_SECONDS", "2"))
# While a page made stale by additions only (a new contribution, votes) re-renders, other anonymous readers get
# its previous copy if it is at most this old (live.js catches up over the socket). 0: never serve a stale copy.
PAGE_CACHE_STALE_SECONDS = float(env("PAGE_CACHE_STALE_SECONDS", "5"))


# --- Channels -------------------------------------------------------------------------------------------
def _other_redis_db(url: str, db: int) -> str:
    """Same Redis server, another database: the cache may be cleared without cutting live delivery."""
    from urllib.parse import urlparse, urlunparse

    parts = urlparse(url)
    return urlunparse(parts._replace(path=f"/{db}"))


CHANNEL_REDIS_URL = env("CHANNEL_REDIS_URL", _other_redis_db(REDIS_URL, 1) if REDIS_URL else "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py 8 caps a pool at 100 connections and raises past it (no waiting): a burst of socket
            # connections exceeds that, so give the layer's pools room. Its default 5 s read timeout also
            # equals channels_redis' 5 s BZPOPMIN wait: an idle receive then fails (and kills its consumer).
            "CONFIG": {
                "hosts": [
                    {
                        "address": CHANNEL_REDIS_URL,
                        "max_connections": envint("CHANNEL_LAYER_MAX_CONNECTIONS", 1000),
                        "socket_timeout": 30,
                    }
                ],
                "capacity": 1500,
                "expiry": 30,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Search ---------------------------------------------------------------------------------------------
ELASTICSEARCH_URL = env("ELASTICSEARCH_URL", "")
SEARCH_INDEX_PREFIX = env("SEARCH_INDEX_PREFIX", "agora")
SEARCH_TIMEOUT = envint("SEARCH_TIMEOUT", 5)
SEARCH_INDEX_SHARDS = envint("SEARCH_INDEX_SHARDS", 1)
SEARCH_INDEX_REPLICAS = envint("SEARCH_INDEX_REPLICAS", 0)
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "AUTO_UPDATE": True},
}
# Public search (search/) indexes its own documents on Elasticsearch when ELASTICSEARCH_URL is set. Wagtail's own
# index (admin page search) stays on the database unless asked for explicitly (see docs/search.md).
if ELASTICSEARCH_URL and envbool("WAGTAILSEARCH_ON_ELASTICSEARCH", False):
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "wagtail.search.backends.elasticsearch8",
            "URLS": [ELASTICSEARCH_URL],
            "INDEX": f"{SEARCH_INDEX_PREFIX}_wagtail",
            "TIMEOUT": SEARCH_TIMEOUT,
            "AUTO_UPDATE": True,
        }
    }

# --- Background tasks -----------------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# Upkeep of `manage.py db_worker` (core/taskqueue.py): heartbeat period, sweep period, when a silent worker's
# RUNNING tasks are re-queued, and after how many lost workers a task is failed instead.
TASKS_HEARTBEAT_SECONDS = envint("TASKS_HEARTBEAT_SECONDS", 5)
TASKS_SWEEP_SECONDS = envint("TASKS_SWEEP_SECONDS", 30)
TASKS_WORKER_STALE_SECONDS = envint("TASKS_WORKER_STALE_SECONDS", 60)
TASKS_RUNNING_TIMEOUT_SECONDS = envint("TASKS_RUNNING_TIMEOUT_SECONDS", 3600)
TASKS_MAX_ATTEMPTS = envint("TASKS_MAX_ATTEMPTS", 5)

# --- Auth (django-allauth) ------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
# allauth keeps its own cache-based limits; ours are stricter on the two doors people brute-force.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "10/h/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"

# --- I18n -----------------------------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAIL_CONTENT_LANGUAGES = [("fr", "Français")]

# --- Static & media -------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static_collected"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------------------------
EMAIL_URL = env("EMAIL_URL", "console://")
if EMAIL_URL.startswith("console"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
elif EMAIL_URL.startswith("locmem"):
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
else:
    from urllib.parse import unquote, urlparse

    _mail = urlparse(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or 25
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_TLS = _mail.scheme == "smtp+tls"
    EMAIL_USE_SSL = _mail.scheme == "smtps"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Agora Santé <ne-pas-repondre@agora-sante.gouv.fr>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Wagtail --------------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Agora Santé"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILDOCS_EXTENSIONS = ["pdf", "odt", "docx", "xlsx", "ods", "csv", "txt"]
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_MODERATION_ENABLED = True

# --- Security (tightened in production.py) --------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Origins allowed to open a WebSocket (besides ALLOWED_HOSTS).
WEBSOCKET_ALLOWED_ORIGINS = envlist("WEBSOCKET_ALLOWED_ORIGINS", "")
CSP_REPORT_ONLY = envbool("CSP_REPORT_ONLY", False)
# Map tiles for livinglabs (img-src allowance in the CSP is derived from it).
MAP_TILE_URL = env("MAP_TILE_URL", "https://{s}.tile.openstreetmap.fr/osmfr/{z}/{x}/{y}.png")

# Retention of IP-based rate-limit counters (seconds); counters live in the cache only.
RATELIMIT_ENABLED = envbool("RATELIMIT_ENABLED", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.channels.server": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
        # The Elasticsearch client logs whole request bodies (contribution text) at DEBUG: never below WARNING.
        "elastic_transport": {"level": "WARNING"},
        "elasticsearch": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
    },
}

SITE_NAME = _("Agora Santé")
# DSFR now recommends marking optional fields rather than required ones.
DSFR_MARK_OPTIONAL_FIELDS = True
