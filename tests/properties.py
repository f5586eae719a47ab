"""Property-based conformance: bodies drawn from a spec's own schemas, through a generated client.

For every operation of a spec that takes a JSON body, hypothesis (with hypothesis-jsonschema)
draws request bodies from the operation's schema, converted from OpenAPI to JSON Schema in the
request's direction (``readOnly`` properties may not be sent, ``nullable`` admits ``null``, a
discriminator admits only its mapped values). Each body goes to the generated method through
``httpx.MockTransport`` (properties the spec does not declare go in ``extra_body``), and:

- a valid body is accepted and sent exactly: the JSON on the wire equals the drawn body;
- a body mutated until the JSON Schema rejects it (a property dropped or given a value of the
  wrong type, at any depth) is refused with :class:`pydantic.ValidationError`, nothing sent.

For operations whose success response is an object, valid response bodies are drawn the same
way (in the response's direction) and must parse with ``strict_response_validation=True``;
mutated ones (a required property missing, an undeclared property, an unknown enum value, a
value of the wrong type) must never fail a lenient call, keep every property that arrived, and
fail a strict one when the model cannot hold them.

Runs are reproducible: ``derandomize=True`` (the examples follow from the test itself), no
example database. ``check_spec`` is used for the partner spec (tests/test_properties.py) and for
every feature case (tests/test_cases.py).
"""

from __future__ import annotations

import asyncio
import base64
import inspect
import json
import math
import typing
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import jsonschema
import pydantic
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis_jsonschema import from_schema
from hypothesis_jsonschema._canonicalise import HypothesisRefResolutionError

from generator.ir import Operation
from generator.load import Document, load
from generator.model import build

__all__ = ["EXAMPLES", "check_spec"]

EXAMPLES = 25
"""Examples per operation and property (valid requests, invalid requests, responses)."""
BASE_URL = "http://127.0.0.1:9"

_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    # No shrinking: on these bodies it takes minutes, and the first failing body says enough.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
_DROPPED_KEYWORDS = frozenset(
    {"discriminator", "example", "examples", "xml", "externalDocs", "deprecated", "nullable",
     "readOnly", "writeOnly", "description", "title", "default", "contentMediaType", "$schema"}
)
_FORMATS: dict[str, st.SearchStrategy[str]] = {
    "uuid": st.uuids().map(str),
    "byte": st.binary(max_size=24).map(lambda b: base64.b64encode(b).decode()),
}
_BUILT_IN_FORMATS = frozenset({"date-time", "date", "email", "hostname", "ipv4", "ipv6", "uri"})
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
# Values of the wrong JSON type that pydantic's lax mode does not coerce either (it would turn
# ``true`` into 1 and ``"12"`` into 12 for an integer, and a number into a date-time, and the
# client would then send that: see the README's note on coercion).
_WRONG_VALUES: tuple[Any, ...] = ("not-a-valid-value", 12345, [], {"unexpected": [None]})


class UnsupportedError(Exception):
    """An operation these checks do not cover (recursive schema, non-JSON body...)."""


# --------------------------------------------------------------------------- OpenAPI -> JSON Schema


def json_schema(doc: Document, node: Any, *, request: bool, stack: tuple[str, ...] = ()) -> Any:
    """``node`` as a self-contained JSON Schema, as a request (or response) body must be."""
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if ref in stack:
            raise UnsupportedError(f"recursive schema {ref}")
        return json_schema(doc, doc.resolve(ref), request=request, stack=(*stack, ref))
    if not isinstance(node, dict):
        return node

    def sub(value: Any) -> Any:
        return json_schema(doc, value, request=request, stack=stack)

    out: dict[str, Any] = {}
    hidden: set[str] = set()
    for key, value in node.items():
        if key.startswith("x-") or key in _DROPPED_KEYWORDS:
            continue
        if key == "properties" and isinstance(value, dict):
            props: dict[str, Any] = {}
            for name, prop in value.items():
                resolved = _deref(doc, prop)
                if _flag(prop, resolved, "readOnly" if request else "writeOnly"):
                    props[name] = False  # never sent (or never returned): may not appear
                    hidden.add(name)
                else:
                    props[name] = sub(prop)
            out[key] = props
        elif key in ("items", "additionalProperties", "not") and isinstance(value, dict):
            out[key] = sub(value)
        elif key in ("allOf", "oneOf", "anyOf") and isinstance(value, list):
            out[key] = [sub(v) for v in value]
        elif key == "format":
            if value in _FORMATS or value in _BUILT_IN_FORMATS:
                out[key] = value
            elif value in _INT_RANGES and node.get("type") == "integer":
                low, high = _INT_RANGES[value]
                out.setdefault("minimum", low)
                out.setdefault("maximum", high)
        else:
            out[key] = value
    if isinstance(out.get("required"), list):
        out["required"] = [name for name in out["required"] if name not in hidden]
        if not out["required"]:
            del out["required"]
    discriminator = node.get("discriminator")
    for key in ("oneOf", "anyOf"):
        if isinstance(discriminator, dict) and isinstance(node.get(key), list):
            out[key] = _tagged_variants(doc, node[key], out[key], discriminator)
    if node.get("nullable") is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        if isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        if "type" not in out and "enum" not in out:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def _tagged_variants(doc: Document, raw: list[Any], converted: list[Any], discriminator: dict[str, Any]) -> list[Any]:
    """Each variant, allowed only with its discriminator values (JSON Schema has no discriminator)."""
    prop = discriminator.get("propertyName")
    mapping = discriminator.get("mapping") or {}
    tagged = []
    for variant, schema in zip(raw, converted, strict=True):
        ref = variant.get("$ref") if isinstance(variant, dict) else None
        if not isinstance(ref, str) or not isinstance(prop, str):
            tagged.append(schema)
            continue
        values = [
            value for value, target in mapping.items()
            if (target if target.startswith("#") else "#/components/schemas/" + target) == ref
        ] or [ref.rsplit("/", 1)[-1]]
        tagged.append({"allOf": [schema, {"properties": {prop: {"enum": values}}, "required": [prop]}]})
    return tagged


