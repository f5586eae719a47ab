"""``partner-codegen extract``: a self-contained document holding only the chosen operations.

Confluent publishes the partner API inside larger documents (the partner v2 service has eight
operations, the whole Cloud API thousands); our package exposes three. Extraction keeps:

* the named operations (by ``operationId``) and, of their path items, the fields shared by
  every method (``parameters``, ``summary``, ``servers``...); other methods are dropped;
* every component they reach, followed through ``$ref`` and discriminator mappings, closed
  over what those components reach in turn, in the order the document lists them;
* the security schemes their security requirements (or the document's) name, and the tags
  they use; the top-level fields ``openapi``, ``info``, ``servers``, ``security``,
  ``externalDocs`` and extensions.

Overlays (:mod:`generator.overlay`) are applied to the whole document first, in the order
given, so they can correct anything the operations reach and add what the published document
lacks. The result keeps every JSON pointer the operations and components had, so an error in
it points at the same place in the published document.

:func:`derive` is the step ``generate``, ``check``, ``diff`` and ``extract`` share: load,
apply overlays, extract. It returns the document as text; the commands hand that text to the
pipeline exactly as they would a spec file.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from .errors import GenerationError, SpecError, SpecErrors, pointer
from .load import load
from .openapi import HTTP_METHODS, path_items
from .overlay import apply_overlay, load_overlay

__all__ = ["derive", "derived_spec", "dump", "extract", "operation_list", "relabel", "write_extracted"]

_TOP_LEVEL = ("openapi", "info", "jsonSchemaDialect", "servers", "security", "externalDocs")


def extract(root: dict[str, Any], operations: Sequence[str], *, file: str) -> dict[str, Any]:
    """The part of ``root`` that ``operations`` need; SpecErrors for an unknown operationId."""
    wanted = list(dict.fromkeys(operations))
    found: dict[str, tuple[str, str]] = {}
    paths = dict(path_items(root))
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, dict) and op.get("operationId") in wanted:
                found.setdefault(op["operationId"], (path, method))
    missing = [op_id for op_id in wanted if op_id not in found]
    if missing:
        raise SpecErrors(
            SpecError(file, "/paths", f"no operation has operationId {op_id!r} (asked for by --operations)") for op_id in missing
        )
    kept_paths: dict[str, Any] = {}
    chosen = set(found.values())
    for path, item in paths.items():
        methods = [m for m in HTTP_METHODS if (path, m) in chosen]
        if methods:
            kept_paths[path] = {k: v for k, v in item.items() if k not in HTTP_METHODS or k in methods}
    out: dict[str, Any] = {key: root[key] for key in _TOP_LEVEL if key in root}
    out.update({key: value for key, value in root.items() if isinstance(key, str) and key.startswith("x-")})
    used_tags = {tag for item in kept_paths.values() for m in HTTP_METHODS for tag in _tags(item.get(m))}
    tags = [t for t in root.get("tags") or [] if isinstance(t, dict) and t.get("name") in used_tags]
    if tags:
        out["tags"] = tags
    out["paths"] = kept_paths
    components = _reached_components(root, kept_paths, out)
    if components:
        out["components"] = components
    return out


def _tags(op: Any) -> list[str]:
    tags = op.get("tags") if isinstance(op, dict) else None
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


def _reached_components(root: dict[str, Any], paths: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """The components ``paths`` reach (closed over references), in document order."""
    components = root.get("components") if isinstance(root.get("components"), dict) else {}
    assert isinstance(components, dict)
    keep: set[tuple[str, str]] = set()
    queue: list[Any] = [paths, {k: v for k, v in top.items() if k != "info"}]
    for scheme in _security_schemes(paths, top):
        queue.append(_keep(components, ("securitySchemes", scheme), keep))
    while queue:
        node = queue.pop()
        for ref in _refs(node):
            tokens = [t.replace("~1", "/").replace("~0", "~") for t in ref[2:].split("/")]
            if len(tokens) >= 3 and tokens[0] == "components":
                queue.append(_keep(components, (tokens[1], tokens[2]), keep))
    out: dict[str, Any] = {}
    for kind, entries in components.items():
        if not isinstance(entries, dict):
            continue
        kept = {name: value for name, value in entries.items() if (kind, name) in keep}
        if kept:
            out[kind] = kept
    return out


def _keep(components: dict[str, Any], key: tuple[str, str], keep: set[tuple[str, str]]) -> Any:
    """Mark a component as kept; its value (to walk) the first time, else nothing."""
    if key in keep:
        return None
    entries = components.get(key[0])
    if not isinstance(entries, dict) or key[1] not in entries:
        return None  # a dangling reference: the loader has reported it already
    keep.add(key)
    return entries[key[1]]


def _security_schemes(paths: dict[str, Any], top: dict[str, Any]) -> list[str]:
    requirements: list[Any] = list(top.get("security") or [])
    for item in paths.values():
        for method in HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                requirements.extend(op.get("security") or [])
    names: list[str] = []
    for requirement in requirements:
        if isinstance(requirement, dict):
            names.extend(name for name in requirement if isinstance(name, str) and name not in names)
    return names


def _refs(node: Any) -> Iterator[str]:
    """Every local reference under ``node``: ``$ref`` values and discriminator mappings."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/"):
                yield ref
            mapping = current.get("mapping") if isinstance(current.get("propertyName"), str) else None
            if isinstance(mapping, dict):
                for value in mapping.values():
                    if isinstance(value, str):
                        yield value if value.startswith("#/") else "#" + pointer("components", "schemas", value)
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)


