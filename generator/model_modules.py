"""Which module of ``models/`` holds each model, so that start-up grows with what is used.

pydantic builds a model class (its validator and serializer) when the class statement runs, so
a package whose one ``models.py`` defines every model of a large API pays for all of them as
soon as anything imports it (the whole Confluent Cloud API: 3 s; Microsoft Graph: 26 s and
790 MB). Here every definition gets a module of its own, ``models/_<snake name>.py``, which
imports only the modules of the definitions it names; a resource module imports the modules
its methods need, and ``models/__init__.py`` re-exports every name on first use.

The rules:

* **Cycles share a module.** Definitions that refer to each other, directly or through others
  (a strongly connected component of the reference graph), are defined in one module, in
  :attr:`generator.ir.Api.definitions` order, exactly as one ``models.py`` defined them: a model
  names what follows it as a forward reference that pydantic resolves on first use from its
  module's namespace, and an alias (evaluated when the module runs) comes after what it names.
  Modules then import each other without cycles, since the components form a DAG.
* **Module names** are the first definition's name in snake case (the first in definition
  order), prefixed with ``_`` (private, and never equal to a class name, which cannot start
  with one), lower case so that no two differ only in case (case-insensitive file systems);
  clashes take ``_2``, ``_3``... in definition order. The same spec always gives the same names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from . import naming
from .ir import AliasDef, Api, ModelDef

__all__ = ["ModelModule", "ModelModules", "model_modules"]

Definition = ModelDef | AliasDef


@dataclass(frozen=True, slots=True)
class ModelModule:
    """One module of ``models/``: its definitions in order, and the sibling modules it imports."""

    name: str
    """The module's name inside ``models/`` (``_signup_organization``)."""
    definitions: tuple[Definition, ...]
    imports: tuple[tuple[str, tuple[str, ...]], ...]
    """``(module, names)`` for each sibling module whose definitions this one names, sorted."""


@dataclass(frozen=True, slots=True)
class ModelModules:
    """Every module of ``models/``, and where each definition lives."""

    modules: tuple[ModelModule, ...]
    module_of: dict[str, str]
    """Definition name -> module name."""

    def needed(self, names: Iterable[str]) -> list[str]:
        """The modules that importing the definitions ``names`` runs, sorted (for tests and docs)."""
        by_name = {m.name: m for m in self.modules}
        seen: set[str] = set()
        queue = [self.module_of[n] for n in names if n in self.module_of]
        while queue:
            module = queue.pop()
            if module not in seen:
                seen.add(module)
                queue.extend(dep for dep, _ in by_name[module].imports)
        return sorted(seen)


def _refs(d: Definition) -> frozenset[str]:
    return d.refs if isinstance(d, ModelDef) else d.type.refs


def _components(order: list[str], edges: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan's algorithm, iterative: specs nest deeply).

    Each component's members in ``order``; the components in the order their first member
    comes in ``order``.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in order:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = edges[node]
            if child < len(targets):
                work.append((node, child + 1))
                target = targets[child]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    position = {name: i for i, name in enumerate(order)}
    ordered = [sorted(c, key=position.__getitem__) for c in found]
    return sorted(ordered, key=lambda c: position[c[0]])


def model_modules(api: Api) -> ModelModules:
    """Group :attr:`Api.definitions` into the modules of ``models/`` (see the module's rules)."""
    definitions = {d.name: d for d in api.definitions}
    order = list(definitions)
    edges = {name: sorted(r for r in _refs(d) if r in definitions) for name, d in definitions.items()}
    allocator = naming.NameAllocator({"__init__"})
    module_of: dict[str, str] = {}
    groups: list[tuple[str, list[str]]] = []
    for component in _components(order, edges):
        module = allocator.allocate("_" + (naming.snake(component[0]) or "model"))
        groups.append((module, component))
        module_of.update(dict.fromkeys(component, module))
    modules = []
    for module, component in groups:
        wanted: dict[str, set[str]] = {}
        for name in component:
            for ref in edges[name]:
                if module_of[ref] != module:
                    wanted.setdefault(module_of[ref], set()).add(ref)
        modules.append(
            ModelModule(
                module,
                tuple(definitions[n] for n in component),
                tuple((m, tuple(sorted(wanted[m]))) for m in sorted(wanted)),
            )
        )
    return ModelModules(tuple(modules), module_of)
