"""Serialising path, query, header and cookie parameters, as OpenAPI's ``style``/``explode`` say.

Defaults: query and cookie parameters use ``form`` with ``explode`` (lists repeat the name:
``?tag=a&tag=b``); path and header parameters use ``simple`` (``a,b``). Also supported:
``spaceDelimited``/``pipeDelimited`` and ``deepObject`` (``filter[kind]=x``) in queries, and
``label`` (``.a.b``) / ``matrix`` (``;id=a``) in paths. Omitted arguments are never sent.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from typing import cast
from urllib.parse import quote

from pydantic import BaseModel

from ._types import Omit

__all__ = ["cookie_header", "format_path", "header_values", "query_pairs", "scalar"]

Styles = Mapping[str, tuple[str, bool]]
_DELIMITERS = {"form": ",", "spaceDelimited": " ", "pipeDelimited": "|"}


def scalar(value: object) -> str:
    """One value as text: booleans lower-case, dates ISO 8601, objects as compact JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(cast("dict[str, object] | list[object]", value), separators=(",", ":"))
    return str(value)


def _plain(value: object) -> object:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, tuple):
        return list(cast("tuple[object, ...]", value))
    return value


def query_pairs(
    values: Mapping[str, object], styles: Styles | None = None
) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, raw in values.items():
        if isinstance(raw, Omit):
            continue
        style, explode = (styles or {}).get(name, ("form", True))
        value = _plain(raw)
        if isinstance(value, list):
            value = cast("list[object]", value)
            if explode and style == "form":
                pairs.extend((name, scalar(item)) for item in value)
            else:
                pairs.append(
                    (name, _DELIMITERS.get(style, ",").join(scalar(item) for item in value))
                )
        elif isinstance(value, dict):
            value = cast("dict[str, object]", value)
            if style == "deepObject":
                pairs.extend((f"{name}[{key}]", scalar(item)) for key, item in value.items())
            elif explode:
                pairs.extend((str(key), scalar(item)) for key, item in value.items())
            else:
                pairs.append(
                    (name, ",".join(f"{key},{scalar(item)}" for key, item in value.items()))
                )
        else:
            pairs.append((name, scalar(value)))
    return pairs


def _simple(value: object, explode: bool, separator: str = ",") -> list[str]:
    value = _plain(value)
    if isinstance(value, list):
        return [scalar(item) for item in cast("list[object]", value)]
    if isinstance(value, dict):
        value = cast("dict[str, object]", value)
        if explode:
            return [f"{key}={scalar(item)}" for key, item in value.items()]
        return [part for key, item in value.items() for part in (str(key), scalar(item))]
    return [scalar(value)]


def format_path(template: str, values: Mapping[str, object], styles: Styles | None = None) -> str:
    """Fill ``{name}`` placeholders, percent-encoding each value (``/`` included)."""
    for name, value in values.items():
        style, explode = (styles or {}).get(name, ("simple", False))
        parts = [quote(part, safe="=") for part in _simple(value, explode)]
        if style == "label":
            text = "." + ("." if explode else ",").join(parts)
        elif style == "matrix":
            text = (
                "".join(f";{name}={part}" for part in parts)
                if explode
                else f";{name}=" + ",".join(parts)
            )
        else:
            text = ",".join(parts)
        template = template.replace("{" + name + "}", text)
    return template


def header_values(values: Mapping[str, object], styles: Styles | None = None) -> dict[str, str]:
    return {
        name: ",".join(_simple(value, (styles or {}).get(name, ("simple", False))[1]))
        for name, value in values.items()
        if not isinstance(value, Omit)
    }


def cookie_header(values: Mapping[str, object]) -> str | None:
    """A ``Cookie`` header (``a=1; b=2``), or ``None`` when no cookie argument was given."""
    parts = [
        f"{name}={quote(','.join(_simple(value, False)), safe=',')}"
        for name, value in values.items()
        if not isinstance(value, Omit)
    ]
    return "; ".join(parts) or None
