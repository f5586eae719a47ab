"""Stage 5: format generated Python with black, in process.

black is the formatter of record, so the committed package is byte-identical to what a user
regenerating it gets. Non-Python files pass through unchanged. A file black cannot parse means
a template produced broken code: that is a bug in the generator, reported as such.

Three things keep this stage cheap without changing a byte of its output:

* **Chunks.** A module is split before each top-level ``class``/``def`` that is separated from
  the code above it by blank lines only. black lays out such a statement independently of its
  neighbours and always puts exactly two blank lines before it, so formatting the chunks on
  their own and joining them with two blank lines gives black's output for the whole file.
  Files that black treats as a whole (``fmt:`` directives, form feeds, ``\\r``) are not split.
* **A cache** (:class:`generator.cache.FormatCache`) of black's output per whole file and per
  chunk, keyed by the sha256 of black's version, the mode and the text: an unchanged file costs
  a lookup, a file in which one class changed costs that class.
* **Parallel workers** (:mod:`generator.parallel`): what the cache misses is shared among forked
  processes when there is enough of it to pay for the fork.
"""

from __future__ import annotations

import ast
import hashlib
import itertools
import sys
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from .cache import FormatCache, library_version
from .errors import FormatError as FormatError  # re-exported
from .parallel import Worker, fork_map, max_jobs

if TYPE_CHECKING:
    from black.mode import Mode

FORMAT_VERSION = "1"
"""Part of every cache key: bump it whenever this stage's output could change for the same input."""
LINE_LENGTH = 100
TARGET_VERSIONS = ("PY311",)
DOC_LINE_LENGTH = 88
"""Code in the documentation is laid out for black's default width, as readers' own code is."""
PARALLEL_MIN_CHARS = 24_000
"""Below this much text to format, forking a worker costs more than it saves."""
HELPER_ALONE_MAX_CHARS = 100_000
"""Up to this much text, a helper that has black imported formats it all rather than this
process importing black too (the import costs as much as formatting about 35,000 characters)."""

_NOT_SPLIT = ("fmt:", "yapf:", "\f", "\r")
_DEFINITIONS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


@cache
def mode(line_length: int = LINE_LENGTH, *, targets: bool = True) -> Mode:
    """The package's black mode (``line_length`` is narrower for a method formatted on its own);
    documentation snippets use black's default line length and no target versions."""
    from black.mode import Mode, TargetVersion

    if not targets:
        return Mode(line_length=line_length)
    return Mode(target_versions={TargetVersion[name] for name in TARGET_VERSIONS}, line_length=line_length)


def __getattr__(name: str) -> Any:  # ``format.MODE`` stays available without importing black eagerly
    if name == "MODE":
        return mode()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _key_prefix(line_length: int = LINE_LENGTH, targets: bool = True) -> bytes:
    versions = ",".join(TARGET_VERSIONS) if targets else "auto"
    settings = f"format-v{FORMAT_VERSION}|black=={library_version('black')}|ll={line_length}|{versions}"
    return settings.encode("utf-8") + b"\0"


def cache_key(text: str, line_length: int = LINE_LENGTH, *, targets: bool = True) -> str:
    """sha256 of this stage's version, black's version and mode, and ``text``."""
    return hashlib.sha256(_key_prefix(line_length, targets) + text.encode("utf-8", "surrogatepass")).hexdigest()


def format_snippets(
    texts: list[str],
    *,
    line_length: int = DOC_LINE_LENGTH,
    cache: FormatCache | None = None,
    jobs: int | None = None,
    helper: Worker | None = None,
) -> list[str]:
    """black's output for each snippet of example code (a snippet black rejects stays as written).

    The documentation's signatures and examples are formatted here in one batch rather than one
    by one while rendering, so they share the cache and the parallel workers with the package.
    New entries are added to ``cache`` but not saved: :func:`format_tree` saves it afterwards.
    """
    store = cache if cache is not None else FormatCache(None)
    keys = [cache_key(text, line_length, targets=False) for text in texts]
    out: list[str | None] = [store.get(key) for key in keys]
    todo = {key: (text, line_length, False) for key, text, done in zip(keys, texts, out, strict=True) if done is None}
    formatted = _format_all(todo, jobs=max_jobs() if jobs is None else jobs, helper=helper)
    for key, result in formatted.items():
        if result is not None:
            store.put(key, result)
    return [
        done if done is not None else (formatted.get(key) or text)
        for key, text, done in zip(keys, texts, out, strict=True)
    ]


