"""A stale approval (services/usecases/digest_decision.py) on the fakes: the calendar moved Danika
after the morning digest; Approve applies only what still holds and says why the rest
did not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handlers.views import blocks
from handlers.views.approvals import entries_in, request_of, requests_in
from services.changes import ChangeService
from services.domain.change.blast_radius import approval_notes
from services.domain.config import Config
from services.domain.models import ReconcileResult
from services.domain.pages.rendering import PageRenderer
from services.reconciling import run_reconcile
from services.usecases import digest_decision
from store.audit import AuditLog
from tests.conftest import SEED_WINDOW
from tests.services.unit.conftest import NOW, World

DANIKA, EVENT = "danika-may31", "evtdanika"
ZONE = "America/Los_Angeles"


@dataclass
class Deps:
    """What a digest decision uses of services.deps.Deps, and nothing more."""

    world: World

    @property
    def config(self) -> Config:
        return self.world.config

    @property
    def audit(self) -> AuditLog:
        return self.world.audit

    @property
    def changes(self) -> ChangeService:
        return self.world.service

    def clock(self) -> datetime:
        return NOW

    def reconcile(self) -> ReconcileResult:
        return run_reconcile(self.world.systems, self.config, window=SEED_WINDOW, now=NOW,
                             renderer=PageRenderer())


def morning_digest(deps: Deps) -> dict[str, Any]:
    """The digest message that holds Danika's entry, as Slack sends it back on a click."""
    result = deps.reconcile()
    messages = blocks.digest_messages(result, previews=approval_notes(result, deps.config, NOW))
    return next(m for m in messages
                if any(b.get("block_id") == f"decide:{DANIKA}" for b in m["blocks"]))


def approve_value(message: dict[str, Any]) -> str:
    return next(e["value"] for b in message["blocks"] if b.get("block_id") == f"decide:{DANIKA}"
                for e in b["elements"] if e["action_id"] == blocks.APPROVE)


def test_a_stale_approval_applies_only_what_still_holds(world: World) -> None:
    deps = Deps(world)
    morning = morning_digest(deps)
    value = approve_value(morning)
    # After the digest, someone moves Danika an hour later in the calendar.
    world.api.edit(EVENT, {"start": {"dateTime": "2026-05-31T16:00:00", "timeZone": ZONE},
                           "end": {"dateTime": "2026-05-31T20:00:00", "timeZone": ZONE}})

    approval = digest_decision.approve(
        deps, request=request_of(value), posted=requests_in(morning["blocks"]),  # type: ignore[arg-type]
        entries=entries_in(morning["blocks"]), user_id="U0GENE")

    held = world.records.items[DANIKA]
    # The mate still held and was applied; the times, planned from 15:00–19:00, were not.
    assert (held["mate"], held["startTime"], held["endTime"]) == ("Ana", "14:00", "18:00")
    assert approval.outcome.startswith(
        "1 of 4 applied; 3 no longer held — the calendar changed since the digest")
    # The entry is re-planned from the calendar as it is now: what moved, what is left.
    [entry] = approval.updates
    assert ("start", "15:00", "16:00") in entry.moved
    assert {d.field for d in entry.left} >= {"startTime", "endTime"}
    assert world.api.writes == 0  # the calendar is the truth: an approval never writes it
    gone = [d for d in world.audit.decision_history(event="danika")
            if d.note and "calendar changed" in d.note]
    assert len(gone) == 3
