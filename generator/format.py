"""Stage 5: format the generated Python, with black (the formatter of record) or ``ruff format``.

black is the default, so the committed package is byte-identical to what a user regenerating
it gets. ``ruff format``, configured as black is here (:data:`LINE_LENGTH`, Python 3.11), is an
option for very large specs: it is many times faster and differs from black only where
``tests/test_formatters.py`` lists. Non-Python files pass through unchanged. A file the
formatter cannot parse means a template produced broken code: a bug in the generator.

This stage is a plain function of its input. Two optional arguments let the caller make it
cheaper without changing a byte of its output (:mod:`generator.pipeline` passes them):

* ``executor``: a :class:`concurrent.futures.Executor` among whose processes black's work is
  shared. To share it evenly, a module is cut before each top-level ``class``/``def`` that
  follows blank lines only: black lays out such a statement independently of its neighbours
  and puts exactly two blank lines before it, so the chunks formatted on their own and joined
  by two blank lines are black's output for the whole file (``tests/test_format.py``).
* ``memo``: a mapping from :func:`memo_key` (the formatter, its version and settings, the text)
  to the formatted text, read before formatting and filled after. Keys cover everything that
  decides the output, so a memo can make a run faster, never different.
"""

from __future__ import annotations

import ast
import hashlib
import itertools
import os
import re
import subprocess
import tempfile
from collections.abc import MutableMapping, Sequence
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import FormatError as FormatError  # re-exported
from .errors import GenerationError
from .options import FORMATTERS

if TYPE_CHECKING:
    from black.mode import Mode

__all__ = [
    "DOC_LINE_LENGTH",
    "FORMATTERS",
    "LINE_LENGTH",
    "FormatError",
    "format_file",
    "format_snippets",
    "format_tree",
    "join_chunks",
    "memo_key",
    "mode",
    "split_chunks",
]

LINE_LENGTH = 100
TARGET_VERSION = "py311"
DOC_LINE_LENGTH = 88
"""Code in the documentation is laid out for black's default width, as readers' own code is."""
SNIPPET_TARGET = "py37"
"""ruff's target for the documentation's snippets: black, given no target versions, infers them
from the code and keeps to what every version reads (no parenthesized ``with`` items)."""
FORMAT_VERSION = "2"
"""Part of every memo key: bump it whenever this stage's output could change for the same input."""
PARALLEL_MIN_CHARS = 100_000
"""Below this much text to format, handing it to other processes costs more than it saves:
each of them imports black first, which costs as much as formatting about 35,000 characters
(the partner package's 36 KB are formatted faster here)."""

_NOT_SPLIT = ("fmt:", "yapf:", "\f", "\r")
_DEFINITIONS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)

Job = tuple[str, int, bool]
"""What to format: text, line length, and whether the package's target version applies."""


@cache
def mode(line_length: int = LINE_LENGTH, *, targets: bool = True) -> Mode:
    """black's mode for the package; documentation snippets use black's default line length
    and no target versions."""
    from black.mode import Mode, TargetVersion

    if not targets:
        return Mode(line_length=line_length)
    return Mode(target_versions={TargetVersion[TARGET_VERSION.upper()]}, line_length=line_length)


@cache
def _key_prefix(formatter: str, line_length: int, targets: bool) -> bytes:
    from .versions import library_version

    version = library_version(formatter)
    settings = f"format-v{FORMAT_VERSION}|{formatter}=={version}|ll={line_length}|{TARGET_VERSION if targets else 'auto'}"
    return settings.encode("utf-8") + b"\0"


def memo_key(formatter: str, text: str, line_length: int = LINE_LENGTH, *, targets: bool = True) -> str:
    """sha256 of this stage's version, the formatter's name, version and settings, and ``text``."""
    prefix = _key_prefix(formatter, line_length, targets)
    return hashlib.sha256(prefix + text.encode("utf-8", "surrogatepass")).hexdigest()


