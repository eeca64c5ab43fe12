"""Production settings: refuses to start without a secret key; secure cookies and HTTPS headers (HSTS
for a year with subdomains), the Content-Security-Policy of base.py, no demo accounts.

`python manage.py check --deploy` under these settings (with a long random DJANGO_SECRET_KEY and
DJANGO_ALLOWED_HOSTS set) reports no issues; the one check silenced is explained at SECURE_HSTS_PRELOAD.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import env, env_bool

SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    raise ImproperlyConfigured("生产环境必须设置 DJANGO_SECRET_KEY 环境变量。")

DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS: browsers use HTTPS only, for a year, on every subdomain too (an HTTP subdomain could otherwise
# set cookies for this site). DJANGO_SECURE_HSTS_SECONDS may shorten it while HTTPS is being tried out.
SECURE_HSTS_SECONDS = int(env("DJANGO_SECURE_HSTS_SECONDS", "31536000") or 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading puts the domain into the browsers' built-in HTTPS-only list: hard to undo (months) and
# binding every subdomain of the registered domain, so it is the domain owner's decision, off unless
# DJANGO_SECURE_HSTS_PRELOAD=1. While it is off, `check --deploy` would warn that the site cannot be
# submitted to the preload list (security.W021): that warning is the decision not yet taken, not a
# fault of the deployment, so it is silenced then; every other deployment check stays on.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = [o for o in (env("DJANGO_CSRF_TRUSTED_ORIGINS", "") or "").split(",") if o]

# never here, whatever the environment says: the demo accounts' password is public
DEMO_ACCOUNTS_ALLOWED = False
# the README's layout puts a reverse proxy in front of gunicorn (as SECURE_PROXY_SSL_HEADER assumes):
# the client's address for the sign-in limits is the one that proxy saw
TRUSTED_PROXY_COUNT = max(0, int(env("TRUSTED_PROXY_COUNT", "1") or 0))
