"""Stage 2: check the document against the OpenAPI 3.0 / 3.1 schema (openapi-spec-validator).

Every problem becomes a :class:`SpecError` naming its JSON pointer; nothing is raised for the
first one, so the user sees all of them in one run. Each finding is classified by what it does
to the generated code (the README's "What is refused" lists the rules):

* **warnings** (generation goes on): a ``default`` or ``example`` that contradicts its schema
  (an invalid default is left out of the code, see :mod:`generator.schemas`), a field that
  OpenAPI does not define on that object (a ``title`` on an operation, a 3.1 keyword such as
  ``const`` in a 3.0 document: ignored, or honoured where the model knows it);
* **errors** (nothing is written): everything else the validator finds, and the structural
  problems found here (paths, parameters, responses, duplicate operationIds, allOf cycles).

``required`` naming a property that no ``properties`` declares is left to the model, which
warns where it meets it and renders the property as a required field of any type.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Iterator
from typing import Any

from jsonschema import ValidationError, validators  # type: ignore[import-untyped]
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
from openapi_spec_validator.validation import keywords
from openapi_spec_validator.validation.exceptions import ExtraParametersError

from . import ecma
from .errors import SpecError, SpecErrors, escape_pointer_token, pointer
from .load import Document
from .openapi import HTTP_METHODS, path_items

__all__ = [
    "check",
    "validate",
]

_MAX_MESSAGE = 240


def validate(doc: Document) -> Document:
    """Return ``doc`` unchanged if it is valid OpenAPI 3.0/3.1 (warnings aside); raise
    :class:`SpecErrors` with every finding, warnings included, if not."""
    found = check(doc)
    if any(not e.warning for e in found):
        raise SpecErrors(found)
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
    # openapi-spec-validator takes every key of ``paths`` for a path item; its extensions
    # (``x-...``, any value) are valid and describe no operation, so it is shown the rest.
    shown = doc.root
    if isinstance(shown.get("paths"), dict) and any(str(key).startswith("x-") for key in shown["paths"]):
        shown = {**shown, "paths": dict(path_items(shown))}
    if version.startswith("3.0."):
        validator: Any = _V30(shown)
    elif version.startswith("3.1."):
        validator = _V31(shown)
    else:
        return [SpecError(doc.file, "/openapi", f"unsupported OpenAPI version {version!r}; expected 3.0.x or 3.1.x")]
    # Structural checks first: they name the exact location (the validator often cannot), and
    # a document that fails them can make the validator itself fail or recurse forever.
    ours = list(_structure(doc))
    if any(not e.warning for e in ours):
        return ours
    found: dict[tuple[str, str], SpecError] = {(e.pointer, e.message): e for e in ours}
    registry = validator.keyword_validators_registry
    try:
        with warnings.catch_warnings():
            # Python's re, compiling patterns for the schema's ``format: regex``, warns about
            # ECMA-262 syntax it reads differently ("possible nested set"); those findings are
            # dropped (see _is_regex_format), and the warnings must not become errors either.
            warnings.simplefilter("ignore")
            found = _findings(doc, validator, registry, found, version)
    except RecursionError:
        return [SpecError(doc.file, "", "the document is nested too deeply to validate")]
    except Exception as exc:  # the validator's own assertions on malformed input
        return [SpecError(doc.file, "", f"the document could not be validated: {type(exc).__name__}: {exc}")]
    # A second pass of the validator checks schema objects on their own and reports paths
    # relative to the schema, which cannot be located in the document. They restate an
    # error the first pass located, so they are kept only when nothing else was found.
    errors = list(found.values())
    roots = {"/" + escape_pointer_token(key) for key in doc.root}
    located = [e for e in errors if e.pointer == "" or "/" + e.pointer.split("/")[1] in roots]
    kept = located or [SpecError(e.file, "", f"in a schema object: {e.message} (at {e.pointer})", e.warning) for e in errors]
    return sorted(kept, key=lambda e: e.pointer)


def _findings(
    doc: Document, validator: Any, registry: Any, found: dict[tuple[str, str], SpecError], version: str
) -> dict[tuple[str, str], SpecError]:
    """The validator's findings added to ``found``, each classified (see the module docstring)."""
    for error in validator.iter_errors():
        value_check: _ValueCheck | None = getattr(registry, _TAG, None)
        setattr(registry, _TAG, None)
        if value_check is not None:
            spec_error = value_check.warning(doc, error)
            earlier = found.pop((spec_error.pointer, ""), None)
            if earlier is not None:  # one line per value: its reasons joined
                spec_error = value_check.warning(doc, error, earlier.message)
            found[(spec_error.pointer, "")] = spec_error
            continue
        if isinstance(error, ExtraParametersError) or _is_regex_format(error):
            continue  # the model's and our own pattern checks report these, located
        spec_error = _to_spec_error(doc.file, error, version)
        if not spec_error.pointer:
            spec_error = SpecError(doc.file, _locate(doc.root, getattr(_deepest(error), "instance", None)), spec_error.message, spec_error.warning)
        found.setdefault((spec_error.pointer, spec_error.message), spec_error)
    return found


