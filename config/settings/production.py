"""Production settings: everything comes from the environment; insecure defaults are refused."""

from django.core.exceptions import ImproperlyConfigured

from config.env import envbool, envint

from .base import *  # noqa: F401,F403
from .base import SECRET_KEY

DEBUG = False
if SECRET_KEY.startswith("dev-only") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a long random value in production.")

SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
# The language switch cookie gets the same protections as the session cookie.
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# A persistent connection is checked before reuse, so a restarted PostgreSQL is reconnected to by itself.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
# A database that restarts answers 503 with a French message, not a 500 (core/middleware.py).
MIDDLEWARE = [*MIDDLEWARE, "core.middleware.DatabaseUnavailableMiddleware"]  # noqa: F405
# Behind the load balancer every request comes from its address: the per-IP rate limits (core/ratelimit.py)
# must read the client from X-Forwarded-For, which only a trusted proxy may set (off when served directly).
USE_X_FORWARDED_FOR = envbool("USE_X_FORWARDED_FOR", False)

# One psycopg pool per process (config/settings/base.py use_connection_pool; scripts/serve_prod.sh sets the size).
DB_POOL_MAX_SIZE = envint("DB_POOL_MAX_SIZE", 0)
use_connection_pool(DATABASES, DB_POOL_MAX_SIZE)  # noqa: F405
