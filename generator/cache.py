"""Content-addressed caches that make regeneration cheap. Never a source of truth.

Four stores, all plain files in one cache directory (by default ``.partner-codegen-cache/``
beside the output directory; the CLI's ``--cache-dir`` / ``--no-cache`` change that):

* :class:`FormatCache` maps a key (sha256 of the format stage's version, black's version and
  mode, and the unformatted text) to black's output for that text. Whole files and the
  top-level chunks :mod:`generator.format` splits them into are both stored, so a file in which
  one class changed costs one chunk's formatting.
* :class:`TreeCache` maps everything that decides a generated tree (the spec's bytes, the
  generator's own code and templates, the versions of the libraries it uses, the arguments) to
  the formatted tree, so regenerating from an unchanged spec skips every stage.
* :class:`DocumentCache` keeps the parsed spec of the last successful generation, so the next
  one re-parses and validates only what changed (:func:`generator.load.load_since`,
  :func:`generator.validate.check_since`).
* :class:`ApiCache` keeps that generation's API model, for the next run's change summary.

Each store is one file per output directory, written atomically: a line naming its kind, the
sha256 of its payload, then the payload. A file that is truncated, edited or otherwise corrupt
fails that check and is ignored (and replaced on the next save). Keys are hashes of the complete input, so an entry can
only ever be served for exactly the input that produced it. Reading or writing a cache never
fails a run: any OS error just means a miss.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import os
import pickle
import re
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import TEMPLATES

CACHE_DIR_NAME = ".partner-codegen-cache"
_MAGIC = b"partner-codegen cache v2\n"

# Libraries whose behaviour decides the generated tree (parsing, validity, rendering, layout).
_LIBRARIES = (
    "black",
    "jinja2",
    "pyyaml",
    "openapi-spec-validator",
    "openapi-schema-validator",
    "jsonschema",
    "jsonschema-path",
    "pydantic",
)
_GENERATOR = Path(__file__).resolve().parent
_TEMPLATES = TEMPLATES


def sha256(*parts: str | bytes) -> str:
    """Hex sha256 of the parts, each length-prefixed so that no two sequences collide."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(b"%d:" % len(data))
        digest.update(data)
    return digest.hexdigest()


def library_version(name: str) -> str:
    """The installed version of distribution ``name``, or ``absent``.

    Read from the ``NAME-VERSION.dist-info`` folder's name on ``sys.path`` (first match, as the
    import system finds it): importing :mod:`importlib.metadata` to read it costs every run
    about 20 ms. Anything unusual (an egg, a folder name without a version) asks
    :mod:`importlib.metadata` after all.
    """
    wanted = _normalized(name)
    for entry in sys.path:
        folders = _dist_info_folders(entry or ".")
        if folders is None:
            break
        for folder in folders:
            dist, _, version = folder.removesuffix(".dist-info").partition("-")
            if _normalized(dist) == wanted:
                return version if version and "-" not in version else _metadata_version(name)
    return _metadata_version(name)


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


@functools.cache
def _dist_info_folders(entry: str) -> tuple[str, ...] | None:
    """The ``.dist-info`` folders in one ``sys.path`` entry; None where eggs make it unclear."""
    try:
        names = os.listdir(entry)
    except OSError:
        return ()
    if any(n.endswith((".egg-info", ".egg", ".egg-link")) for n in names):
        return None
    return tuple(sorted(n for n in names if n.endswith(".dist-info")))


def _metadata_version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def default_cache_dir(out: Path) -> Path:
    """``$PARTNER_CODEGEN_CACHE_DIR`` if set, else ``.partner-codegen-cache/`` beside ``out``."""
    configured = os.environ.get("PARTNER_CODEGEN_CACHE_DIR")
    if configured:
        return Path(configured)
    return out.resolve().parent / CACHE_DIR_NAME


class Cache:
    """The cache directory and the name of one output directory's files in it."""

    def __init__(self, directory: Path, name: str) -> None:
        self.directory = directory
        self.name = name

    @classmethod
    def for_output(cls, out: Path, directory: Path | None = None) -> Cache:
        """The cache for output directory ``out`` (files named after its absolute path)."""
        where = directory if directory is not None else default_cache_dir(out)
        resolved = str(out.resolve())
        return cls(where, f"{_safe_name(out.resolve().name)}-{sha256(resolved)[:16]}")

    def file(self, kind: str) -> Path:
        return self.directory / f"{self.name}.{kind}"

    def format_cache(self) -> FormatCache:
        return FormatCache(self.file("format"))

    def tree_cache(self) -> TreeCache:
        return TreeCache(self.file("tree"))

    def document_cache(self) -> DocumentCache:
        return DocumentCache(self.file("document"))

    def api_cache(self) -> ApiCache:
        return ApiCache(self.file("api"))


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)[:40] or "out"


