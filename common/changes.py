"""The vocabulary of a change, shared by the planners (pure), the runner and the audit store.

A change is an ordered list of planned steps, one write to one system each; the
store records each step's status as the runner carries it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PENDING, APPLYING, DONE, FAILED, CONFLICT, SKIPPED = (
    "pending", "applying", "done", "failed", "conflict", "skipped")
# Where a change was asked for.
SOURCES = frozenset({"slash", "digest", "chat", "scheduler", "cli"})


@dataclass(frozen=True)
class PlannedStep:
    """One write, planned: the system, what to do to which target, before and after."""

    system: str
    action: str
    target: str
    before: Any = None
    after: Any = None


@dataclass(frozen=True)
class StepEntry:
    """A step as the audit store holds it once the runner has tried it."""

    seq: int
    system: str
    action: str
    target: str
    before: Any
    after: Any
    status: str
    error: str | None
