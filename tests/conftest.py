"""Shared fixtures: no real waiting between retries, and the Prism mock server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from confluent_partner_v2 import _retries
from prism import PrismNotInstalledError, PrismStartError, start_prism


@pytest.fixture(autouse=True)
def retry_waits(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """Record the waits the retry loop chooses instead of sleeping through them."""
    waits: list[float] = []

    async def async_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(_retries, "sleep", waits.append)
    monkeypatch.setattr(_retries, "async_sleep", async_sleep)
    yield waits


@pytest.fixture(scope="session")
def prism_url() -> Iterator[str]:
    """Base URL of a Prism mock server for spec/partner-v2.yaml, started once per session.

    Skips when Prism is not installed; fails with Prism's log tail when it cannot start.
    """
    try:
        server = start_prism()
    except PrismNotInstalledError:
        pytest.skip("Prism is not installed: run `make test` (npm ci)")
    except PrismStartError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server.url
    finally:
        server.stop()  # SIGTERM the process group, SIGKILL after a timeout, wait, close the log


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker of the big real-world specs (tests/test_corpus.py)."""
    config.addinivalue_line(
        "markers",
        "corpus: a large real-world spec (Confluent Cloud, GitHub); select with -m corpus, skip with -m 'not corpus'",
    )