def format_tree(
    files: dict[str, str],
    *,
    formatter: str = "black",
    preformatted: frozenset[str] = frozenset(),
    executor: Executor | None = None,
    memo: MutableMapping[str, str] | None = None,
) -> dict[str, str]:
    """``files`` with every ``.py`` file formatted.

    Paths in ``preformatted`` are already black's output (hand-written runtime files kept
    formatted in the repository, which a test checks) and pass through unchanged.
    """
    memo = {} if memo is None else memo
    out = dict(files)
    todo = {p: t for p, t in files.items() if p.endswith(".py") and t and p not in preformatted}
    keys = {p: memo_key(formatter, t) for p, t in todo.items()}
    for path, key in keys.items():
        hit = memo.get(key)
        if hit is not None:
            out[path] = hit
    missed = {p: t for p, t in todo.items() if keys[p] not in memo}
    if formatter == "ruff":
        formatted = _ruff([(t, LINE_LENGTH, True) for t in missed.values()])
        for path, result in zip(missed, formatted, strict=True):
            if result is None:
                raise FormatError(f"generated {path} is not valid Python (ruff format rejects it)")
            out[path] = memo[keys[path]] = result
        return out
    plans = {p: [(c, memo_key(formatter, c)) for c in map(_trimmed, split_chunks(t))] for p, t in missed.items()}
    jobs = {key: (chunk, LINE_LENGTH, True) for plan in plans.values() for chunk, key in plan if key not in memo}
    results = dict(zip(jobs, _black_all(list(jobs.values()), executor), strict=True))
    for path, plan in plans.items():
        chunks = [memo.get(key) or results.get(key) for _, key in plan]
        whole = (chunks[0] if len(chunks) == 1 else join_chunks(chunks)) if all(chunks) else None
        if whole is None:  # black rejected a chunk: its verdict on the whole file decides
            whole = format_file(path, missed[path])
        else:
            memo.update((key, result) for (_, key), result in zip(plan, chunks, strict=True) if result)
        out[path] = memo[keys[path]] = whole
    return out


def format_snippets(
    texts: list[str],
    *,
    formatter: str = "black",
    line_length: int = DOC_LINE_LENGTH,
    executor: Executor | None = None,
    memo: MutableMapping[str, str] | None = None,
) -> list[str]:
    """Each snippet of example code formatted at ``line_length`` (one the formatter rejects
    stays as written). The documentation's signatures and examples are formatted here in one
    batch rather than one by one while rendering, so they share the processes and the memo."""
    memo = {} if memo is None else memo
    keys = [memo_key(formatter, text, line_length, targets=False) for text in texts]
    jobs = {key: (text, line_length, False) for key, text in zip(keys, texts, strict=True) if key not in memo}
    pending = list(jobs.values())
    results = _ruff(pending) if formatter == "ruff" else _black_all(pending, executor)
    for key, result in zip(jobs, results, strict=True):
        if result is not None:
            memo[key] = result
    return [memo.get(key, text) for key, text in zip(keys, texts, strict=True)]


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


# ----------------------------------------------------------------------------- black, fanned out


def _black_one(job: Job) -> str | None:
    import black
    from black.parsing import InvalidInput

    text, line_length, targets = job
    try:
        return black.format_str(text, mode=mode(line_length, targets=targets))
    except InvalidInput:
        return None


def _black_batch(jobs: Sequence[Job]) -> list[str | None]:
    return [_black_one(job) for job in jobs]


def _black_all(jobs: list[Job], executor: Executor | None) -> list[str | None]:
    """black's output for every job (None where black rejects it), shared among the
    ``executor``'s processes when there is enough text to pay for sending it there. Should the
    executor fail, the work is done here: a broken process only costs time."""
    if executor is None or sum(len(text) for text, _, _ in jobs) < PARALLEL_MIN_CHARS:
        return _black_batch(jobs)
    batches = _balanced(jobs, 4 * (os.cpu_count() or 1))
    try:
        futures = [(indexes, executor.submit(_black_batch, [jobs[i] for i in indexes])) for indexes in batches]
        results: list[str | None] = [None] * len(jobs)
        for indexes, future in futures:
            for index, result in zip(indexes, future.result(), strict=True):
                results[index] = result
        return results
    except (BrokenProcessPool, OSError, RuntimeError):
        return _black_batch(jobs)


