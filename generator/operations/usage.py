"""What one method's code mentions, gathered while its parts are built."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..ir import Import, TypeExpr

__all__ = ["Mentions"]


@dataclass(slots=True)
class Mentions:
    """The classes, aliases, ``TypedDict`` names and imports a method's signature and body use.

    Parameters, body and responses each add what their types need; the resource module then
    imports exactly that.
    """

    refs: set[str] = field(default_factory=set)
    imports: set[Import] = field(default_factory=set)
    param_refs: set[str] = field(default_factory=set)

    def use(self, texpr: TypeExpr, *, as_param: bool = True) -> TypeExpr:
        """Record ``texpr`` as an argument type (``as_param``) or as the model-side type."""
        self.refs.update(texpr.refs)
        self.imports.update(texpr.param_imports if as_param else texpr.imports)
        if as_param:
            self.param_refs.update(texpr.param_refs)
        return texpr
