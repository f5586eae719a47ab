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
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
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
            with suppress(OSError):  # no pipe or process to be had: result() runs fn here
                self._child = _start(lambda: [fn()])
        else:
            try:
                self._done = (fn(),)
            except Exception as exc:
                self._error = exc

    def result(self) -> R:
        """The value (the same one on every call; ``fn`` runs here at most once)."""
        child, self._child = self._child, None
        if child is not None:
            values = _finish(*child)
            if values is not None:
                self._done = (values[0],)
        if self._error is not None:
            raise self._error
        if self._done is None:
            try:
                self._done = (self._fn(),)
            except Exception as exc:
                self._error = exc
                raise
        return self._done[0]

    def cancel(self) -> None:
        """Stop the child, if there is one, and forget it."""
        child, self._child = self._child, None
        if child is not None:
            _kill(*child)


def fork_map(
    fn: Callable[[T], R], items: Sequence[T], weights: Sequence[int], *, jobs: int, helper: Worker | None = None
) -> list[R]:
    """``[fn(item) for item in items]``, shared among up to ``jobs`` processes (this one included).

    Items are dealt out by weight, heaviest first, to whichever process has the least work so
    far; each process handles its share in order. ``fn`` must be deterministic: a share whose
    child fails is simply redone here. A ``helper`` (a :class:`Worker` started earlier, whose
    imports are done) takes the second share instead of a newly forked child; ``fn`` and the
    items must then pickle.
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
    helped: tuple[list[int], Call[list[R]]] | None = None
    try:
        rest = shares[1:]
        if helper is not None and helper.alive:
            helped = (rest[0], helper.submit(_apply_all, fn, [items[i] for i in rest[0]], range(len(rest[0]))))
            rest = rest[1:]
        for share in rest:
            try:
                children.append((share, _start(functools.partial(_apply_all, fn, items, share))))
            except OSError:  # no pipe or process to be had: this share is done here
                shares[0].extend(share)
        for index in shares[0]:
            results[index] = fn(items[index])
        if helped is not None:
            for index, value in zip(helped[0], helped[1].result(), strict=True):
                results[index] = value
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


def _apply_all(fn: Callable[[T], R], items: Sequence[T], share: Iterable[int]) -> list[R]:
    return [fn(items[i]) for i in share]


class Call(Generic[R]):
    """One call sent to a :class:`Worker`; :meth:`result` waits for its value."""

    def __init__(self, worker: Worker, fn: Callable[..., R], args: tuple[Any, ...]) -> None:
        self._worker = worker
        self._fn = fn
        self._args = args
        self._value: tuple[R] | None = None

    def result(self) -> R:
        """The call's value: the worker's, or (if the worker failed to deliver) computed here."""
        if self._value is None:
            self._worker._collect(self)
        if self._value is None:  # the worker failed: the same deterministic call, here
            self._value = (self._fn(*self._args),)
        return self._value[0]


class Worker:
    """A forked child that gets ready while this process goes on, then runs calls sent to it.

    ``prepare()`` runs first in the child: slow imports (black takes over 0.1 s) then happen
    on the other CPU while this process loads and renders the spec, instead of on the way to
    the first formatted file. Calls (a picklable function and arguments) are run one at a
    time, in order; their values come back pickled. Anywhere forking is not possible, and for
    every call after the child failed in any way (crashed, was killed, raised, or sent what
    does not unpickle), calls run here instead, so values never depend on the worker.
    :meth:`close` ends it.
    """

    def __init__(self, prepare: Callable[[], object]) -> None:
        self._pid = 0
        self._requests = self._replies = self._spill = -1
        self._spilled = 0
        self._waiting: list[Call[Any]] = []
        if not can_fork():
            return
        # Requests go into an (unlinked) file the child shares, and only their place in it
        # through the pipe: a request of megabytes never blocks this process while the child
        # is still busy with ``prepare()``.
        try:
            with tempfile.TemporaryFile() as spill_file:
                self._spill = os.dup(spill_file.fileno())
        except OSError:
            return
        spill = self._spill
        ends: list[int] = []
        try:
            ends.extend(os.pipe())  # requests: (read end, write end)
            ends.extend(os.pipe())  # replies
            requests_in, requests_out, replies_in, replies_out = ends
            pid = _fork(lambda: _serve(prepare, requests_in, replies_out, spill), close=(requests_out, replies_in))
        except OSError:  # no pipe or no process to be had: the calls run here
            for fd in (*ends, spill):
                with suppress(OSError):
                    os.close(fd)
            self._spill = -1
            return
        os.close(requests_in)
        os.close(replies_out)
        self._pid, self._requests, self._replies = pid, requests_out, replies_in

    @property
    def alive(self) -> bool:
        return self._pid != 0

    def submit(self, fn: Callable[..., R], *args: Any) -> Call[R]:
        """Send ``fn(*args)`` to the worker (after collecting any earlier call, so that neither
        side ever waits to write while the other does)."""
        call: Call[R] = Call(self, fn, args)
        if self._waiting:
            self._collect(self._waiting[-1])
        if self.alive:
            try:
                request = pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL)
                _write_all(self._spill, request, self._spilled)
                _write_frame(self._requests, self._spilled.to_bytes(8, "little") + len(request).to_bytes(8, "little"))
                self._spilled += len(request)
                self._waiting.append(call)
            except Exception:
                self.close()
        return call

    def _collect(self, call: Call[Any]) -> None:
        """Read replies, in order, up to and including ``call``'s (none if the worker failed)."""
        while self.alive and any(waiting is call for waiting in self._waiting):
            first = self._waiting.pop(0)
            try:
                message = pickle.loads(_read_frame(self._replies))
            except Exception:
                message = None
            if isinstance(message, tuple) and len(message) == 2 and message[0] == "ok":
                first._value = (message[1],)
            else:
                self.close()  # this call and every later one run here

    def close(self) -> None:
        """Let the worker end (it exits when its request pipe closes), and wait for it."""
        pid, self._pid = self._pid, 0
        self._waiting.clear()
        for fd in (self._requests, self._replies, self._spill):
            if fd >= 0:
                with suppress(OSError):
                    os.close(fd)
        self._requests = self._replies = self._spill = -1
        if pid:
            with suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            _reap(pid)


