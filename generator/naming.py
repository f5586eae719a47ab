"""Turning names from a spec into safe, readable, unique Python identifiers.

Names in a spec are untrusted text: they may be keywords, start with digits, hold punctuation
or non-ASCII letters, or collide with each other after normalisation. Every identifier the
generated code uses passes through :func:`identifier` (or the snake/pascal helpers built on it),
and every scope allocates names through :class:`NameAllocator` so collisions get a stable suffix.
The wire name is always kept separately (as a pydantic alias or a dict key).
"""

from __future__ import annotations

import builtins
import functools
import keyword
import re
import unicodedata
from collections.abc import Container, Iterable

__all__ = [
    "BUILTIN_NAMES",
    "PYDANTIC_RESERVED",
    "PYTHON_KEYWORDS",
    "Either",
    "NameAllocator",
    "identifier",
    "legacy_snake",
    "pascal",
    "pascal_identifier",
    "snake",
    "snake_identifier",
    "words",
]

# Attributes of pydantic.BaseModel that a field must not shadow.
# Attributes of pydantic.BaseModel (v1-style and v2 ``model_*``), written out rather than read
# from the installed pydantic so that the output does not depend on its version.
PYDANTIC_RESERVED = frozenset(
    {
        "construct", "copy", "dict", "from_orm", "json", "parse_file", "parse_obj", "parse_raw",
        "schema", "schema_json", "update_forward_refs", "validate", "fields",
        "model_config", "model_fields", "model_computed_fields", "model_extra", "model_fields_set",
        "model_construct", "model_copy", "model_dump", "model_dump_json", "model_json_schema",
        "model_parametrized_name", "model_post_init", "model_rebuild", "model_validate",
        "model_validate_json", "model_validate_strings",
    }
)
# Hard keywords only: soft keywords (match, case, type) are valid names, and their list differs
# between Python versions, which would make the output depend on the generator's Python.
PYTHON_KEYWORDS = frozenset(keyword.kwlist)
BUILTIN_NAMES = frozenset(dir(builtins))

_WORD_BOUNDARY = re.compile(
    r"[A-Z]+(?=[A-Z][a-z])"  # acronym before a capitalised word: "HTTPServer" -> HTTP
    r"|[A-Z]?[a-z]+"  # capitalised or lower word
    r"|[A-Z]+"  # acronym
    r"|[0-9]+"  # digits
)


def _ascii_words(text: str, pattern: re.Pattern[str]) -> list[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words: list[str] = []
    for chunk in re.split(r"[^A-Za-z0-9]+", folded):
        words.extend(pattern.findall(chunk))
    return words


def words(text: str) -> list[str]:
    """Split ``text`` into words on case changes, digits and punctuation (ASCII-folded)."""
    return _ascii_words(text, _WORD_BOUNDARY)


def _join_digits(parts: list[str]) -> list[str]:
    """Glue a run of digits to the word before it: ``["partner", "v", "2"]`` -> ``["partner", "v2"]``."""
    out: list[str] = []
    for part in parts:
        if part.isdigit() and out and not out[-1].isdigit():
            out[-1] += part
        else:
            out.append(part)
    return out


@functools.lru_cache(maxsize=65536)
def snake(text: str) -> str:
    """``signupPartnerV2Link`` -> ``signup_partner_v2_link``; empty string if nothing is left."""
    return "_".join(w.lower() for w in _join_digits(words(text)))


def legacy_snake(text: str) -> str:
    """The older documentation's naming: a break only where a lower-case letter meets a capital.

    So a digit glues to the next word: ``signupPartnerV2Link`` -> ``signup_partner_v2link``.
    """
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", text).lower()


@functools.lru_cache(maxsize=65536)
def pascal(text: str) -> str:
    """``partner.v2.Organization`` -> ``PartnerV2Organization``; empty string if nothing is left."""
    return "".join(w[:1].upper() + w[1:] for w in _join_digits(words(text)))


def identifier(candidate: str, *, fallback: str, reserved: Container[str] = frozenset()) -> str:
    """Make ``candidate`` a valid, non-reserved Python identifier.

    A leading digit gets the ``fallback`` prefix's first letter pattern (``2fa`` -> ``field_2fa``);
    keywords and ``reserved`` names get a trailing underscore (``from`` ->
    ``from_``); names that start with an underscore lose it (pydantic treats those as private).
    """
    name = candidate.strip("_") or fallback
    if not name.isidentifier() or not name.isascii():
        name = re.sub(r"[^0-9A-Za-z_]", "_", unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode())
        name = re.sub(r"_+", "_", name).strip("_") or fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    if name in PYTHON_KEYWORDS or name in reserved:
        name = f"{name}_"
    return name


def snake_identifier(text: str, *, fallback: str, reserved: Container[str] = frozenset()) -> str:
    """A snake_case identifier for a method, parameter or field name."""
    return identifier(snake(text) or text, fallback=fallback, reserved=reserved)


def pascal_identifier(text: str, *, fallback: str, reserved: Container[str] = frozenset()) -> str:
    """A PascalCase identifier for a class or type alias."""
    name = pascal(text) or fallback
    if name[0].isdigit():
        name = f"{fallback}{name}"
    return identifier(name, fallback=fallback, reserved=reserved)


class NameAllocator:
    """Hands out unique names within one scope, suffixing ``_2``, ``_3``... on collision.

    Allocation order is the caller's (document order), so the same spec always gets the same
    names, whatever the hash seed.
    """

    def __init__(self, taken: Iterable[str] = frozenset(), *, also: Container[str] = frozenset()) -> None:
        # Each name with its position in the order names were taken, for snapshot(); ``also``
        # is consulted as it is, not copied.
        self._taken: dict[str, int] = {}
        for name in taken:
            self._taken.setdefault(name, len(self._taken))
        self._also = also

    def allocate(self, name: str, *, separator: str = "_") -> str:
        if name not in self:
            self._taken[name] = len(self._taken)
            return name
        index = 2
        while f"{name}{separator}{index}" in self:
            index += 1
        unique = f"{name}{separator}{index}"
        self._taken[unique] = len(self._taken)
        return unique

    def __contains__(self, name: object) -> bool:
        return name in self._taken or name in self._also

    def taken(self) -> frozenset[str]:
        """Every name handed out (or reserved) so far (not counting ``also``)."""
        return frozenset(self._taken)

    def snapshot(self) -> Container[str]:
        """The names taken so far, as a container that later allocations do not change.

        Cheap however many names there are (a model's field names must avoid every class name
        allocated before it, and there are hundreds of both in a large spec)."""
        return _TakenBefore(self._taken, len(self._taken))


class _TakenBefore:
    """Names whose position in ``order`` is below ``count``."""

    def __init__(self, order: dict[str, int], count: int) -> None:
        self._order = order
        self._count = count

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._order.get(name, self._count) < self._count


class Either:
    """A name container: in any of ``parts``."""

    def __init__(self, *parts: Container[str]) -> None:
        self._parts = parts

    def __contains__(self, name: object) -> bool:
        return any(name in part for part in self._parts)
