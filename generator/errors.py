"""Errors the pipeline reports, as values that carry where in the spec they come from.

Stages collect :class:`SpecError` values for problems in the input and raise them together as
:class:`SpecErrors`; the CLI prints them once and exits with code 2. Anything else that escapes
the pipeline is a bug in the generator itself (exit code 3).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "FormatError",
    "GenerationError",
    "SpecError",
    "SpecErrors",
    "escape_pointer_token",
    "pointer",
    "unique",
]


def escape_pointer_token(token: str | int) -> str:
    """Escape one reference token for a JSON pointer (RFC 6901)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(*tokens: str | int) -> str:
    """Build a JSON pointer from raw tokens: ``pointer("paths", "/a")`` -> ``/paths/~1a``."""
    return "".join("/" + escape_pointer_token(t) for t in tokens)


@dataclass(frozen=True, slots=True)
class SpecError:
    """One problem in the input document, located by file and JSON pointer.

    A ``warning`` does not change the generated code (or its effect is removed without
    changing the API): it is reported and generation goes on, unless ``--strict``.
    """

    file: str
    pointer: str
    message: str
    warning: bool = False

    def __str__(self) -> str:
        where = f"{self.file}#{self.pointer}" if self.pointer else self.file
        return f"{where}: {self.message}"


    def as_error(self) -> SpecError:
        """The same finding as an error (``--strict``)."""
        return SpecError(self.file, self.pointer, self.message)


def unique(findings: Iterable[SpecError]) -> list[SpecError]:
    """Each finding once, in the order first met (the model visits some schemas twice)."""
    return list(dict.fromkeys(findings))


class SpecErrors(Exception):  # noqa: N818 - a collection of SpecError values
    """Raised by a stage with every problem it found in the input (never empty): at least
    one error, and the warnings found alongside, which the CLI prints as such."""

    def __init__(self, errors: Iterable[SpecError]) -> None:
        self.errors = tuple(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


class GenerationError(Exception):
    """A problem that is not the spec's fault but still the user's to fix (e.g. output path)."""


class FormatError(Exception):
    """black rejected generated code (a generator bug, never the spec's fault)."""
