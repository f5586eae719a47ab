"""The two worker processes of a generation, started before anything else is imported.

The validator (openapi-spec-validator, about 0.2 s to import) and black (over 0.1 s) are the
slowest imports of a run. Forked first thing, each worker imports its library on the other
CPU while this process imports the pipeline and loads the spec; the validator is then sent
the loaded document, the formatter the text to format (see :class:`~generator.parallel.Worker`,
which also guarantees that a failed worker only costs time: its calls then run here).
This module imports nothing heavy itself.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any

from .parallel import Worker, can_fork


class Workers:
    """The formatter and validator workers (either may be None: then that work runs here)."""

    def __init__(self, formatter: Worker | None, validator: Worker | None) -> None:
        self.formatter = formatter
        self.validator = validator

    def close(self) -> None:
        for worker in (self.formatter, self.validator):
            if worker is not None:
                worker.close()


def start_workers(*, baseline: Any = None, cache_of: tuple[Path, Path | None] | None = None) -> Workers:
    """Fork the workers (where forking is possible).

    The validator needs the baseline (the document of the last generation, for checking only
    what changed): ``baseline`` when the caller has read it already (the worker inherits it),
    else ``cache_of`` (output directory, cache directory) to read it from, in the worker.
    """
    if not can_fork():
        return Workers(None, None)
    formatter = None if "black" in sys.modules else _started(Worker(_prepare_formatter))
    validator = _started(Worker(functools.partial(_prepare_validator, baseline, cache_of)))
    return Workers(formatter, validator)


def _started(worker: Worker) -> Worker | None:
    return worker if worker.alive else None


def _prepare_formatter() -> None:
    from .format import prepare_black

    prepare_black()


def _prepare_validator(baseline: Any, cache_of: tuple[Path, Path | None] | None) -> None:
    from . import pipeline

    if baseline is None and cache_of is not None:
        from .cache import Cache

        baseline = Cache.for_output(*cache_of).document_cache().get()
    pipeline.prepare_validation(baseline)
