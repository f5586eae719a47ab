"""The ``partner-codegen`` command: generate, check and validate.

Exit codes: 0 success; 1 ``check`` found differences; 2 bad input (the spec, or an argument),
with one line per problem naming the file and JSON pointer; 3 a bug in the generator itself,
with a request to report it; 130 interrupted (Ctrl-C). No traceback reaches the user, and the
output directory is only ever written after everything rendered successfully.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .errors import GenerationError, SpecError, SpecErrors
from .options import DEFAULT_OUT, DEFAULT_PACKAGE, DEFAULT_SPEC, DOC_STYLES, FORMATTERS

__all__ = [
    "EXIT_INTERRUPTED",
    "main",
]

if TYPE_CHECKING:
    from .diff import Report
    from .pipeline import Generation

# The pipeline's modules are imported only for the commands that need them.

EXIT_OK, EXIT_DIFFERENT, EXIT_BAD_INPUT, EXIT_BUG = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # as a shell reports a command ended by Ctrl-C


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="partner-codegen",
        description="Generate a typed httpx client and pydantic models from an OpenAPI 3 document.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("generate", "write the client package to --out"),
        ("check", "exit 1 if --out is not exactly what SPEC produces"),
    ):
        cmd = commands.add_parser(name, help=text, description=text)
        cmd.add_argument("spec", nargs="?", type=Path, default=DEFAULT_SPEC, help=f"OpenAPI document (default {DEFAULT_SPEC})")
        cmd.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output directory (default {DEFAULT_OUT})")
        cmd.add_argument("--package", default=DEFAULT_PACKAGE, help=f"Python package name (default {DEFAULT_PACKAGE})")
        cmd.add_argument(
            "--doc-style", choices=DOC_STYLES, default="current",
            help="layout of the resource pages in docs/: current (StackQL MDX) or legacy (default current)",
        )
        cmd.add_argument(
            "--cache-dir", type=Path, default=None,
            help="where to keep the cache of formatted output (default .partner-codegen-cache/ beside --out)",
        )
        cmd.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
        cmd.add_argument(
            "--formatter", choices=FORMATTERS, default="black",
            help="black (the default, the formatter of record) or ruff (`ruff format` set up like black: "
            "much faster on very large specs; needs partner-codegen[ruff]; see README)",
        )
        _derive_options(cmd)
        cmd.add_argument(
            "--version", dest="package_version", metavar="X.Y.Z", default=None,
            help="the generated package's version (default: the previous one, bumped as the API changed)",
        )
        _strict_flag(cmd)
    cmd = commands.add_parser("validate", help="check SPEC and report every problem")
    cmd.add_argument("spec", type=Path)
    _strict_flag(cmd)
    text = "what changing OLD to NEW means for callers of the generated package (exit 1 if breaking)"
    cmd = commands.add_parser("diff", help=text, description=text)
    cmd.add_argument("old", type=Path, help="the previous OpenAPI document")
    cmd.add_argument("new", type=Path, help="the new OpenAPI document")
    cmd.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    _derive_options(cmd, new=True)
    text = "write a self-contained document with only the named operations, after applying overlays"
    cmd = commands.add_parser("extract", help=text, description=text)
    cmd.add_argument("spec", type=Path, help="OpenAPI document (e.g. one Confluent publishes)")
    _derive_options(cmd)
    cmd.add_argument("-o", "--output", type=Path, required=True, help="where to write the document (.json: JSON, else YAML)")
    return parser


def _derive_options(cmd: argparse.ArgumentParser, *, new: bool = False) -> None:
    """``--operations`` and ``--overlay``: derive the spec from a larger published document
    (for ``diff``, the NEW one: OLD is usually the spec the package was generated from)."""
    on = "NEW" if new else "SPEC"
    cmd.add_argument(
        "--operations", metavar="ID[,ID...]", default=None,
        help=f"keep only these operationIds (and what they reach) of {on}",
    )
    cmd.add_argument(
        "--overlay", metavar="FILE", type=Path, action="append", default=[],
        help=f"apply this OpenAPI Overlay 1.0 document to {on} first (repeatable, applied in order)",
    )


def _strict_flag(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--strict", action="store_true",
        help="treat warnings (problems that do not change the generated code) as errors: exit 2, nothing written",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _reporting(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _reporting(args: argparse.Namespace) -> int:
    """Run the command; report bad input and bugs as one line each, never as a traceback."""
    try:
        return _run(args)
    except SpecErrors as exc:
        _print_findings(exc.errors)
        count = sum(1 for e in exc.errors if not e.warning)
        print(f"{_plural(count, 'problem')}{_and_warnings(exc.errors)} found; nothing was written.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except GenerationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # the last line of defence (a FormatError among others)
        print(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in partner-codegen, not in your spec; nothing was written. "
            "Please report it with the spec that triggered it.",
            file=sys.stderr,
        )
        return EXIT_BUG


def _print_findings(findings: Sequence[SpecError]) -> None:
    """``error: FILE#POINTER: message`` / ``warning: ...``, one line each, on stderr."""
    for finding in findings:
        print(f"{'warning' if finding.warning else 'error'}: {finding}", file=sys.stderr)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _and_warnings(findings: Sequence[SpecError]) -> str:
    count = sum(1 for e in findings if e.warning)
    return f" and {_plural(count, 'warning')}" if count else ""


def _in_order(findings: Sequence[SpecError]) -> list[SpecError]:
    return sorted(dict.fromkeys(findings), key=lambda e: (e.pointer, e.message))


def _with_warnings(findings: Sequence[SpecError]) -> str:
    """The summary line's count of warnings (empty when there are none)."""
    return f", {_plural(len(findings), 'warning')}" if findings else ""