def derive(spec: Path, *, operations: Sequence[str] | None, overlays: Sequence[Path]) -> dict[str, Any]:
    """Load ``spec``, apply ``overlays`` in order, keep ``operations`` (all when None)."""
    doc = load(spec)
    root = doc.root
    for overlay_path in overlays:
        root = apply_overlay(root, load_overlay(overlay_path), target_name=spec.name)
    if operations is not None:
        root = extract(root, operations, file=spec.name)
    return root


def write_extracted(spec: Path, *, operations: Sequence[str] | None, overlays: Sequence[Path], output: Path) -> str:
    """The ``extract`` command: write the derived document if it is valid OpenAPI (else
    SpecErrors, and nothing is written); returns the line to print."""
    from .load import Document
    from .validate import validate  # slow to import: only for this command

    root = derive(spec, operations=operations, overlays=overlays)
    validate(Document(file=spec.name, root=root, sha256=""))
    text = dump(root, as_json=output.suffix == ".json")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise GenerationError(f"cannot write {output}: {exc.strerror or exc}") from None
    kept = sum(1 for _, item in path_items(root) for method in item if method in HTTP_METHODS)
    schemas = len(root.get("components", {}).get("schemas", {}))
    return f"{output}: {kept} operation{'s' if kept != 1 else ''}, {schemas} schema{'s' if schemas != 1 else ''}"


def dump(root: dict[str, Any], *, as_json: bool = False) -> str:
    """The document as text: JSON, or YAML with multi-line strings as blocks. Deterministic."""
    if as_json:
        import json

        return json.dumps(root, indent=2, ensure_ascii=False) + "\n"
    return yaml.dump(
        root,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100_000,
    )


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """The safe dumper, writing multi-line strings as ``|`` blocks where YAML allows it."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


@contextmanager
def derived_spec(spec: Path, *, operations: Sequence[str] | None, overlays: Sequence[Path]) -> Iterator[Path]:
    """A file holding :func:`derive`'s result, named like ``spec``, for the time of a command.

    The pipeline reads specs from files (the tree cache and the spec kept in the output are
    keyed by the file's name and bytes); the derived document gets the original's name so that
    generated headers and error locations name the document the user gave.
    """
    if operations is None and not overlays:
        yield spec
        return
    text = dump(derive(spec, operations=operations, overlays=overlays), as_json=spec.suffix == ".json")
    with tempfile.TemporaryDirectory(prefix="partner-codegen-derived-") as folder:
        path = Path(folder) / spec.name
        path.write_text(text, encoding="utf-8")
        yield path


def relabel(errors: SpecErrors, spec: Path, overlays: Sequence[Path]) -> SpecErrors:
    """Errors in a derived document, naming it as the original after the overlays."""
    if not overlays:
        return errors
    label = f"{spec.name} (after {', '.join(o.name for o in overlays)})"
    return SpecErrors(SpecError(label, e.pointer, e.message) if e.file == spec.name else e for e in errors.errors)


def operation_list(text: str) -> list[str]:
    """``--operations a,b`` -> ``["a", "b"]`` (blanks dropped)."""
    return [part.strip() for part in text.split(",") if part.strip()]

