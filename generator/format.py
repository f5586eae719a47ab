"""Stage 5: format generated Python with black, in process.

black is the formatter of record, so the committed package is byte-identical to what a user
regenerating it gets. Non-Python files pass through unchanged. A file black cannot parse means
a template produced broken code: that is a bug in the generator, reported as such.
"""

from __future__ import annotations

import black
from black.mode import Mode, TargetVersion
from black.parsing import InvalidInput

MODE = Mode(target_versions={TargetVersion.PY311}, line_length=100)


class FormatError(Exception):
    """black rejected generated code (a generator bug, never the spec's fault)."""


def format_tree(files: dict[str, str]) -> dict[str, str]:
    """Return ``files`` with every ``.py`` file formatted."""
    return {path: format_file(path, text) for path, text in files.items()}


def format_file(path: str, text: str) -> str:
    if not path.endswith(".py") or not text:
        return text
    try:
        return black.format_str(text, mode=MODE)
    except InvalidInput as exc:
        raise FormatError(f"generated {path} is not valid Python: {exc}") from exc