# --- Which findings are about a default or an example ------------------------------------------
#
# openapi-spec-validator checks each schema's ``default`` against the schema, and reports what
# it finds without saying where (the error's path is inside the value). Its keyword validators
# are looked up in a registry by name, so subclasses below take the places of "default" and
# "schema": they note, just before each finding goes up the chain of generators, which value of
# which schema it is about, and :func:`check` reads that note as the finding arrives.

_TAG = "_partner_codegen_value_check"


class _ValueCheck:
    """Which keyword's value (``default`` / ``example``) at which schema a finding is about."""

    def __init__(self, keyword: str, parts: tuple[Any, ...], value: Any) -> None:
        self.keyword = keyword
        self.parts = parts
        self.value = value

    def warning(self, doc: Document, error: Any, earlier: str | None = None) -> SpecError:
        where = _real_pointer(doc.root, self.parts) + "/" + self.keyword
        message = str(getattr(error, "message", error))
        if len(message) > _MAX_MESSAGE:
            message = message[: _MAX_MESSAGE - 3] + "..."
        if earlier is not None:
            message = earlier[earlier.index("(") + 1 : earlier.rindex(")")] + "; " + message
        shown = repr(self.value)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        if self.keyword == "default":
            text = f"default {shown} does not match its schema ({message}); it is left out of the generated code"
        else:
            text = f"example {shown} does not match its schema ({message})"
        return SpecError(doc.file, where, text, warning=True)


def _is_regex_format(error: Any) -> bool:
    """The OpenAPI schema's ``format: regex`` on ``pattern``, checked with Python's ``re``:
    patterns are ECMA-262, which :func:`_patterns` checks instead."""
    specific = _deepest(error)
    return getattr(specific, "validator", None) == "format" and getattr(specific, "validator_value", None) == "regex"


def _tagged(registry: Any, keyword: str, schema: Any, value: Any, errors: Iterable[Any]) -> Iterator[Any]:
    for error in errors:
        setattr(registry, _TAG, _ValueCheck(keyword, tuple(schema.parts), value))
        yield error


def _ecma_pattern(validator: Any, pattern: Any, instance: Any, schema: Any) -> Iterator[Any]:
    """JSON Schema's ``pattern`` as ECMA-262 (see generator.ecma), for checking defaults and
    examples; a pattern no engine can run is not checked (the model warns about it)."""
    if not validator.is_type(instance, "string") or not isinstance(pattern, str):
        return
    try:
        if ecma.matches(ecma.translate(pattern), instance):
            return
    except ecma.UnusablePatternError:
        return
    yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _default_checker(base: Any) -> type:
    value_validator = validators.extend(base.value_validator_cls, {"pattern": _ecma_pattern})

    class Default(base):  # type: ignore[misc]
        value_validator_cls = value_validator

        def __call__(self, schema: Any, value: Any) -> Iterator[Any]:
            yield from _tagged(self.registry, "default", schema, value, super().__call__(schema, value))

    return Default


