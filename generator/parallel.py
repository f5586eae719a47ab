"""Run work in forked worker processes when that can pay, and in this process otherwise.

The pipeline's costly stages (black, the spec validator) are pure CPU work on data this process
already holds, so a forked child needs no arguments sent to it: it inherits them. Results come
back pickled through a pipe. Forking is used only where it is safe and cheap: on Linux, from a
single-threaded process. Anywhere else, or when a child fails in any way, the same work runs
here instead, so the results never depend on whether a fork happened.

``PARTNER_CODEGEN_JOBS=1`` turns forking off (``=N`` caps the number of processes).
"""

from __future__ import annotations

import functools
import gc
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_FAILED = ("failed",)


def max_jobs() -> int:
    """How many processes may work at once: the usable CPUs, capped by ``PARTNER_CODEGEN_JOBS``."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    configured = os.environ.get("PARTNER_CODEGEN_JOBS", "")
    if configured.strip().isdigit():
        cpus = min(cpus, max(1, int(configured)))
    return max(1, cpus)


def can_fork() -> bool:
    return (
        sys.platform.startswith("linux")
        and hasattr(os, "fork")
        and threading.active_count() == 1
        and _os_threads() == 1
        and max_jobs() > 1
    )


def _os_threads() -> int:
    """Threads in this process as the OS sees them (C extensions' included), 0 if unknown."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 0


@contextmanager
def gc_tuned() -> Iterator[None]:
    """Collect garbage rarely while the pipeline runs; restore the settings afterwards.

    The pipeline builds large trees that live until it ends (the parsed spec, black's syntax
    trees), so CPython's default thresholds make it rescan them over and over; with these it
    spends a fraction of the time in the collector for a few MB more memory at the peak.
    """
    before = gc.get_threshold()
    gc.set_threshold(20_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*before)


class Background(Generic[R]):
    """``fn()`` started in a forked child; :meth:`result` returns its value (or raises its error).

    Where forking is not possible, ``fn()`` runs right away, here, so the order of events is
    that of a plain call. If the child fails to deliver (it crashed, was killed, or its value
    does not pickle), :meth:`result` calls ``fn()`` here instead: only the timing can differ.
    """

    def __init__(self, fn: Callable[[], R]) -> None:
        self._fn = fn
        self._child: tuple[int, int] | None = None
        self._done: tuple[R] | None = None
        self._error: BaseException | None = None
        if can_fork():
            self._child = _start(lambda: [fn()])
        else:
            try:
                self._done = (fn(),)
            except Exception as exc:
                self._error = exc

    def result(self) -> R:
        child, self._child = self._child, None
        if child is not None:
            values = _finish(*child)
            if values is not None:
                value: R = values[0]
                return value
            return self._fn()
        if self._error is not None:
            raise self._error
        if self._done is None:
            return self._fn()
        return self._done[0]

    def cancel(self) -> None:
        """Stop the child, if there is one, and forget it."""
        child, self._child = self._child, None
        if child is not None:
            _kill(*child)


def fork_map(fn: Callable[[T], R], items: Sequence[T], weights: Sequence[int], *, jobs: int) -> list[R]:
    """``[fn(item) for item in items]``, shared among up to ``jobs`` processes (this one included).

    Items are dealt out by weight, heaviest first, to whichever process has the least work so
    far; each process handles its share in order. ``fn`` must be deterministic: a share whose
    child fails is simply redone here.
    """
    workers = min(jobs, len(items))
    if workers <= 1 or not can_fork():
        return [fn(item) for item in items]
    shares: list[list[int]] = [[] for _ in range(workers)]
    loads = [0] * workers
    for index in sorted(range(len(items)), key=lambda i: -weights[i]):
        lightest = loads.index(min(loads))
        shares[lightest].append(index)
        loads[lightest] += weights[index] + 1
    gc.freeze()  # children then leave the inherited objects' pages shared with this process
    children: list[tuple[list[int], tuple[int, int]]] = []
    results: list[Any] = [None] * len(items)
    try:
        for share in shares[1:]:
            children.append((share, _start(functools.partial(_apply_all, fn, items, share))))
        for index in shares[0]:
            results[index] = fn(items[index])
        for share, child in children:
            values = _finish(*child)
            if values is None or len(values) != len(share):
                values = [fn(items[i]) for i in share]
            for index, value in zip(share, values, strict=True):
                results[index] = value
        children.clear()
    finally:
        gc.unfreeze()
        for _, child in children:
            _kill(*child)
    return results


def _apply_all(fn: Callable[[T], R], items: Sequence[T], share: list[int]) -> list[R]:
    return [fn(items[i]) for i in share]


def _start(work: Callable[[], list[Any]]) -> tuple[int, int]:
    """Fork a child that runs ``work`` and writes its pickled result to a pipe; (pid, read end)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller
        status = 1
        try:
            os.close(read_end)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            try:
                payload = pickle.dumps(("ok", work()), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:
                payload = pickle.dumps(_FAILED)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _finish(pid: int, read_end: int) -> list[Any] | None:
    """Wait for a child; its list of results, or None if it failed to deliver them."""
    chunks: list[bytes] = []
    try:
        with os.fdopen(read_end, "rb") as pipe:
            while block := pipe.read(1 << 20):
                chunks.append(block)
    finally:
        _reap(pid)
    try:
        message = pickle.loads(b"".join(chunks))
    except Exception:
        return None
    if isinstance(message, tuple) and len(message) == 2 and message[0] == "ok" and isinstance(message[1], list):
        return message[1]
    return None


def _kill(pid: int, read_end: int) -> None:
    with suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    with suppress(OSError):
        os.close(read_end)
    _reap(pid)


def _reap(pid: int) -> None:
    while True:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            return
        except InterruptedError:
            continue
        return
