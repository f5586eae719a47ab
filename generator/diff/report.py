"""A change between two generated APIs, its severity, and the report of all of them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Literal

__all__ = [
    "SEVERITY",
    "Change",
    "Direction",
    "Kind",
    "Report",
]

Kind = Literal["breaking", "risk", "compatible"]
Direction = Literal["request", "response"]

SEVERITY: dict[str, int] = {"breaking": 0, "risk": 1, "compatible": 2}


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between two generated APIs, as it affects callers."""

    kind: Kind
    code: str
    """Stable identifier of the rule, e.g. ``param-became-required``."""
    subject: str
    """The generated name: ``signups.signup``, ``signups.signup(dry_run)``, ``models.User.email``."""
    message: str
    location: str
    """``file#pointer`` in the new spec (the old one for removals)."""

    def line(self) -> str:
        """One line, whatever the spec's names hold (unprintable characters are shown escaped)."""
        text = f"{self.kind.upper()} {self.subject}: {self.message} [{self.code}] at {self.location}"
        return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)

    def sort_key(self) -> tuple[int, str, str, str]:
        return SEVERITY[self.kind], self.subject, self.code, self.message


@dataclass(frozen=True, slots=True)
class Report:
    """All changes between two APIs, most severe first."""

    old: str
    new: str
    changes: tuple[Change, ...]

    @property
    def breaking(self) -> bool:
        return any(c.kind == "breaking" for c in self.changes)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITY, 0)
        for change in self.changes:
            counts[change.kind] += 1
        return counts

    def summary_line(self) -> str:
        if not self.changes:
            return "no changes to the generated API"
        counts = self.counts()
        total = len(self.changes)
        return f"{total} change{'s' if total != 1 else ''}: " + ", ".join(f"{counts[k]} {k}" for k in SEVERITY)

    def text(self) -> str:
        return "".join(f"{c.line()}\n" for c in self.changes) + self.summary_line() + "\n"

    def json(self) -> str:
        data = {
            "old": self.old,
            "new": self.new,
            "breaking": self.breaking,
            "summary": self.counts(),
            "changes": [asdict(c) for c in self.changes],
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
