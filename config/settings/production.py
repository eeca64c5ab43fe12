"""Production settings: refuses to start without a secret key; secure cookies and HTTPS headers."""

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
SECURE_HSTS_SECONDS = int(env("DJANGO_SECURE_HSTS_SECONDS", "3600") or 3600)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = [o for o in (env("DJANGO_CSRF_TRUSTED_ORIGINS", "") or "").split(",") if o]

# never here, whatever the environment says: the demo accounts' password is public
DEMO_ACCOUNTS_ALLOWED = False
# the README's layout puts a reverse proxy in front of gunicorn (as SECURE_PROXY_SSL_HEADER assumes):
# the client's address for the sign-in limits is the one that proxy saw
TRUSTED_PROXY_COUNT = max(0, int(env("TRUSTED_PROXY_COUNT", "1") or 0))
