"""WSGI entry point (gunicorn config.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

# What start-up built (Django, the apps, URL patterns, the engine's tables) lives as long as the worker.
# Frozen, it is left out of the cyclic collector's full collections, which otherwise walk it in the
# middle of a request now and then: on the province's project list those collections were the slow
# 5% of requests (p95 ~190 ms against a median of ~90 ms; bench/pages.py). With gunicorn --preload the
# frozen objects are also never written to by the collector, so forked workers keep sharing them.
gc.freeze()
