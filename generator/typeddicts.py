"""The ``TypedDict`` view: what ``params.py`` of the generated package holds.

Every model a request can carry (:attr:`generator.ir.ModelDef.param_name`) gets a
``TypedDict`` named ``<Model>Param``, so that a dict literal passed to a method is checked by
mypy and pyright key by key: a misspelt or missing key, or a value of the wrong type, is an
error in the editor, not at run time. Every union of such models gets a ``<Alias>Param`` alias
of their ``TypedDict``\\ s. The rules:

* Keys are the **wire names** (what the dict is validated as, like ``Model.model_validate``),
  never the snake_case attribute names; read-only properties are left out (a request never
  carries them).
* ``total=False``; the properties a request must carry are ``Required[...]`` (the spec's
  ``required``, and discriminator properties, which pick the variant).
* Value types are what a method argument of that type accepts: a model or its ``TypedDict``
  (``Foo | FooParam``), sequences and mappings of those, literals for enums and discriminators,
  ``| None`` only for ``nullable`` properties.
* The class syntax needs keys that are plain identifiers and that do not hide a name the
  class's own annotations use (a key ``str`` would); any other ``TypedDict`` uses the
  functional syntax, ``FooParam = TypedDict("FooParam", {"wire-name": "Required[str]"},
  total=False)``, with the types as strings (they may name ``TypedDict``\\ s defined later).
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

from .ir import AliasDef, Api, Import, ModelDef

__all__ = ["ParamAlias", "ParamKey", "ParamsModule", "TypedDictDef", "params_module"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_STRING = re.compile(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'""")


def _names(annotation: str) -> set[str]:
    """The names an annotation uses (not the words inside its ``Literal`` strings)."""
    return set(_IDENTIFIER.findall(_STRING.sub("", annotation)))


@dataclass(frozen=True, slots=True)
class ParamKey:
    """One key of a ``TypedDict``: its wire name and its annotation (``Required[...]`` or not)."""

    wire_name: str
    annotation: str
    description: str


@dataclass(frozen=True, slots=True)
class TypedDictDef:
    name: str
    description: str
    keys: tuple[ParamKey, ...]
    functional: bool
    """Spelt ``Name = TypedDict("Name", {...}, total=False)`` (keys that cannot be attributes)."""

    @property
    def identifier_keys(self) -> bool:
        """Whether every key is an identifier (ruff then asks for the class syntax, UP013)."""
        return all(k.wire_name.isidentifier() and not keyword.iskeyword(k.wire_name) for k in self.keys)


@dataclass(frozen=True, slots=True)
class ParamAlias:
    name: str
    description: str
    annotation: str


@dataclass(frozen=True, slots=True)
class ParamsModule:
    """Everything ``params.py.jinja`` places: definitions in dependency order, imports, names."""

    definitions: tuple[TypedDictDef | ParamAlias, ...]
    imports: frozenset[Import]
    names: tuple[str, ...]


def params_module(api: Api) -> ParamsModule:
    definitions: list[TypedDictDef | ParamAlias] = []
    imports: set[Import] = set()
    model_names = {d.name for d in api.definitions}
    for d in api.param_definitions:
        assert d.param_name is not None  # param_definitions holds only those
        if isinstance(d, ModelDef):
            definitions.append(_typed_dict(d, d.param_name))
            mentioned = " ".join(f.type.param_annotation for f in d.request_fields)
            imports |= {i for f in d.request_fields for i in f.type.param_imports}
            if any(f.request_required for f in d.request_fields):
                imports.add(Import("typing", "Required"))
            imports.add(Import("typing", "TypedDict"))
        else:
            definitions.append(_alias(d, d.param_name))
            mentioned = d.type.as_dict
            imports |= d.type.param_imports | {Import("typing", "TypeAlias")}
        imports |= {Import(".models", name) for name in _names(mentioned) & model_names}
    return ParamsModule(tuple(definitions), frozenset(imports), tuple(d.name for d in definitions))


def _typed_dict(model: ModelDef, name: str) -> TypedDictDef:
    keys = tuple(
        ParamKey(
            f.wire_name,
            f"Required[{f.type.param_annotation}]" if f.request_required else f.type.param_annotation,
            f.description,
        )
        for f in model.request_fields
    )
    used = {name for key in keys for name in _names(key.annotation)}
    functional = not all(_attribute_key(key.wire_name, used) for key in keys)
    return TypedDictDef(name, model.description or model.name, keys, functional)


def _attribute_key(key: str, used: set[str]) -> bool:
    """Whether ``key`` can be written as a class attribute and mean exactly that key.

    ASCII only (Python folds other identifiers to NFKC), no keywords, no ``__private``
    names (mangled), and nothing the annotations of the class name (the key would hide it).
    """
    return (
        key.isascii()
        and key.isidentifier()
        and not keyword.iskeyword(key)
        and not key.startswith("__")
        and key not in used
    )


def _alias(alias: AliasDef, name: str) -> ParamAlias:
    return ParamAlias(name, alias.description, alias.type.as_dict)
