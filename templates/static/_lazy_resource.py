"""Client attributes that import their resource module when first read.

Importing a resource module builds the models its methods use (pydantic builds a model's
validator when its class statement runs), so a client that binds every resource up front pays
for every model of the API before its first call. ``client.<resource>`` is instead a
:class:`LazyResource`: the first read imports the module, makes the resource object and keeps
it in the client's ``__dict__``, which later reads find first (a descriptor without
``__set__`` yields to it).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, Generic, Self, TypeVar, overload

__all__ = ["LazyResource", "lazy_resources"]

_R = TypeVar("_R")


class LazyResource(Generic[_R]):
    """``client.<attribute>``: an instance of the class ``name`` of ``module``, made on first read.

    ``module`` is relative to the package of the client class that declares the attribute.
    """

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name
        self.attribute = ""
        self.package = ""

    def __set_name__(self, owner: type[Any], attribute: str) -> None:
        self.attribute = attribute
        self.package = owner.__module__.rpartition(".")[0]

    def resolve(self) -> Callable[[Any], _R]:
        """The resource class (importing its module, the first time)."""
        factory: Callable[[Any], _R] = getattr(
            importlib.import_module(self.module, self.package), self.name
        )
        return factory

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> Self: ...

    @overload
    def __get__(self, instance: object, owner: type[Any]) -> _R: ...

    def __get__(self, instance: object | None, owner: type[Any]) -> Self | _R:
        if instance is None:
            return self
        value = self.resolve()(instance)
        instance.__dict__[self.attribute] = value
        return value


def lazy_resources(client_class: type[Any]) -> dict[str, LazyResource[Any]]:
    """Every resource attribute of ``client_class`` (and its bases), by attribute name."""
    found: dict[str, LazyResource[Any]] = {}
    for klass in reversed(client_class.__mro__):
        for name, value in vars(klass).items():
            if isinstance(value, LazyResource):
                found[name] = value
            else:
                found.pop(name, None)
    return found
