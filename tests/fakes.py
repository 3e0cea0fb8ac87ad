"""In-memory fakes of the ports (services/ports.py), for the use cases' unit tests.

Each behaves as the real system does where the application depends on it: the
calendar's etags move on every write and a stale one is refused, records are
written only when their condition holds, pages are known by their MD5s, an
invalidation's CallerReference is remembered. Each counts its calls (``calls``)
so a test can say "nothing was written" (``writes == 0``).
"""

from __future__ import annotations

import copy
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from common.errors import ConflictError, SyncTokenExpiredError
from services.adapters.calendar_lookup import look_up_by_api
from services.domain.calendar.events import charter_from_api_event
from services.domain.models import (
    CalendarSnapshot,
    CancelledEvent,
    Charter,
    DeployedPage,
    EventLookup,
    Invalidation,
    Record,
    RecordSnapshot,
    path_for_key,
)
from services.domain.pages.served import ServedResponse

if TYPE_CHECKING:
    from services import ports

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


class _Counted:
    WRITES: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    @property
    def writes(self) -> int:
        return sum(self.calls[name] for name in self.WRITES)


def _merge(target: dict[str, Any], changes: Mapping[str, Any]) -> None:
    """Google's PATCH: nested objects merged key by key, everything else replaced."""
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


class FakeCalendarApi(_Counted):
    """Google's events of one calendar, as dicts, each with an etag that every write moves."""

    WRITES = ("patch_event",)

    def __init__(self, events: Iterable[Mapping[str, Any]] = ()) -> None:
        super().__init__()
        self.events: dict[str, dict[str, Any]] = {}
        self._version = 0
        self._changed: dict[str, int] = {}
        for event in events:
            self.put(event)

    def put(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """An event as someone left it (not counted: the world, not the application)."""
        event = {"kind": "calendar#event", "status": "confirmed", **copy.deepcopy(dict(body))}
        self.events[event["id"]] = event
        self._touch(event)
        return copy.deepcopy(event)

    def edit(self, event_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Someone else's edit in Google Calendar: the etag moves."""
        event = self.events[event_id]
        _merge(event, changes)
        self._touch(event)
        return copy.deepcopy(event)

    def _touch(self, event: dict[str, Any]) -> None:
        self._version += 1
        event["etag"] = f'"{3181161784712000 + self._version}"'
        self._changed[event["id"]] = self._version

    def get_event(self, event_id: str) -> dict[str, Any]:
        self.calls["get_event"] += 1
        return copy.deepcopy(self.events[event_id])

    def find_event(self, event_id: str) -> dict[str, Any] | None:
        self.calls["find_event"] += 1
        event = self.events.get(event_id)
        return copy.deepcopy(event) if event else None

    def find_linked(self, record_event_id: str) -> list[dict[str, Any]]:
        self.calls["find_linked"] += 1
        return [copy.deepcopy(e) for e in self.events.values()
                if (e.get("extendedProperties") or {}).get("private", {}).get("eventId")
                == record_event_id]

    def patch_event(self, event_id: str, body: dict[str, Any], *, etag: str) -> dict[str, Any]:
        self.calls["patch_event"] += 1
        event = self.events[event_id]
        if etag != event["etag"]:
            # The adapter's answer to Google's 412, word for word.
            raise ConflictError("the calendar event was edited meanwhile; nothing was "
                                "overwritten")
        _merge(event, {k: v for k, v in body.items() if k not in ("id", "etag")})
        self._touch(event)
        return copy.deepcopy(event)

    def list_changes(self, *, sync_token: str | None, time_min: datetime,
                     time_max: datetime) -> tuple[list[dict[str, Any]], str]:
        """Changed since the token (every event without one); a token from the future or
        not ours is refused as Google refuses an expired one."""
        self.calls["list_changes"] += 1
        since = 0
        if sync_token:
            if not sync_token.isdigit() or int(sync_token) > self._version:
                raise SyncTokenExpiredError("the calendar no longer accepts the stored sync "
                                            "token (HTTP 410)")
            since = int(sync_token)
        changed = [copy.deepcopy(self.events[i]) for i, v in self._changed.items() if v > since]
        return changed, str(self._version)


class FakeCalendar(_Counted):
    """The calendar reader over a FakeCalendarApi: always the API, never the feed."""

    def __init__(self, api: FakeCalendarApi, *, tz: ZoneInfo) -> None:
        super().__init__()
        self._api = api
        self._tz = tz

    @property
    def api(self) -> FakeCalendarApi:
        return self._api

    def snapshot(self, *, start: datetime, end: datetime) -> CalendarSnapshot:
        self.calls["snapshot"] += 1
        charters, cancelled = [], []
        for event in self._api.events.values():
            item = charter_from_api_event(copy.deepcopy(event), self._tz)
            if isinstance(item, Charter) and item.start < end and item.end > start:
                charters.append(item)
            elif isinstance(item, CancelledEvent):
                cancelled.append(item)
        return CalendarSnapshot(charters=tuple(charters), cancelled=tuple(cancelled),
                                source="api")

    def look_up(self, links: Mapping[str, str | None], *, source: str, start: datetime,
                end: datetime, read: CalendarSnapshot | None = None,
                homes: Mapping[str, str] | None = None) -> dict[str, EventLookup]:
        self.calls["look_up"] += 1
        # The adapter's own look-up, over the fake API: what it decides is not faked.
        return look_up_by_api(self._api, links, tz=self._tz) if links else {}

    def search(self, *, start: datetime, end: datetime, text: str) -> CalendarSnapshot:
        self.calls["search"] += 1
        word = text.lower()
        whole = self.snapshot(start=start, end=end)
        return CalendarSnapshot(charters=tuple(
            c for c in whole.charters
            if word in f"{c.title} {c.description} {c.location}".lower()))


class FakeRecords(_Counted):
    """The table: items by eventId, written only when their condition holds."""

    WRITES = ("create", "update")

    def __init__(self, items: Iterable[Mapping[str, Any]] = ()) -> None:
        super().__init__()
        self.items: dict[str, dict[str, Any]] = {
            str(i["eventId"]): copy.deepcopy(dict(i)) for i in items}

    def _record(self, event_id: str) -> Record:
        return Record(copy.deepcopy(self.items[event_id]))

    def snapshot(self, *, since: date, until: date) -> RecordSnapshot:
        self.calls["snapshot"] += 1
        # As the Scan: everything dated ``since`` or later (the engine keeps the window).
        return RecordSnapshot(tuple(self._record(i) for i, item in self.items.items()
                                    if str(item.get("eventDate", "")) >= since.isoformat()))

    def get(self, event_id: str) -> Record | None:
        self.calls["get"] += 1
        return self._record(event_id) if event_id in self.items else None

    def get_many(self, event_ids: Iterable[str]) -> RecordSnapshot:
        self.calls["get_many"] += 1
        return RecordSnapshot(tuple(self._record(i) for i in dict.fromkeys(event_ids)
                                    if i in self.items), complete=False)

    def create(self, item: Mapping[str, Any]) -> None:
        self.calls["create"] += 1
        if item["eventId"] in self.items:
            raise ConflictError(f"record {item['eventId']} was created by someone else "
                                "meanwhile")
        self.items[str(item["eventId"])] = {k: copy.deepcopy(v) for k, v in item.items()
                                            if v is not None}

    def update(self, event_id: str, *, changes: Mapping[str, Any],
               expected: Mapping[str, Any]) -> None:
        self.calls["update"] += 1
        current = self.items.get(event_id)
        if current is None or any(current.get(k) != v if v is not None else k in current
                                  for k, v in expected.items()):
            raise ConflictError(f"record {event_id} changed since it was read; nothing was "
                                "overwritten")
        for attr, value in changes.items():
            if value is None:
                current.pop(attr, None)
            else:
                current[attr] = copy.deepcopy(value)


def md5_of(html: str) -> str:
    return hashlib.md5(html.encode("utf-8"), usedforsecurity=False).hexdigest()


class FakePages(_Counted):
    """The bucket: HTML by key; a plain upload's ETag is its MD5, as S3's is."""

    WRITES = ("upload",)

    def __init__(self, pages: Mapping[str, str] | None = None, *, clock: Clock = _now) -> None:
        super().__init__()
        self._clock = clock
        self.html: dict[str, str] = {}
        self.deployed: dict[str, DeployedPage] = {}
        for key, html in (pages or {}).items():
            self._store(key, html)

    def _store(self, key: str, html: str) -> DeployedPage:
        md5 = md5_of(html)
        self.html[key] = html
        self.deployed[key] = DeployedPage(key=key, etag=md5, content_md5=md5,
                                          last_modified=self._clock())
        return self.deployed[key]

    def snapshot(self) -> tuple[dict[str, DeployedPage], bool, tuple[str, ...]]:
        self.calls["snapshot"] += 1
        return {k: p for k, p in self.deployed.items() if k.endswith(".html")}, True, ()

    def upload(self, key: str, html: str) -> DeployedPage:
        self.calls["upload"] += 1
        return self._store(key, html)

    def current_md5(self, key: str) -> str | None:
        self.calls["current_md5"] += 1
        page = self.deployed.get(key)
        return page.content_md5 if page else None

    def head_many(self, keys: Iterable[str]) -> dict[str, DeployedPage]:
        self.calls["head_many"] += 1
        return {k: self.deployed[k] for k in dict.fromkeys(keys) if k in self.deployed}

    def fetch(self, key: str) -> str | None:
        self.calls["fetch"] += 1
        return self.html.get(key)


class FakeCdn(_Counted):
    """CloudFront's invalidations, with their CallerReferences: a repeated reference with
    the same paths is the same invalidation, with other paths a ConflictError."""

    WRITES = ("invalidate",)

    def __init__(self, *, clock: Clock = _now) -> None:
        super().__init__()
        self._clock = clock
        self.invalidations: list[Invalidation] = []  # oldest first

    def recent_invalidations(self, *, since: datetime
                             ) -> tuple[tuple[Invalidation, ...], bool]:
        self.calls["recent_invalidations"] += 1
        return tuple(i for i in reversed(self.invalidations) if i.created >= since), True

    def find_by_reference(self, caller_reference: str, *, since: datetime) -> str | None:
        self.calls["find_by_reference"] += 1
        return next((i.invalidation_id for i in self.invalidations
                     if i.caller_reference == caller_reference and i.created >= since), None)

    def verify(self) -> None:
        self.calls["verify"] += 1  # the distribution exists

    def invalidate(self, paths: Sequence[str], *, caller_reference: str) -> str:
        self.calls["invalidate"] += 1
        items = tuple(sorted({path_for_key(p) for p in paths}))
        if not items:
            return ""
        for known in self.invalidations:
            if known.caller_reference == caller_reference:
                if known.paths != items:
                    raise ConflictError(f"CallerReference {caller_reference} was already used "
                                        "for other paths")
                return known.invalidation_id
        made = Invalidation(f"I{len(self.invalidations) + 1:04d}", self._clock(), items,
                            caller_reference)
        self.invalidations.append(made)
        return made.invalidation_id


class FakeServed(_Counted):
    """What an edge hands a guest: a 404 for a page it does not have."""

    def __init__(self, pages: Mapping[str, bytes] | None = None) -> None:
        super().__init__()
        self.pages = dict(pages or {})

    def fetch(self, key: str) -> ServedResponse:
        self.calls["fetch"] += 1
        body = self.pages.get(key)
        return ServedResponse(status=200 if body is not None else 404, body=body or b"",
                              headers={"Content-Type": "text/html; charset=utf-8"})


class FakeSender(_Counted):
    """The direct messages sent, in order, as (Slack user id, text), each findable again
    by its change as Slack's message metadata makes it."""

    WRITES = ("send",)

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, str]] = []
        self._ts: dict[tuple[str, str], str] = {}

    def send(self, user: str, text: str, *, change_id: str) -> str:
        self.calls["send"] += 1
        self.sent.append((user, text))
        ts = self._ts[(user, change_id)] = f"{len(self.sent)}.000100"
        return ts

    def find(self, user: str, *, change_id: str) -> str | None:
        self.calls["find"] += 1
        return self._ts.get((user, change_id))


if TYPE_CHECKING:
    # The type checker proves each fake has its port's shape (mypy tests/fakes.py).
    def _shapes(calendar: FakeCalendar, records: FakeRecords, pages: FakePages, cdn: FakeCdn,
                served: FakeServed, sender: FakeSender
                ) -> tuple[ports.Calendar, ports.CalendarChanges, ports.Records, ports.Pages,
                           ports.Cdn, ports.ServedPages, ports.MessageSender]:
        return calendar, calendar.api, records, pages, cdn, served, sender
