"""The external systems as the application sees them: one Protocol per system.

Each port names only what the application calls (services/, and the command line
through ``Systems``), with the adapter's signature and the domain's types. The
adapters in services/adapters/ implement them without naming them (structural
typing); tests/fakes.py holds an in-memory fake of each, for the use cases' unit
tests. Errors are the adapters' typed ones (common/errors.py): ConflictError when
a conditional write finds someone else's data, SourceUnavailableError when a
system cannot be reached.

The audit store is a port too (``AuditStore``, implemented by store/audit.py's
AuditLog); its entries are common/changes.py's. The use cases' unit tests run it on
SQLite in memory: it is fast and real, so a fake would only test itself.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from common.changes import ChangeEntry, DecisionEntry, Lease, PlannedStep
from services.domain.models import (
    CalendarSnapshot,
    DeployedPage,
    EventLookup,
    Invalidation,
    Record,
    RecordSnapshot,
)
from services.domain.pages.served import ServedResponse
from services.domain.reconcile.alerts import ChangeAlert


class CalendarEvents(Protocol):
    """The Calendar API's events, as Google's dicts (``id``, ``etag``, ``start``, …)."""

    def get_event(self, event_id: str) -> dict[str, Any]:
        ...

    def patch_event(self, event_id: str, body: dict[str, Any], *, etag: str) -> dict[str, Any]:
        """Patch only if the event still has ``etag``; ConflictError otherwise."""
        ...


class CalendarChanges(Protocol):
    """The incremental reads live sync needs; an API without them is refused there."""

    def list_changes(self, *, sync_token: str | None, time_min: datetime,
                     time_max: datetime) -> tuple[list[dict[str, Any]], str]:
        """The events changed since ``sync_token`` and the next token;
        SyncTokenExpiredError when the token is no longer accepted."""
        ...


class Calendar(Protocol):
    """The calendar: the truth the other systems are compared with."""

    @property
    def api(self) -> CalendarEvents:
        """The writable API; SourceUnavailableError where only the iCal feed is read."""
        ...

    def snapshot(self, *, start: datetime, end: datetime) -> CalendarSnapshot:
        ...

    def look_up(self, links: Mapping[str, str | None], *, source: str, start: datetime,
                end: datetime, read: CalendarSnapshot | None = None,
                homes: Mapping[str, str] | None = None) -> dict[str, EventLookup]:
        """``read``: the snapshot the links came from (which boats were read, and how);
        ``homes``: each record's calendarId, where it has one."""
        ...

    def search(self, *, start: datetime, end: datetime, text: str) -> CalendarSnapshot:
        ...


class Records(Protocol):
    """The charter records (DynamoDB); every write conditional."""

    def snapshot(self, *, since: date, until: date) -> RecordSnapshot:
        ...

    def get(self, event_id: str) -> Record | None:
        ...

    def get_many(self, event_ids: Iterable[str]) -> RecordSnapshot:
        ...

    def create(self, item: Mapping[str, Any]) -> None:
        """ConflictError when a record with that eventId exists."""
        ...

    def update(self, event_id: str, *, changes: Mapping[str, Any],
               expected: Mapping[str, Any]) -> None:
        """ConflictError unless the record exists and each ``expected`` attribute holds
        its value (None: absent). A change to None removes the attribute."""
        ...


class Pages(Protocol):
    """The guest pages (S3), known by their MD5s."""

    def snapshot(self) -> tuple[dict[str, DeployedPage], bool, tuple[str, ...]]:
        """(pages by key, complete, notes)."""
        ...

    def upload(self, key: str, html: str) -> DeployedPage:
        ...

    def current_md5(self, key: str) -> str | None:
        ...

    def head_many(self, keys: Iterable[str]) -> dict[str, DeployedPage]:
        ...

    def fetch(self, key: str) -> str | None:
        ...


