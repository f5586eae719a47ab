"""The base class of every generated model.

Models validate what callers pass (constraints, required fields, unions) and what the server
returns. When a model is serialised for a request (``context={"request": True}``), properties
the spec marks ``readOnly`` are left out, and so are ``None`` values of properties that are not
``nullable``: for those, ``None`` means "not given", never JSON ``null``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, SerializationInfo, SerializerFunctionWrapHandler, model_serializer

__all__ = ["REQUEST_CONTEXT", "Model"]

REQUEST_CONTEXT: dict[str, Any] = {"request": True}


class Model(BaseModel):
    """Generated models subclass this; it holds the shared configuration and request rules."""

    model_config = ConfigDict(
        extra="allow",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        regex_engine="python-re",
    )

    _read_only: ClassVar[frozenset[str]] = frozenset()
    """Wire names of properties the server sets; never sent."""
    _nullable: ClassVar[frozenset[str]] = frozenset()
    """Wire names of properties for which ``None`` is sent as JSON ``null``."""

    @model_serializer(mode="wrap")
    def _serialize(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
        data = handler(self)
        context = info.context
        if isinstance(context, dict) and context.get("request") and isinstance(data, dict):
            read_only, nullable = self._read_only, self._nullable
            return {
                key: value
                for key, value in data.items()
                if key not in read_only and (value is not None or key in nullable)
            }
        return data
