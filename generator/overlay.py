"""OpenAPI Overlay Specification 1.0: change a published document without editing it.

An overlay is a list of actions, each a JSONPath (RFC 9535) ``target`` and either ``update``
(merged into every node the target selects) or ``remove: true`` (every selected node is taken
out of its parent). Actions apply in order, each to the result of the ones before. We keep our
corrections to Confluent's published document in an overlay (``spec/confluent-cloud.overlay.yaml``)
so that a new release of that document is taken as it is and our names, redaction and
environment variables come back on top of it.

Rules, as the Overlay Specification 1.0 states them and the way we read its open points:

* The overlay document itself is checked against the 1.0 structure first (``overlay: 1.0.x``,
  ``info.title``/``info.version``, a non-empty ``actions`` list of objects with a ``target``
  starting with ``$``; ``x-`` extensions allowed anywhere the specification allows them).
  Every problem is reported with the overlay's file name and the JSON pointer into it.
* ``update`` on an object merges recursively: a property only in the update is added, a
  primitive replaces a primitive, an array is appended to an array, an object is merged into an
  object; any other pairing (an object over a string, say) is an error, as the specification
  requires the two to be compatible. ``update`` on an array appends the value to it. A target
  selecting a primitive or ``null`` is an error: the specification allows only objects and arrays.
* ``remove: true`` wins over ``update`` (the specification says ``update`` has no effect then).
* **A target that selects nothing is an error naming the action.** The specification lets it
  pass silently; for us it means the published document changed under the overlay, and the
  overlay must be brought up to date rather than quietly stop applying.

The JSONPath engine is ``jsonpath-rfc9535``, a complete implementation of the RFC: targets
are compiled by it, never by a home-made parser.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonpath_rfc9535

from .errors import SpecError, SpecErrors, pointer
from .load import parse

__all__ = ["Action", "Overlay", "apply_overlay", "load_overlay"]

_VERSION = re.compile(r"1\.0\.\d+")
_TOP_FIELDS = frozenset({"overlay", "info", "extends", "actions"})
_INFO_FIELDS = frozenset({"title", "version"})
_ACTION_FIELDS = frozenset({"target", "description", "update", "remove"})


@dataclass(frozen=True)
class Action:
    """One action of an overlay, with where it is (for error messages)."""

    index: int
    target: jsonpath_rfc9535.JSONPathQuery
    target_text: str
    description: str
    update: Any
    remove: bool

    def name(self) -> str:
        """How errors name the action: its number and description, else its target."""
        what = f" ({self.description!r})" if self.description else ""
        return f"action {self.index}{what}"


@dataclass(frozen=True)
class Overlay:
    """A parsed and structurally valid Overlay 1.0 document."""

    file: str
    title: str
    actions: tuple[Action, ...]


def load_overlay(path: Path) -> Overlay:
    """Read an overlay and check it against the Overlay 1.0 structure; raise SpecErrors."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecErrors([SpecError(str(path), "", f"cannot read file: {exc.strerror or exc}")]) from None
    root = parse(raw, path.name)  # YAML or JSON, duplicate keys refused
    problems = list(_structure(path.name, root))
    if problems:
        raise SpecErrors(problems)
    actions = []
    for index, raw_action in enumerate(root["actions"]):
        text = raw_action["target"]
        try:
            query = jsonpath_rfc9535.compile(text)
        except jsonpath_rfc9535.JSONPathError as exc:
            problems.append(SpecError(path.name, pointer("actions", index, "target"), f"not an RFC 9535 JSONPath query ({exc}): {text!r}"))
            continue
        actions.append(
            Action(
                index=index,
                target=query,
                target_text=text,
                description=raw_action.get("description", ""),
                update=raw_action.get("update"),
                remove=raw_action.get("remove", False) is True,
            )
        )
    if problems:
        raise SpecErrors(problems)
    return Overlay(file=path.name, title=root["info"]["title"], actions=tuple(actions))


