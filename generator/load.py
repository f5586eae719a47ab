"""Stage 1: read a YAML or JSON OpenAPI document and check that every ``$ref`` resolves.

YAML is parsed with libyaml's C loader when available (several times faster than the pure
Python one on multi-megabyte specs). Two YAML 1.1 habits are undone so the document means what
JSON would: timestamps stay strings, and mapping keys are always strings (``200:`` is the
status code ``"200"``, not the integer 200).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import SpecError, SpecErrors, pointer

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RefCycleError(KeyError):
    """A chain of ``$ref`` that comes back to where it started."""


class _SpecLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """Safe loader without the implicit timestamp type (specs want the text)."""


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
    doc = Document(file=name, root=root, sha256=hashlib.sha256(raw).hexdigest())
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
        raise SpecErrors([SpecError(name, "", f"invalid YAML{where}: {problem}")]) from None
    except RecursionError:
        raise SpecErrors([SpecError(name, "", "the document is nested too deeply")]) from None
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise SpecErrors([SpecError(name, "", f"expected a mapping at the top level, found {kind}")])
    stringified: dict[str, Any] = _stringify_keys(data)
    return stringified


def _stringify_keys(node: Any) -> Any:
    if isinstance(node, dict):
        return {k if isinstance(k, str) else str(k): _stringify_keys(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_stringify_keys(v) for v in node]
    return node


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


def check_refs(doc: Document) -> Iterator[SpecError]:
    """Every ``$ref`` must be local and point at a node; chains of refs must not loop."""
    for ref, where in _walk_refs(doc.root, ()):
        at = pointer(*where, "$ref")
        if not ref.startswith("#"):
            yield SpecError(doc.file, at, f"external $ref {ref!r} is not supported; inline it or use '#/...'")
            continue
        try:
            doc.deref({"$ref": ref})
        except RefCycleError:
            yield SpecError(doc.file, at, f"$ref {ref!r} leads to a cycle of references that never reaches a schema")
        except KeyError:
            yield SpecError(doc.file, at, f"$ref {ref!r} does not resolve")
