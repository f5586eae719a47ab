"""Stage 2: check the document against the OpenAPI 3.0 / 3.1 schema (openapi-spec-validator).

Every problem becomes a :class:`SpecError` naming its JSON pointer; nothing is raised for the
first one, so the user sees all of them in one run.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jsonschema.exceptions import best_match  # type: ignore[import-untyped]
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

from .errors import SpecError, SpecErrors, pointer
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
    found: dict[tuple[str, str], SpecError] = {}
    try:
        for error in validator.iter_errors():
            spec_error = _to_spec_error(doc.file, error)
            found.setdefault((spec_error.pointer, spec_error.message), spec_error)
    except RecursionError:
        return [SpecError(doc.file, "", "the document is nested too deeply to validate")]
    return sorted(found.values(), key=lambda e: e.pointer)


def _to_spec_error(file: str, error: Any) -> SpecError:
    path: list[str | int] = list(getattr(error, "absolute_path", ()) or ())
    context: Iterable[Any] = getattr(error, "context", None) or ()
    specific = best_match(context) if context else None
    if specific is not None:
        path.extend(specific.absolute_path)
        message = str(specific.message)
    else:
        message = str(getattr(error, "message", error))
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 3] + "..."
    return SpecError(file, pointer(*path), message)
