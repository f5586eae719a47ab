"""Small shared types: the "not given" sentinel, timeouts, and method descriptors.

``OMIT`` lets a method tell "the caller did not pass this" from "the caller passed ``None``":
omitted arguments are never sent, not even as ``null``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, TypeAlias

import httpx

__all__ = ["OMIT", "MethodInfo", "Omit", "TimeoutTypes"]


class Omit:
    """The type of :data:`OMIT`; falsy, and always the same object."""

    _instance: Omit | None = None

    def __new__(cls) -> Omit:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "OMIT"


OMIT: Final = Omit()

TimeoutTypes: TypeAlias = float | httpx.Timeout | None


@dataclass(frozen=True, slots=True)
class MethodInfo:
    """One row of the method table: what a method is called and what it needs.

    ``required`` and ``optional`` use the documented (wire) parameter names: operation
    parameters first, then the request body's required properties.
    """

    name: str
    resource: str
    http_method: str
    path: str
    accessible_by: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    description: str