def _structure(file: str, root: Any) -> Iterator[SpecError]:
    """Every way ``root`` departs from the Overlay 1.0 structure (its JSON Schema, in code)."""

    def err(at: str, message: str) -> SpecError:
        return SpecError(file, at, message)

    if not isinstance(root, dict):
        yield err("", "an overlay must be a mapping (Overlay Specification 1.0)")
        return
    version = root.get("overlay")
    if "overlay" not in root:
        yield err("", "missing required field 'overlay' (the Overlay Specification version, 1.0.x)")
    elif not (isinstance(version, str) and _VERSION.fullmatch(version)):
        yield err("/overlay", f"unsupported overlay version {version!r}: this generator reads Overlay 1.0.x")
    yield from (err(pointer(key), f"unknown field {key!r}") for key in _unknown(root, _TOP_FIELDS))
    info = root.get("info")
    if "info" not in root:
        yield err("", "missing required field 'info' (title and version)")
    elif not isinstance(info, dict):
        yield err("/info", "info must be a mapping with title and version")
    else:
        for key in ("title", "version"):
            if not isinstance(info.get(key), str):
                yield err(pointer("info", key), f"info.{key} is required and must be a string")
        yield from (err(pointer("info", key), f"unknown field {key!r}") for key in _unknown(info, _INFO_FIELDS))
    if "extends" in root and not isinstance(root["extends"], str):
        yield err("/extends", "extends must be a string (a URI reference)")
    actions = root.get("actions")
    if "actions" not in root:
        yield err("", "missing required field 'actions'")
        return
    if not isinstance(actions, list) or not actions:
        yield err("/actions", "actions must be a non-empty list")
        return
    for index, action in enumerate(actions):
        at = pointer("actions", index)
        if not isinstance(action, dict):
            yield err(at, "an action must be a mapping with a target")
            continue
        target = action.get("target")
        if not isinstance(target, str) or not target.startswith("$"):
            yield err(at + "/target", "target is required and must be a JSONPath query starting with '$'")
        if "description" in action and not isinstance(action["description"], str):
            yield err(at + "/description", "description must be a string")
        if "remove" in action and not isinstance(action["remove"], bool):
            yield err(at + "/remove", "remove must be true or false")
        if "update" not in action and action.get("remove") is not True:
            yield err(at, "an action needs update or remove: true")
        yield from (err(pointer("actions", index, key), f"unknown field {key!r}") for key in _unknown(action, _ACTION_FIELDS))


def _unknown(node: dict[str, Any], fields: frozenset[str]) -> Iterable[str]:
    return (key for key in node if key not in fields and not (isinstance(key, str) and key.startswith("x-")))


def apply_overlay(root: dict[str, Any], overlay: Overlay, *, target_name: str) -> dict[str, Any]:
    """``root`` with every action of ``overlay`` applied in order (``root`` is not changed).

    Raises SpecErrors naming the overlay file and the action when an action selects nothing
    or cannot be applied; ``target_name`` names the document in those messages.
    """
    doc = copy.deepcopy(root)
    problems: list[SpecError] = []
    for action in overlay.actions:
        at = pointer("actions", action.index)
        nodes = list(action.target.finditer(doc))
        if not nodes:
            problems.append(
                SpecError(overlay.file, at, f"{action.name()}: target {action.target_text} matches nothing in {target_name}")
            )
            continue
        if action.remove:
            # Deepest first, and of one list the highest index first, so that removing one
            # node never moves another that is still to be removed.
            for node in sorted(nodes, key=_removal_order, reverse=True):
                _remove(doc, node.location)
            continue
        for node in nodes:
            problem = _update(node.value, action.update)
            if problem:
                problems.append(SpecError(overlay.file, at + "/update", f"{action.name()}: at {node.path()}: {problem}"))
    if problems:
        raise SpecErrors(problems)
    return doc


def _removal_order(node: jsonpath_rfc9535.JSONPathNode) -> tuple[int, int]:
    last = node.location[-1] if node.location else None
    return len(node.location), last if isinstance(last, int) else -1


def _remove(doc: Any, location: tuple[str | int, ...]) -> None:
    if not location:
        return  # the root itself: nothing contains it (the specification gives no meaning)
    parent = doc
    for key in location[:-1]:
        parent = parent[key]
    last = location[-1]
    if isinstance(parent, list) and isinstance(last, int) and last < len(parent):
        del parent[last]
    elif isinstance(parent, dict):
        parent.pop(last, None)


def _update(target: Any, update: Any) -> str | None:
    """Merge ``update`` into ``target`` in place; a message when the two are incompatible."""
    if isinstance(target, list):
        target.append(copy.deepcopy(update))
        return None
    if not isinstance(target, dict):
        return "the target is a primitive value; an update can only select objects and arrays"
    if not isinstance(update, dict):
        return "an update of an object must be an object"
    return _merge(target, update)


def _merge(target: dict[str, Any], update: dict[str, Any]) -> str | None:
    for key, value in update.items():
        if key not in target:
            target[key] = copy.deepcopy(value)
            continue
        current = target[key]
        if isinstance(current, dict) and isinstance(value, dict):
            problem = _merge(current, value)
            if problem:
                return f"{key}.{problem}"
        elif isinstance(current, list) and isinstance(value, list):
            current.extend(copy.deepcopy(value))
        elif not isinstance(current, (dict, list)) and not isinstance(value, (dict, list)):
            target[key] = value
        else:
            return f"{key}: cannot merge {_kind(value)} into {_kind(current)}"
    return None


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return "a primitive value"