def _schema_checker(base: type) -> type:
    class Schema(base):  # type: ignore[misc]
        """The schema checks, plus each schema's ``example`` checked like its ``default``."""

        def __call__(self, schema: Any, require_properties: bool = True, meta_checked: bool = False) -> Iterator[Any]:
            yield from super().__call__(schema, require_properties, meta_checked)
            try:
                if "example" not in schema:
                    return
                node = schema.read_value()
            except Exception:
                return
            examples = self.registry.__dict__.setdefault("_partner_codegen_examples", set())
            if not isinstance(node, dict) or id(node) in examples:
                return
            examples.add(id(node))
            value = node["example"]
            if value is None and node.get("nullable") is True:
                return
            checker = self.registry["default"]
            yield from _tagged(self.registry, "example", schema, value, super(type(checker), checker).__call__(schema, value))

    return Schema


def _examples_checker(base: type) -> type:
    class WithExamples(base):  # type: ignore[misc]
        """A parameter's or a media type's checks, plus its ``example`` and the ``value`` of
        each of its ``examples``, checked against its ``schema`` like a default."""

        def __call__(self, *args: Any) -> Iterator[Any]:
            yield from super().__call__(*args)
            yield from _object_examples(self.registry, args[-1])

    return WithExamples


def _object_examples(registry: Any, node: Any) -> Iterator[Any]:
    try:
        if "schema" not in node:
            return
        raw = node.read_value()
        entries = list((node / "examples").items()) if "examples" in node else []
    except Exception:
        return
    seen = registry.__dict__.setdefault("_partner_codegen_examples", set())
    if not isinstance(raw, dict) or id(raw) in seen:
        return  # a component used in many places is checked once
    seen.add(id(raw))
    schema = node / "schema"
    checker = registry["default"]
    check = super(type(checker), checker).__call__  # the plain value check, untagged
    if "example" in raw:
        yield from _tagged(registry, "example", node, raw["example"], check(schema, raw["example"]))
    for _, entry in entries:
        try:
            if "value" not in entry:
                continue  # an externalValue, or no value at all
            value = (entry / "value").read_value()
        except Exception:
            continue
        yield from _tagged(registry, "value", entry, value, check(schema, value))


class _V30(OpenAPIV30SpecValidator):
    keyword_validators = {  # noqa: RUF012 - the base class declares it so
        **OpenAPIV30SpecValidator.keyword_validators,
        "default": _default_checker(keywords.OpenAPIV30ValueValidator),
        "schema": _schema_checker(keywords.OpenAPIV30SchemaValidator),
        "parameter": _examples_checker(keywords.ParameterValidator),
        "mediaType": _examples_checker(keywords.MediaTypeValidator),
    }


class _V31(OpenAPIV31SpecValidator):
    keyword_validators = {  # noqa: RUF012 - the base class declares it so
        **OpenAPIV31SpecValidator.keyword_validators,
        "default": _default_checker(keywords.OpenAPIV31ValueValidator),
        "schema": _schema_checker(keywords.OpenAPIV31SchemaValidator),
        "parameter": _examples_checker(keywords.ParameterValidator),
        "mediaType": _examples_checker(keywords.MediaTypeValidator),
    }


def _real_pointer(root: Any, parts: tuple[Any, ...]) -> str:
    """The pointer of the node the validator reached by ``parts``, through any ``$ref`` on the
    way (the validator follows references and reports the path it took)."""
    location: list[Any] = []
    node = root
    for part in parts:
        node = _through_refs(root, node, location)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return pointer(*location, *parts[len(location):])
        location.append(part)
    _through_refs(root, node, location)
    return pointer(*location)


def _through_refs(root: Any, node: Any, location: list[Any]) -> Any:
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/") and seen < 50:
        seen += 1
        tokens = [t.replace("~1", "/").replace("~0", "~") for t in node["$ref"][2:].split("/")]
        target: Any = root
        for token in tokens:
            if isinstance(target, dict) and token in target:
                target = target[token]
            elif isinstance(target, list) and token.isdigit() and int(token) < len(target):
                target = target[int(token)]
            else:
                return node
        location[:] = tokens
        node = target
    return node


_STATUS = re.compile(r"^(?:[1-5][0-9][0-9]|[1-5]XX|default)$")
_LOCATIONS = ("path", "query", "header", "cookie")


