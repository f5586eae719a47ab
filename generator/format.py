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
from functools import cache
from typing import TYPE_CHECKING, Any

from .cache import FormatCache, library_version
from .parallel import fork_map, max_jobs

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

_NOT_SPLIT = ("fmt:", "yapf:", "\f", "\r")
_DEFINITIONS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


class FormatError(Exception):
    """black rejected generated code (a generator bug, never the spec's fault)."""


@cache
def mode(line_length: int = LINE_LENGTH) -> Mode:
    """The package's black mode; documentation snippets use black's default line length."""
    from black.mode import Mode, TargetVersion

    if line_length != LINE_LENGTH:
        return Mode(line_length=line_length)
    return Mode(target_versions={TargetVersion[name] for name in TARGET_VERSIONS}, line_length=LINE_LENGTH)


def __getattr__(name: str) -> Any:  # ``format.MODE`` stays available without importing black eagerly
    if name == "MODE":
        return mode()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _key_prefix(line_length: int = LINE_LENGTH) -> bytes:
    targets = ",".join(TARGET_VERSIONS) if line_length == LINE_LENGTH else "auto"
    settings = f"format-v{FORMAT_VERSION}|black=={library_version('black')}|ll={line_length}|{targets}"
    return settings.encode("utf-8") + b"\0"


def cache_key(text: str, line_length: int = LINE_LENGTH) -> str:
    """sha256 of this stage's version, black's version and mode, and ``text``."""
    return hashlib.sha256(_key_prefix(line_length) + text.encode("utf-8", "surrogatepass")).hexdigest()


def format_snippets(
    texts: list[str], *, line_length: int = DOC_LINE_LENGTH, cache: FormatCache | None = None, jobs: int | None = None
) -> list[str]:
    """black's output for each snippet of example code (a snippet black rejects stays as written).

    The documentation's signatures and examples are formatted here in one batch rather than one
    by one while rendering, so they share the cache and the parallel workers with the package.
    New entries are added to ``cache`` but not saved: :func:`format_tree` saves it afterwards.
    """
    store = cache if cache is not None else FormatCache(None)
    keys = [cache_key(text, line_length) for text in texts]
    out: list[str | None] = [store.get(key) for key in keys]
    todo = {key: text for key, text, done in zip(keys, texts, out, strict=True) if done is None}
    formatted = _format_all(todo, jobs=max_jobs() if jobs is None else jobs, line_length=line_length)
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
) -> dict[str, str]:
    """Return ``files`` with every ``.py`` file formatted (by black, or from ``cache``).

    Paths in ``preformatted`` are already black's output (hand-written runtime files kept
    formatted in the repository, which a test checks) and pass through unchanged.
    """
    store = cache if cache is not None else FormatCache(None)
    out = dict(files)
    pending: dict[str, tuple[str, list[str], list[str]]] = {}  # path -> (file key, chunks, chunk keys)
    todo: dict[str, str] = {}  # key -> text black has to format
    for path, text in files.items():
        if not path.endswith(".py") or not text or path in preformatted:
            continue
        key = cache_key(text)
        hit = store.get(key)
        if hit is not None:
            out[path] = hit
            continue
        chunks = split_chunks(text)
        keys = [key] if len(chunks) == 1 else [cache_key(chunk) for chunk in chunks]
        for chunk_key, chunk in zip(keys, chunks, strict=True):
            if chunk_key not in todo and (len(chunks) == 1 or store.get(chunk_key) is None):
                todo[chunk_key] = chunk
        pending[path] = (key, chunks, keys)
    formatted = _format_all(todo, jobs=max_jobs() if jobs is None else jobs)
    for path, (key, _chunks, keys) in pending.items():
        parts = [formatted[k] if k in formatted else store.get(k) for k in keys]
        result: str | None = None
        if all(part is not None for part in parts):
            done = [part for part in parts if part is not None]
            result = done[0] if len(done) == 1 else join_chunks(done)
        if result is None:  # black rejected a chunk: its verdict on the whole file decides
            result = format_file(path, files[path])
        elif len(keys) > 1:
            for chunk_key, part in zip(keys, parts, strict=True):
                if part is not None:
                    store.put(chunk_key, part)
        store.put(key, result)
        out[path] = result
    store.save()
    return out


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
    if any(marker in text for marker in _NOT_SPLIT):
        return [text]
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return [text]
    lines = text.split("\n")
    cuts: list[int] = []
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
        previous_end = end
    if not cuts:
        return [text]
    bounds = [0, *cuts, len(lines)]
    chunks = ["\n".join(lines[a:b]) + "\n" for a, b in itertools.pairwise(bounds)]
    chunks[-1] = chunks[-1][:-1]  # the last piece already ends as the file does
    return chunks


def join_chunks(parts: list[str]) -> str | None:
    """Formatted chunks joined by two blank lines; None if a part is not a formatted chunk."""
    for index, part in enumerate(parts):
        if not part.endswith("\n") or part.endswith("\n\n") or (index and part[:1] in ("\n", " ", "\t", "")):
            return None
    return "\n\n".join(parts)


def _format_one(item: tuple[str, str, int]) -> str | None:
    import black
    from black.parsing import InvalidInput

    try:
        return black.format_str(item[1], mode=mode(item[2]))
    except InvalidInput:
        return None


def _format_all(todo: dict[str, str], *, jobs: int, line_length: int = LINE_LENGTH) -> dict[str, str | None]:
    """black's output for every text in ``todo`` (None where black rejects it)."""
    if not todo:
        return {}
    items = [(key, text, line_length) for key, text in todo.items()]
    weights = [len(text) for _, text, _ in items]
    if sum(weights) < PARALLEL_MIN_CHARS:
        jobs = 1
    else:
        import black  # noqa: F401  (imported once here, inherited by the workers)
    results = fork_map(_format_one, items, weights, jobs=jobs)
    return {key: result for (key, _, _), result in zip(items, results, strict=True)}
