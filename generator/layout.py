"""Where the templates break lines: the layout black gives the statements they write.

black formats every generated module and stays the formatter of record; these helpers only
write, in the first place, what black would write for the few shapes the templates emit (a
long import, a call with one long argument, a dict argument, a tuple with a trailing comma, a
docstring's indentation), so black finds nothing to change there, which halves its work. They
are our own rules for those shapes, and ``tests/test_black_stable.py`` holds them to black's
output. Where a rule does not apply, the text is left for black to lay out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .format import LINE_LENGTH
from .ir import FieldDef, Param, py_literal

__all__ = [
    "dict_argument",
    "docstring_body",
    "exploded_tuple",
    "field_line",
    "fit",
    "import_statement",
]


def import_statement(module: str, names: Sequence[str], indent: int = 0) -> str:
    """``from module import a, b``, or one name per line in parentheses when that is too long.

    That is black's layout of an import: writing it so here leaves black nothing to change.
    """
    line = f"from {module} import {', '.join(names)}"
    if indent + len(line) <= LINE_LENGTH:
        return line
    pad = " " * indent
    return f"from {module} import (\n" + "".join(f"{pad}    {name},\n" for name in names) + f"{pad})"


def fit(parts: Sequence[str], indent: int) -> str:
    """``head``, ``inside`` and ``tail`` on one line when it fits at ``indent``, else ``inside``
    on a line of its own between them (black's layout of a call with one long argument, when the
    argument fits there; otherwise the one-line form is left for black to lay out)."""
    head, inside, tail = parts
    one_line = indent + len(head) + len(inside) + len(tail) <= LINE_LENGTH
    if one_line or indent + 4 + len(inside) > LINE_LENGTH or indent + len(head) > LINE_LENGTH or "\n" in inside:
        return head + inside + tail
    pad = " " * indent
    return f"{head}\n{pad}    {inside}\n{pad}{tail}"


def field_line(field: FieldDef) -> str:
    """``name: annotation = default`` of a model field (at four spaces), a long ``Field(...)``
    laid out by :func:`fit`, a long pattern check by :func:`_checked_field`."""
    line = f"{field.name}: {field.annotation}"
    default = field.default
    if field.checked is not None and 4 + len(line) + len(f" = {default}" if default else "") > LINE_LENGTH:
        laid_out = _checked_field(field.name, *field.checked, default)
        if laid_out is not None:
            return laid_out
    if default is None:
        return line
    if default.startswith("Field(") and default.endswith(")"):
        return fit((f"{line} = Field(", default[len("Field(") : -1], ")"), 4)
    return f"{line} = {default}"


def _checked_field(name: str, inner: str, args: str, default: str | None) -> str | None:
    """black's layout of ``name: Annotated[inner, Pattern(args)] = default`` that does not fit
    on a line: the subscript split one item per line, the call as :func:`fit` lays it out at
    eight spaces; None (left to black) where that layout is not black's either."""
    tail = f"] = {default}" if default else "]"
    call = fit(("Pattern(", args, ")"), 8)
    if 8 + len(inner) + 1 > LINE_LENGTH or 4 + len(tail) > LINE_LENGTH or ("\n" not in call and 8 + len(call) + 1 > LINE_LENGTH):
        return None
    return f"{name}: Annotated[\n        {inner},\n        {call},\n    {tail}"


def dict_argument(params: Iterable[Param], indent: int, keyword: str = "") -> str:
    """``keyword={"wire": name, ...},`` for a call's argument list, one entry per line when it
    does not fit on one (black's layout of a dict display it has to split)."""
    entries = [f"{py_literal(p.wire_name)}: {p.name}" for p in params]
    head = f"{keyword}=" if keyword else ""
    line = f"{head}{{{', '.join(entries)}}},"
    if indent + len(line) <= LINE_LENGTH or not entries:
        return line
    pad = " " * indent
    return f"{head}{{\n" + "".join(f"{pad}    {entry},\n" for entry in entries) + f"{pad}}},"


def exploded_tuple(items: Sequence[str], indent: int) -> str:
    """A tuple literal of ``items`` as black leaves one written with a trailing comma: ``()``,
    ``(a,)``, or one item per line."""
    if len(items) < 2:
        return "(" + "".join(f"{item}," for item in items) + ")"
    pad = " " * indent
    return "(\n" + "".join(f"{pad}    {item},\n" for item in items) + f"{pad})"


def docstring_body(body: str, pad: str) -> str | None:
    """A multi-line docstring body with its later lines indented by ``pad``, or None where the
    layout is not plain (leading space or a quote at either end, a line ending in a backslash)."""
    lines = [line.rstrip(" ") for line in body.split("\n")]
    if not lines[0] or lines[0][0] == " " or body[0] == '"' or body.rstrip(" \n")[-1:] in ('"', "\\"):
        return None
    if any(line.endswith("\\") for line in lines):
        return None
    rest = lines[1:]
    margin = min((len(line) - len(line.lstrip(" ")) for line in rest if line), default=0)
    laid = [lines[0]] + [pad + line[margin:] if line else "" for line in rest]
    if not rest[-1]:
        laid[-1] = pad  # the closing quotes on a line of their own, indented
    elif len(laid[-1]) + 3 > LINE_LENGTH:
        laid.append(pad)  # they would pass the line length: on a line of their own
    return "\n".join(laid)
