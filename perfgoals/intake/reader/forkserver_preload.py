"""Imported only in the reader's forkserver (`isolation._PRELOAD`): the children it forks do not run
the caller's main script again.

multiprocessing prepares each child by importing the parent's ``__main__`` once more (as
``__mp_main__``), for a target defined in the main script. Under gunicorn that is gunicorn's script,
in a Celery worker celery's, in the bench the bench's file: 20–50 ms of imports before every workbook
is read. The reader's child runs `isolation._child`, a function of an importable module, and needs
nothing of the caller's main module. (Python's own remedy, ``"__main__"`` in the preload list, would
import the main script once in the server; in 3.11 the server is never told its path: the preparation
data names it ``init_main_from_path`` where the server looks for ``main_path``.)

Only this server's children are affected: no other process imports this module.
"""

from multiprocessing import spawn


def _keep_main(_name_or_path: str) -> None:
    """The child keeps the forkserver's own ``__main__``."""


spawn._fixup_main_from_path = _keep_main
spawn._fixup_main_from_name = _keep_main
