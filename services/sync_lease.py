"""Holding the calendar's sync lease for as long as a check runs, and knowing when it is lost.

The lease (store/sync_state.py) expires ``ttl`` after it was last renewed, so that a
dead holder's check is taken over. A live check may well outlast it: a 410 means a
full read of a large calendar, DynamoDB may be slow, a batch of fixes takes its
time. Two renewals keep it:

- a heartbeat thread renews every third of the ttl, whatever the check is doing, so
  no single long call (one listing that pages through thousands of events) lets
  another process in while this one is alive;
- ``ensure(before=…)`` renews at once, in the check's own thread, before each thing
  another process must not do twice (handling what was read, each set of fixes,
  each alert). When the renewal finds another holder — ours lapsed while this
  process was stalled, or it was thought dead — it raises ``LeaseLostError``: the
  check stops there, and the token is left to the new holder, who reads the same
  changes again.

What no lease can close: a process that stalls for longer than the ttl *between* a
renewal and the write it guards. The heartbeat makes that a stall of the whole
process for minutes, not a slow call.
"""

from __future__ import annotations

import logging
import threading
from types import TracebackType
from typing import TYPE_CHECKING

from common.changes import Lease
from common.errors import LeaseLostError

if TYPE_CHECKING:
    from store.sync_state import SyncState

logger = logging.getLogger(__name__)

WHAT = "the calendar's live sync"


class SyncLeaseKeeper:
    """Use as ``with SyncLeaseKeeper(...) as keeper:`` once the lease was claimed."""

    def __init__(self, state: SyncState, calendar_id: str, lease: Lease) -> None:
        self._state = state
        self._calendar_id = calendar_id
        self._lease = lease
        self._every = lease.ttl.total_seconds() / 3
        self._stop = threading.Event()
        self._lost = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True,
                                        name="sync-lease-heartbeat")

    def __enter__(self) -> SyncLeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def lost(self) -> bool:
        return self._lost.is_set()

    def ensure(self, *, before: str) -> None:
        """Renew now; raise ``LeaseLostError`` when another process holds the lease."""
        if self._lost.is_set() or not self._state.renew(self._calendar_id, self._lease):
            self._lost.set()
            raise LeaseLostError(WHAT, before=before)

    def _beat(self) -> None:
        while not self._stop.wait(self._every):
            try:
                if not self._state.renew(self._calendar_id, self._lease):
                    self._lost.set()  # the check sees it at its next ensure()
                    return
            except Exception as error:  # the store may be down a moment
                # Not lost, as far as we know: the next beat, or the check's own renewal
                # (which raises the store's error to the check), tries again.
                logger.warning("live sync: renewing the sync lease failed: %s", error)
