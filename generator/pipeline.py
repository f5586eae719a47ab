"""The whole pipeline as one function: spec path in, {relative path: text} out.

``load -> validate -> model -> render -> format``, each stage a plain function of its input
(only :mod:`generator.write`, called by the CLI afterwards, touches the disk). What makes a
run fast sits here, outside the stages, and never changes a byte of the output:

* **The cache** (:class:`generator.cache.Cache`, optional): an unchanged input (the spec's
  bytes, the generator, the libraries, the options) is served as the final tree, its warnings
  reported again; the format stage reads and fills its memo, so an edit costs formatting only
  the chunks it changed.
* **Processes** (:class:`concurrent.futures.ProcessPoolExecutor`, on Linux, up to one per
  CPU, ``PARTNER_CODEGEN_JOBS=N`` caps them, ``=1`` turns them off): the spec is validated in
  one while this process models and renders, and black's work is shared among them. The
  validator's verdict still decides as if it ran first: a bad spec raises its
  :class:`SpecErrors` even when a later stage failed on it first, and nothing is returned
  before validation has passed. BENCHMARKS.md gives what each of these buys.

``PARTNER_CODEGEN_TIMINGS=1`` prints how long each stage took to stderr.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import importlib
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import format as fmt
from .cache import Cache, Memo, Tree, tree_key
from .errors import SpecError, SpecErrors
from .load import Document, load
from .options import DEFAULT_OUT, DEFAULT_PACKAGE, DEFAULT_SPEC

if TYPE_CHECKING:
    from .docs import operation_errors  # noqa: F401  (provided lazily by __getattr__)
    from .examples import operation_examples  # noqa: F401  (provided lazily by __getattr__)
    from .ir import Api
    from .model import build as build  # provided lazily by __getattr__
    from .render import render, verbatim_paths  # noqa: F401  (provided lazily by __getattr__)

# The later stages are imported on first use (see ``__getattr__``): a run served from the
# cache never pays for jinja2, black or the spec validator.
_LAZY = {
    "build": ".model",
    "operation_errors": ".docs",
    "operation_examples": ".examples",
    "render": ".render",
    "verbatim_paths": ".render",
}

__all__ = [
    "DEFAULT_OUT",
    "DEFAULT_PACKAGE",
    "DEFAULT_SPEC",
    "PREVIOUS_SPEC",
    "Generation",
    "gc_tuned",
    "generate",
    "generate_tree",
    "max_jobs",
]


PREVIOUS_SPEC = ".partner-codegen-spec"
"""The copy of the input spec kept in the output, so the next run can say what changed."""


@dataclass(frozen=True)
class Generation:
    """What one run produced: the files, and (unless served from the cache) the document and
    API they came from, so a caller can compare them with another spec's without loading or
    building anything again."""

    files: dict[str, str]
    document: Document | None
    api: Api | None
    warnings: tuple[SpecError, ...] = ()
    """Problems in the spec that did not change the generated code (validator's and model's)."""


def generate_tree(
    spec: Path, *, package: str = DEFAULT_PACKAGE, doc_style: str = "current", cache: Cache | None = None
) -> dict[str, str]:
    """Every file of the output tree: the generated package plus a copy of the spec."""
    return generate(spec, package=package, doc_style=doc_style, cache=cache).files


def generate(
    spec: Path,
    *,
    package: str = DEFAULT_PACKAGE,
    doc_style: str = "current",
    formatter: str = "black",
    cache: Cache | None = None,
    strict: bool = False,
) -> Generation:
    """load -> validate -> model -> render -> format; raises SpecErrors for bad input.

    The files are the generated package plus a copy of the spec. ``doc_style`` picks the
    layout of the resource pages in ``docs/`` (``current`` or ``legacy``), ``formatter`` the
    formatter (``black`` or ``ruff``). ``cache`` (default none) serves an unchanged input
    without running the stages. ``strict`` makes every warning an error.
    """
    timer = _Timer()
    try:
        raw: bytes | None = spec.read_bytes()
    except OSError:
        raw = None  # load() reports it
    options = {"package": package, "doc_style": doc_style, "formatter": formatter}
    key = tree_key(spec, raw, options=options) if cache is not None and raw is not None else None
    hit = cache.tree(key) if cache is not None and key is not None else None
    timer.lap("cache lookup")
    if hit is not None:
        result = Generation(hit.files, None, None, hit.warnings)
    else:
        memo = cache.memo() if cache is not None else None
        with gc_tuned():
            result = _run_stages(spec, package=package, doc_style=doc_style, formatter=formatter, memo=memo, timer=timer)
        document = result.document
        if cache is not None and memo is not None:
            memo.save()
            # Stored only if load() parsed exactly the bytes the key was made from.
            if key is not None and document is not None and raw is not None and document.sha256 == _sha256(raw):
                cache.put_tree(key, Tree(result.files, result.warnings))
            timer.lap("store in the cache")
    timer.report(cached=hit is not None)
    if strict and result.warnings:
        raise SpecErrors([w.as_error() for w in result.warnings])
    text = raw.decode("utf-8-sig") if raw is not None else spec.read_bytes().decode("utf-8-sig")
    return Generation({**result.files, PREVIOUS_SPEC: text}, result.document, result.api, result.warnings)


def _run_stages(spec: Path, *, package: str, doc_style: str, formatter: str, memo: Memo | None, timer: _Timer) -> Generation:
    with _processes() as pool:
        document = load(spec)
        timer.lap("load")
        validation = pool.submit(_verdict, document) if pool is not None else None
        if validation is None:  # no processes: validation really runs first
            problems = _verdict(document)
            timer.lap("validate")
            if any(not p.warning for p in problems):
                raise SpecErrors(problems)
        else:
            problems = []
        try:
            stages = sys.modules[__name__]  # module attributes, so tests can replace a stage
            api = stages.build(document, package=package)
            timer.lap("model")
            examples = stages.operation_examples(document, api)
            errors = stages.operation_errors(document, api)
            rendered = stages.render(
                api,
                examples=examples,
                errors=errors,
                doc_style=doc_style,
                snippets=functools.partial(fmt.format_snippets, formatter=formatter, executor=pool, memo=memo),
            )
            timer.lap("render")
            preformatted = stages.verbatim_paths(package)
            files = fmt.format_tree(rendered, formatter=formatter, preformatted=preformatted, executor=pool, memo=memo)
            timer.lap("format")
        except Exception as exc:
            if validation is not None:
                problems = _result(validation, document)  # a bad spec explains the failure better than any stage
            if any(not p.warning for p in problems):
                raise SpecErrors(problems) from None
            if isinstance(exc, SpecErrors):
                raise SpecErrors(_in_order([*problems, *exc.errors])) from None
            raise
        if validation is not None:
            problems = _result(validation, document)
            timer.lap("wait for validation")
            if any(not p.warning for p in problems):
                raise SpecErrors(problems)
    return Generation(files, document, api, warnings=_in_order([*problems, *api.warnings]))


def _verdict(document: Document) -> list[SpecError]:
    """Every problem the validator finds, warnings included (in a process of the pool, which
    imports the validator while this one models and renders)."""
    from .validate import check

    return check(document)


def _result(validation: Future[list[SpecError]], document: Document) -> list[SpecError]:
    """The validation's verdict; should its process have failed, validated here instead."""
    try:
        return validation.result()
    except BrokenProcessPool:  # a killed process only costs time
        return _verdict(document)


