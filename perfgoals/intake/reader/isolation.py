"""Reading an untrusted workbook where a runaway cannot take the caller down.

:func:`read_workbook` checks the file in the calling process (cheap: size, signature, members), then
reads it in a child process forked from a small server that has the reader already imported
(``multiprocessing``'s forkserver: no copy of the web worker, its threads or its database
connections, and about 20 ms a file). The child limits its own address space (``RLIMIT_AS``: what it
started with plus :attr:`~.limits.Limits.memory_mb`) and CPU time; the caller waits at most
:attr:`~.limits.Limits.seconds` and kills it after that. Every file goes this way, whatever its size.

The child sends its progress and then its result (a :class:`~.results.ReadResult`, or the problems
of a refused file) through a pipe. A child that runs out of memory or time, or dies, is a refusal with
a clear message in Chinese (:class:`~.problems.WorkbookRejected`); nothing else changes.

The limits are read from the settings here, in the calling process, and handed to the child, which
never reads the settings (the tests' ``settings`` overrides hold in the child too).
"""

from __future__ import annotations

import contextlib
import gc
import io
import logging
import multiprocessing
import multiprocessing.process as mp_process
import os
import threading
import time
import traceback
from collections.abc import Callable
from multiprocessing import forkserver
from pathlib import Path
from typing import IO

from perfgoals import collector

from .limits import Limits, check_file
from .problems import Problem, WorkbookRejected
from .results import ReadResult
from .workbook import read_workbook_here

logger = logging.getLogger(__name__)

#: imported once in the forkserver, not in each child: this module (with the reader), and what keeps
#: the children from running the caller's main script again (`forkserver_preload`)
_PRELOAD = [__name__, "perfgoals.intake.reader.forkserver_preload"]


def _forget_forkserver() -> None:
    """In a process forked from one that had started the forkserver (a Celery prefork worker forked
    after a read, a test's worker): that server is not this process's child. Forget it (and let go
    of the pipe that keeps it alive), so that the first read here starts one of its own."""
    server = getattr(forkserver, "_forkserver", None)
    if server is None or getattr(server, "_forkserver_pid", None) is None:
        return
    alive = server._forkserver_alive_fd
    server._lock = threading.Lock()  # another thread may have held it at the fork
    server._forkserver_address = None
    server._forkserver_alive_fd = None
    server._forkserver_pid = None
    if alive is not None:
        with contextlib.suppress(OSError):
            os.close(alive)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_forkserver)


