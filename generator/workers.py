"""The two worker processes of a generation, started before anything else is imported.

The validator (openapi-spec-validator, about 0.2 s to import) and black (over 0.1 s) are the
slowest imports of a run. Forked first thing, each worker imports its library on the other
CPU while this process imports the pipeline and loads the spec; the validator is then sent
the loaded document, and the formatter (started for warm runs only, see
:func:`start_workers`) the text to format. :class:`~generator.parallel.Worker` guarantees that
a failed worker only costs time: its calls then run here. This module imports nothing heavy
itself; the functions the workers run live here too, so that a worker imports only what it
needs.
"""

from __future__ import annotations

import functools
import marshal
import sys
import time
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .parallel import Worker, can_fork

if TYPE_CHECKING:
    from .cache import Baseline
    from .errors import SpecError
    from .load import Document


class Workers:
    """The formatter and validator workers (either may be None: then that work runs here)."""

    def __init__(self, formatter: Worker | None, validator: Worker | None) -> None:
        self.formatter = formatter
        self.validator = validator

    def close(self) -> None:
        for worker in (self.formatter, self.validator):
            if worker is not None:
                worker.close()


def start_workers(
    *, baseline: Any = None, cache_of: tuple[Path, Path | None] | None = None, formatter: bool = True
) -> Workers:
    """Fork the workers (where forking is possible).

    The validator needs the baseline (the document of the last generation, for checking only
    what changed): ``baseline`` when the caller has read it already (the worker inherits it),
    else ``cache_of`` (output directory, cache directory) to read it from, in the worker.

    ``formatter=False`` leaves black to this process. That is better for a cold run: this
    process must import black anyway to take its share of formatting everything, and the
    processes it forks for the other shares then inherit black for nothing. The formatter pays
    on a warm run, where little is formatted and its import is all it would cost here.
    """
    if not can_fork():
        return Workers(None, None)
    formatter_worker = _started(Worker(_prepare_formatter)) if formatter and "black" not in sys.modules else None
    validator = _started(Worker(functools.partial(_prepare_validator, baseline, cache_of)))
    return Workers(formatter_worker, validator)


def _started(worker: Worker) -> Worker | None:
    return worker if worker.alive else None


def _prepare_formatter() -> None:
    from .format import prepare_black

    prepare_black()


def _prepare_validator(baseline: Any, cache_of: tuple[Path, Path | None] | None) -> None:
    """Run first in the validator worker: find the baseline and import the validator."""
    if baseline is None and cache_of is not None:
        from .cache import Cache

        baseline = Cache.for_output(*cache_of).document_cache().get()
    _INHERITED["baseline"] = baseline
    import_module(".validate", __package__)  # the import is the point


_INHERITED: dict[str, Any] = {}
"""In the validator worker only: the baseline it read or inherited."""


def validate_sent(
    root: bytes | dict[str, Any], file: str, sha256: str, baseline_sha: str | None
) -> tuple[list[SpecError], float]:
    """In the validator worker: validate a document sent to it (``marshal``-ed root), against
    its baseline if that is the one the sender loaded against. Run in the sender instead (the
    worker failed), it finds no baseline and checks the whole document: the same verdict."""
    from .load import Document

    document = Document(file=file, root=marshal.loads(root) if isinstance(root, bytes) else root, sha256=sha256)
    baseline = _INHERITED.get("baseline")
    if getattr(baseline, "sha256", None) != baseline_sha or baseline_sha is None:
        baseline = None
    return validation_verdict(document, baseline)


def validation_verdict(document: Document, baseline: Baseline | None) -> tuple[list[SpecError], float]:
    """Every problem the validator finds, warnings included (none when clean), and the seconds
    it took.

    With a ``baseline`` (the document of the last successful generation into this output,
    which had no warnings), only what changed since is checked
    (:func:`generator.validate.check_since`): same verdict.
    """
    from .validate import check, check_since

    started = time.perf_counter()
    if baseline is not None:
        return check_since(document, baseline.root), time.perf_counter() - started
    return check(document), time.perf_counter() - started
