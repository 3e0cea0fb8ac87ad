"""The domain's value objects. No I/O: only dataclasses, enums and typing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from services.domain.credentials import Credential


class Kind(StrEnum):
    RECORD_MISSING = "RECORD_MISSING"
    RECORD_MISMATCH = "RECORD_MISMATCH"
    RECORD_ORPHANED = "RECORD_ORPHANED"
    PAGE_MISSING = "PAGE_MISSING"
    PAGE_STALE = "PAGE_STALE"
    CACHE_STALE = "CACHE_STALE"
    CALENDAR_INCOMPLETE = "CALENDAR_INCOMPLETE"
    UNKNOWN_CREW = "UNKNOWN_CREW"
    CREW_CONFLICT = "CREW_CONFLICT"
    PAGE_SERVED_STALE = "PAGE_SERVED_STALE"
    PAGE_KEY_UNSAFE = "PAGE_KEY_UNSAFE"
    LINK_CONFLICT = "LINK_CONFLICT"
    # The crew gate (services/domain/crew_gate.py): for a person, never fixed by the bot.
    CREW_NOT_QUALIFIED = "CREW_NOT_QUALIFIED"
    OVER_CAPACITY = "OVER_CAPACITY"


class System(StrEnum):
    CALENDAR = "calendar"
    DYNAMODB = "dynamodb"
    PAGE = "page"
    CDN = "cdn"


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


# Record statuses this product writes; others belong to the operator's Lambdas.
STATUS_SCHEDULED = "SCHEDULED"
STATUS_CREW_ASSIGNED = "CREW_ASSIGNED"
STATUS_CANCELLED = "CANCELLED"
OWN_STATUSES = frozenset({STATUS_SCHEDULED, STATUS_CREW_ASSIGNED, STATUS_CANCELLED})


@dataclass(frozen=True)
class Boat:
    """One boat of the fleet and the calendar its charters are kept in."""

    name: str
    calendar_id: str
    ical_url: str | None = None


@dataclass(frozen=True)
class CrewMember:
    name: str
    roles: tuple[str, ...]
    phone: str
    email: str
    slack_id: str | None = None
    # What the crew gate reads (services/domain/crew_gate.py); none: holds nothing.
    credentials: tuple[Credential, ...] = ()

    @cached_property
    def lasts_until(self) -> dict[str, date]:
        """Each kind held, with the last day any credential of that kind is valid: the
        gate asks this for every person on every charter (a renewal beside the old card
        counts, the old one then says nothing)."""
        until: dict[str, date] = {}
        for credential in self.credentials:
            if credential.kind not in until or credential.expires > until[credential.kind]:
                until[credential.kind] = credential.expires
        return until


@dataclass(frozen=True)
class DescriptionFields:
    """What a person wrote in an event's description block, as written."""

    captain: str | None = None
    mate: str | None = None
    crew: tuple[str, ...] = ()
    guest_name: str | None = None
    guest_count: int | None = None
    # Human-readable reasons the block could not be read fully.
    problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Charter:
    """A live (not cancelled, not all-day) calendar event, read as a charter.

    ``start`` and ``end`` are aware datetimes in the operator's time zone.
    Names are as the calendar spells them; matching against the roster is
    the reconcile engine's business.
    """

    calendar_event_id: str
    title: str
    start: datetime
    end: datetime
    location: str
    guest_name: str
    guest_count: int | None
    captain: str | None
    mate: str | None
    crew: tuple[str, ...]
    attendee_emails: tuple[str, ...] = ()
    # Each invited address (lower case) with its responseStatus as the calendar gives it
    # (accepted, needsAction, tentative, declined); empty when the source does not say.
    attendee_responses: tuple[tuple[str, str], ...] = ()
    # The record id stored on the event (extendedProperties.private.eventId).
    linked_event_id: str | None = None
    etag: str | None = None
    problems: tuple[str, ...] = ()
    description: str = ""
    # The boat whose calendar holds the event, and that calendar's id; "" until the
    # calendar adapter says (a charter built by hand, in a unit test, has no boat).
    vessel: str = ""
    calendar_id: str = ""

    @property
    def local_date(self) -> date:
        return self.start.date()


@dataclass(frozen=True)
class CancelledEvent:
    calendar_event_id: str
    linked_event_id: str | None = None
    calendar_id: str = ""


@dataclass(frozen=True)
class BoatRead:
    """How one boat's calendar was read for a snapshot."""

    boat: Boat
    source: str = "api"  # "api" or "ical"; "" when it could not be read at all
    reason: str = ""  # why it was not read (or was read from the feed)
    complete: bool = True  # False: read, but only in part

    @property
    def read(self) -> bool:
        return bool(self.source)


@dataclass(frozen=True)
class CalendarSnapshot:
    charters: tuple[Charter, ...]
    cancelled: tuple[CancelledEvent, ...] = ()
    source: str = "api"  # "api" or "ical" (a fleet: "ical" when any boat's came from its feed)
    complete: bool = True
    notes: tuple[str, ...] = ()
    # Each boat's read, for a fleet (empty from a single calendar's reader). A boat not
    # read at all makes the snapshot incomplete for that boat only.
    boats: tuple[BoatRead, ...] = ()

    @property
    def unread(self) -> tuple[BoatRead, ...]:
        return tuple(b for b in self.boats if not b.read)


