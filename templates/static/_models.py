"""The base class of every generated model, and the rules for secrets.

Models validate what callers pass (constraints, required fields, unions) and what the server
returns. When a model is serialised for a request (``context={"request": True}``), properties
the spec marks ``readOnly`` are left out, and so are ``None`` values of properties that are not
``nullable``: for those, ``None`` means "not given", never JSON ``null``. Properties the spec
does not declare (where it allows them) are sent exactly as given, ``null`` included.

A model returned by a call carries ``_request_id``, the server's ``X-Request-Id`` for it.

Properties marked ``x-redact: true`` are secrets: ``repr()`` and ``str()`` show ``'**********'``
and validation errors never echo them, while the wire carries the real value.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Self, cast

from pydantic import (
    BaseModel,
    ConfigDict,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    ValidationError,
    model_serializer,
)
from pydantic_core import SchemaError, SchemaSerializer

__all__ = [
    "REDACTED",
    "REQUEST_CONTEXT",
    "Model",
    "redact",
    "redact_validation_error",
    "request_json",
]

REQUEST_CONTEXT: dict[str, Any] = {"request": True}
REDACTED = "**********"
_SECRET_KEYS: set[str] = set()
"""Wire and Python names of every redacted property of every model."""


class Model(BaseModel):
    """Generated models subclass this; it holds the shared configuration and request rules."""

    model_config = ConfigDict(
        extra="allow",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        regex_engine="python-re",
        # Field names never shadow BaseModel's attributes (the generator renames ``model_dump``
        # to ``model_dump_``), so the prefix warning would only flag those safe names.
        protected_namespaces=(),
        # A model's validator and serializer are built when it is first used, not when its
        # module runs: reaching a resource imports the models of all its methods, and a process
        # that calls one of them builds only what that call needs.
        defer_build=True,
    )

    _read_only: ClassVar[frozenset[str]] = frozenset()
    """Wire names of properties the server sets; never sent."""
    _nullable: ClassVar[frozenset[str]] = frozenset()
    """Wire names of properties for which ``None`` is sent as JSON ``null``."""
    _redacted: ClassVar[frozenset[str]] = frozenset()
    """Python and wire names of secret properties."""
    _declared: ClassVar[frozenset[str]] = frozenset()
    """Wire names of the declared properties (the others are extra, sent as given)."""
    _request_id: ClassVar[str | None] = None
    """``X-Request-Id`` of the response this model came from (set per instance by the client)."""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        _SECRET_KEYS.update(cls._redacted)
        cls._declared = frozenset(info.alias or name for name, info in cls.model_fields.items())

    # pydantic echoes the input in its errors; these entry points mask secrets first.
    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise redact_validation_error(exc) from None

    # Validating a nested model need not go through this __init__ (the outermost call masks
    # every error), so pydantic may build nested models in Rust, as it does for BaseModel's.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate(obj, **kwargs)
        except ValidationError as exc:
            raise redact_validation_error(exc) from None

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> Self:
        try:
            return super().model_validate_json(json_data, **kwargs)
        except ValidationError as exc:
            raise redact_validation_error(exc) from None

    def __repr_args__(self) -> Iterable[tuple[str | None, Any]]:
        for name, value in super().__repr_args__():
            yield name, (REDACTED if name in self._redacted and value is not None else value)

    @model_serializer(mode="wrap")
    def _serialize(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
        data = handler(self)
        context: dict[str, object] | None = info.context
        if isinstance(context, dict) and context.get("request") and isinstance(data, dict):
            read_only, nullable, declared = self._read_only, self._nullable, self._declared
            return {
                key: value
                for key, value in cast("dict[str, object]", data).items()
                if key not in read_only
                and (value is not None or key in nullable or key not in declared)
            }
        return data


_HOOK = Model.__dict__["_serialize"]
"""The plain function of :meth:`Model._serialize`, as core schemas name it."""


def request_json(instance: BaseModel) -> bytes:
    """``instance`` as a request body: JSON, by alias, only the fields set, the request rules kept.

    The same bytes as ``instance.__pydantic_serializer__.to_json(instance, by_alias=True,
    exclude_unset=True, context=REQUEST_CONTEXT)``, usually without calling into Python once
    per model: a second serializer, built once per class, leaves read-only properties out by
    itself. It cannot leave out ``None`` values, so when its output holds a ``null`` (or the
    text "null" anywhere), the body is serialised again the ordinary way.
    """
    cls = type(instance)
    try:
        fast = _REQUEST_SERIALIZERS[cls]
    except KeyError:
        fast = _REQUEST_SERIALIZERS[cls] = _request_serializer(cls)
    if fast is not None:
        data = fast.to_json(instance, by_alias=True, exclude_unset=True, context=REQUEST_CONTEXT)
        if b"null" not in data:
            return data
    return instance.__pydantic_serializer__.to_json(
        instance, by_alias=True, exclude_unset=True, context=REQUEST_CONTEXT
    )


_REQUEST_SERIALIZERS: dict[type[BaseModel], SchemaSerializer | None] = {}


class _UnsupportedError(Exception):
    """A schema the request serializer does not handle: serialise the ordinary way."""


def _request_serializer(cls: type[BaseModel]) -> SchemaSerializer | None:
    """A serializer for ``cls`` whose models skip :meth:`Model._serialize` (``None`` if none)."""
    schema: Any = cls.__pydantic_core_schema__
    if not isinstance(schema, dict):  # not built (unresolved forward references)
        return None
    try:
        rewritten = _without_request_hook(schema)
    except _UnsupportedError:
        return None
    schema = cast("dict[str, Any]", schema)
    config = schema.get("config") if schema.get("type") == "model" else None
    try:
        return SchemaSerializer(rewritten, config)
    except SchemaError:
        return None


def _without_request_hook(node: Any) -> Any:
    """A copy of a core schema with :meth:`Model._serialize` replaced by field exclusions."""
    if isinstance(node, list):
        return [_without_request_hook(item) for item in cast("list[object]", node)]
    if not isinstance(node, dict):
        return node
    copied: dict[str, Any] = {
        key: _without_request_hook(value) for key, value in cast("dict[str, Any]", node).items()
    }
    model: object = copied.get("cls") if copied.get("type") == "model" else None
    serialization: object = copied.get("serialization")
    if isinstance(model, type) and issubclass(model, Model):
        if (
            not isinstance(serialization, dict)
            or cast("dict[str, object]", serialization).get("function") is not _HOOK
        ):
            raise _UnsupportedError(model.__name__)  # a serializer of its own
        fields_schema = copied["schema"]
        if fields_schema.get("type") != "model-fields":
            raise _UnsupportedError(model.__name__)
        read_only = set(model._read_only)  # pyright: ignore[reportPrivateUsage]
        for name, field in fields_schema["fields"].items():
            wire = field.get("serialization_alias") or name
            if wire in read_only:
                field["serialization_exclude"] = True
                read_only.discard(wire)
        if read_only:  # not a property's wire name: an extra key of that name would be dropped
            raise _UnsupportedError(model.__name__)
        del copied["serialization"]
    elif (
        isinstance(serialization, dict)
        and cast("dict[str, object]", serialization).get("function") is _HOOK
    ):
        raise _UnsupportedError(f"{model!r}")
    return copied


def redact(value: Any) -> Any:
    """``value`` with every secret property's value replaced, at any depth."""
    if isinstance(value, dict):
        items = cast("dict[str, Any]", value).items()
        return {k: REDACTED if k in _SECRET_KEYS else redact(v) for k, v in items}
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in cast("list[object] | tuple[object, ...]", value)]
    return value


def redact_validation_error(error: ValidationError) -> ValidationError:
    """The same errors, with secret inputs masked (pydantic echoes inputs in its messages)."""
    if not _SECRET_KEYS:
        return error
    details: list[Any] = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        secret = any(isinstance(part, str) and part in _SECRET_KEYS for part in loc)
        detail: dict[str, Any] = {
            "type": item["type"],
            "loc": loc,
            "input": REDACTED if secret else redact(item["input"]),
        }
        if "ctx" in item:
            detail["ctx"] = item["ctx"]
        details.append(detail)
    return ValidationError.from_exception_data(error.title, details)
