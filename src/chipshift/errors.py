"""Errors that name where bad input is: file, line and field."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with input data, located as precisely as the input allows."""

    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None
    severity: str = "error"  # "error" or "warning"
    check: str | None = None  # name of the check that found it

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.line) if p is not None)
        parts = [where] if where else []
        if self.field:
            parts.append(f"field '{self.field}'")
        prefix = ", ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "check": self.check,
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "message": self.message,
        }


class ChipshiftError(Exception):
    """Base class of chipshift's own errors."""


class DataError(ChipshiftError):
    """Input data is malformed or inconsistent. Carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{len(problems)} problem(s) in input data:\n{shown}{more}")


class NotFoundError(ChipshiftError):
    """A name or id did not resolve; carries suggestions (and, for a fixed set of codes, the allowed ones)."""

    def __init__(self, kind: str, name: str, suggestions: list[str], allowed: list[str] | None = None) -> None:
        self.kind = kind
        self.name = name
        self.suggestions = suggestions
        self.allowed = allowed
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        listed = f" Allowed: {', '.join(allowed)}." if allowed else ""
        super().__init__(f"no {kind} named '{name}'.{hint}{listed}")


class StoreError(ChipshiftError):
    """The store file cannot be read or written: damaged, truncated, or not a store at all."""


class StoreBusyError(StoreError):
    """Another process holds the store file in a way that excludes this one (it writes while this one would
    read, or reads while this one would write): nothing is wrong with the file, and a retry may succeed."""
