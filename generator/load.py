"""Stage 1: read a YAML or JSON OpenAPI document and check that every ``$ref`` resolves.

YAML is parsed with libyaml's C loader when available (several times faster than the pure
Python one on multi-megabyte specs). Two YAML 1.1 habits are undone so the document means what
JSON would: timestamps stay strings, and mapping keys are always strings (``200:`` is the
status code ``"200"``, not the integer 200).
"""

from __future__ import annotations

import hashlib
import json
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import SpecError, SpecErrors, pointer

__all__ = [
    "EXTERNAL",
    "MAX_DEPTH",
    "MAX_VALUES",
    "Document",
    "RefCycleError",
    "bundle_external_refs",
    "check_refs",
    "decode_ref_fragments",
    "load",
    "parse",
]

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RefCycleError(KeyError):
    """A chain of ``$ref`` that comes back to where it started."""


class _SpecLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """Safe loader without the implicit timestamp type (specs want the text), refusing
    duplicate keys (PyYAML would silently keep the last one, dropping e.g. a whole path)."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                first = seen.setdefault(key, key_node)
            except TypeError:
                continue  # unhashable: the base class reports it
            if first is not key_node:
                raise yaml.constructor.ConstructorError(
                    None, None,
                    f"duplicate key {key!r} (first at line {first.start_mark.line + 1})",
                    key_node.start_mark,
                )
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


_SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Document:
    """A parsed spec: its JSON-like tree plus what is needed to name it in output and errors."""

    file: str
    root: dict[str, Any]
    sha256: str
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def resolve(self, ref: str) -> Any:
        """The node a local ``$ref`` (``#/a/b``) points at; KeyError if it points nowhere."""
        if ref in self._cache:
            return self._cache[ref]
        node: Any = self.root
        for token in _ref_tokens(ref):
            if isinstance(node, dict):
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise KeyError(ref)
        self._cache[ref] = node
        return node

    def deref(self, node: Any) -> Any:
        """Follow ``$ref`` chains until a node that is not a reference."""
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen:
                raise RefCycleError(ref)
            seen.add(ref)
            node = self.resolve(ref)
        return node


def _ref_tokens(ref: str) -> list[str]:
    if not ref.startswith("#"):
        raise KeyError(ref)
    body = ref[1:]
    if body == "":
        return []
    if not body.startswith("/"):
        raise KeyError(ref)
    return [t.replace("~1", "/").replace("~0", "~") for t in body[1:].split("/")]


def load(path: Path) -> Document:
    """Read, parse and reference-check the spec at ``path``; raise :class:`SpecErrors`."""
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecErrors([SpecError(str(path), "", f"cannot read file: {exc.strerror or exc}")]) from None
    root = parse(raw, name)
    digest = hashlib.sha256(raw)
    problems = list(bundle_external_refs(root, path, digest))
    if problems:
        raise SpecErrors(problems)
    decode_ref_fragments(root)
    doc = Document(file=name, root=root, sha256=digest.hexdigest())
    problems = list(check_refs(doc))
    if problems:
        raise SpecErrors(problems)
    return doc


def parse(raw: bytes, name: str) -> dict[str, Any]:
    """Bytes -> mapping, as JSON when it looks like JSON, else as YAML."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecErrors([SpecError(name, "", f"not UTF-8 text (byte {exc.start})")]) from None
    if "\x00" in text:
        raise SpecErrors([SpecError(name, "", "not a text file (contains NUL bytes)")])
    if not text.strip():
        raise SpecErrors([SpecError(name, "", "the file is empty")])
    try:
        if text.lstrip().startswith("{"):
            data = json.loads(text)
        else:
            data = yaml.load(text, Loader=_SpecLoader)  # a safe loader subclass
    except json.JSONDecodeError as exc:
        raise SpecErrors(
            [SpecError(name, "", f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")]
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        if "nesting depth" in problem:  # libyaml's own limit (PyYAML 6.0.3+), before ours is reached
            raise SpecErrors([SpecError(name, "", f"the document is nested too deeply{where} (more than {MAX_DEPTH} levels)")]) from None
        raise SpecErrors([SpecError(name, "", f"invalid YAML{where}: {problem}")]) from None
    except RecursionError:
        raise SpecErrors([SpecError(name, "", "the document is nested too deeply")]) from None
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise SpecErrors([SpecError(name, "", f"expected a mapping at the top level, found {kind}")])
    try:
        normalized, _ = _Normalizer().convert(data, ())
    except _TooDeepError as exc:
        raise SpecErrors([SpecError(name, pointer(*exc.path[:MAX_DEPTH]), f"the document is nested too deeply (more than {MAX_DEPTH} levels)")]) from None
    except _RecursiveError as exc:
        alias = _alias_name(text, exc.path)
        what = f"the alias *{alias}" if alias else "an alias"
        raise SpecErrors([SpecError(name, pointer(*exc.path), f"{what} refers to a node that contains it (a recursive structure)")]) from None
    except _TooBigError:
        raise SpecErrors([SpecError(name, "", f"the document expands to more than {MAX_VALUES:,} values (YAML aliases repeating large parts?)")]) from None
    result: dict[str, Any] = normalized
    return result


MAX_DEPTH = 200
"""Deepest nesting accepted; real specs stay under 30 levels, and later stages recurse."""
MAX_VALUES = 5_000_000
"""Most values a document may expand to, counting every repetition of a YAML alias."""


class _RecursiveError(Exception):
    def __init__(self, path: tuple[str | int, ...]) -> None:
        self.path = path


class _TooDeepError(_RecursiveError):
    pass


class _TooBigError(Exception):
    pass


class _Normalizer:
    """Mapping keys to strings, with the limits that keep later stages safe.

    Shared nodes (YAML aliases) stay shared rather than copied, but count as often as they
    appear, so an alias bomb is refused before anything expands it; a node that contains
    itself, or nesting deeper than :data:`MAX_DEPTH`, is refused with its location.
    """

    def __init__(self) -> None:
        self.memo: dict[int, tuple[Any, int]] = {}
        self.on_path: set[int] = set()

    def convert(self, node: Any, path: tuple[str | int, ...]) -> tuple[Any, int]:
        if not isinstance(node, (dict, list)):
            return node, 1
        key = id(node)
        if key in self.on_path:
            raise _RecursiveError(path)
        done = self.memo.get(key)
        if done is not None:
            return done
        if len(path) >= MAX_DEPTH:
            raise _TooDeepError(path)
        self.on_path.add(key)
        size = 1
        out: Any
        if isinstance(node, dict):
            out = {}
            for k, v in node.items():
                text = k if isinstance(k, str) else str(k)
                out[text], count = self.convert(v, (*path, text))
                size += count
        else:
            out = []
            for index, v in enumerate(node):
                item, count = self.convert(v, (*path, index))
                out.append(item)
                size += count
        self.on_path.discard(key)
        if size > MAX_VALUES:
            raise _TooBigError
        self.memo[key] = (out, size)
        return out, size


def _alias_name(text: str, path: tuple[str | int, ...]) -> str | None:
    """The anchor name of the alias found at ``path`` (re-parsed slowly; errors only)."""
    names: dict[int, str] = {}

    class AnchorLoader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.peek_event()  # type: ignore[no-untyped-call]
            node = super().compose_node(parent, index)
            if isinstance(event, yaml.AliasEvent) and event.anchor:
                names[id(node)] = event.anchor
            return node

    try:
        node: Any = yaml.compose(text, Loader=AnchorLoader)
        for token in path:
            if isinstance(node, yaml.MappingNode):
                node = next(v for k, v in node.value if k.value == token)
            elif isinstance(node, yaml.SequenceNode) and isinstance(token, int):
                node = node.value[token]
        return names.get(id(node))
    except Exception:  # best effort: the message stays useful without the name
        return None


def _walk_refs(node: Any, here: tuple[str | int, ...]) -> Iterator[tuple[str, tuple[str | int, ...]]]:
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(node, here)]
    while stack:
        current, where = stack.pop()
        if isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str):
                yield ref, where
            for key, value in current.items():
                if isinstance(value, (dict, list)):
                    stack.append((value, (*where, key)))
        elif isinstance(current, list):
            for index, value in enumerate(current):
                if isinstance(value, (dict, list)):
                    stack.append((value, (*where, index)))


EXTERNAL = "x-partner-codegen-external"
"""Top-level key under which documents referenced by relative ``$ref`` are bundled."""


def bundle_external_refs(root: dict[str, Any], path: Path, digest: Any) -> Iterator[SpecError]:
    """Bring sibling files that ``$ref`` points at into ``root`` and make those refs local.

    ``other.yaml#/components/schemas/Pet`` becomes
    ``#/x-partner-codegen-external/other.yaml/components/schemas/Pet``, so every later stage
    deals with local references only. Refs must stay inside the spec's directory; remote
    (``http://``) refs are refused. Each bundled file's bytes go into the spec's digest, so a
    change in a sibling file changes the generated header.
    """
    base = path.resolve().parent
    loaded: dict[str, dict[str, Any]] = {}
    queue: list[tuple[dict[str, Any], Path, str]] = [(root, path.resolve(), path.name)]
    while queue:
        node, source, label = queue.pop(0)
        prefix = () if node is root else (EXTERNAL, _relative_key(source, base))
        for ref, where in list(_walk_refs(node, ())):
            target, _, fragment = ref.partition("#")
            at = pointer(*prefix, *where, "$ref")
            if not target:
                if node is not root:  # a local ref inside a bundled file
                    _set_ref(node, where, f"#{pointer(EXTERNAL, _relative_key(source, base))}{fragment}")
                continue
            if "://" in target or target.startswith("//"):
                yield SpecError(label, at, f"remote $ref {ref!r} is not supported; download the file next to the spec")
                continue
            file = (source.parent / target).resolve()
            if not file.is_relative_to(base):
                yield SpecError(label, at, f"$ref {ref!r} leaves the spec's directory; only sibling files may be referenced")
                continue
            key = _relative_key(file, base)
            if key not in loaded:
                try:
                    raw = file.read_bytes()
                except OSError as exc:
                    yield SpecError(label, at, f"$ref {ref!r}: cannot read {target}: {exc.strerror or exc}")
                    continue
                digest.update(raw)
                loaded[key] = parse(raw, target)
                queue.append((loaded[key], file, key))
            _set_ref(node, where, f"#{pointer(EXTERNAL, key)}{fragment}")
    if loaded:
        root[EXTERNAL] = loaded


def _relative_key(file: Path, base: Path) -> str:
    return file.relative_to(base).as_posix()


def _set_ref(node: Any, where: tuple[str | int, ...], ref: str) -> None:
    for token in where:
        node = node[token]
    node["$ref"] = ref


def decode_ref_fragments(root: dict[str, Any]) -> None:
    """Percent-decode every local ``$ref``'s fragment, in place.

    A ``$ref`` is a URI reference, so characters a URI may not hold are percent-encoded in its
    fragment (RFC 3986 section 3.5), and RFC 6901 section 6 has the JSON pointer read only
    after that decoding: ``#/paths/~1a/get/responses/200/content/text~1plain;%20charset=utf-8``
    names the media type ``text/plain; charset=utf-8``. Decoding once here means every later
    follower of references (``Document.resolve``, the validator, the model) reads the same
    pointer. A ``%`` that starts no escape is left as it is.
    """
    for ref, where in list(_walk_refs(root, ())):
        if ref.startswith("#") and "%" in ref:
            decoded = "#" + urllib.parse.unquote(ref[1:])
            if decoded != ref:
                _set_ref(root, where, decoded)


def check_refs(doc: Document) -> Iterator[SpecError]:
    """Every ``$ref`` must be local and point at a node; chains of refs must not loop."""
    for ref, where in _walk_refs(doc.root, ()):
        if not ref.startswith("#"):
            yield SpecError(doc.file, pointer(*where, "$ref"), f"$ref {ref!r} could not be bundled")
            continue
        try:
            target = doc.deref({"$ref": ref})
            if not isinstance(target, dict) and where[-1:] != ("mapping",):
                kind = {str: "a string", list: "a list", bool: "a boolean", int: "a number", float: "a number"}.get(type(target), "null")
                yield SpecError(doc.file, pointer(*where, "$ref"), f"$ref {ref!r} points at {kind}, not a schema")
        except RefCycleError:
            yield SpecError(doc.file, pointer(*where, "$ref"), f"$ref {ref!r} leads to a cycle of references that never reaches a schema")
        except KeyError:
            yield SpecError(doc.file, pointer(*where, "$ref"), f"$ref {ref!r} does not resolve")