def _serve(prepare: Callable[[], object], requests: int, replies: int, spill: int) -> None:
    """The worker's loop: get ready, then answer each request until the pipe closes."""
    with suppress(Exception):  # a failed import fails the calls that need it, and they rerun here
        prepare()
    while True:
        try:
            frame = _read_frame(requests)
        except EOFError:
            return
        try:
            offset, size = int.from_bytes(frame[:8], "little"), int.from_bytes(frame[8:16], "little")
            fn, args = pickle.loads(_read_all(spill, size, offset))
            reply = pickle.dumps(("ok", fn(*args)), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:
            reply = pickle.dumps(_FAILED)
        _write_frame(replies, reply)


def _write_all(fd: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        view, offset = view[written:], offset + written


def _read_all(fd: int, size: int, offset: int) -> bytes:
    chunks: list[bytes] = []
    while size:
        block = os.pread(fd, min(size, 1 << 24), offset)
        if not block:
            raise EOFError("the request file is shorter than announced")
        chunks.append(block)
        size, offset = size - len(block), offset + len(block)
    return b"".join(chunks)


def _write_frame(fd: int, data: bytes) -> None:
    view = memoryview(len(data).to_bytes(8, "little") + data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_frame(fd: int) -> bytes:
    size = int.from_bytes(_read_exactly(fd, 8), "little")
    return _read_exactly(fd, size)


def _read_exactly(fd: int, size: int) -> bytes:
    chunks: list[bytes] = []
    left = size
    while left:
        block = os.read(fd, min(left, 1 << 20))
        if not block:
            raise EOFError("the other end closed the pipe")
        chunks.append(block)
        left -= len(block)
    return b"".join(chunks)


def _start(work: Callable[[], list[Any]]) -> tuple[int, int]:
    """Fork a child that runs ``work`` and writes its pickled result to a pipe; (pid, read end)."""
    read_end, write_end = os.pipe()
    try:
        pid = _fork(functools.partial(_deliver, work, write_end), close=(read_end,))
    except OSError:
        os.close(read_end)
        os.close(write_end)
        raise
    os.close(write_end)
    return pid, read_end


def _deliver(work: Callable[[], list[Any]], write_end: int) -> None:
    """In a child: run ``work`` and write its pickled result (or the failure) to the pipe."""
    try:
        payload = pickle.dumps(("ok", work()), protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:
        payload = pickle.dumps(_FAILED)
    with os.fdopen(write_end, "wb") as pipe:
        pipe.write(payload)


def _fork(body: Callable[[], None], *, close: Sequence[int]) -> int:
    """Fork; the child closes ``close`` (the parent's pipe ends), runs ``body`` and exits
    (status 0 if ``body`` returned). Returns the child's pid, in the parent only."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller
        status = 1
        try:
            for fd in close:
                os.close(fd)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            body()
            status = 0
        finally:
            os._exit(status)
    return pid


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