class Cdn(Protocol):
    """The CDN (CloudFront) in front of the pages."""

    def recent_invalidations(self, *, since: datetime
                             ) -> tuple[tuple[Invalidation, ...], bool]:
        """Invalidations created at or after ``since``, newest first; (them, complete)."""
        ...

    def find_by_reference(self, caller_reference: str, *, since: datetime) -> str | None:
        ...

    def invalidate(self, paths: Sequence[str], *, caller_reference: str) -> str:
        """One invalidation of every path; its id ('' when there is no path)."""
        ...

    def verify(self) -> None:
        """MisnamedResourceError when the distribution does not exist: checked before a
        change's first write when its plan did not read the CDN's history."""
        ...


class ServedPages(Protocol):
    """The pages as guests get them (a plain GET)."""

    def fetch(self, key: str) -> ServedResponse:
        ...


class MessageSender(Protocol):
    """Direct messages to one person that can be looked for again (bot/direct_messages.py):
    each carries the change it tells of, so a retry finds it instead of sending twice."""

    def send(self, user: str, text: str, *, change_id: str) -> str:
        """The message's ts; MessageRefusedError when Slack said no, another error when
        the answer never came (the message may have arrived)."""
        ...

    def find(self, user: str, *, change_id: str) -> str | None:
        """The ts of this change's message to ``user``, if it is among their messages."""
        ...


class AlertSink(Protocol):
    """Where alerts go (Slack's chat.postMessage and chat.update, in production; the
    sink lays the alert out)."""

    def post(self, alert: ChangeAlert) -> tuple[str, str]:
        """Post; returns (channel id, message ts)."""
        ...

    def update(self, channel: str, ts: str, alert: ChangeAlert) -> None:
        ...


class AuditStore(Protocol):
    """The audit log: changes and their steps (written before the first external write),
    their leases, decisions, and the claims that make a digest, a Slack event or a
    nightly sync happen once across replicas."""

    @property
    def sessions(self) -> Any:
        """The store's sessions, for its other tables (the crew's notices)."""
        ...

    def begin_change(self, *, kind: str, event_id: str | None, requested_by: str,
                     source: str, idempotency_key: str, params: dict[str, Any],
                     steps: Sequence[PlannedStep], undo_of: str | None = None,
                     lease: Lease | None = None, request_key: str | None = None,
                     ) -> tuple[ChangeEntry, bool]:
        """The change and whether this call created it (False: the key was known)."""
        ...

    def step_finished(self, change_id: str, seq: int, *, status: str, before: Any = None,
                      after: Any = None, error: str | None = None) -> None:
        ...

    def finish(self, change_id: str, *, status: str, error: str | None = None) -> None:
        ...

    def claim(self, change_id: str, lease: Lease, *,
              owner_is_dead: Callable[[str], bool] = lambda _owner: False) -> bool:
        ...

    def renew(self, change_id: str, lease: Lease) -> bool:
        ...

    def release(self, change_id: str, lease: Lease) -> None:
        ...

    def get(self, change_id: str) -> ChangeEntry | None:
        ...

    def find_by_key(self, idempotency_key: str) -> ChangeEntry | None:
        ...

    def latest_for_request(self, request_key: str) -> ChangeEntry | None:
        ...

    def unfinished(self) -> list[ChangeEntry]:
        ...

    def recent(self, *, event_id: str | None = None, limit: int = 20) -> list[ChangeEntry]:
        ...

    def change_history(self, *, event: str | None = None, actors: Collection[str] = (),
                       limit: int = 50) -> list[ChangeEntry]:
        ...

    def log_decision(self, *, subject: str, decision: str, decided_by: str, source: str,
                     event_id: str | None = None, summary: str | None = None,
                     change_id: str | None = None, note: str | None = None
                     ) -> DecisionEntry:
        ...

    def decision_history(self, *, event: str | None = None, actors: Collection[str] = (),
                         limit: int = 50) -> list[DecisionEntry]:
        ...

    def claim_digest(self, *, day: str, channel: str, discrepancy_count: int) -> bool:
        ...

    def claim_event(self, event_id: str, *, retry_num: int | None = None,
                    keep: timedelta = timedelta(days=1)) -> bool:
        ...
