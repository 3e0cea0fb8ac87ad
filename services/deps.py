"""The one dependencies object every use case takes: the systems, the settings, the audit
store, the change service and the clock. Built once per process by the composition root
(bot/wiring.py); a use case reads what it needs from it and nothing reaches around it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from services.domain.config import Config
from services.shared_read import SharedRead

if TYPE_CHECKING:  # the types only: a listener's ack imports none of what they run on
    from common.changes import ChangeEntry
    from services.changes import ChangeService
    from services.crew_news import Courier
    from services.domain.models import ReconcileResult, Window
    from services.ports import AuditStore
    from services.reconciling import Systems

# Thirty Homes opened in a minute are a few reads, not thirty; a change landed here is
# shown at once (the read is forgotten), one landed by another replica within this.
HOME_READ_SECONDS = 5.0
GROUP_CACHE_SECONDS = 600  # a user group's members, read at most every ten minutes

# How long a Slack event id is remembered: Slack retries within minutes; a day is plenty.
EVENT_MEMORY = timedelta(days=1)


@dataclass
class Deps:
    systems: Systems
    config: Config
    audit: AuditStore
    changes: ChangeService
    window: Callable[[], Window]
    clock: Callable[[], datetime]
    # Members of a Slack user group (the approvers' group), when Slack is connected.
    group_members: Callable[[str], set[str]] | None = None
    # A direct message to a Slack user (user id, text): the crew told, a nudge.
    direct_message: Callable[[str, str], None] | None = None
    # When the calendar was last checked successfully (the live sync, any process).
    last_synced: Callable[[], datetime | None] | None = None
    # The last failed calendar check since the last success, when and why (any process).
    last_failure: Callable[[], tuple[datetime, str] | None] | None = None
    # The Homes' read of the three systems, shared a few seconds by this process's openings.
    home_reads: SharedRead[ReconcileResult] = field(
        default_factory=lambda: SharedRead(keep_for=HOME_READ_SECONDS), repr=False)
    _group_cache: tuple[float, set[str]] | None = field(default=None, repr=False)

    def is_approver(self, user_id: str) -> bool:
        if user_id in self.config.slack.approvers:
            return True
        group = self.config.slack.approver_group
        if not group or self.group_members is None:
            return False
        now = time.monotonic()
        if self._group_cache is None or now - self._group_cache[0] > GROUP_CACHE_SECONDS:
            self._group_cache = (now, self.group_members(group))
        return user_id in self._group_cache[1]

    def tell_through(self, courier: Courier) -> None:
        """The crew are told of a landed change, by any path, through ``courier``."""
        self.changes.tell = courier

    def on_landing(self, callback: Callable[[ChangeEntry], None]) -> None:
        """``callback`` after each change lands (the Homes re-published)."""
        self.changes.landed = callback

    def reconcile(self) -> ReconcileResult:
        """All three systems read over the window, as of now."""
        from services.domain.pages.rendering import PageRenderer
        from services.reconciling import run_reconcile

        return run_reconcile(self.systems, self.config, window=self.window(), now=self.clock(),
                             renderer=PageRenderer())

    def first_delivery(self, event_id: str, *, retry_num: int | None) -> bool:
        """Whether this Slack event is new to every replica on this audit store."""
        return self.audit.claim_event(event_id, retry_num=retry_num, keep=EVENT_MEMORY)
