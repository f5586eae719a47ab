"""The generated package's version follows its API, and ``CHANGELOG.md`` says why.

``generate`` compares the new output with the previous generation in the output directory
(its ``pyproject.toml`` version and the spec copy it kept) and sets the version of the new one:

* something breaking (what ``partner-codegen diff`` calls breaking): the major version
  (below 1.0.0: the minor one);
* additions (a method, argument, field, model, enum value or union variant), or a risk:
  the minor version (below 1.0.0: the patch one);
* anything else that changes the output (a description, the generator's templates): the patch
  version;
* nothing changed in the output: nothing (``make generate`` twice gives the same bytes).

``--version X`` sets the version instead. A first generation (no ``pyproject.toml`` in the
output yet) keeps :data:`FIRST_VERSION`. Whenever the version changes, an entry is put at the
top of ``CHANGELOG.md`` beside ``pyproject.toml``: the version and the diff's lines grouped as
breaking, risk and compatible. The log is history, not a function of the spec: the file in the
output is carried into every later generation as it is, so ``check`` sees no difference.

The version is stamped into the rendered tree afterwards (:func:`stamp`): the pipeline and its
caches never see it, so a cached run cannot give a different version than an uncached one.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from .errors import GenerationError
from .write import compare

if TYPE_CHECKING:  # the differ imports the model stage: an unchanged run never needs it
    from .diff import Change, Report

__all__ = ["CHANGELOG", "FIRST_VERSION", "Level", "bump", "changelog_entry", "check_version", "level", "previous_version", "stamp", "versioned"]

FIRST_VERSION = "0.1.0"
"""What :func:`generator.render.render` writes; a first generation keeps it."""
CHANGELOG = "CHANGELOG.md"

Level = Literal["major", "minor", "patch", "none"]

_VERSION = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")
_ADDITIONS = frozenset({"method-added", "param-added", "field-added", "model-added", "enum-value-added", "union-variant-added", "credentials-added"})
_TITLE = "# Changelog\n\nEvery version of this package and what changed for its callers (newest first).\n"


def versioned(
    files: Mapping[str, str],
    out: Path,
    *,
    package: str,
    keep: tuple[str, ...],
    override: str | None,
    report: Callable[[], Report | None],
) -> dict[str, str]:
    """The rendered ``files`` with the version the rules above give and ``CHANGELOG.md``.

    ``report`` gives the API's changes since the previous generation; it is only called when
    the output changes (an unchanged spec never builds the previous one). ``keep`` are the
    folders of ``out`` the generator does not own (they are no change).
    """
    try:
        previous = previous_version(out)
    except GenerationError:
        if override is None:
            raise
        previous = None  # the version is given: the unreadable one does not matter
    base = previous or FIRST_VERSION
    unchanged = with_changelog(stamp(files, package, base), out, None)
    if override is not None:
        version = check_version(override)
    elif previous is None or compare(unchanged, out, keep=keep).clean:
        version = base
    else:
        version = bump(previous, level(report()))
    if version == base:
        return unchanged
    entry = changelog_entry(version, previous, report() if previous is not None else None)
    return with_changelog(stamp(files, package, version), out, entry)


def check_version(text: str) -> str:
    """``text`` if it is a plain ``MAJOR.MINOR.PATCH`` version, else a GenerationError."""
    if not _VERSION.fullmatch(text):
        raise GenerationError(f"--version {text!r} is not a version of the form MAJOR.MINOR.PATCH (e.g. 1.4.0)")
    return text


def previous_version(out: Path) -> str | None:
    """The version in ``out/pyproject.toml``; ``None`` when there is none (a first generation).

    A ``pyproject.toml`` whose version is not ``MAJOR.MINOR.PATCH`` (edited by hand, say) is a
    GenerationError: starting again from :data:`FIRST_VERSION` could move the version back.
    """
    path = out / "pyproject.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise GenerationError(f"cannot read the previous version from {path}: {exc}") from None
    try:
        project = tomllib.loads(text).get("project")
    except tomllib.TOMLDecodeError as exc:
        raise GenerationError(f"cannot read the previous version from {path}: {exc}") from None
    version = project.get("version") if isinstance(project, dict) else None
    if not (isinstance(version, str) and _VERSION.fullmatch(version)):
        raise GenerationError(f"{path}: version {version!r} is not MAJOR.MINOR.PATCH; pass --version X.Y.Z to set the next one")
    return version


def level(report: Report | None) -> Level:
    """How far a change of output moves the version (``report``: the API's changes, if known)."""
    changes = report.changes if report is not None else ()
    if any(c.kind == "breaking" for c in changes):
        return "major"
    if any(c.kind == "risk" or c.code in _ADDITIONS for c in changes):
        return "minor"
    return "patch"


def bump(version: str, how: Level) -> str:
    """``version`` moved by ``how``; below 1.0.0 everything moves one place less."""
    major, minor, patch = (int(part) for part in check_version(version).split("."))
    if how == "none":
        return version
    if major == 0:
        how = "minor" if how == "major" else "patch"
    if how == "major":
        return f"{major + 1}.0.0"
    if how == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def stamp(files: Mapping[str, str], package: str, version: str) -> dict[str, str]:
    """``files`` with ``version`` as the package's version (``pyproject.toml``, ``_version.py``)."""
    check_version(version)
    out = dict(files)
    for path, pattern, line in (
        ("pyproject.toml", r'^version = "[^"\n]*"$', f'version = "{version}"'),
        (f"{package}/_version.py", r'^__version__ = "[^"\n]*"$', f'__version__ = "{version}"'),
    ):
        if path not in out:
            continue
        text, count = re.subn(pattern, line, out[path], count=1, flags=re.MULTILINE)
        if count != 1:  # the templates write exactly this line
            raise AssertionError(f"no version line in the rendered {path}")
        out[path] = text
    return out


def changelog_entry(version: str, previous: str | None, report: Report | None) -> str:
    """One entry of ``CHANGELOG.md``: the version, then the changes grouped by what they mean
    (``previous`` is ``None`` for the first generation)."""
    lines = [f"## {version}", ""]
    if previous is None:
        return "\n".join([*lines, "The first generated version."]) + "\n"
    if report is None:
        text = "The API could not be compared with the previous generation (the spec it kept is missing or no longer valid)."
        return "\n".join([*lines, text]) + "\n"
    changes = report.changes if report is not None else ()
    groups: list[tuple[str, Callable[[Change], bool]]] = [
        (f"Breaking: code written for {previous} may need changes", lambda c: c.kind == "breaking"),
        ("Check your handling: responses may now carry values your code has not seen", lambda c: c.kind == "risk"),
        ("Compatible", lambda c: c.kind == "compatible"),
    ]
    for title, member in groups:
        chosen = [c for c in changes if member(c)]
        if chosen:
            lines.append(f"{title}:")
            lines.append("")
            lines.extend(f"- `{c.subject}`: {_printable(c.message)}" for c in chosen)
            lines.append("")
    if not changes:
        lines.append("No change to the API: the generated code or its documentation changed.")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def with_changelog(files: Mapping[str, str], out: Path, entry: str | None) -> dict[str, str]:
    """``files`` plus ``CHANGELOG.md``: the one in ``out`` as it is, ``entry`` on top if given."""
    try:
        current = (out / CHANGELOG).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        current = None
    result = dict(files)
    if entry is None:
        if current is not None:
            result[CHANGELOG] = current
        return result
    body = current.removeprefix(_TITLE).lstrip("\n") if current is not None else ""
    result[CHANGELOG] = _TITLE + "\n" + entry + ("\n" + body if body else "")
    return result


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
