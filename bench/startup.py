#!/usr/bin/env python3
"""Start-up of a generated client: what a short-lived process pays before its first call.

A baseline for making start-up grow with what is used (issue 15). For the package generated
from a spec (by default the whole Confluent Cloud API, ``../shared/specs/``), each of these
runs as its own process, the processes taking turns, several runs each:

- ``import httpx, pydantic``: the floor every client pays;
- ``import <package>``;
- import, create a client, reach its first resource (``client.<resource>``);
- the same, then call one method through ``httpx.MockTransport`` (the answer is ``{}``; a
  response that does not validate still costs the models it needed).

Printed as a Markdown table: median wall time of the whole process (interpreter start
included) and median peak memory (maximum resident set size of the child, from ``os.wait4``).

    .venv/bin/python bench/startup.py [--spec PATH] [--runs N] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLOUD_SPEC = ROOT.parent / "shared" / "specs" / "confluent-cloud-openapi.yaml"
PACKAGE = "startup_probe"

# Runs in the child: finds the client class, the first resource and a method to call from
# the package's own method table, so the probe works for any spec.
_PROBE = """
import sys
mode = sys.argv[1]
if mode == "base":
    import httpx, pydantic
    raise SystemExit
import {package} as pkg
if mode == "import":
    raise SystemExit
import httpx
client_class = next(getattr(pkg, n) for n in pkg.__all__ if n.endswith("Client") and not n.startswith("Async"))
http = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200, json={{}})))
client = client_class(base_url="http://127.0.0.1:9", http_client=http, max_retries=0,
                      api_key="k", api_secret="s")
info = pkg.METHODS[0]
resource = getattr(client, info.resource.replace("-", "_"), None) or getattr(client, sorted(
    n for n in vars(client) if not n.startswith("_"))[0])
if mode == "resource":
    raise SystemExit
method = getattr(resource, info.name)
try:
    method(**{{name: "x" for name in info.required}})
except Exception as exc:  # a response that does not validate: the models were still built
    print(type(exc).__name__, file=sys.stderr)
"""


def generate(spec: Path, out: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).parent / "partner-codegen"), "generate", str(spec), "--out", str(out),
         "--package", PACKAGE, "--no-cache"],
        check=True, capture_output=True, timeout=3600,
    )
    return time.perf_counter() - start


def run_measured(probe: Path, mode: str, path: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child, from ``os.wait4``."""
    env = {**os.environ, "PYTHONPATH": str(path)}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(probe), mode], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{mode}: {stderr.strip()[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", type=Path, default=CLOUD_SPEC)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out", type=Path, help="generate here (default: a temporary directory)")
    parser.add_argument("--json", action="store_true", help="print the medians as JSON too")
    args = parser.parse_args(argv)
    if not args.spec.is_file():
        print(f"no spec at {args.spec}: nothing measured")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp) / "out"
        seconds = generate(args.spec, out)
        probe = Path(tmp) / "probe.py"
        probe.write_text(_PROBE.format(package=PACKAGE))
        modes = ["base", "import", "resource", "call"]
        for mode in modes:  # warm-up: bytecode caches
            run_measured(probe, mode, out)
        samples: dict[str, list[tuple[float, float]]] = {m: [] for m in modes}
        for run in range(args.runs):
            for mode in modes[run % len(modes):] + modes[: run % len(modes)]:
                samples[mode].append(run_measured(probe, mode, out))
    medians = {m: (statistics.median(s[0] for s in samples[m]), statistics.median(s[1] for s in samples[m])) for m in modes}
    base = medians["base"][0]
    labels = {
        "base": "`import httpx, pydantic`",
        "import": f"`import {PACKAGE}`",
        "resource": "import, create a client, reach one resource",
        "call": "... and call one method (MockTransport)",
    }
    print(f"{args.spec.name}: generated in {seconds:.0f} s; {args.runs} runs each, alternating; medians")
    print()
    print("| process | wall time | vs `import httpx, pydantic` | peak memory |")
    print("|---|---|---|---|")
    for mode in modes:
        wall, rss = medians[mode]
        print(f"| {labels[mode]} | {wall * 1000:.0f} ms | {wall / base:.2f}x | {rss:.0f} MB |")
    if args.json:
        print(json.dumps({m: {"seconds": w, "rss_mb": r} for m, (w, r) in medians.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
