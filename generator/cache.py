"""The outer, content-addressed cache of a generation. Never a source of truth.

The stages know nothing of it: :mod:`generator.pipeline` consults it around them. It lives in
one directory (by default ``.partner-codegen-cache/`` beside the output directory; the CLI's
``--cache-dir`` / ``--no-cache`` change that) and holds, per output directory, two stores:

* **the tree**: the key (sha256 of the spec's bytes, the generator's code and templates, the
  versions of the libraries that decide the output, and the options, formatter included) and
  the final file tree with the spec's warnings. An unchanged spec is served whole, its
  warnings reported again.
* **the formatter's memo**: formatted text by :func:`generator.format.memo_key` (whole files
  and their top-level chunks), so a spec in which one operation changed costs formatting the
  chunks it changed. Only the entries the latest run used are kept.

Each file is written atomically: a line naming its kind, the sha256 of its payload, then the
payload (:mod:`marshal`: a 4 MB tree reads back several times faster than from JSON). A file
that is truncated, edited or otherwise corrupt fails that check and is ignored. Like Python's
own ``__pycache__``, the directory is trusted (the checksum catches damage, not malice).
Reading or writing the cache never fails a run: any OS error just means a miss.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import TEMPLATES
from .errors import SpecError
from .versions import library_version

__all__ = ["CACHE_DIR_NAME", "Cache", "Memo", "Tree", "default_cache_dir", "generator_fingerprint", "tree_key"]

CACHE_DIR_NAME = ".partner-codegen-cache"
_MAGIC = b"partner-codegen cache v3 %s\n"

# Libraries whose behaviour decides the generated tree (parsing, validity, rendering, layout).
_LIBRARIES = (
    "black",
    "ruff",
    "jinja2",
    "pyyaml",
    "openapi-spec-validator",
    "openapi-schema-validator",
    "jsonschema",
    "jsonschema-path",
    "pydantic",
)
_GENERATOR = Path(__file__).resolve().parent


def sha256(*parts: str | bytes) -> str:
    """Hex sha256 of the parts, each length-prefixed so that no two sequences collide."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(b"%d:" % len(data))
        digest.update(data)
    return digest.hexdigest()


def default_cache_dir(out: Path) -> Path:
    """``$PARTNER_CODEGEN_CACHE_DIR`` if set, else ``.partner-codegen-cache/`` beside ``out``."""
    configured = os.environ.get("PARTNER_CODEGEN_CACHE_DIR")
    if configured:
        return Path(configured)
    return out.resolve().parent / CACHE_DIR_NAME


@dataclass(frozen=True)
class Tree:
    """A cached generation: the files, and the warnings to report again."""

    files: dict[str, str]
    warnings: tuple[SpecError, ...]


class Cache:
    """One output directory's entries in the cache directory."""

    def __init__(self, directory: Path, name: str) -> None:
        self.directory = directory
        self.name = name

    @classmethod
    def for_output(cls, out: Path, directory: Path | None = None) -> Cache:
        """The cache for output directory ``out`` (files named after its absolute path)."""
        where = directory if directory is not None else default_cache_dir(out)
        resolved = out.resolve()
        return cls(where, f"{_safe_name(resolved.name)}-{sha256(str(resolved))[:16]}")

    def file(self, kind: str) -> Path:
        return self.directory / f"{self.name}.{kind}"

    def tree(self, key: str) -> Tree | None:
        """The tree stored under ``key``, or None. The key is also kept in a small file of its
        own, so a changed spec (a miss) costs reading 64 bytes, not the whole tree."""
        try:
            if self.file("tree-key").read_text(encoding="ascii") != key:
                return None
        except (OSError, UnicodeDecodeError):
            return None
        data = _read(self.file("tree"), b"tree")
        if data is None or data.get("key") != key:
            return None
        files, warnings = data.get("files"), data.get("warnings")
        if not isinstance(files, dict) or not isinstance(warnings, list):
            return None
        try:
            return Tree(dict(files), tuple(SpecError(*w) for w in warnings))
        except TypeError:
            return None

    def put_tree(self, key: str, tree: Tree) -> None:
        warnings = [(w.file, w.pointer, w.message, w.warning) for w in tree.warnings]
        if _write(self.file("tree"), b"tree", {"key": key, "files": tree.files, "warnings": warnings}):
            _write_atomic(self.file("tree-key"), key.encode("ascii"))

    def memo(self) -> Memo:
        """The formatter's memo (read when first looked into)."""
        return Memo(self.file("format"))