def format_tree(
    files: dict[str, str],
    *,
    cache: FormatCache | None = None,
    jobs: int | None = None,
    preformatted: frozenset[str] = frozenset(),
    helper: Worker | None = None,
) -> dict[str, str]:
    """Return ``files`` with every ``.py`` file formatted (by black, or from ``cache``).

    Paths in ``preformatted`` are already black's output (hand-written runtime files kept
    formatted in the repository, which a test checks) and pass through unchanged. ``helper``
    (the formatter worker, :mod:`generator.workers`) takes a share of black's work, or all of a
    small batch.
    """
    store = cache if cache is not None else FormatCache(None)
    out = dict(files)
    pending: dict[str, tuple[str, list[list[Piece]]]] = {}  # path -> (file key, pieces of each chunk)
    todo: dict[str, Piece] = {}  # key -> what black has to format
    for path, text in files.items():
        if not path.endswith(".py") or not text or path in preformatted:
            continue
        key = cache_key(text)
        hit = store.get(key)
        if hit is not None:
            out[path] = hit
            continue
        plan = split_pieces(text, key)
        for pieces in plan:
            for piece in pieces:
                if piece.key not in todo and (piece.key == key or store.get(piece.key) is None):
                    todo[piece.key] = piece
        pending[path] = (key, plan)
    formatted = _format_all(
        {k: (p.text, p.line_length, True) for k, p in todo.items()},
        jobs=max_jobs() if jobs is None else jobs,
        helper=helper,
    )
    for path, (key, plan) in pending.items():
        outputs = [[formatted[p.key] if p.key in formatted else store.get(p.key) for p in pieces] for pieces in plan]
        result = _assemble(outputs)
        if result is None:  # black rejected a piece: its verdict on the whole file decides
            result = format_file(path, files[path])
        else:
            for pieces, outs in zip(plan, outputs, strict=True):
                for piece, piece_out in zip(pieces, outs, strict=True):
                    if piece.key != key and piece_out is not None:
                        store.put(piece.key, piece_out)
        store.put(key, result)
        out[path] = result
    store.save()
    return out


@dataclass(frozen=True)
class Piece:
    """Text black formats on its own: a top-level chunk, or a method of a split class (dedented,
    with the line length narrowed by the indentation it lost)."""

    text: str
    line_length: int
    key: str


def split_pieces(text: str, key: str | None = None) -> list[list[Piece]]:
    """The chunks of ``text`` (see :func:`split_chunks`), each as the pieces it is formatted in.

    A chunk is one piece, except a class whose body is statements followed by methods separated
    by blank lines only: black puts exactly one blank line between such methods, and lays out
    a method the same at any indentation given the width that is left, so it is formatted as
    its header plus one piece per method. An edited method then costs that method's formatting,
    not the whole class's. ``key`` is ``text``'s own cache key, reused when it is one piece.
    """
    chunks, classes = _split(text)
    plan: list[list[Piece]] = []
    for chunk, node in zip(chunks, classes, strict=True):
        parts = _class_parts(chunk, node) if node is not None else None
        if parts is None:
            # Without the blank lines that follow it: black drops them, and any change it makes
            # costs a second pass over the whole piece (black formats changed text again).
            trimmed = _trimmed(chunk.split("\n"))
            plan.append([Piece(trimmed, LINE_LENGTH, key if key is not None and trimmed == text else cache_key(trimmed))])
        else:
            plan.append(
                [Piece(parts[0], LINE_LENGTH, cache_key(parts[0]))]
                + [Piece(m, LINE_LENGTH - _INDENT, cache_key(m, LINE_LENGTH - _INDENT)) for m in parts[1:]]
            )
    return plan


