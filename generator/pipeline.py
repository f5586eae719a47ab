"""The whole pipeline as one pure function: spec path in, {relative path: text} out.

Validation runs beside the later stages (in a forked child where that is possible, see
:mod:`generator.parallel`): its verdict still decides, exactly as if it ran first. A bad spec
raises its :class:`SpecErrors` even when a later stage failed on it first, and nothing is
returned before validation has passed. With a :class:`~generator.cache.Cache`, an unchanged
input is served from the tree cache and black's output from the format cache.

``PARTNER_CODEGEN_TIMINGS=1`` prints how long each stage took to stderr.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib
import marshal
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import format as fmt
from .cache import Baseline, Cache, tree_key
from .errors import SpecError, SpecErrors
from .load import Document, load, load_since
from .options import DEFAULT_OUT, DEFAULT_PACKAGE, DEFAULT_SPEC
from .parallel import Background, Call, Worker, gc_tuned
from .workers import Workers, start_workers, validate_sent, validation_verdict

if TYPE_CHECKING:
    from .docs import operation_errors  # noqa: F401  (provided lazily by __getattr__)
    from .examples import operation_examples  # noqa: F401  (provided lazily by __getattr__)
    from .ir import Api
    from .model import build as build  # provided lazily by __getattr__
    from .render import render, verbatim_paths  # noqa: F401  (provided lazily by __getattr__)

# The later stages are imported on first use (see ``__getattr__``): a run served from the tree
# cache never pays for jinja2, black or the spec validator, and a forked validation child
# imports the validator without the parent doing so too.
_LAZY = {
    "build": ".model",
    "operation_errors": ".docs",
    "operation_examples": ".examples",
    "render": ".render",
    "verbatim_paths": ".render",
}

__all__ = ["DEFAULT_OUT", "DEFAULT_PACKAGE", "DEFAULT_SPEC", "PREVIOUS_SPEC", "Generation", "generate", "generate_tree"]


PREVIOUS_SPEC = ".partner-codegen-spec"
"""The copy of the input spec kept in the output, so the next run can say what changed."""


@dataclass(frozen=True)
class Generation:
    """What one run produced: the files, and (unless served whole from the tree cache) the
    document and API they came from, plus the previous generation's document and API if the
    cache had them, so a caller can compare the two without loading or building anything again."""

    files: dict[str, str]
    document: Document | None
    api: Api | None
    baseline: Baseline | None
    previous_api: Api | None = None
    storing: Background[None] | None = None
    """The cache stores still being written beside the caller (see ``generate(wait=False)``)."""
    warnings: tuple[SpecError, ...] = ()
    """Problems in the spec that did not change the generated code (validator's and model's)."""

    def finish(self) -> None:
        """Wait until the caches are stored (at once if they already are)."""
        if self.storing is not None:
            self.storing.result()

    def abandon(self) -> None:
        """Stop writing the caches (on an interrupt): the next run just finds fewer entries."""
        if self.storing is not None:
            self.storing.cancel()


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
    cache: Cache | None = None,
    wait: bool = True,
    workers: Workers | None = None,
    strict: bool = False,
) -> Generation:
    """load -> validate -> model -> render -> format; raises SpecErrors for bad input.

    The files are the generated package plus a copy of the spec. ``doc_style`` picks the
    layout of the resource pages in ``docs/``: ``current`` or ``legacy``. ``cache`` (default
    none) serves unchanged inputs without running the stages again. With ``wait=False`` the
    new cache entries are written by a child process while the caller goes on (writing the
    files, say); the caller must then call :meth:`Generation.finish` before it exits.
    ``workers`` are the formatter and validator processes if the caller started them already
    (:func:`generator.workers.start_workers`; the caller closes them); by default the run
    starts its own. ``strict`` makes every warning an error.
    """
    result = _generate_tree(spec, package=package, doc_style=doc_style, cache=cache, workers=workers)
    if strict and result.warnings:
        result.finish()
        raise SpecErrors([w.as_error() for w in result.warnings])
    files = {**result.files, PREVIOUS_SPEC: spec.read_bytes().decode("utf-8-sig")}
    result = dataclasses.replace(result, files=files)
    if wait:
        result.finish()
    return result


def _generate_tree(
    spec: Path, *, package: str, doc_style: str, cache: Cache | None, workers: Workers | None = None
) -> Generation:
    timer = _Timer()
    with gc_tuned():
        if cache is None:
            return _generate(spec, package=package, doc_style=doc_style, cache=None, timer=timer, workers=workers)
        try:
            raw: bytes | None = spec.read_bytes()
        except OSError:
            raw = None  # load() reports it
        key = tree_key(spec, raw, options={"package": package, "doc_style": doc_style}) if raw is not None else None
        trees = cache.tree_cache()
        if key is not None:
            files = trees.get(key)
            timer.lap("tree cache lookup")
            if files is not None:
                timer.report(cached=True)
                return Generation(files, None, None, None)
        result = _generate(spec, package=package, doc_style=doc_style, cache=cache, timer=timer, workers=workers)
        document = result.document
        assert document is not None
        # The previous generation's API, for the change summary: its bytes are read before the
        # new one replaces them, and decoded while a child process writes the new entries.
        apis = cache.api_cache()
        baseline = result.baseline
        previous = apis.read() if baseline is not None else None
        text = raw.decode("utf-8-sig", "replace") if raw is not None else ""
        # Store the tree only if load() parsed exactly the bytes the key was made from.
        tree_key_to_store = key if key is not None and raw is not None and document.sha256 == hashlib.sha256(raw).hexdigest() else None

        def store() -> None:
            # A spec with warnings is never a baseline nor served from the tree cache: the
            # incremental validation and a cached tree would not report its warnings again.
            if result.warnings:
                return
            if tree_key_to_store is not None:
                trees.put(tree_key_to_store, result.files)
            # It passed: the next run's baseline.
            cache.document_cache().put(Baseline(document.sha256, document.root, text))
            apis.put(document.sha256, package, result.api)

        storing = Background(store)
        previous_api = apis.decode(previous, baseline.sha256, package) if previous is not None and baseline is not None else None
        result = dataclasses.replace(result, previous_api=previous_api, storing=storing)
        timer.lap("store caches (started)")
        timer.report(cached=False)
        return result


def _generate(
    spec: Path, *, package: str, doc_style: str, cache: Cache | None, timer: _Timer, workers: Workers | None
) -> Generation:
    baseline = cache.document_cache().get() if cache is not None else None
    timer.lap("read the last generation's document")
    # black's and the validator's imports happen in workers on the other CPU while this
    # process loads, models and renders (the command line starts them even earlier).
    own = workers is None
    if workers is None:
        workers = start_workers(baseline=baseline, formatter=baseline is not None)
    try:
        return _run_stages(spec, package=package, doc_style=doc_style, cache=cache, timer=timer, workers=workers, baseline=baseline)
    finally:
        if own:
            workers.close()


def _run_stages(
    spec: Path,
    *,
    package: str,
    doc_style: str,
    cache: Cache | None,
    timer: _Timer,
    workers: Workers,
    baseline: Baseline | None,
) -> Generation:
    helper = workers.formatter
    validation = _Validation(baseline, workers.validator)
    try:
        document = load_since(spec, baseline) if baseline is not None else load(spec)
        timer.lap("load")
        validation.start(document)
        timer.lap("start validation")  # includes validating, when it cannot run beside the rest
        try:
            stages = sys.modules[__name__]  # module attributes, so tests can replace a stage
            build_api = stages.build
            timer.lap("import model/render")
            api = build_api(document, package=package)
            timer.lap("model")
            examples = stages.operation_examples(document, api)
            errors = stages.operation_errors(document, api)
            store = cache.format_cache() if cache is not None else None
            rendered = stages.render(
                api,
                examples=examples,
                errors=errors,
                doc_style=doc_style,
                snippets=functools.partial(fmt.format_snippets, cache=store, helper=helper),
            )
            timer.lap("render")
            files = fmt.format_tree(rendered, cache=store, preformatted=stages.verbatim_paths(package), helper=helper)
            timer.lap("format")
        except Exception as exc:
            problems, _ = validation.result(document)  # a bad spec explains the failure better than any stage
            if any(not p.warning for p in problems):
                raise SpecErrors(problems) from None
            if isinstance(exc, SpecErrors):
                raise SpecErrors(_in_order([*problems, *exc.errors])) from None
            raise
        problems, seconds = validation.result(document)
        timer.lap("wait for validation")
        timer.note("validate (beside the stages above)", seconds)
        if any(not p.warning for p in problems):
            raise SpecErrors(problems)
        if cache is None:
            timer.report(cached=False)
        return Generation(files, document, api, baseline, warnings=_in_order([*problems, *api.warnings]))
    finally:
        validation.cancel()


def _in_order(findings: list[SpecError]) -> tuple[SpecError, ...]:
    """Each finding once, errors and warnings in document (pointer) order."""
    return tuple(sorted(dict.fromkeys(findings), key=lambda e: (e.pointer, e.message)))


class _Validation:
    """The validation stage, run beside the others in the validator worker.

    The worker imported the validator while this process loaded the spec; it is sent the
    loaded document (``marshal``-ed: a few ms even for a 3 MB spec) and validates it against
    the baseline it read or inherited, if that is this process's baseline too (else the whole
    document). With no worker the document is validated here, before the later stages. Any
    failure of the worker means the document is validated here: the verdict never depends on it.
    """

    def __init__(self, baseline: Baseline | None, worker: Worker | None) -> None:
        self._baseline = baseline
        self._worker = worker
        self._call: Call[tuple[list[SpecError], float]] | None = None
        self._here: tuple[list[SpecError], float] | None = None

    def start(self, document: Document) -> None:
        if self._worker is not None and self._worker.alive:
            try:
                root: bytes | dict[str, Any] = marshal.dumps(document.root)
            except ValueError:  # not plain data (cannot happen for a parsed spec): pickled instead
                root = document.root
            baseline_sha = self._baseline.sha256 if self._baseline is not None else None
            self._call = self._worker.submit(validate_sent, root, document.file, document.sha256, baseline_sha)
        else:
            self._here = validation_verdict(document, self._baseline)

    def result(self, document: Document) -> tuple[list[SpecError], float]:
        if self._call is not None:
            return self._call.result()
        if self._here is None:
            self._here = validation_verdict(document, self._baseline)
        return self._here

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.close()


class _Timer:
    def __init__(self) -> None:
        self.enabled = os.environ.get("PARTNER_CODEGEN_TIMINGS", "") not in ("", "0")
        self.last = time.perf_counter()
        self.laps: list[tuple[str, float]] = []

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps.append((name, now - self.last))
        self.last = now

    def note(self, name: str, seconds: float) -> None:
        self.laps.append((name, seconds))

    def report(self, *, cached: bool) -> None:
        if self.enabled:
            laps = ", ".join(f"{name} {seconds:.3f}s" for name, seconds in self.laps)
            print(f"timings{' (tree cache hit)' if cached else ''}: {laps}", file=sys.stderr)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __package__), name)
    globals()[name] = value
    return value