def _deref(doc: Document, node: Any) -> Any:
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 50:
        node, seen = doc.resolve(node["$ref"]), seen + 1
    return node


def _flag(prop: Any, resolved: Any, key: str) -> bool:
    return (isinstance(prop, dict) and prop.get(key) is True) or (isinstance(resolved, dict) and resolved.get(key) is True)


# --------------------------------------------------------------------------- operations


@dataclass
class Target:
    """One operation of the generated client, with the schemas its bodies are drawn from."""

    op: Operation
    resource: str
    body_schema: Any
    params: dict[str, Any]  # Python name -> JSON Schema of each required non-body argument
    response_schema: Any  # JSON Schema of the success body when the method returns a model, else None

    @property
    def label(self) -> str:
        return f"{self.resource}.{self.op.method_name}"


def targets(spec: Path, package: str) -> list[Target]:
    """The operations of ``spec`` that take a JSON body (each checked by :func:`check_spec`)."""
    doc = load(spec)
    api = build(doc, package=package)
    found: list[Target] = []
    for resource in api.resources:
        for op in resource.operations:
            if op.body_encoding != "json" or not (op.body_model or op.body_param):
                continue
            node = doc.resolve("#" + op.pointer)
            try:
                body = _media_schema(doc, node.get("requestBody"), op.content_type)
                schema = json_schema(doc, body, request=True)
                params = {
                    p.name: json_schema(doc, _param_schema(doc, node, p.wire_name, p.location), request=True)
                    for p in op.params
                    if p.location != "body" and p.required
                }
                response = None
                if op.response_model and op.response_model in {m.name for m in api.models}:
                    success = _deref(doc, node["responses"][str(op.success_status)])
                    response = json_schema(doc, _media_schema(doc, success, None), request=False)
            except UnsupportedError:
                continue
            found.append(Target(op, resource.attribute, schema, params, response))
    return found


def _media_schema(doc: Document, holder: Any, content_type: str | None) -> Any:
    holder = _deref(doc, holder)
    content = holder.get("content") if isinstance(holder, dict) else None
    if not isinstance(content, dict) or not content:
        raise UnsupportedError("no content")
    media = content.get(content_type or "application/json") or next(iter(content.values()))
    return media.get("schema", {}) if isinstance(media, dict) else {}


def _param_schema(doc: Document, op_node: dict[str, Any], wire: str, location: str) -> Any:
    for param in op_node.get("parameters") or ():
        param = _deref(doc, param)
        if isinstance(param, dict) and param.get("name") == wire and param.get("in") == location:
            return param.get("schema", {})
    raise UnsupportedError(f"parameter {wire} not found")  # a path-level parameter: not drawn here


def _strategy(schema: Any) -> st.SearchStrategy[Any]:
    try:
        return from_schema(schema, custom_formats=_FORMATS)
    except (HypothesisRefResolutionError, InvalidArgument) as exc:
        raise UnsupportedError(str(exc)) from exc


# --------------------------------------------------------------------------- calling the client