def _assemble(outputs: list[list[str | None]]) -> str | None:
    """The file from its formatted pieces; None if one is missing or not a formatted piece."""
    chunks: list[str] = []
    for outs in outputs:
        if any(o is None for o in outs):
            return None
        done = [o for o in outs if o is not None]
        if len(done) == 1:
            chunks.append(done[0])
            continue
        methods = done[1:]
        if any(not _is_whole(part) for part in done) or any(m[:1] in ("\n", " ", "\t") for m in methods):
            return None
        chunks.append(done[0] + "".join("\n" + _reindent(m) for m in methods))
    return chunks[0] if len(chunks) == 1 else join_chunks(chunks)


def _is_whole(part: str) -> bool:
    return part.endswith("\n") and not part.endswith("\n\n")


def _reindent(text: str) -> str:
    return "".join(" " * _INDENT + line if line.strip() else line for line in text.splitlines(keepends=True))


def format_file(path: str, text: str) -> str:
    """black's output for one file (non-Python and empty files unchanged)."""
    if not path.endswith(".py") or not text:
        return text
    import black
    from black.parsing import InvalidInput

    try:
        return black.format_str(text, mode=mode())
    except InvalidInput as exc:
        raise FormatError(f"generated {path} is not valid Python: {exc}") from exc


def split_chunks(text: str) -> list[str]:
    """``text`` cut before each top-level definition preceded by blank lines only.

    Returns ``[text]`` when the file must be formatted whole, including when it does not
    parse (black then reports the error for the whole file, as it would have anyway).
    """
    return _split(text)[0]


def _split(text: str) -> tuple[list[str], list[tuple[ast.ClassDef, int] | None]]:
    """:func:`split_chunks`, and for each chunk that is one class, its node and first line."""
    whole: tuple[list[str], list[tuple[ast.ClassDef, int] | None]] = ([text], [None])
    if any(marker in text for marker in _NOT_SPLIT):
        return whole
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return whole
    lines = text.split("\n")
    cuts: list[int] = []
    members: list[list[ast.stmt]] = [[]]
    previous_end: int | None = None
    for node in tree.body:
        start = node.lineno
        if isinstance(node, _DEFINITIONS) and node.decorator_list:
            start = min(start, *(d.lineno for d in node.decorator_list))
        end = node.end_lineno if node.end_lineno is not None else node.lineno
        if isinstance(node, _DEFINITIONS) and previous_end is not None and start - 1 > previous_end:
            gap = lines[previous_end : start - 1]
            if all(not line.strip(" \t") for line in gap):
                cuts.append(start - 1)  # 0-based index of the definition's first line
                members.append([])
        members[-1].append(node)
        previous_end = end
    if not cuts:
        whole[1][0] = _lone_class(members[0], 0)
        return whole
    bounds = [0, *cuts, len(lines)]
    chunks = ["\n".join(lines[a:b]) + "\n" for a, b in itertools.pairwise(bounds)]
    chunks[-1] = chunks[-1][:-1]  # the last piece already ends as the file does
    return chunks, [_lone_class(nodes, first) for nodes, first in zip(members, bounds, strict=False)]


def _lone_class(nodes: list[ast.stmt], first: int) -> tuple[ast.ClassDef, int] | None:
    return (nodes[0], first) if len(nodes) == 1 and isinstance(nodes[0], ast.ClassDef) else None


_INDENT = 4
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def _class_parts(chunk: str, found: tuple[ast.ClassDef, int]) -> list[str] | None:
    """``[header, method, ...]`` (methods dedented) for a class :func:`split_pieces` may split."""
    node, first = found
    body = node.body
    start_at = next((i for i, stmt in enumerate(body) if isinstance(stmt, _FUNCTIONS)), None)
    if start_at is None or not all(isinstance(stmt, _FUNCTIONS) for stmt in body[start_at:]):
        return None
    start_at = max(start_at, 1)  # a method right under the ``class`` line stays with the header
    if start_at >= len(body) or _multiline_strings(node):
        return None
    lines = chunk.split("\n")
    starts: list[int] = []
    for index in range(start_at, len(body)):
        stmt = body[index]
        if not isinstance(stmt, _FUNCTIONS) or stmt.col_offset != _INDENT:
            return None
        begin = min([stmt.lineno, *(d.lineno for d in stmt.decorator_list)]) - 1 - first
        previous_end = (body[index - 1].end_lineno or 0) - first
        gap = lines[previous_end:begin]
        if not gap or any(line.strip(" \t") for line in gap):
            return None
        starts.append(begin)
    last_end = (body[-1].end_lineno or 0) - first
    if any(line.strip(" \t") for line in lines[last_end:]):
        return None  # a trailing comment belongs to no method
    parts = [_trimmed(lines[: starts[0]])]
    for begin, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        method = _trimmed(lines[begin:end])
        dedented = []
        for line in method.split("\n"):
            if line.startswith(" " * _INDENT):
                dedented.append(line[_INDENT:])
            elif line.strip(" \t"):
                return None
            else:
                dedented.append("")  # whitespace outside strings: black empties such lines anyway
        parts.append("\n".join(dedented))
    return parts