class Memo(MutableMapping[str, str]):
    """Formatted text by memo key, for :func:`generator.format.format_tree`.

    :meth:`save` keeps only the entries looked up or added since the file was read, so it holds
    what the latest tree needs and does not grow with every change.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stored: dict[str, str] | None = None
        self._used: dict[str, str] = {}

    def _entries(self) -> dict[str, str]:
        if self._stored is None:
            data = _read(self.path, b"format")
            entries = data.get("entries") if data is not None else None
            self._stored = {k: v for k, v in entries.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(entries, dict) else {}
        return self._stored

    def __getitem__(self, key: str) -> str:
        if key not in self._used:
            self._used[key] = self._entries()[key]
        return self._used[key]

    def __contains__(self, key: object) -> bool:
        return key in self._used or key in self._entries()

    def __setitem__(self, key: str, value: str) -> None:
        self._used[key] = value

    def __delitem__(self, key: str) -> None:
        del self._used[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._used)

    def __len__(self) -> int:
        return len(self._used)

    def save(self) -> None:
        if self._used != self._entries():
            _write(self.path, b"format", {"entries": self._used})


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)[:40] or "out"


def _read(path: Path, kind: bytes) -> dict[str, Any] | None:
    """The mapping stored at ``path``, or None if it is missing, unreadable, of another kind
    or damaged."""
    magic = _MAGIC % kind
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    head = len(magic) + 64
    if not raw.startswith(magic) or raw[head : head + 1] != b"\n":
        return None
    payload = raw[head + 1 :]
    if hashlib.sha256(payload).hexdigest().encode("ascii") != raw[len(magic) : head]:
        return None
    try:
        data = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    return data if isinstance(data, dict) else None


def _write(path: Path, kind: bytes, data: Mapping[str, Any]) -> bool:
    """Store ``data`` (plain data only) at ``path`` atomically. False on any error."""
    try:
        payload = marshal.dumps(dict(data))
    except ValueError:
        return False
    return _write_atomic(path, _MAGIC % kind + hashlib.sha256(payload).hexdigest().encode("ascii") + b"\n" + payload)


def _write_atomic(path: Path, blob: bytes) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(blob)
        os.replace(temp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        return False
    return True


_LOCAL_REF = re.compile(rb"""\$ref["']?[ \t]*:[ \t]*["']?#""")  # starts with a literal: fast to find


def only_local_refs(raw: bytes) -> bool:
    """True when every ``$ref`` in the raw spec visibly points inside it (``#...``).

    A spec that may pull in other files is never tree-cached: its output depends on bytes
    the key does not cover. Anything unusual (a ``$ref`` in prose, YAML tricks) counts as
    "may", which only costs a cache miss.
    """
    return raw.count(b"$ref") == len(_LOCAL_REF.findall(raw))


@functools.cache
def generator_fingerprint() -> str:
    """sha256 of the generator's code and templates, the libraries' versions and Python's."""
    parts: list[str | bytes] = [sys.version, sys.implementation.name]
    parts.extend(f"{name}=={library_version(name)}" for name in _LIBRARIES)
    parts.extend(f"{key}={value}" for key, value in sorted(os.environ.items()) if key.startswith("OPENAPI_SPEC_VALIDATOR_"))
    for root in (_GENERATOR, TEMPLATES):
        for path in _walk_files(root):
            parts.append(path.relative_to(root.parent).as_posix())
            try:
                parts.append(path.read_bytes())
            except OSError:
                parts.append(b"\0unreadable")
    return sha256(*parts)


def _walk_files(root: Path) -> Iterable[Path]:
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
        found.extend(Path(folder) / name for name in files if not name.endswith((".pyc", ".pyo")))
    return sorted(found)


def tree_key(spec: Path, raw: bytes, *, options: Mapping[str, str]) -> str | None:
    """The tree's key for ``raw`` (the bytes of ``spec``), or None if it must not be cached."""
    if not only_local_refs(raw):
        return None
    option_parts = [f"{k}={v}" for k, v in sorted(options.items())]
    return sha256("tree-v2", generator_fingerprint(), spec.name, raw, *option_parts)