class Recorder:
    """A client of the generated package whose transport records requests and answers ``body``."""

    def __init__(self, pkg: ModuleType, mode: str, answer: Any = None, status: int = 200) -> None:
        self.sent: list[httpx.Request] = []
        self.answer, self.status, self.mode = answer, status, mode
        client_name = next(n for n in pkg.__all__ if n.startswith("Async") and n != "AsyncIterator")[len("Async"):]
        kwargs: dict[str, Any] = {"base_url": BASE_URL, "max_retries": 0}
        accepted = inspect.signature(getattr(pkg, client_name)).parameters
        if "api_key" in accepted:
            kwargs.update(api_key="k", api_secret="s")
        elif "bearer_token" in accepted:
            kwargs["bearer_token"] = "t"
        transport = httpx.MockTransport(self._handle)
        if mode == "sync":
            self.client = getattr(pkg, client_name)(**kwargs, http_client=httpx.Client(transport=transport))
        else:
            self.client = getattr(pkg, "Async" + client_name)(**kwargs, http_client=httpx.AsyncClient(transport=transport))

    def _handle(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.sent.append(request)
        if self.answer is None:
            return httpx.Response(204 if self.status == 200 else self.status)
        return httpx.Response(self.status, json=self.answer, headers={"X-Request-Id": "req-prop"})

    def call(self, target: Target, *, raw: bool = False, **kwargs: Any) -> Any:
        resource = getattr(self.client, target.resource)
        method = getattr(resource.with_raw_response if raw else resource, target.op.method_name)
        if self.mode == "sync":
            return method(**kwargs)
        return asyncio.run(method(**kwargs))


def arguments(target: Target, body: Any, params: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for ``body``: declared properties by name, the others in ``extra_body``."""
    kwargs = dict(params)
    if target.op.body_param:
        kwargs[target.op.body_param] = body
        return kwargs
    by_wire = {p.wire_name: p.name for p in target.op.body_fields}
    extra = {}
    for key, value in body.items():
        if key in by_wire:
            kwargs[by_wire[key]] = value
        else:
            extra[key] = value
    if extra:
        kwargs["extra_body"] = extra
    return kwargs


def same_json(a: Any, b: Any) -> bool:
    """JSON equality that tells ``true`` from ``1`` (Python's ``==`` does not).

    Date-times are compared as instants: ``format: date-time`` properties are ``datetime`` on
    the models, so the client sends ``+00:00`` as ``Z`` (the same instant, respelled).
    """
    if isinstance(a, str) and isinstance(b, str) and a != b and _is_date(a) and _is_date(b):
        import datetime

        return datetime.datetime.fromisoformat(a) == datetime.datetime.fromisoformat(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=0, abs_tol=0) or a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside ``value`` (object keys and list indexes)."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _at(body: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        body = body[part]
    return body


def _is_date(value: Any) -> bool:
    """An ISO date or date-time string (pydantic's lax mode also takes a number for these)."""
    import datetime

    if not isinstance(value, str):
        return False
    try:
        datetime.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _mutated(body: Any, path: tuple[Any, ...], replacement: Any, drop: bool) -> Any:
    copy = json.loads(json.dumps(body))
    parent = copy
    for part in path[:-1]:
        parent = parent[part]
    if drop and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    return copy


# --------------------------------------------------------------------------- the properties


def check_spec(
    pkg: ModuleType,
    spec: Path,
    *,
    modes: tuple[str, ...] = ("sync",),
    only: str | None = None,
    drawn: list[Any] | None = None,
) -> list[str]:
    """Run every property on every JSON-body operation of ``spec``; the labels checked.

    One body is drawn per example and goes through every property and every mode, so that
    the drawing (the slow part) is done once. ``only`` picks one operation by label;
    ``drawn`` collects every request body drawn (to show that runs repeat).
    """
    checked = []
    for target in targets(spec, pkg.__name__):
        if only is not None and target.label != only:
            continue
        try:
            bodies = _strategy(target.body_schema)
            params = st.fixed_dictionaries({k: _strategy(v) for k, v in target.params.items()})
            responses = _strategy(target.response_schema) if target.response_schema is not None else st.none()
        except UnsupportedError:
            continue
        _check_target(pkg, target, bodies, params, responses, modes, drawn)
        checked.append(target.label)
    return checked


def _check_target(
    pkg: ModuleType,
    target: Target,
    bodies: Any,
    params: Any,
    responses: Any,
    modes: tuple[str, ...],
    drawn: list[Any] | None,
) -> None:
    validator = jsonschema.Draft7Validator(target.body_schema)

    @_SETTINGS
    @given(body=bodies, args=params, answer=responses, data=st.data())
    def run(body: Any, args: dict[str, Any], answer: Any, data: st.DataObject) -> None:
        if drawn is not None:
            drawn.append((body, answer))
        mutant = _invalid_request(target, validator, body, data)
        response_mutant = None
        if target.response_schema is not None and isinstance(answer, dict):
            response_mutant = data.draw(_response_mutations(getattr(pkg.models, target.op.response_model or ""), answer))
        for mode in modes:
            _valid_request_sent_exactly(pkg, target, body, args, mode)
            if mutant is not None:
                _invalid_request_refused(pkg, target, mutant, args, mode)
            if target.response_schema is not None:
                _response_read(pkg, target, arguments(target, body, args), answer, response_mutant, mode)

    run()


def _valid_request_sent_exactly(pkg: ModuleType, target: Target, body: Any, args: dict[str, Any], mode: str) -> None:
    recorder = Recorder(pkg, mode)
    recorder.call(target, raw=True, **arguments(target, body, args))  # the response is not read
    [request] = recorder.sent
    sent = json.loads(request.content)
    assert same_json(sent, body), f"{target.label} ({mode}): sent {sent!r}, given {body!r}"


def _invalid_request(target: Target, validator: jsonschema.Draft7Validator, body: Any, data: st.DataObject) -> Any:
    """``body`` with one value dropped or replaced so that the JSON Schema rejects it (or None)."""
    paths = _paths(body)
    if target.op.body_model:  # undeclared top-level properties go unvalidated in extra_body
        declared = {p.wire_name for p in target.op.body_fields}
        paths = [p for p in paths if p[0] in declared]
    candidates = [
        (path, value, drop)
        for path in paths
        for value, drop in [(None, True), *((v, False) for v in _WRONG_VALUES)]
        if not (isinstance(value, int) and _is_date(_at(body, path)))  # lax: seconds since 1970
    ]
    invalid = [c for c in candidates if not validator.is_valid(_mutated(body, *c))]
    if not invalid:
        return None
    return _mutated(body, *data.draw(st.sampled_from(invalid)))


def _invalid_request_refused(pkg: ModuleType, target: Target, mutant: Any, args: dict[str, Any], mode: str) -> None:
    recorder = Recorder(pkg, mode)
    try:
        recorder.call(target, raw=True, **arguments(target, mutant, args))
    except pydantic.ValidationError:
        assert recorder.sent == []
        return
    except TypeError as exc:  # a required argument left out: Python refuses the call itself
        assert "required keyword-only argument" in str(exc) and recorder.sent == []
        return
    raise AssertionError(f"{target.label} ({mode}): the client sent a body its schema rejects: {mutant!r}")


def _response_read(pkg: ModuleType, target: Target, kwargs: dict[str, Any], answer: Any, mutant: Any, mode: str) -> None:
    model = getattr(pkg.models, target.op.response_model or "")
    status = target.op.success_status
    # A documented response parses even when strict.
    result = Recorder(pkg, mode, answer, status).call(target, **kwargs, strict_response_validation=True)
    assert isinstance(result, model) and result._request_id == "req-prop"
    if mutant is None:
        return
    # An undocumented one never fails a lenient call and keeps what arrived.
    lenient = Recorder(pkg, mode, mutant, status).call(target, **kwargs)
    assert isinstance(lenient, model) and lenient._request_id == "req-prop"
    # warnings=False: a value kept as it arrived does not fit the field (pydantic would warn)
    kept = lenient.model_dump(mode="json", by_alias=True, exclude_unset=True, round_trip=True, warnings=False)
    for key, value in mutant.items():
        assert key in kept, f"{target.label}: {key!r} lost from {mutant!r}"
        if isinstance(value, (bool, int, float)):  # strings may be re-spelled (dates)
            assert same_json(kept[key], value), (key, kept[key], value)
    if _model_refuses(model, mutant):
        try:
            Recorder(pkg, mode, mutant, status).call(target, **kwargs, strict_response_validation=True)
        except pkg.APIResponseValidationError:
            return
        raise AssertionError(f"{target.label}: strict read accepted {mutant!r}")


def _response_mutations(model: type[pydantic.BaseModel], answer: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Response bodies the spec does not describe, made from a documented one."""
    options: list[dict[str, Any]] = [{**answer, "added_by_a_newer_server": {"x": [1]}}]
    hints = typing.get_type_hints(model, include_extras=True)
    for name, info in model.model_fields.items():
        wire = info.alias or name
        if info.is_required() and wire in answer:
            options.append({k: v for k, v in answer.items() if k != wire})
        if "EXTENSIBLE" in repr(hints.get(name)):
            options.append({**answer, wire: "a-value-added-later"})
        if wire in answer:
            options.append({**answer, wire: {"unexpected": True}})
            options.append({**answer, wire: "unexpected"})
    return st.sampled_from(options)


def _model_refuses(model: type[pydantic.BaseModel], body: Any) -> bool:
    """Whether the model, validated as the spec says (not leniently), cannot hold ``body``."""
    try:
        model.model_validate(body)
    except pydantic.ValidationError:
        return True
    return False
