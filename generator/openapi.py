"""Facts of the OpenAPI format that several stages need, stated once.

A Paths Object holds path items under keys that start with ``/`` and specification extensions
under keys that start with ``x-`` (``x-codegen-contextRoot`` in the wild). Every stage that walks
``paths`` goes through :func:`path_items`, so an extension is never taken for a path.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["HTTP_METHODS", "path_items"]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def path_items(root: Any) -> Iterator[tuple[str, Any]]:
    """``(path, item)`` for every entry of ``root["paths"]`` that is not an extension."""
    paths = root.get("paths") if isinstance(root, dict) else None
    if not isinstance(paths, dict):
        return
    for key, item in paths.items():
        if isinstance(key, str) and key.startswith("x-"):
            continue
        yield key, item
