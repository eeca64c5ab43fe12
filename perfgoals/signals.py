"""Signals the lower rooms send for the upper ones (which connect to them in ``apps.ready``)."""

from django.dispatch import Signal

#: sent after a bulk rescoring stored its chunk (``project_ids``): rows changed without ``save()``
evaluations_rescored = Signal()