def _structure(doc: Document) -> Iterable[SpecError]:
    """Problems the schema validator reports badly or not at all, each with its pointer."""
    file = doc.file
    paths = doc.root.get("paths")
    if paths is not None and not isinstance(paths, dict):
        yield SpecError(file, "/paths", f"{_short(paths)} is not of type 'object'")
        return
    yield from _all_of_cycles(doc)
    yield from _patterns(doc)
    seen: dict[str, str] = {}
    for path, item in path_items(doc.root):
        if not path.startswith("/"):
            yield SpecError(file, pointer("paths", path), f"the path {path!r} must start with '/'")
            continue
        if not isinstance(item, dict):
            continue
        template = set(re.findall(r"{([^}/]+)}", path))
        shared = _declared_path_params(doc, item.get("parameters"))
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            at = pointer("paths", path, method)
            op_id = op.get("operationId")
            if isinstance(op_id, str):
                if op_id in seen:
                    yield SpecError(file, at + "/operationId", f"operationId {op_id!r} is already used at {seen[op_id]}")
                else:
                    seen[op_id] = at
            for index, raw in enumerate(op.get("parameters") or () if isinstance(op.get("parameters"), list) else ()):
                try:
                    param = doc.deref(raw)
                except KeyError:
                    continue
                if not isinstance(param, dict):
                    continue
                where = f"{at}/parameters/{index}"
                location, name = param.get("in"), param.get("name")
                if isinstance(location, str) and location not in _LOCATIONS:
                    yield SpecError(
                        file, where + "/in",
                        f"parameter location {location!r} is not one of path, query, header, cookie "
                        "(OpenAPI 3 describes a body with requestBody)",
                    )
                elif location == "path" and isinstance(name, str) and name not in template:
                    yield SpecError(file, where, f"path parameter {name!r} does not appear in the path {path!r}")
            declared = shared | _declared_path_params(doc, op.get("parameters"))
            for name in sorted(template - declared):
                if "?" in path and f"{{{name}}}" in path[path.index("?") :]:
                    yield SpecError(
                        file, at,
                        f"path template variable {{{name}}} is in a query string written into the path "
                        f"({path[path.index('?'):]!r}); a path may not hold a query: declare it as an 'in: query' parameter",
                    )
                    continue
                yield SpecError(file, at, f"path template variable {{{name}}} has no 'in: path' parameter")
            responses = op.get("responses")
            for code in responses if isinstance(responses, dict) else ():
                if not _STATUS.match(code):
                    yield SpecError(
                        file, f"{at}/responses/{escape_pointer_token(code)}",
                        f"{code!r} is not a response status; use three digits ('200'), a range ('2XX') or 'default'",
                    )


def _locate(root: Any, instance: Any) -> str:
    """Where a value the validator complained about (without saying where) sits: checks of
    examples and defaults report only the value. Best effort; ``""`` when not found."""
    if isinstance(instance, (dict, list)) or instance is None:
        return ""
    hits = [
        where
        for node, where in _walk(root, ())
        if isinstance(node, dict)
        for key in ("example", "default", "const")
        if key in node and node[key] == instance and type(node[key]) is type(instance)
        for where in [(*where, key)]
    ]
    return pointer(*min(hits, key=lambda w: [str(t) for t in w])) if hits else ""


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _walk(node: Any, here: tuple[str | int, ...]) -> Iterable[tuple[Any, tuple[str | int, ...]]]:
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(node, here)]
    while stack:
        current, where = stack.pop()
        yield current, where
        if isinstance(current, dict):
            stack.extend((v, (*where, k)) for k, v in current.items() if isinstance(v, (dict, list)))
        elif isinstance(current, list):
            stack.extend((v, (*where, i)) for i, v in enumerate(current) if isinstance(v, (dict, list)))


def _patterns(doc: Document) -> Iterable[SpecError]:
    """A ``pattern`` that is not ECMA-262, or that no engine the models use can run, is not
    enforced (see generator.ecma): a warning at the pattern."""
    found = []
    for node, where in _walk(doc.root, ()):
        if isinstance(node, dict) and isinstance(node.get("pattern"), str) and "properties" not in where[-1:]:
            try:
                ecma.translate(node["pattern"])
            except ecma.UnusablePatternError as exc:
                shown = repr(node["pattern"])
                shown = shown if len(shown) <= 80 else shown[:77] + "..."
                found.append(SpecError(doc.file, pointer(*where, "pattern"), f"pattern {shown} is not enforced: {exc}", warning=True))
    return sorted(found, key=lambda e: e.pointer)


