"""What a spec change means for callers of the generated package: ``partner-codegen diff OLD NEW``.

Both documents are built into the intermediate representation (:mod:`generator.ir`) and the two
APIs are compared as a caller sees them: methods (``client.<resource>.<method>``) and their
keyword arguments, the classes and aliases of ``models.py``, and the types they carry.

Every difference is a :class:`Change` with a severity:

* ``breaking`` -- code written against the old package may fail to type-check or to run:
  a method, argument, model or field that is gone or renamed, an argument or request field
  that became required, a type that no longer accepts what it accepted (requests) or may now
  hold what it never held (responses), an enum value a request may no longer send, a response
  field that may now be absent, a union variant removed, a different success status; a
  renamed client, resource, model or environment variable (``x-class-name``, ``x-resource``,
  ``x-env-vars``...), credentials the client no longer takes, and a field that lost
  ``x-redact`` (its secret would show in ``repr()``, logs and errors).
* ``risk`` -- additions that can surprise exhaustive handling of responses: a new enum value
  or union variant a response may now carry.
* ``compatible`` -- additions and documentation changes.

Whether a model matters for requests or responses is decided by reachability: from the types of
the methods' arguments (requests) and from their return and error types (responses), closed over
the references between models and aliases. Enum values are read from the ``Literal[...]`` in the
generated annotations, parsed with :mod:`ast` (never evaluated as code).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..errors import SpecErrors
from ..ir import Api
from ..load import Document, load
from ..model import build
from ..pipeline import gc_tuned
from .differ import Differ
from .report import SEVERITY, Change, Direction, Kind, Report
from .types import compare_types, members, renamed_definitions
from .usage import identifiers, usage

__all__ = [
    "SEVERITY",
    "Change",
    "Differ",
    "Direction",
    "Kind",
    "Report",
    "build_api",
    "build_previous",
    "compare",
    "compare_types",
    "diff_specs",
    "identifiers",
    "members",
    "renamed_definitions",
    "report_between",
    "report_since",
    "run",
    "summarize",
    "summary_between",
    "summary_since",
    "summary_text",
    "usage",
]


def build_api(spec: Path, *, package: str) -> tuple[Document, Api]:
    """load -> validate -> model for one spec; raises :class:`~generator.errors.SpecErrors`."""
    with gc_tuned():  # as in the pipeline: the parsed spec lives until the end
        from ..validate import validate  # slow to import: only when a spec is really compared

        doc = validate(load(spec))
        return doc, build(doc, package=package)


def diff_specs(old: Path, new: Path, *, package: str) -> Report:
    """Compare the APIs two spec files generate (each must be valid, else SpecErrors)."""
    old_doc, old_api = build_api(old, package=package)
    new_doc, new_api = build_api(new, package=package)
    return compare(old_api, new_api, old_doc=old_doc, new_doc=new_doc)


def summarize(old_api: Api, new_api: Api, *, limit: int = 8) -> str:
    """A few lines for ``generate``: counts, then the most severe changes (at most ``limit``)."""
    return summary_text(compare(old_api, new_api), limit=limit)


def summary_text(report: Report, *, limit: int = 8) -> str:
    """:func:`summarize` for a report already made."""
    if not report.changes:
        return _NO_CHANGES
    lines = [f"API changes since the previous generation: {report.summary_line()}"]
    shown = [c for c in report.changes if c.kind != "compatible"][:limit]
    lines.extend(f"  {c.line()}" for c in shown)
    hidden = len(report.changes) - len(shown)
    if hidden:
        more = f"... and {hidden} more" if shown else f"{hidden} compatible"
        lines.append(f"  {more}; run `partner-codegen diff OLD NEW` for the full list")
    if report.breaking:
        lines.append("  Breaking changes: callers of the generated package must be updated.")
    return "\n".join(lines)


from ..pipeline import PREVIOUS_SPEC as PREVIOUS_SPEC  # noqa: E402  (the output keeps the spec it came from)

_NO_CHANGES = "API changes since the previous generation: none"


def summary_since(previous_spec: Path, spec: Path, *, package: str) -> str | None:
    """:func:`summarize` from the spec that produced the output to ``spec``.

    ``None`` when there is no previous spec, or it no longer builds (nothing to compare with);
    a bad ``spec`` raises :class:`~generator.errors.SpecErrors` as generating it would.
    """
    report = report_since(previous_spec, spec, package=package)
    return None if report is None else summary_text(report)


def report_since(previous_spec: Path, spec: Path, *, package: str) -> Report | None:
    """The :class:`Report` :func:`summary_since` summarises (``None`` when it prints nothing)."""
    try:
        if previous_spec.read_bytes() == spec.read_bytes():
            return Report(previous_spec.name, spec.name, ())  # without building anything
    except OSError:
        return None  # no previous spec (a first run), or it cannot be read
    previous = build_previous(previous_spec, package=package)
    if previous is None:
        return None
    return report_between(*previous, *build_api(spec, package=package))


def build_previous(previous_spec: Path, *, package: str) -> tuple[Document, Api] | None:
    """:func:`build_api` for the spec copy a previous generation left in its output.

    ``None`` when it cannot be read or no longer builds (a damaged copy, or one an older
    generator accepted): there is then nothing to compare with. It is validated again, as
    :func:`summary_since` always did.
    """
    try:
        return build_api(previous_spec, package=package)
    except SpecErrors:
        return None


def summary_between(old_doc: Document, old_api: Api, new_doc: Document, new_api: Api) -> str:
    """:func:`summary_since` for specs already built (e.g. by :func:`build_previous` and by the
    pipeline that generates ``new_api``), so neither is loaded, validated or modelled again.

    The text is exactly what :func:`summary_since` prints for the same two files: locations
    come from the IR (as in :func:`summarize`), the documents only tell whether the inputs were
    identical.
    """
    return summary_text(report_between(old_doc, old_api, new_doc, new_api))


def report_between(old_doc: Document, old_api: Api, new_doc: Document, new_api: Api) -> Report:
    """The :class:`Report` :func:`summary_between` summarises (locations from the IR)."""
    if old_doc.sha256 == new_doc.sha256:
        return Report(old_api.spec_file, new_api.spec_file, ())  # the same bytes build the same API
    return compare(old_api, new_api)


def compare(
    old: Api, new: Api, *, old_doc: Document | None = None, new_doc: Document | None = None
) -> Report:
    """Every caller-visible difference from ``old`` to ``new``, most severe first.

    The documents, when given, only make spec locations more precise (the exact parameter or
    property); without them locations fall back to what the IR records.
    """
    differ = Differ(old, new, old_doc, new_doc)
    differ.run()
    changes = _dedupe(differ.changes)
    return Report(old.spec_file, new.spec_file, tuple(sorted(changes, key=Change.sort_key)))


def _dedupe(changes: Iterable[Change]) -> list[Change]:
    """One change per subject and rule, keeping the most severe (a model used both ways)."""
    best: dict[tuple[str, str, str], Change] = {}
    for change in changes:
        key = (change.subject, change.code, change.location)
        if key not in best or SEVERITY[change.kind] < SEVERITY[best[key].kind]:
            best[key] = change
    return list(best.values())


def run(old: Path, new: Path, *, output_format: str = "text", package: str = "confluent_partner_v2") -> int:
    """The ``diff`` command: print the report; 1 if anything is breaking, else 0."""
    report = diff_specs(old, new, package=package)
    print(report.json() if output_format == "json" else report.text(), end="")
    return 1 if report.breaking else 0
