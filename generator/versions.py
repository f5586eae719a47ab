"""The installed version of a library, read cheaply: part of every cache and memo key."""

from __future__ import annotations

import functools
import os
import re
import sys

__all__ = ["library_version"]


def library_version(name: str) -> str:
    """The installed version of distribution ``name``, or ``absent``.

    Read from the ``NAME-VERSION.dist-info`` folder's name on ``sys.path`` (first match, as the
    import system finds it): importing :mod:`importlib.metadata` to read it costs every run
    about 20 ms. Anything unusual (an egg, a folder name without a version) asks
    :mod:`importlib.metadata` after all.
    """
    wanted = _normalized(name)
    for entry in sys.path:
        folders = _dist_info_folders(entry or ".")
        if folders is None:
            break
        for folder in folders:
            dist, _, version = folder.removesuffix(".dist-info").partition("-")
            if _normalized(dist) == wanted:
                return version if version and "-" not in version else _metadata_version(name)
    return _metadata_version(name)


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


@functools.cache
def _dist_info_folders(entry: str) -> tuple[str, ...] | None:
    """The ``.dist-info`` folders in one ``sys.path`` entry; None where eggs make it unclear."""
    try:
        names = os.listdir(entry)
    except OSError:
        return ()
    if any(n.endswith((".egg-info", ".egg", ".egg-link")) for n in names):
        return None
    return tuple(sorted(n for n in names if n.endswith(".dist-info")))


def _metadata_version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"