class Lookup(StrEnum):
    """What looking a record's calendar event up by its link found."""

    LIVE = "live"  # a live charter, outside what the window's listing held
    NOT_A_CHARTER = "not a charter"  # live, but all-day, a series or ambiguous: left alone
    CANCELLED = "cancelled"
    DELETED = "deleted"  # no such event, or no event carries the record's link
    UNKNOWN = "unknown"  # the look-up itself failed: nothing can be decided


@dataclass(frozen=True)
class EventLookup:
    """A record's calendar event, looked up because the listing of the window did not hold
    it: it may have moved out of the window (postponed), or be gone."""

    found: Lookup
    charter: Charter | None = None  # when LIVE
    detail: str = ""  # what was asked and what came back, for people


@dataclass(frozen=True, slots=True)
class Record:
    """A DynamoDB item, attribute values already plain Python (str, int, list)."""

    attributes: Mapping[str, Any]

    @property
    def event_id(self) -> str:
        return str(self.attributes["eventId"])

    def get(self, name: str, default: Any = None) -> Any:
        return self.attributes.get(name, default)


@dataclass(frozen=True)
class RecordSnapshot:
    records: tuple[Record, ...]
    complete: bool = True
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DeployedPage:
    key: str
    etag: str
    last_modified: datetime
    # MD5 (hex) of the object's bytes when known: the ETag when it is a plain
    # MD5, else the hash our upload stored in the object's metadata.
    content_md5: str | None


@dataclass(frozen=True)
class Invalidation:
    invalidation_id: str
    created: datetime
    paths: tuple[str, ...]
    caller_reference: str = ""

    def covers(self, path: str) -> bool:
        return any(
            path == p or (p.endswith("*") and path.startswith(p[:-1])) for p in self.paths
        )


@dataclass(frozen=True)
class PagesSnapshot:
    pages: Mapping[str, DeployedPage]
    complete: bool = True
    invalidations: tuple[Invalidation, ...] = ()
    invalidations_complete: bool = True
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Window:
    start: date  # first local date, inclusive
    end: date  # last local date, inclusive

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class FixAction:
    """One planned write. ``params`` is JSON-serialisable."""

    action: str  # create_record | update_record | put_page | invalidate
    target: str  # record eventId, S3 key or CloudFront path
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "target": self.target, **dict(self.params)}


@dataclass(frozen=True)
class Discrepancy:
    id: str
    kind: Kind
    event_id: str
    system: System
    field: str | None
    expected: Any
    actual: Any
    severity: Severity
    fix: tuple[FixAction, ...]
    summary: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": str(self.kind),
            "event_id": self.event_id,
            "system": str(self.system),
            "field": self.field,
            "expected": self.expected,
            "actual": self.actual,
            "severity": str(self.severity),
            "fix": [action.to_dict() for action in self.fix],
            "summary": self.summary,
        }


@dataclass(frozen=True, slots=True)
class DesiredCharter:
    """What the record and the page of one charter should be, per the calendar."""

    event_id: str
    charter: Charter
    record: Mapping[str, Any]  # every attribute this product owns
    page_key: str
    page_html: str  # the rendering where the deployed page differs; "" where it matches
    page_md5: str
    current_record: Record | None = None
    deployed_page: DeployedPage | None = None
    # False when the calendar itself must be fixed first: nothing is written then.
    fixable: bool = True
    # Why the page key (the record's) may not be written, when it may not: nothing is
    # uploaded or invalidated for this charter, by a fix or by a change.
    page_key_problem: str | None = None


@dataclass(frozen=True)
class Withheld:
    """Checks not made on one charter or record, so no fix planned for them, because
    what they depend on was not read (a source read only in part)."""

    event_id: str
    kinds: tuple[Kind, ...]  # the discrepancies that could not be looked for
    reason: str
    vessel: str | None = None  # the boat, when known

    def to_dict(self) -> dict[str, Any]:
        return {"event_id": self.event_id, "kinds": [str(k) for k in self.kinds],
                "reason": self.reason, "vessel": self.vessel}


@dataclass(frozen=True)
class ServedPage:
    """What fetching one charter's page as a guest does found (the served-page check)."""

    ok: bool | None  # None: the page could not be fetched, or was not checked
    detail: str


@dataclass(frozen=True)
class ReconcileResult:
    window: Window
    source: str
    complete: bool
    charters_checked: int
    discrepancies: tuple[Discrepancy, ...]
    desired: Mapping[str, DesiredCharter]  # by eventId
    notes: tuple[str, ...] = ()
    withheld: tuple[Withheld, ...] = ()
    # The served-page check's verdict per eventId, for the charters it looked at.
    served: Mapping[str, ServedPage] = field(default_factory=dict)
    # The boat of each charter and record, by eventId, where the calendar or the record
    # says (a fleet's, or one boat's).
    vessels: Mapping[str, str] = field(default_factory=dict)
    # More than one boat: people are shown which boat each charter is on.
    fleet: bool = False
    # The boats whose calendar could not be read (a fleet): nothing of theirs is known.
    unread_boats: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "window": {"from": self.window.start.isoformat(), "to": self.window.end.isoformat()},
            "complete": self.complete,
            "charters_checked": self.charters_checked,
            "notes": list(self.notes),
            "withheld": [{**w.to_dict(), "vessel": w.vessel or self.vessels.get(w.event_id)}
                         for w in self.withheld],
            "discrepancies": [{**d.to_dict(), "vessel": self.vessels.get(d.event_id)}
                              for d in self.discrepancies],
        }


def path_for_key(key: str) -> str:
    """The CDN path of a page's S3 key: the same path under the distribution."""
    return "/" + key.lstrip("/")