def read_store(path: Path) -> dict[str, Any] | None:
    """The plain-data mapping stored at ``path``, or None if it is missing, unreadable or corrupt.

    Stored with :mod:`marshal` behind a sha256 checksum (see :class:`DocumentCache` for why
    that is trusted like ``__pycache__``): a 4 MB tree reads back several times faster than
    from JSON, which is most of a warm run's cache reading.
    """
    return _read_mapping(path, _MAGIC)


def _read_mapping(path: Path, magic: bytes) -> dict[str, Any] | None:
    """The ``marshal``-ed mapping in a checked store (see :func:`_read_checked`), or None."""
    payload = _read_checked(path, magic)
    if payload is None:
        return None
    try:
        data = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    return data if isinstance(data, dict) else None


def write_store(path: Path, data: Mapping[str, Any]) -> bool:
    """Write ``data`` (plain data only) to ``path`` atomically. False on any error."""
    try:
        payload = marshal.dumps(dict(data))
    except ValueError:
        return False
    return _write_checked(path, _MAGIC, payload)


def _read_checked(path: Path, magic: bytes) -> bytes | None:
    """The payload of a binary store (``magic``, sha256 of the payload, newline, payload), or
    None when it is missing, unreadable, of another kind or damaged."""
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
    return payload


def _write_checked(path: Path, magic: bytes, payload: bytes) -> bool:
    return _write_atomic(path, magic + hashlib.sha256(payload).hexdigest().encode("ascii") + b"\n" + payload)


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


class FormatCache:
    """black's output by :func:`generator.format.cache_key`; see the module docstring.

    :meth:`save` keeps only the entries looked up or added since the store was read, so the
    file holds what the latest tree needs and does not grow with every change.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._stored: dict[str, str] | None = None
        self._used: dict[str, str] = {}
        self._dirty = False
        self.hits = 0
        self.misses = 0

    def _entries(self) -> dict[str, str]:
        if self._stored is None:
            data = read_store(self.path) if self.path is not None else None
            entries = data.get("entries") if data is not None else None
            self._stored = (
                {k: v for k, v in entries.items() if isinstance(k, str) and isinstance(v, str)}
                if isinstance(entries, dict)
                else {}
            )
        return self._stored

    def get(self, key: str) -> str | None:
        value = self._used.get(key)
        if value is None:
            value = self._entries().get(key)
            if value is not None:
                self._used[key] = value
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def put(self, key: str, value: str) -> None:
        if self._used.get(key) != value:
            self._used[key] = value
            self._dirty = True

    def save(self) -> None:
        if self.path is None:
            return
        if not self._dirty and set(self._used) == set(self._entries()):
            return
        write_store(self.path, {"entries": self._used})


class TreeCache:
    """The formatted tree for one output directory, keyed by everything that decides it.

    The key is also written to a small file of its own beside the tree, so that a changed spec
    (a miss) costs reading 64 bytes rather than checking and decoding the whole stored tree.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.key_path = path.with_name(path.name + "-key")

    def get(self, key: str) -> dict[str, str] | None:
        try:
            if self.key_path.read_text(encoding="ascii") != key:
                return None
        except (OSError, UnicodeDecodeError):
            return None
        data = read_store(self.path)
        if data is None or data.get("key") != key:
            return None
        files = data.get("files")
        if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
            return None
        return {str(k): v for k, v in files.items()}

    def put(self, key: str, files: Mapping[str, str]) -> None:
        if write_store(self.path, {"key": key, "files": dict(files)}):
            _write_atomic(self.key_path, key.encode("ascii"))


@dataclass(frozen=True)
class Baseline:
    """A spec that generated successfully: its text, its parsed root and the sha256 of its bytes."""

    sha256: str
    root: dict[str, Any]
    text: str


