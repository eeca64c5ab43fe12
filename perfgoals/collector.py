"""The cyclic garbage collector paused over one bounded piece of bulk work.

CPython's cyclic collector runs whenever allocations outnumber deallocations by 700, and each run of
its older generations walks every tracked object of the process. The bulk paths — a chunk of
rescoring, the scoring of an import's new project-years, an import's planning and writing, the
unpickling of a workbook's reading, the indicator library's update — build tens of thousands of small
objects (rows, inputs, results) that live until the work is done, so the collector runs again and again
over a growing heap while none of those objects is garbage. Measured: scoring 60,000 indicators 1.5 s
→ 0.6 s; on the 10,000-row import (``bench/import_bench.py``) the collections were a third of the
planning's and the library update's CPU time.

:func:`paused` turns the collector off for a block and back on afterwards; inside a pause a nested one
changes nothing. Reference counting frees everything as usual: only reference cycles made in the block
wait for the collector's next run after it. The switch is the process's: in a threaded server, another
thread's work runs without the collector for that time too, which costs it at most the cycles it makes
meanwhile.
"""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The collector off for the block (if it was on), on again afterwards, an exception or not."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def pausing(function: Callable[P, R]) -> Callable[P, R]:
    """``function`` run with the collector :func:`paused`."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with paused():
            return function(*args, **kwargs)

    return wrapper