def _all_of_cycles(doc: Document) -> Iterable[SpecError]:
    """``A: allOf [B]``, ``B: allOf [A]``: no finite merge exists; name the cycle."""
    schemas = (doc.root.get("components") or {}).get("schemas") or {}
    if not isinstance(schemas, dict):
        return
    prefix = "#/components/schemas/"

    def parents(name: str) -> list[tuple[int, str]]:
        node = schemas.get(name)
        parts = node.get("allOf") if isinstance(node, dict) else None
        out = []
        for index, part in enumerate(parts if isinstance(parts, list) else ()):
            ref = part.get("$ref") if isinstance(part, dict) else None
            if isinstance(ref, str) and ref.startswith(prefix):
                out.append((index, ref[len(prefix):].replace("~1", "/").replace("~0", "~")))
        return out

    reported: set[frozenset[str]] = set()
    for start in schemas:
        stack = [(start, [start], first) for first in parents(start)]
        while stack:
            _, trail, (_, target) = stack.pop()
            if target == start:
                cycle = frozenset(trail)
                if cycle not in reported:
                    reported.add(cycle)
                    chain = ", which includes ".join([*trail, start][1:])
                    yield SpecError(
                        doc.file, pointer("components", "schemas", start, "allOf", parents(start)[0][0], "$ref"),
                        f"allOf cycle: {start} includes {chain}",
                    )
                continue
            if target in trail or len(trail) > 50:
                continue
            stack.extend((target, [*trail, target], nxt) for nxt in parents(target))


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


_UNEXPECTED = re.compile(r"^'(?P<field>[^']*)' does not match any of the regexes: '\^x-'$")
_NOT_ALLOWED = re.compile(r"^Additional properties are not allowed \((?P<fields>.*) (?:was|were) unexpected\)$")
_LATER_KEYWORDS = frozenset({"const", "examples", "$schema", "$id", "$comment", "contentMediaType", "contentEncoding", "if", "then", "else", "dependentRequired", "dependentSchemas", "prefixItems", "unevaluatedProperties", "unevaluatedItems", "$defs", "propertyNames", "contains", "minContains", "maxContains"})
_HONOURED = frozenset({"const"})


def _to_spec_error(file: str, error: Any, version: str = "3.0") -> SpecError:
    specific = _deepest(error)
    path: list[str | int] = list(getattr(specific, "absolute_path", ()) or ())
    message = str(getattr(specific, "message", specific))
    unexpected = _UNEXPECTED.match(message)
    fields = [unexpected["field"]] if unexpected else re.findall(r"'([^']*)'", m["fields"]) if (m := _NOT_ALLOWED.match(message)) else []
    if fields:
        where = pointer(*path, fields[0]) if len(fields) == 1 else pointer(*path)
        return SpecError(file, where, _unexpected_fields(fields, version), warning=True)
    if path[-1:] == ["pattern"] and getattr(specific, "validator", None) == "type":
        shown = _short(getattr(specific, "instance", None))
        return SpecError(file, pointer(*path), f"pattern {shown} is not a string, so not a regular expression: not enforced", warning=True)
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 3] + "..."
    return SpecError(file, pointer(*path), message)


def _unexpected_fields(fields: list[str], version: str) -> str:
    """A field OpenAPI does not define on an object is ignored, unless it is a keyword of a
    later JSON Schema draft that the model honours (``const`` in a 3.0 schema)."""
    names = ", ".join(repr(f) for f in fields)
    later = [f for f in fields if f in _LATER_KEYWORDS]
    if version.startswith("3.0.") and later and len(later) == len(fields):
        honoured = [f for f in fields if f in _HONOURED]
        effect = "honoured as in OpenAPI 3.1" if len(honoured) == len(fields) else "ignored" if not honoured else f"{', '.join(repr(f) for f in honoured)} honoured as in OpenAPI 3.1, the rest ignored"
        return f"{names} {'is' if len(fields) == 1 else 'are'} not OpenAPI {version} (a later version's keyword); {effect}"
    return f"{names} {'is' if len(fields) == 1 else 'are'} not a field OpenAPI {version} defines here; ignored"
