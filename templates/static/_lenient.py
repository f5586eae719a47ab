"""Reading responses that say more, or less, than the spec: keep what arrived, type what is known.

The server moves on while this package stays deployed: it adds enum values, union variants and
fields, and sometimes leaves out a field the spec calls required. A call the server completed
must not fail because of that (a caller would retry and, say, create a second organization).
So a 2XX body is validated with :data:`LENIENT_CONTEXT`, under which

- an enum field marked :data:`EXTENSIBLE` (``Annotated[Literal[...] | str, EXTENSIBLE]``) keeps
  a value the spec does not list, as its string;
- a union that ends in :class:`UnknownVariant` takes a variant it does not know (an unknown
  ``kind``) as an ``UnknownVariant`` holding all of its data;

and when the body still does not validate, :func:`construct_lenient` builds the model field by
field: what validates is typed, what does not is kept as it arrived, missing fields are
``None``. Unknown fields are always kept (models allow extra properties).

Without that context (requests, models built by hand, ``strict_response_validation=True``) the
same types refuse unknown values: requests stay exactly as strict as the spec.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Final, Literal, Union, cast, get_args, get_origin

from pydantic import (
    BaseModel,
    Field,
    GetCoreSchemaHandler,
    TypeAdapter,
    ValidationInfo,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import CoreSchema, core_schema

from ._models import Model

__all__ = [
    "EXTENSIBLE",
    "LENIENT_CONTEXT",
    "UnknownVariant",
    "construct_lenient",
    "is_lenient",
]

LENIENT_CONTEXT: Final[dict[str, Any]] = {"lenient": True}
"""The validation context of a response body that is read leniently."""


def is_lenient(info: ValidationInfo) -> bool:
    """Whether the value being validated is part of a leniently read response."""
    context = info.context
    return isinstance(context, dict) and cast("dict[str, object]", context).get("lenient") is True


class _Extensible:
    """Marks ``Literal[...] | str``: the listed values always, others only in a lenient read.

    Type checkers see ``Literal[...] | str``, so code comparing with a known value still
    type-checks, and an unknown value is a plain ``str``.
    """

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        known = frozenset(_literal_values(source))
        listed = ", ".join(repr(v) for v in sorted(known, key=repr))

        def check(value: Any, info: ValidationInfo) -> Any:
            if value is None or value in known or is_lenient(info):
                return value
            raise ValueError(f"value is not one of {listed}")

        return core_schema.with_info_after_validator_function(check, handler(source))

    def __repr__(self) -> str:
        return "EXTENSIBLE"


EXTENSIBLE: Final = _Extensible()


def _literal_values(tp: Any) -> list[Any]:
    if get_origin(tp) is Literal:
        return list(get_args(tp))
    return [value for arg in get_args(tp) for value in _literal_values(arg)]


class UnknownVariant(Model):
    """A union variant this version of the package does not know; every property is kept.

    Read the data with ``model_extra`` (or ``model_dump()``), e.g.
    ``variant.model_extra["kind"]``. Only a lenient response read produces one.
    """

    @model_validator(mode="wrap")
    @classmethod
    def _only_in_responses(
        cls, data: Any, handler: Callable[[Any], Any], info: ValidationInfo
    ) -> Any:
        if not is_lenient(info):
            raise ValueError("does not match any variant of the union")
        if not isinstance(data, Mapping):
            raise ValueError("a union variant is an object")
        return handler(data)


_FIELD_ADAPTERS: dict[tuple[type[BaseModel], str], TypeAdapter[Any]] = {}
_TYPE_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def construct_lenient(tp: Any, value: Any) -> Any:
    """``value`` read as ``tp`` as far as it fits; whatever does not fit is kept as it is.

    Never raises on data: a model comes back with the fields that validated typed, the others
    as they arrived (``None`` when missing), and the unknown ones kept as extra properties.
    """
    if get_origin(tp) is Annotated:
        adapter = _type_adapter(tp)
        try:
            return adapter.validate_python(value, context=LENIENT_CONTEXT)
        except PydanticValidationError:
            return construct_lenient(get_args(tp)[0], value)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if isinstance(value, Mapping):
            return _construct_model(tp, cast("Mapping[str, Any]", value))
        return value
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        return _construct_union(get_args(tp), value)
    try:
        return _type_adapter(tp).validate_python(value, context=LENIENT_CONTEXT)
    except (PydanticValidationError, TypeError):
        pass
    args = get_args(tp)
    if origin is list and isinstance(value, list) and args:
        return [construct_lenient(args[0], item) for item in cast("list[object]", value)]
    if origin is dict and isinstance(value, Mapping) and len(args) == 2:
        entries = cast("Mapping[object, object]", value)
        return {key: construct_lenient(args[1], item) for key, item in entries.items()}
    return cast(Any, value)


def _construct_union(members: tuple[Any, ...], value: Any) -> Any:
    """The first member ``value`` validates as; else, for an object, the best-fitting model."""
    for member in members:
        try:
            return _type_adapter(member).validate_python(value, context=LENIENT_CONTEXT)
        except PydanticValidationError:
            continue
    if isinstance(value, Mapping):
        data = cast("Mapping[str, Any]", value)
        models = [m for m in map(_model_of, members) if m is not None]
        if models:  # the model that declares most of the keys that arrived
            best = max(models, key=lambda m: len(_wire_names(m) & set(data)))
            return _construct_model(best, data)
    return cast(Any, value)


def _model_of(tp: Any) -> type[BaseModel] | None:
    if get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    if isinstance(tp, type) and issubclass(tp, BaseModel) and tp is not UnknownVariant:
        return tp
    return None


def _wire_names(model: type[BaseModel]) -> set[str]:
    return {info.alias or name for name, info in model.model_fields.items()}


def _construct_model(model: type[BaseModel], data: Mapping[str, Any]) -> BaseModel:
    values: dict[str, Any] = {}
    fields_set: set[str] = set()
    consumed: set[str] = set()
    for name, info in model.model_fields.items():
        wire = info.alias or name
        key = wire if wire in data else None  # wire names only, as in a strict read
        if key is None:
            values[name] = (
                None if info.is_required() else info.get_default(call_default_factory=True)
            )
            continue
        consumed.add(key)
        fields_set.add(name)
        try:
            values[name] = _field_adapter(model, name).validate_python(
                data[key], context=LENIENT_CONTEXT
            )
        except PydanticValidationError:
            values[name] = construct_lenient(info.annotation, data[key])
    instance = model.model_construct(_fields_set=fields_set, **values)
    extra = instance.__pydantic_extra__
    if extra is not None:
        extra.update({key: value for key, value in data.items() if key not in consumed})
    return instance


def _field_adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    adapter = _FIELD_ADAPTERS.get((model, name))
    if adapter is None:
        info = model.model_fields[name]  # its annotation, with the constraints beside it
        metadata: list[Any] = list(info.metadata)
        if info.discriminator is not None:
            metadata.append(Field(discriminator=info.discriminator))
        annotated: Any = Annotated[(info.annotation, *metadata)] if metadata else info.annotation
        adapter = _FIELD_ADAPTERS[(model, name)] = TypeAdapter(annotated)
    return adapter


def _type_adapter(tp: Any) -> TypeAdapter[Any]:
    try:
        adapter = _TYPE_ADAPTERS.get(tp)
    except TypeError:  # unhashable metadata
        return TypeAdapter(tp)
    if adapter is None:
        adapter = _TYPE_ADAPTERS[tp] = TypeAdapter(tp)
    return adapter
