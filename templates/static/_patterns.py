"""The spec's ``pattern`` constraints, each run by the engine the generator chose for it.

JSON Schema patterns are ECMA-262 regular expressions; the generator translated each one for
pydantic-core's Rust engine (linear time, full Unicode properties) or, when it needs lookaround
or a backreference, for Python's ``re``. ``Pattern(source, engine, spec)`` in an ``Annotated``
type checks every string value against ``source`` (search semantics, as JSON Schema says),
whatever the model's own ``regex_engine``, and names ``spec`` (the pattern as the spec wrote it)
when a value does not match; other values pass untouched.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import PydanticCustomError, SchemaValidator, core_schema

__all__ = ["Pattern"]


class Pattern:
    """A translated pattern, its engine (``"rust-regex"`` or ``"python-re"``) and the spec's text."""

    __slots__ = ("engine", "source", "spec")

    def __init__(self, source: str, engine: str, spec: str) -> None:
        self.source = source
        self.engine = engine
        self.spec = spec

    def __repr__(self) -> str:
        return f"Pattern({self.source!r}, {self.engine!r}, {self.spec!r})"

    def __get_pydantic_core_schema__(
        self, source_type: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        if self.engine == "python-re":
            compiled = re.compile(self.source)

            def matches(value: str) -> bool:
                return compiled.search(value) is not None

        else:
            rust = SchemaValidator(
                core_schema.str_schema(pattern=self.source, regex_engine="rust-regex")
            )

            def matches(value: str) -> bool:
                return rust.isinstance_python(value)

        spec = self.spec

        def check(value: Any) -> Any:
            if isinstance(value, str) and not matches(value):
                raise PydanticCustomError(
                    "string_pattern_mismatch",
                    "String should match pattern '{pattern}'",
                    {"pattern": spec},
                )
            return value

        return core_schema.no_info_after_validator_function(check, handler(source_type))
