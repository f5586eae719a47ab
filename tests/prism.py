"""Start and stop the Stoplight Prism mock server for ``spec/partner-v2.yaml``.

Used by the ``prism_url`` fixture (tests/conftest.py) and by ``bench/load.py``. This module does
not import pytest: it raises :class:`PrismNotInstalledError` or :class:`PrismStartError`, and
the fixture turns those into a skip or a failure.

Prism listens on 127.0.0.1 only, on a free port chosen by binding to port 0. It runs in its own
process group (``start_new_session=True``) with its output in a temporary log file, and is
stopped by signalling that group: SIGTERM, then SIGKILL if it has not exited in time.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx

__all__ = [
    "HOST",
    "PRISM_BIN",
    "REPO_ROOT",
    "SPEC",
    "PrismNotInstalledError",
    "PrismServer",
    "PrismStartError",
    "free_port",
    "running_prism",
    "start_prism",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
PRISM_BIN = Path("node_modules") / ".bin" / "prism"  # relative to REPO_ROOT
SPEC = Path("spec") / "partner-v2.yaml"  # relative to REPO_ROOT
HOST = "127.0.0.1"

START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
_START_ATTEMPTS = 3  # another process may grab the free port between our probe and Prism's bind


class PrismNotInstalledError(RuntimeError):
    """``node_modules/.bin/prism`` does not exist."""


class PrismStartError(RuntimeError):
    """Prism exited or did not answer HTTP in time; the message ends with its log tail."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


class PrismServer:
    """A running Prism process; :meth:`stop` ends it (idempotent)."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, log: IO[bytes]) -> None:
        self.process = process
        self.port = port
        self.url = f"http://{HOST}:{port}"
        self._log = log
        self.log_path = Path(log.name)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError as exc:
            return f"(log unreadable: {exc})"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = STOP_TIMEOUT, *, keep_log: bool = False) -> None:
        """SIGTERM the process group, SIGKILL it after ``timeout`` seconds, wait, close the log."""
        if self.process.poll() is None:
            _signal_group(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _signal_group(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=timeout)
        else:
            # The leader is gone; make sure nothing it started outlives it.
            _signal_group(self.process.pid, signal.SIGKILL)
        if not self._log.closed:
            self._log.close()
        if not keep_log:
            with contextlib.suppress(OSError):
                self.log_path.unlink()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    # The process was started with start_new_session=True, so its PID is its group ID: this
    # signals Prism and its children only.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _answers_http(url: str) -> bool:
    try:
        with httpx.Client(timeout=1.0, trust_env=False) as client:
            client.get(url + "/")  # any status will do: Prism answers 404 for "/"
    except httpx.HTTPError:
        return False
    return True


def _start_once(timeout: float) -> PrismServer:
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="prism-", suffix=".log", delete=False)  # noqa: SIM115
    try:
        process = subprocess.Popen(
            [str(PRISM_BIN), "mock", str(SPEC), "-h", HOST, "-p", str(port)],
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except BaseException:
        log.close()
        with contextlib.suppress(OSError):
            os.unlink(log.name)
        raise
    server = PrismServer(process, port, log)
    deadline = time.monotonic() + timeout
    try:
        while True:
            if process.poll() is not None:
                raise PrismStartError(
                    f"Prism exited with status {process.returncode} before answering on "
                    f"{server.url}; log tail:\n{server.log_tail()}"
                )
            if _answers_http(server.url):
                return server
            if time.monotonic() >= deadline:
                raise PrismStartError(
                    f"Prism did not answer HTTP on {server.url} within {timeout:.0f} s; "
                    f"log tail:\n{server.log_tail()}"
                )
            time.sleep(0.2)
    except BaseException:
        server.stop()
        raise


def start_prism(timeout: float = START_TIMEOUT) -> PrismServer:
    """Start Prism on a free loopback port; return once it answers HTTP.

    Raises :class:`PrismNotInstalledError` if ``node_modules/.bin/prism`` is missing, and
    :class:`PrismStartError` (with the log tail) if it cannot be started within ``timeout``.
    """
    if not (REPO_ROOT / PRISM_BIN).exists():
        raise PrismNotInstalledError(f"{REPO_ROOT / PRISM_BIN} does not exist")
    deadline = time.monotonic() + timeout
    for attempt in range(1, _START_ATTEMPTS + 1):
        try:
            return _start_once(max(1.0, deadline - time.monotonic()))
        except PrismStartError as exc:
            port_taken = "EADDRINUSE" in str(exc)
            if not port_taken or attempt == _START_ATTEMPTS or time.monotonic() >= deadline:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


@contextlib.contextmanager
def running_prism(timeout: float = START_TIMEOUT) -> Iterator[PrismServer]:
    """``start_prism()`` for the duration of a ``with`` block."""
    server = start_prism(timeout)
    try:
        yield server
    finally:
        server.stop()
