"""Load benchmark: N concurrent ``signup(..., dry_run=True)`` calls through ONE AsyncPartnerClient.

    .venv/bin/python bench/load.py [--calls 500] [--concurrency-limit 20] [--prism]

Runs the scenario of tests/test_load.py against the in-process asyncio server
(``CountingServer``, 127.0.0.1 only) and, with ``--prism``, against Prism started as in
tests/prism.py. The client's pool is ``httpx.AsyncClient(limits=Limits(max_connections=L,
max_keepalive_connections=L))``. Prints calls, successes, wall time, calls/s, p50/p95/p99
latency per call, connections opened and the most open at once. For the in-process server
the connection figures are counted by the server; for Prism they are counted on the client
side, by wrapping the pool's network backend (a private httpcore attribute). Exits 0 when every
call succeeded, 1 otherwise; each scenario is bounded by --deadline seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
from pathlib import Path
from typing import Any

import httpcore
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from prism import PrismNotInstalledError, PrismStartError, running_prism
from test_load import CountingServer, LoadResult, run_load

MAX_CALLS = 20_000


class _CountingStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream, backend: CountingBackend) -> None:
        self._inner = inner
        self._backend = backend
        self._closed = False

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            self._backend.open -= 1
        await self._inner.aclose()

    async def start_tls(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        return await self._inner.start_tls(*args, **kwargs)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class CountingBackend(httpcore.AsyncNetworkBackend):
    """Counts the TCP connections an httpcore pool opens, and the most open at once."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner
        self.opened = 0
        self.open = 0
        self.max_open = 0

    async def connect_tcp(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        stream = await self._inner.connect_tcp(*args, **kwargs)
        self.opened += 1
        self.open += 1
        self.max_open = max(self.max_open, self.open)
        return _CountingStream(stream, self)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def pool_client(limit: int) -> tuple[httpx.AsyncClient, CountingBackend | None]:
    http = httpx.AsyncClient(
        limits=httpx.Limits(max_connections=limit, max_keepalive_connections=limit)
    )
    pool = getattr(getattr(http, "_transport", None), "_pool", None)
    inner = getattr(pool, "_network_backend", None)
    if inner is None:
        return http, None  # httpx/httpcore internals changed: no client-side counts
    backend = CountingBackend(inner)
    pool._network_backend = backend  # type: ignore[union-attr]
    return http, backend


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def report(target: str, result: LoadResult, limit: int, opened: Any, max_open: Any) -> None:
    lat = sorted(result.latencies)
    rate = result.calls / result.wall if result.wall > 0 else math.inf
    print(f"== {target} (max_connections={limit}) ==")
    print(f"calls                     {result.calls}")
    print(f"successes (201)           {result.successes}")
    print(f"errors                    {len(result.errors)}")
    if result.errors:
        print(f"  first error             {result.errors[0]!r}")
    print(f"wall time                 {result.wall:.3f} s")
    print(f"calls/s                   {rate:.1f}")
    print(
        "latency p50/p95/p99       "
        f"{percentile(lat, 50) * 1000:.1f} / {percentile(lat, 95) * 1000:.1f} / "
        f"{percentile(lat, 99) * 1000:.1f} ms"
    )
    print(f"connections opened        {opened}")
    print(f"max concurrent conns      {max_open}")
    print()


async def bench_in_process(calls: int, limit: int, deadline: float) -> bool:
    async with CountingServer() as server:
        http, backend = pool_client(limit)
        async with http:
            result = await run_load(server.url, calls=calls, http_client=http, deadline=deadline)
    opened = f"{server.accepted} (client saw {backend.opened if backend else 'n/a'})"
    report("in-process asyncio server", result, limit, opened, server.max_open)
    if server.problems:
        print(f"server saw unexpected requests: {server.problems[:3]}")
    return result.successes == calls and not server.problems


async def bench_prism(url: str, calls: int, limit: int, deadline: float) -> bool:
    http, backend = pool_client(limit)
    async with http:
        result = await run_load(url, calls=calls, http_client=http, deadline=deadline)
    violations = sum(1 for r in result.responses if "sl-violations" in r.headers)
    opened = f"{backend.opened} (client side)" if backend else "n/a"
    report(f"Prism {url}", result, limit, opened, backend.max_open if backend else "n/a")
    if violations:
        print(f"responses with sl-violations: {violations}")
    return result.successes == calls and violations == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500, help="concurrent calls (default 500)")
    parser.add_argument(
        "--concurrency-limit", type=int, default=20, help="pool max_connections (default 20)"
    )
    parser.add_argument("--prism", action="store_true", help="also run against Prism")
    parser.add_argument(
        "--deadline", type=float, default=60.0, help="seconds allowed per scenario (default 60)"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.calls <= MAX_CALLS:
        parser.error(f"--calls must be between 1 and {MAX_CALLS}")
    if not 1 <= args.concurrency_limit <= 1000:
        parser.error("--concurrency-limit must be between 1 and 1000")
    if not 0 < args.deadline <= 600:
        parser.error("--deadline must be in (0, 600]")

    ok = asyncio.run(bench_in_process(args.calls, args.concurrency_limit, args.deadline))
    if args.prism:
        try:
            with running_prism() as server:
                ok = (
                    asyncio.run(
                        bench_prism(server.url, args.calls, args.concurrency_limit, args.deadline)
                    )
                    and ok
                )
        except PrismNotInstalledError:
            print("Prism is not installed: run `make test` (npm ci)", file=sys.stderr)
            return 2
        except PrismStartError as exc:
            print(exc, file=sys.stderr)
            return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