def _run(args: argparse.Namespace) -> int:
    if args.command not in ("generate", "check", "diff", "extract"):
        return _run_spec(args)
    from .extract import derived_spec, operation_list, relabel, write_extracted

    operations = operation_list(args.operations) if args.operations is not None else None
    if operations == []:
        raise GenerationError("--operations needs at least one operationId")
    source = args.new if args.command == "diff" else args.spec
    try:
        if args.command == "extract":
            print(write_extracted(args.spec, operations=operations, overlays=args.overlay, output=args.output))
            return EXIT_OK
        with derived_spec(source, operations=operations, overlays=args.overlay) as spec:
            if args.command == "diff":
                from . import diff as spec_diff

                return spec_diff.run(args.old, spec, output_format=args.format, package=DEFAULT_PACKAGE)
            return _run_spec(args, spec=spec)
    except SpecErrors as exc:
        raise relabel(exc, source, args.overlay) from None


def _run_spec(args: argparse.Namespace, spec: Path | None = None) -> int:
    spec = args.spec if spec is None else spec
    if args.command == "validate":
        from .load import load
        from .model import build
        from .validate import check  # the spec validator is slow to import: only when needed

        document = load(args.spec)
        findings = check(document)
        if any(not f.warning for f in findings):
            raise SpecErrors(findings)
        # What only the model sees (patterns, required names, enums, method names): built, not rendered.
        try:
            api = build(document, package=DEFAULT_PACKAGE)
        except SpecErrors as exc:
            raise SpecErrors(_in_order([*findings, *exc.errors])) from None
        warnings = _in_order([*findings, *api.warnings])
        if args.strict and warnings:
            raise SpecErrors([w.as_error() for w in warnings])
        _print_findings(warnings)
        print(f"{args.spec}: valid{_with_warnings(warnings)}")
        return EXIT_OK
    if not args.package.isidentifier():
        raise GenerationError(f"--package {args.package!r} is not a valid Python identifier")
    from .cache import Cache
    from .pipeline import generate

    cache = None if args.no_cache else Cache.for_output(args.out, args.cache_dir)
    if args.package_version is not None:
        from .versioning import check_version

        check_version(args.package_version)
    result = generate(
        spec, package=args.package, doc_style=args.doc_style, formatter=args.formatter, cache=cache, strict=args.strict
    )
    _print_findings(result.warnings)
    return _deliver(args, result, spec)


def _deliver(args: argparse.Namespace, result: Generation, spec: Path) -> int:
    """Compare or write the generated files, and say what changed."""
    from .pipeline import PREVIOUS_SPEC
    from .write import compare, write

    # What the change means for callers, against the spec that produced the current output
    # (computed before write() replaces that copy, and only when the output changes at all).
    # A first run has nothing to compare with, and then skips importing the differ (it
    # brings the spec validator with it).
    reports: list[Report | None] = []

    def report() -> Report | None:
        if not reports:
            reports.append(_changes_since(args.out / PREVIOUS_SPEC, spec, result, package=args.package))
        return reports[0]

    from .versioning import versioned

    files = versioned(
        result.files, args.out, package=args.package, keep=_user_folders(args), override=args.package_version, report=report
    )
    if args.command == "check":
        diff = compare(files, args.out, keep=_user_folders(args))
        if diff.clean:
            print(f"{args.out}: up to date with {args.spec}{_with_warnings(result.warnings)}")
            return EXIT_OK
        print(f"{args.out} differs from what {args.spec} produces:\n{diff.summary()}")
        print("Run `make generate` (or `partner-codegen generate`) and commit the result.")
        return EXIT_DIFFERENT
    changes = report()
    diff = write(files, args.out, keep=_user_folders(args))
    if diff.clean:
        print(f"{args.out}: already up to date ({len(files)} files{_with_warnings(result.warnings)})")
    else:
        print(
            f"{args.out}: {len(diff.changed)} changed, {len(diff.missing)} added, "
            f"{len(diff.stale)} removed ({len(files)} files{_with_warnings(result.warnings)})"
        )
    if changes is not None:
        from .diff import summary_text

        print(summary_text(changes))
    version = files.get("pyproject.toml") and _version_of(files)
    if version and "CHANGELOG.md" in diff.changed + diff.missing:
        print(f"version {version}; see {args.out / 'CHANGELOG.md'}")
    return EXIT_OK


def _user_folders(args: argparse.Namespace) -> tuple[str, ...]:
    """Where the user's own code lives in the output: ``<package>/lib/`` is never touched."""
    return (f"{args.package}/lib/",)


def _version_of(files: dict[str, str]) -> str | None:
    import tomllib

    version = tomllib.loads(files["pyproject.toml"]).get("project", {}).get("version")
    return version if isinstance(version, str) else None


def _changes_since(previous_spec: Path, spec: Path, result: Generation, *, package: str) -> Report | None:
    """The summary of API changes from the spec that produced the output to ``spec``: the
    new side is what this run just built (unless it was served from the cache), the old side
    the spec copy in the output, loaded, validated and built."""
    if not previous_spec.is_file():
        return None  # a first run: nothing to compare with
    from . import diff as spec_diff

    if result.document is None or result.api is None or previous_spec.read_bytes() == spec.read_bytes():
        return spec_diff.report_since(previous_spec, spec, package=package)  # builds nothing if unchanged
    built = spec_diff.build_previous(previous_spec, package=package)
    if built is None:
        return None
    return spec_diff.report_between(*built, result.document, result.api)


if __name__ == "__main__":
    sys.exit(main())
