"""Stage 2: check the document against the OpenAPI 3.0 / 3.1 schema (openapi-spec-validator).

Every problem becomes a :class:`SpecError` naming its JSON pointer; nothing is raised for the
first one, so the user sees all of them in one run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

from .errors import SpecError, SpecErrors, escape_pointer_token, pointer
from .load import Document

_MAX_MESSAGE = 240


def validate(doc: Document) -> Document:
    """Return ``doc`` unchanged if it is valid OpenAPI 3.0/3.1; raise :class:`SpecErrors` if not."""
    errors = check(doc)
    if errors:
        raise SpecErrors(errors)
    return doc


def check(doc: Document) -> list[SpecError]:
    """All problems the validator finds, in document order, each reported once."""
    version = doc.root.get("openapi")
    if version is None:
        if "swagger" in doc.root:
            return [SpecError(doc.file, "/swagger", "Swagger 2.0 is not supported; convert the document to OpenAPI 3")]
        return [SpecError(doc.file, "", "not an OpenAPI document: there is no 'openapi' field")]
    if not isinstance(version, str):
        return [SpecError(doc.file, "/openapi", f"the version must be a string such as '3.0.3', found {version!r}")]
    if version.startswith("3.0."):
        validator: Any = OpenAPIV30SpecValidator(doc.root)
    elif version.startswith("3.1."):
        validator = OpenAPIV31SpecValidator(doc.root)
    else:
        return [SpecError(doc.file, "/openapi", f"unsupported OpenAPI version {version!r}; expected 3.0.x or 3.1.x")]
    ours = list(_structure(doc))
    found: dict[tuple[str, str], SpecError] = {(e.pointer, e.message): e for e in ours}
    try:
        for error in validator.iter_errors():
            message = str(getattr(error, "message", error))
            if ours and message.startswith(_COVERED):
                continue  # reported above, with a location
            spec_error = _to_spec_error(doc.file, error)
            found.setdefault((spec_error.pointer, spec_error.message), spec_error)
    except RecursionError:
        return [SpecError(doc.file, "", "the document is nested too deeply to validate")]
    # A second pass of the validator checks schema objects on their own and reports paths
    # relative to the schema, which cannot be located in the document. They restate an
    # error the first pass located, so they are kept only when nothing else was found.
    errors = list(found.values())
    roots = {"/" + escape_pointer_token(key) for key in doc.root}
    located = [e for e in errors if e.pointer == "" or "/" + e.pointer.split("/")[1] in roots]
    kept = located or [SpecError(e.file, "", f"in a schema object: {e.message} (at {e.pointer})") for e in errors]
    return sorted(kept, key=lambda e: e.pointer)


# Validator messages that the structural checks below report with a JSON pointer.
_COVERED = ("Operation ID '", "Path parameter '")


def _structure(doc: Document) -> Iterable[SpecError]:
    """Duplicate operationIds and undeclared path parameters, located precisely."""
    paths = doc.root.get("paths")
    if not isinstance(paths, dict):
        return
    seen: dict[str, str] = {}
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        shared = _declared_path_params(doc, item.get("parameters"))
        for method in ("get", "put", "post", "delete", "options", "head", "patch", "trace"):
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            at = pointer("paths", path, method)
            op_id = op.get("operationId")
            if isinstance(op_id, str):
                if op_id in seen:
                    yield SpecError(doc.file, at + "/operationId", f"operationId {op_id!r} is already used at {seen[op_id]}")
                else:
                    seen[op_id] = at
            declared = shared | _declared_path_params(doc, op.get("parameters"))
            for name in re.findall(r"{([^}/]+)}", path):
                if name not in declared:
                    yield SpecError(doc.file, at, f"path template variable {{{name}}} has no 'in: path' parameter")


def _declared_path_params(doc: Document, params: Any) -> set[str]:
    names: set[str] = set()
    for param in params if isinstance(params, list) else ():
        try:
            resolved = doc.deref(param)
        except KeyError:
            continue
        if isinstance(resolved, dict) and resolved.get("in") == "path" and isinstance(resolved.get("name"), str):
            names.add(resolved["name"])
    return names


def _deepest(error: Any) -> Any:
    """Follow ``oneOf``/``anyOf`` context to the most specific failure (the longest path)."""
    while True:
        context = list(getattr(error, "context", None) or ())
        if not context:
            return error
        error = max(
            context,
            key=lambda e: (len(list(e.absolute_path)), e.validator != "required", -len(str(e.message))),
        )


def _to_spec_error(file: str, error: Any) -> SpecError:
    specific = _deepest(error)
    path: list[str | int] = list(getattr(specific, "absolute_path", ()) or ())
    message = str(getattr(specific, "message", specific))
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 3] + "..."
    return SpecError(file, pointer(*path), message)