class DocumentCache:
    """The parsed spec of the last successful generation into one output directory.

    Stored only after the whole pipeline succeeded, so it is a document that passed validation
    with this generator: :func:`generator.validate.check_since` then needs to check only what
    changed. Stored with :mod:`marshal` (a 3 MB spec reads back in about 20 ms, against most
    of a second to parse its YAML again), which, like Python's own ``__pycache__``, trusts the
    cache directory: the checksum catches damage, not malice. An entry written by another
    generator version or with other libraries (:func:`generator_fingerprint`) is ignored.
    """

    _MAGIC = b"partner-codegen document v1\n"

    def __init__(self, path: Path) -> None:
        self.path = path

    def get(self) -> Baseline | None:
        """The stored document, or None when there is none usable."""
        data = _read_mapping(self.path, self._MAGIC)
        if data is None or data.get("fingerprint") != generator_fingerprint():
            return None
        sha, root, text = data.get("sha256"), data.get("root"), data.get("text")
        if isinstance(sha, str) and isinstance(root, dict) and isinstance(text, str):
            return Baseline(sha256=sha, root=root, text=text)
        return None

    def put(self, baseline: Baseline) -> None:
        try:
            payload = marshal.dumps(
                {
                    "fingerprint": generator_fingerprint(),
                    "sha256": baseline.sha256,
                    "root": baseline.root,
                    "text": baseline.text,
                }
            )
        except ValueError:  # not plain data (cannot happen for a parsed spec); just no entry
            return
        _write_checked(self.path, self._MAGIC, payload)


class ApiCache:
    """The API model built in the last successful generation, for the next run's change summary.

    The summary compares the previous API with the new one; keeping the previous one saves
    building it again from the previous document. Pickled, so, like :class:`DocumentCache`, it
    trusts the cache directory; the entry is tied to the spec's hash, the package name and the
    generator fingerprint, and anything else is a miss.
    """

    _MAGIC = b"partner-codegen api v1\n"

    def __init__(self, path: Path) -> None:
        self.path = path

    def get(self, sha256_hex: str, package: str) -> Any | None:
        payload = self.read()
        return self.decode(payload, sha256_hex, package) if payload is not None else None

    def read(self) -> bytes | None:
        """The stored entry's bytes (checked), to :meth:`decode` later; None if there is none."""
        return _read_checked(self.path, self._MAGIC)

    def decode(self, payload: bytes, sha256_hex: str, package: str) -> Any | None:
        """The API in ``payload`` (from :meth:`read`) if it was built from that spec for that package."""
        try:
            data = pickle.loads(payload)
        except Exception:  # an entry from another version of the IR classes: a miss
            return None
        if not isinstance(data, dict) or data.get("key") != (generator_fingerprint(), sha256_hex, package):
            return None
        return data.get("api")

    def put(self, sha256_hex: str, package: str, api: Any) -> None:
        try:
            payload = pickle.dumps({"key": (generator_fingerprint(), sha256_hex, package), "api": api}, protocol=5)
        except Exception:  # not picklable: just no entry
            return
        _write_checked(self.path, self._MAGIC, payload)


_LOCAL_REF = re.compile(rb"""\$ref["']?[ \t]*:[ \t]*["']?#""")  # starts with a literal: fast to find


def only_local_refs(raw: bytes) -> bool:
    """True when every ``$ref`` in the raw spec visibly points inside it (``#...``).

    A spec that may pull in other files is never tree-cached: its output depends on bytes
    this key does not cover. Anything unusual (a ``$ref`` in prose, YAML tricks) counts as
    "may", which only costs a cache miss.
    """
    return raw.count(b"$ref") == len(_LOCAL_REF.findall(raw))


@functools.cache
def generator_fingerprint() -> str:
    """sha256 of the generator's code and templates, the libraries' versions and Python's."""
    parts: list[str | bytes] = [sys.version, sys.implementation.name]
    parts.extend(f"{name}=={library_version(name)}" for name in _LIBRARIES)
    parts.extend(
        f"{key}={value}" for key, value in sorted(os.environ.items()) if key.startswith("OPENAPI_SPEC_VALIDATOR_")
    )
    for root in (_GENERATOR, _TEMPLATES):
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
    """The tree cache key for ``raw`` (the bytes of ``spec``), or None if it must not be cached."""
    if not only_local_refs(raw):
        return None
    option_parts = [f"{k}={v}" for k, v in sorted(options.items())]
    return sha256("tree-v1", generator_fingerprint(), spec.name, raw, *option_parts)