def _trimmed(lines: list[str]) -> str:
    while lines and not lines[-1].strip(" \t"):
        lines = lines[:-1]
    return "\n".join(lines) + "\n"


def _multiline_strings(node: ast.ClassDef) -> bool:
    """Whether the class holds a string spanning lines that is not a docstring (its lines are
    text, which dedenting would change)."""
    docstrings: set[int] = set()
    for inner in ast.walk(node):
        if isinstance(inner, (ast.ClassDef, *_FUNCTIONS)) and inner.body:
            head = inner.body[0]
            if isinstance(head, ast.Expr) and isinstance(head.value, ast.Constant) and isinstance(head.value.value, str):
                docstrings.add(id(head.value))
    return any(
        isinstance(inner, (ast.Constant, ast.JoinedStr))
        and inner.end_lineno != inner.lineno
        and id(inner) not in docstrings
        for inner in ast.walk(node)
    )


def join_chunks(parts: list[str]) -> str | None:
    """Formatted chunks joined by two blank lines; None if a part is not a formatted chunk."""
    for index, part in enumerate(parts):
        if not part.endswith("\n") or part.endswith("\n\n") or (index and part[:1] in ("\n", " ", "\t", "")):
            return None
    return "\n\n".join(parts)


def _format_one(item: tuple[str, tuple[str, int, bool]]) -> str | None:
    import black
    from black.parsing import InvalidInput

    text, line_length, targets = item[1]
    try:
        return black.format_str(text, mode=mode(line_length, targets=targets))
    except InvalidInput:
        return None


def _format_all(
    todo: dict[str, tuple[str, int, bool]], *, jobs: int, helper: Worker | None = None
) -> dict[str, str | None]:
    """black's output for every ``(text, line length, target versions?)`` in ``todo`` (None where
    black rejects it).

    A small batch is formatted by the ``helper`` when there is one (it imported black while
    this process did other work), else here; a large one is shared out (:func:`fork_map`),
    the helper taking a share.
    """
    if not todo:
        return {}
    items = list(todo.items())
    weights = [len(text) for _, (text, _, _) in items]
    alone = PARALLEL_MIN_CHARS if "black" in sys.modules else HELPER_ALONE_MAX_CHARS
    if helper is not None and helper.alive and jobs > 1 and sum(weights) < alone:
        results = helper.submit(_format_items, items).result()
    else:
        if sum(weights) < PARALLEL_MIN_CHARS:
            jobs = 1
        else:
            import black  # noqa: F401  (imported once here, inherited by the workers)
        results = fork_map(_format_one, items, weights, jobs=jobs, helper=helper)
    return {key: result for (key, _), result in zip(items, results, strict=True)}


def _format_items(items: list[tuple[str, tuple[str, int, bool]]]) -> list[str | None]:
    """In the helper: format a batch, sharing it with a fork of the helper (which has black
    imported already) when it is large enough to pay for that."""
    weights = [len(text) for _, (text, _, _) in items]
    jobs = max_jobs() if sum(weights) >= PARALLEL_MIN_CHARS else 1
    return fork_map(_format_one, items, weights, jobs=jobs)


def prepare_black() -> None:
    """Import black and format one line: what the first real call would otherwise pay for."""
    import black

    black.format_str("x = 1\n", mode=mode())

