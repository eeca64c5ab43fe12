"""The Celery application.

Without REDIS_URL the settings make every task run in-process (task_always_eager), so the app and
the tests work with nothing but SQLite; with REDIS_URL, Redis is broker and result store and real
workers (`celery -A config worker`) do the work.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("perfeval")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
