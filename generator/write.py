"""Stage 6: put the rendered tree on disk atomically, or compare it with what is there.

Everything is rendered and formatted in memory before the first byte is written, so a bad
spec never touches the output. Writing stages the new tree beside the output directory,
then moves each file into place with :func:`os.replace` (atomic per file), and finally
removes files a previous run generated that are no longer produced. The list of generated
files lives in ``.partner-codegen-manifest`` so files the generator does not own (a user's
notes, build metadata) are never deleted. Folders passed as ``keep`` (the package's ``lib/``,
where users keep their own code) are never written, changed or deleted, whatever a manifest
or the rendered tree says.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import GenerationError

__all__ = [
    "MANIFEST",
    "Difference",
    "compare",
    "write",
]

MANIFEST = ".partner-codegen-manifest"


@dataclass(frozen=True)
class Difference:
    """How a directory differs from the tree a spec would produce."""

    changed: tuple[str, ...]
    missing: tuple[str, ...]
    stale: tuple[str, ...]

    @property
    def clean(self) -> bool:
        return not (self.changed or self.missing or self.stale)

    def summary(self, limit: int = 10) -> str:
        lines = []
        for label, paths in (("changed", self.changed), ("missing", self.missing), ("stale", self.stale)):
            for path in paths[:limit]:
                lines.append(f"  {label}: {path}")
            if len(paths) > limit:
                lines.append(f"  ... and {len(paths) - limit} more {label}")
        return "\n".join(lines)


def _with_manifest(files: dict[str, str]) -> dict[str, str]:
    listing = "".join(f"{path}\n" for path in sorted(files))
    return {**files, MANIFEST: listing}


def _previous(out: Path) -> set[str]:
    try:
        text = (out / MANIFEST).read_text(encoding="utf-8")
    except OSError:
        return set()
    return {line for line in text.splitlines() if line and not line.startswith("/") and ".." not in Path(line).parts}


def _kept(path: str, keep: tuple[str, ...]) -> bool:
    return any(path.startswith(prefix) for prefix in keep)


def compare(files: dict[str, str], out: Path, *, keep: tuple[str, ...] = ()) -> Difference:
    """What :func:`write` would change in ``out``; reads only. Paths under a ``keep`` prefix
    are neither compared nor ever stale."""
    owned = [path for path in files if _kept(path, keep)]
    if owned:  # the pipeline never renders there: a generator bug, caught before any write
        raise AssertionError(f"the generator rendered {owned[0]}, inside a folder it must not touch")
    files = _with_manifest(files)
    changed, missing = [], []
    for path, text in sorted(files.items()):
        target = out / path
        try:
            current = target.read_bytes()
        except FileNotFoundError:
            missing.append(path)
            continue
        except OSError as exc:
            raise GenerationError(f"cannot read {target}: {exc.strerror or exc}") from None
        if current != text.encode("utf-8"):
            changed.append(path)
    stale = sorted(p for p in _previous(out) - set(files) if not _kept(p, keep) and (out / p).exists())
    return Difference(tuple(changed), tuple(missing), tuple(stale))


def write(files: dict[str, str], out: Path, *, keep: tuple[str, ...] = ()) -> Difference:
    """Make ``out`` hold exactly ``files`` (plus anything the generator never owned, and
    everything under the ``keep`` prefixes, untouched).

    Originals are moved aside before each replacement; if anything fails part-way, every
    moved file is put back, so ``out`` is either fully updated or exactly as it was.
    """
    diff = compare(files, out, keep=keep)
    if diff.clean:
        return diff
    files = _with_manifest(files)
    try:
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".partner-codegen-", dir=out.parent))
    except OSError as exc:
        raise GenerationError(f"cannot write to {out}: {exc.strerror or exc}") from None
    new, backup = staging / "new", staging / "old"
    moved: list[tuple[Path, Path | None]] = []
    try:
        for path in sorted(set(diff.changed) | set(diff.missing)):
            target = new / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[path].encode("utf-8"))
        for path in sorted(set(diff.changed) | set(diff.missing)):
            moved.append((out / path, _move_aside(out / path, backup / path)))
            (out / path).parent.mkdir(parents=True, exist_ok=True)
            os.replace(new / path, out / path)
        for path in diff.stale:
            moved.append((out / path, _move_aside(out / path, backup / path)))
    except BaseException as exc:
        for destination, original in reversed(moved):
            if original is not None:
                os.replace(original, destination)
            else:
                destination.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise GenerationError(f"cannot write to {out}: {exc.strerror or exc}; nothing was changed") from None
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for path in diff.stale:
        _prune_empty((out / path).parent, out)
    return diff


def _move_aside(path: Path, backup: Path) -> Path | None:
    if not path.exists():
        return None
    backup.parent.mkdir(parents=True, exist_ok=True)
    os.replace(path, backup)
    return backup


def _prune_empty(folder: Path, root: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
