"""Settings for running on one's own machine: debug on, SQLite by default."""

from .base import *  # noqa: F401,F403
from .base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
