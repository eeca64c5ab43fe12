"""Settings for the test suite: fast hashing, SQLite unless DATABASE_URL says otherwise."""

from .base import *  # noqa: F401,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECRET_KEY = "test-only-secret-key"
ALLOWED_HOSTS = ["*"]
# The sign-in limits stay as in production (tests/web/test_login_security.py exercises them; nothing
# waits: the tests move the failures' times back instead). axes' log line at every sign-in is noise here.
AXES_VERBOSE = False