def _context():
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def _virtual_size() -> int | None:
    """This process's address space in bytes (Linux), None where unknown."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _limit_self(limits: Limits) -> None:
    try:
        import resource
    except ImportError:  # not on POSIX: the wall-time limit still holds
        return
    current = _virtual_size()
    if current is not None and limits.memory_mb > 0:
        ceiling = current + limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    seconds = max(1, int(limits.seconds) + 2)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard == resource.RLIM_INFINITY or hard > seconds:
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, hard))


def _child(connection, payload, limits: Limits, default_year, with_progress: bool) -> None:
    """The reading, in the child: limits first, then the workbook; one message at the end.

    The cyclic garbage collector is off in the child: the reading makes next to no reference cycles
    (a few hundred objects for a 10,000-row workbook; rows and cells are plain values, freed as each
    row is done), while the collector would walk every object the result keeps, again and again as it
    grows (15–35 % of the reading's time); the child's memory is bounded by its address-space limit
    either way (the same peak measured with and without), and all of it is returned when it exits."""
    gc.disable()
    try:
        _limit_self(limits)
        source = payload if isinstance(payload, str) else io.BytesIO(payload)
        del payload
        progress = (lambda done, total: connection.send(("progress", done, total))) if with_progress else None
        result = read_workbook_here(source, default_year=default_year, progress=progress, limits=limits)
        message = ("result", result)
    except WorkbookRejected as exc:
        message = ("rejected", exc.problems)
    except MemoryError:
        message = ("memory", None)
    except Exception:  # a workbook that breaks the parser: refused, the traceback logged by the caller
        message = ("error", traceback.format_exc(limit=20))
    try:
        connection.send(message)
    except MemoryError:
        connection.send(("memory", None))
    finally:
        connection.close()


class _PlainMain(mp_process.BaseProcess):
    """What ``multiprocessing.current_process()`` is in a plain main process (its own class is not
    importable)."""

    def __init__(self):
        self._identity = ()
        self._name = "MainProcess"
        self._parent_pid = None
        self._popen = None
        self._closed = False
        self._config = {"authkey": mp_process.AuthenticationString(os.urandom(32)), "semprefix": "/mp"}


@contextlib.contextmanager
def _as_plain_parent():
    """Let a Celery prefork worker start the child too.

    A prefork worker is a daemonic billiard process, which stdlib multiprocessing refuses to start
    children from (lest they be orphaned) and whose process object it cannot pickle. This child is
    forked by the forkserver, not by the caller, is killed by the caller once answered or late, and
    limits its own CPU time: for creating and starting it, the caller stands as a plain main process.
    """
    current = mp_process._current_process
    config = getattr(current, "_config", {})
    plain = (
        isinstance(current, mp_process.BaseProcess)
        and not config.get("daemon")
        and type(config.get("authkey")) is mp_process.AuthenticationString
    )
    if plain:
        yield
        return
    mp_process._current_process = _PlainMain()
    try:
        yield
    finally:
        mp_process._current_process = current


def _payload(source: str | Path | IO[bytes]) -> str | bytes:
    if isinstance(source, (str, Path)):
        return str(source)
    position = source.tell()
    try:
        source.seek(0)
        return source.read()
    finally:
        source.seek(position)


def _refused(message: str) -> WorkbookRejected:
    return WorkbookRejected([Problem(message)])


def read_isolated(
    source: str | Path | IO[bytes],
    *,
    default_year: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    limits: Limits | None = None,
) -> ReadResult:
    """Read a checked workbook in a child process within ``limits``; WorkbookRejected when the file is
    refused, runs out of memory or time, or breaks the reader."""
    limits = limits or Limits.from_settings()
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    deadline = time.monotonic() + limits.seconds
    with _as_plain_parent():
        process = context.Process(
            target=_child,
            args=(sender, _payload(source), limits, default_year, progress is not None),
            name="workbook-reader",
            daemon=True,
        )
        process.start()
    sender.close()
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not receiver.poll(remaining):
                raise _refused(
                    f"读取工作簿超过 {limits.seconds:g} 秒的时限，已停止，没有导入任何数据："
                    "文件的数据过多或结构异常，请删去无关的工作表或拆成几个文件后再导入。"
                )
            try:
                with collector.paused():  # tens of thousands of new objects, none garbage
                    kind, *data = receiver.recv()
            except (EOFError, OSError):
                process.join(5)
                logger.warning("workbook reader died with exit code %s", process.exitcode)
                raise _refused(
                    "读取工作簿时读取进程意外终止（可能是文件过大或结构异常），没有导入任何数据："
                    "请删去无关的工作表或拆成几个文件后再导入。"
                ) from None
            if kind == "progress":
                if progress is not None:
                    progress(*data)
                continue
            if kind == "result":
                return data[0]
            if kind == "rejected":
                raise WorkbookRejected(data[0])
            if kind == "memory":
                raise _refused(
                    f"读取工作簿需要的内存超过 {limits.memory_mb} MB 的上限，已停止，没有导入任何数据："
                    "请删去无关的工作表或拆成几个文件后再导入。"
                )
            logger.warning("workbook reader failed:\n%s", data[0])
            raise _refused(
                "无法读取工作簿：文件已损坏或不是标准的 .xlsx 格式。请在 Excel 中打开后“另存为” .xlsx 再导入。"
            )
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join(5)
        if process.exitcode is not None:
            process.close()


def read_workbook(
    source: str | Path | IO[bytes],
    *,
    default_year: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    size: int | None = None,
) -> ReadResult:
    """Read an .xlsx file (path or binary file object). File-level refusals raise WorkbookRejected;
    everything else is in the result's ``errors`` / ``warnings``.

    The file is checked here (:func:`~.limits.check_file`), then read in a child process with a
    memory and a time limit (:func:`read_isolated`): the calling process is never at risk, whatever
    the file's size.

    ``progress(done, total)`` is called every 500 rows (total is the sheets' row count).
    """
    check_file(source, size=size)
    return read_isolated(source, default_year=default_year, progress=progress, limits=Limits.from_settings())
