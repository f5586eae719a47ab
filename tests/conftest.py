"""Shared fixtures: no real waiting between retries, and the Prism mock server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from confluent_partner_v2 import _retries


@pytest.fixture(autouse=True)
def retry_waits(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """Record the waits the retry loop chooses instead of sleeping through them."""
    waits: list[float] = []

    async def async_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(_retries, "sleep", waits.append)
    monkeypatch.setattr(_retries, "async_sleep", async_sleep)
    yield waits