def _balanced(jobs: Sequence[Job], count: int) -> list[list[int]]:
    """The jobs' indexes in ``count`` batches of about equal text, largest batches first (each
    job to the lightest batch, longest job first), so that no process is left with the tail."""
    bins: list[tuple[int, list[int]]] = [(0, []) for _ in range(max(1, min(count, len(jobs))))]
    for index in sorted(range(len(jobs)), key=lambda i: -len(jobs[i][0])):
        weight, members = min(bins, key=lambda b: b[0])
        members.append(index)
        bins[bins.index((weight, members))] = (weight + len(jobs[index][0]), members)
    return [members for _, members in sorted(bins, key=lambda b: -b[0]) if members]


# ----------------------------------------------------------------------------- ruff format


def _ruff(jobs: list[Job]) -> list[str | None]:
    """``ruff format`` on every job in one run of ruff (which uses every CPU itself): the texts
    are written to numbered files in a temporary folder, since ruff formats one text per run
    from standard input. None where ruff rejects a text."""
    if not jobs:
        return []
    results: list[str | None] = [None] * len(jobs)
    for (line_length, targets), indexes in _grouped(jobs).items():
        with tempfile.TemporaryDirectory(prefix="partner-codegen-ruff-") as folder:
            root = Path(folder)
            for index in indexes:
                (root / f"{index}.py").write_bytes(jobs[index][0].encode("utf-8", "surrogatepass"))
            try:
                done = subprocess.run(
                    [_ruff_binary(), "format", "--isolated", "--no-cache", f"--line-length={line_length}",
                     f"--target-version={TARGET_VERSION if targets else SNIPPET_TARGET}", "--quiet", "."],
                    cwd=root, capture_output=True, text=True, check=False,
                )
            except OSError as exc:  # the user's installation, not the spec nor the generator
                raise GenerationError(f"cannot run ruff ({exc}); reinstall it: pip install 'partner-codegen[ruff]'") from None
            rejected = {int(n) for n in re.findall(r"(\d+)\.py", done.stderr)} if done.returncode else set()
            if done.returncode and not rejected:
                raise FormatError(f"ruff format failed: {done.stderr.strip() or done.returncode}")
            for index in indexes:
                if index not in rejected:
                    results[index] = (root / f"{index}.py").read_bytes().decode("utf-8", "surrogatepass")  # no newline translation
    return results


def _grouped(jobs: list[Job]) -> dict[tuple[int, bool], list[int]]:
    groups: dict[tuple[int, bool], list[int]] = {}
    for index, (_, line_length, targets) in enumerate(jobs):
        groups.setdefault((line_length, targets), []).append(index)
    return groups


@cache
def _ruff_binary() -> str:
    """The ``ruff`` executable of the ``ruff`` package (``pip install partner-codegen[ruff]``)."""
    try:
        from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]
    except ImportError:
        raise GenerationError("--formatter ruff needs ruff: pip install 'partner-codegen[ruff]'") from None
    return os.fsdecode(find_ruff_bin())


# ----------------------------------------------------------------------------- chunks


def split_chunks(text: str) -> list[str]:
    """``text`` cut before each top-level definition preceded by blank lines only (joined, the
    chunks are ``text`` again).

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
        blank_above = previous_end is not None and start - 1 > previous_end
        if isinstance(node, _DEFINITIONS) and blank_above and not "".join(lines[previous_end : start - 1]).strip(" \t"):
            cuts.append(start - 1)  # 0-based index of the definition's first line
        previous_end = node.end_lineno if node.end_lineno is not None else node.lineno
    if not cuts:
        return [text]
    bounds = [0, *cuts, len(lines)]
    chunks = ["\n".join(lines[a:b]) + "\n" for a, b in itertools.pairwise(bounds)]
    chunks[-1] = chunks[-1][:-1]  # the last one already ends as the file does
    return chunks


def _trimmed(chunk: str) -> str:
    """A chunk without the blank lines that end it: black drops them, and any change it makes
    costs a second pass over the whole chunk (black formats changed text again)."""
    lines = chunk.split("\n")
    while lines and not lines[-1].strip(" \t"):
        lines.pop()
    return "\n".join(lines) + "\n"


def join_chunks(parts: Sequence[str | None]) -> str | None:
    """Formatted chunks joined by two blank lines; None if a part is not a formatted chunk."""
    for index, part in enumerate(parts):
        if part is None or not part.endswith("\n") or part.endswith("\n\n") or (index and part[:1] in ("\n", " ", "\t", "")):
            return None
    return "\n\n".join(p for p in parts if p is not None)