def _in_order(findings: list[SpecError]) -> tuple[SpecError, ...]:
    """Each finding once, errors and warnings in document (pointer) order."""
    return tuple(sorted(dict.fromkeys(findings), key=lambda e: (e.pointer, e.message)))


def _sha256(raw: bytes) -> str:
    import hashlib

    return hashlib.sha256(raw).hexdigest()


def max_jobs() -> int:
    """How many processes may work at once: the usable CPUs, capped by ``PARTNER_CODEGEN_JOBS``."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    configured = os.environ.get("PARTNER_CODEGEN_JOBS", "").strip()
    if configured.isdigit():
        cpus = min(cpus, max(1, int(configured)))
    return max(1, cpus)


@contextlib.contextmanager
def _processes() -> Iterator[Executor | None]:
    """A process pool for the run, or None where it cannot pay or be had safely: one CPU, or
    not Linux (a forked process starts at once, with everything imported; elsewhere each
    process would import the generator again), or other threads in this process (forking
    them is unsafe)."""
    jobs = max_jobs()
    if jobs < 2 or not sys.platform.startswith("linux") or threading.active_count() > 1:
        yield None
        return
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"))
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def gc_tuned() -> Iterator[None]:
    """Collect garbage rarely while the pipeline runs; restore the settings afterwards.

    The pipeline builds large trees that live until it ends (the parsed spec, black's syntax
    trees), so CPython's default thresholds make it rescan them over and over.
    """
    before = gc.get_threshold()
    gc.set_threshold(20_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*before)


class _Timer:
    def __init__(self) -> None:
        self.enabled = os.environ.get("PARTNER_CODEGEN_TIMINGS", "") not in ("", "0")
        self.last = time.perf_counter()
        self.laps: list[tuple[str, float]] = []

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps.append((name, now - self.last))
        self.last = now

    def report(self, *, cached: bool) -> None:
        if self.enabled:
            laps = ", ".join(f"{name} {seconds:.3f}s" for name, seconds in self.laps)
            print(f"timings{' (served from the cache)' if cached else ''}: {laps}", file=sys.stderr)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __package__), name)
    globals()[name] = value
    return value
