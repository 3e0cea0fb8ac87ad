"""A local Google Calendar API v3 emulator, for the tests and the offline demo.

It speaks the subset the bot uses, with Google's own shapes, so that
google-api-python-client talks to it exactly as it talks to Google:

- ``POST /token``: OAuth refresh-token and service-account (JWT bearer) grants.
- ``/calendar/v3/calendars/{id}/events``: list (time window, free-text ``q``, ``singleEvents``
  expansion of RRULEs, ``showDeleted``, ``orderBy``, paging up to 2,500 a page,
  ``syncToken`` with 410 when stale, ``privateExtendedProperty``), get (of an
  event or of one occurrence of a series), insert, patch and update with
  ``If-Match`` etags (412 when stale), delete (kept as ``cancelled``).
- ``/calendar/ical/{id}/public/basic.ics``: the iCal feed of live events.
- Push: ``POST .../events/watch`` registers a ``web_hook`` channel (id, token,
  address; an expiry: the ``ttl`` asked for, at most ``channel_seconds``, as Google
  may grant less than asked), answered by a ``sync``
  notification; every change to the calendar then POSTs to the address with
  Google's headers (``X-Goog-Channel-ID``, ``-Token``, ``-Expiration``,
  ``X-Goog-Resource-State: exists``, ``X-Goog-Resource-ID``, ``-URI``,
  ``X-Goog-Message-Number``), until the channel expires or ``POST
  /calendar/v3/channels/stop`` stops it. Deliveries are made in order from one
  thread and logged in ``deliveries``.

Faults can be injected (revoked refresh tokens, expired access tokens, stale
sync tokens, an API that answers errors, and ``fail_next``: the next N requests
matching a pattern answered with a status or a dropped connection), pages can
be made short as Google's sometimes are (``page_limit``), and every request is
logged so that benchmarks can count them. Standard library only, on 127.0.0.1.
"""

from __future__ import annotations

import copy
import json
import queue
import re
import secrets
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from icalendar import Calendar, Event, vCalAddress

from bot.sandbox.loopback import LoopbackServer

MAX_PAGE = 2500
_EVENTS = re.compile(
    r"^/calendar/v3/calendars/(?P<cal>[^/]+)/events(?:/(?P<event>[^/]+(?:/move)?))?$")
_ICAL = re.compile(r"^/calendar/ical/(?P<cal>[^/]+)/public/basic\.ics$")
_ID_CHARS = "abcdefghijklmnopqrstuv0123456789"  # base32hex, as Google's event ids


class ApiError(Exception):
    def __init__(self, status: int, reason: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message
        self.headers = headers or {}


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _when(value: dict[str, Any], default_zone: str) -> datetime:
    """An event's start or end as an aware instant (all-day: local midnight)."""
    if "dateTime" in value:
        moment = datetime.fromisoformat(value["dateTime"].replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=ZoneInfo(value.get("timeZone") or default_zone))
        return moment
    day = date.fromisoformat(value["date"])
    return datetime.combine(day, time(0), ZoneInfo(value.get("timeZone") or default_zone))


def _merge(target: dict[str, Any], changes: dict[str, Any]) -> None:
    """Patch semantics: nested objects merged key by key, everything else replaced."""
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


@dataclass
class Fault:
    """The next ``remaining`` requests matching ``method`` and ``match`` fail."""

    remaining: int
    method: str
    match: str  # a substring of the request's path and query, unquoted
    status: int | None  # None: the connection is dropped without an answer
    reason: str = "backendError"
    retry_after: int | None = None

    def takes(self, method: str, target: str) -> bool:
        if self.remaining <= 0 or method != self.method or self.match not in target:
            return False
        self.remaining -= 1
        return True


class Hold:
    """One request kept waiting: ``arrived`` is set when it is, ``release()`` lets it on."""

    def __init__(self, method: str, match: str) -> None:
        self.method, self.match = method, match
        self.arrived = threading.Event()
        self._released = threading.Event()

    def release(self) -> None:
        self._released.set()

    def wait(self) -> None:
        self.arrived.set()
        self._released.wait(timeout=60)


class CalendarEmulator(LoopbackServer):
    def __init__(self, *, require_auth: bool = True, time_zone: str = "America/Los_Angeles"
                 ) -> None:
        super().__init__()
        self.require_auth = require_auth
        self.time_zone = time_zone
        self.requests: list[tuple[str, str]] = []
        self.bytes_sent = 0  # bytes of the answers to the Calendar API and the feed
        self._lock = threading.RLock()
        self._calendars: dict[str, dict[str, dict[str, Any]]] = {}
        self._changed_at: dict[tuple[str, str], int] = {}
        self._clock = 0  # bumped on every change; sync tokens point into it
        self._sync_generation = 0
        self._tokens: set[str] = set()
        self._refresh_revoked = False
        self._api_failure: int | None = None
        self._faults: list[Fault] = []
        self._holds: list[Hold] = []
        # Google may return fewer items than maxResults; this makes every page that short.
        self.page_limit: int = MAX_PAGE
        # Push channels by id, how long a new one lives, and what was delivered (state,
        # channel id, HTTP status or None when the address did not answer).
        self.channels: dict[str, dict[str, Any]] = {}
        self.channel_seconds = 7 * 24 * 3600
        self.deliveries: list[tuple[str, str, int | None]] = []
        self._outbox: queue.Queue[tuple[str, dict[str, str]] | None] | None = None

    @property
    def api_endpoint(self) -> str:
        return f"{self.url}/calendar/v3/"

    @property
    def token_uri(self) -> str:
        return f"{self.url}/token"

    def ical_url(self, calendar_id: str) -> str:
        return f"{self.url}/calendar/ical/{quote(calendar_id, safe='')}/public/basic.ics"

    # -- seeding and inspection ---------------------------------------------

    def add_calendar(self, calendar_id: str) -> None:
        """A calendar with no events yet: listed empty, as Google does, rather than 404."""
        with self._lock:
            self._calendars.setdefault(calendar_id, {})

    def add_event(self, calendar_id: str, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._insert(calendar_id, body))

    def patch_event(self, calendar_id: str, event_id: str, changes: dict[str, Any]
                    ) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._patch(calendar_id, event_id, changes, if_match=None))

    def move_event(self, calendar_id: str, event_id: str, destination: str
                   ) -> dict[str, Any]:
        """As ``events.move`` (a person moving the event to another boat's calendar in
        Google's page): the same id, now in ``destination``; cancelled where it was."""
        with self._lock:
            return copy.deepcopy(self._move(calendar_id, event_id, destination))

    def delete_event(self, calendar_id: str, event_id: str) -> None:
        with self._lock:
            self._delete(calendar_id, event_id, if_match=None)

    def get_event(self, calendar_id: str, event_id: str) -> dict[str, Any] | None:
        with self._lock:
            event = self._calendars.get(calendar_id, {}).get(event_id)
            return copy.deepcopy(event) if event else None

    def events(self, calendar_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [copy.deepcopy(e) for e in self._calendars.get(calendar_id, {}).values()]

    # -- faults --------------------------------------------------------------

    def revoke_refresh_tokens(self) -> None:
        self._refresh_revoked = True
        self._tokens.clear()

    def expire_access_tokens(self) -> None:
        self._tokens.clear()

    def invalidate_sync_tokens(self) -> None:
        self._sync_generation += 1

    def fail_api(self, status: int | None) -> None:
        self._api_failure = status

    def fail_next(self, count: int = 1, *, status: int | None = 500, method: str = "GET",
                  match: str = "/events", reason: str = "backendError",
                  retry_after: int | None = None) -> Fault:
        """Fail the next ``count`` API requests whose method is ``method`` and whose path
        and query (unquoted) contain ``match``: answered with ``status`` and Google's error
        body (``reason``, an optional ``Retry-After``), or, with ``status=None``, the
        connection dropped without an answer. ``match="pageToken="`` fails only the
        continuation pages of a listing."""
        fault = Fault(count, method, match, status, reason, retry_after)
        with self._lock:
            self._faults.append(fault)
        return fault

    def hold_next(self, *, method: str = "PATCH", match: str = "/events") -> Hold:
        """Keep the next matching API request waiting (up to a minute) until the test calls
        ``release()`` on the returned hold: a write in flight, for as long as needed."""
        hold = Hold(method, match)
        with self._lock:
            self._holds.append(hold)
        return hold

    def _hold_for(self, method: str, target: str) -> Hold | None:
        with self._lock:
            for hold in self._holds:
                if method == hold.method and hold.match in target:
                    self._holds.remove(hold)
                    return hold
        return None

    def _fault_for(self, method: str, target: str) -> Fault | None:
        with self._lock:
            return next((f for f in self._faults if f.takes(method, target)), None)

    def reset_requests(self) -> None:
        self.requests.clear()
        self.bytes_sent = 0

    # -- the store -------------------------------------------------------------

    def _touch(self, calendar_id: str, event: dict[str, Any]) -> None:
        self._clock += 1
        event["etag"] = f'"{3181161784712000 + self._clock}"'
        event["updated"] = _rfc3339(datetime.now(UTC))
        self._changed_at[(calendar_id, event["id"])] = self._clock
        self._notify(calendar_id)

    def _insert(self, calendar_id: str, body: dict[str, Any]) -> dict[str, Any]:
        events = self._calendars.setdefault(calendar_id, {})
        event_id = body.get("id") or "".join(secrets.choice(_ID_CHARS) for _ in range(26))
        if not re.fullmatch(r"[a-v0-9]{5,1024}", event_id):
            raise ApiError(400, "invalid", f"Invalid resource id value: {event_id}")
        if event_id in events:
            raise ApiError(409, "duplicate", "The requested identifier already exists.")
        if "start" not in body or "end" not in body:
            raise ApiError(400, "required", "Missing start or end time.")
        now = _rfc3339(datetime.now(UTC))
        event = {"kind": "calendar#event", "status": "confirmed", **copy.deepcopy(body),
                 "id": event_id, "iCalUID": f"{event_id}@google.com", "created": now,
                 "sequence": 0,
                 "htmlLink": f"https://www.google.com/calendar/event?eid={event_id}"}
        events[event_id] = event
        self._touch(calendar_id, event)
        return event

    def _find(self, calendar_id: str, event_id: str) -> dict[str, Any]:
        if calendar_id not in self._calendars:
            raise ApiError(404, "notFound", "Not Found")
        event = self._calendars[calendar_id].get(event_id)
        if event is None:
            raise ApiError(404, "notFound", "Not Found")
        return event

    def _find_instance(self, calendar_id: str, event_id: str) -> dict[str, Any]:
        """An event, or one occurrence of a series by its instance id ``{id}_{UTC start}``."""
        series_id, _, stamp = event_id.rpartition("_")
        series = self._calendars.get(calendar_id, {}).get(series_id) if series_id else None
        if series is None or not series.get("recurrence") or event_id in self._calendars.get(
                calendar_id, {}):
            return self._find(calendar_id, event_id)
        try:
            begins = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            raise ApiError(404, "notFound", "Not Found") from None
        if series.get("status") == "cancelled":
            return {"kind": "calendar#event", "id": event_id, "status": "cancelled",
                    "recurringEventId": series_id}
        for instance in self._instances(series, begins, begins + timedelta(seconds=1)):
            if instance["id"] == event_id:
                return instance
        raise ApiError(404, "notFound", "Not Found")

    def _check_etag(self, event: dict[str, Any], if_match: str | None) -> None:
        if if_match is not None and if_match != "*" and if_match != event["etag"]:
            raise ApiError(412, "conditionNotMet", "Precondition Failed")

    def _patch(self, calendar_id: str, event_id: str, changes: dict[str, Any], *,
               if_match: str | None, replace: bool = False) -> dict[str, Any]:
        event = self._find(calendar_id, event_id)
        self._check_etag(event, if_match)
        if replace:
            kept: dict[str, Any] = {k: event[k] for k in (
                "kind", "id", "iCalUID", "created", "htmlLink", "sequence", "etag", "status")
                if k in event}
            event.clear()
            event.update(kept)
            event.update(copy.deepcopy(changes))
        else:
            _merge(event, {k: v for k, v in changes.items() if k not in ("id", "etag")})
        event["sequence"] = int(event.get("sequence", 0)) + 1
        self._touch(calendar_id, event)
        return event

    def _move(self, calendar_id: str, event_id: str, destination: str) -> dict[str, Any]:
        event = self._find(calendar_id, event_id)
        if destination not in self._calendars:
            raise ApiError(404, "notFound", "Not Found")
        if event.get("status") == "cancelled":
            raise ApiError(410, "deleted", "Resource has been deleted")
        moved = copy.deepcopy(event)
        event["status"] = "cancelled"
        self._touch(calendar_id, event)
        self._calendars[destination][event_id] = moved
        moved["sequence"] = int(moved.get("sequence", 0)) + 1
        self._touch(destination, moved)
        return moved

    def _delete(self, calendar_id: str, event_id: str, *, if_match: str | None) -> None:
        event = self._find(calendar_id, event_id)
        if event.get("status") == "cancelled":
            raise ApiError(410, "deleted", "Resource has been deleted")
        self._check_etag(event, if_match)
        event["status"] = "cancelled"
        self._touch(calendar_id, event)

    def _instances(self, event: dict[str, Any], lo: datetime, hi: datetime
                   ) -> Iterator[dict[str, Any]]:
        """The occurrences of a recurring event in [lo, hi), as singleEvents shows them."""
        start = _when(event["start"], self.time_zone)
        length = _when(event["end"], self.time_zone) - start
        zone = ZoneInfo(event["start"].get("timeZone") or self.time_zone)
        local_start = start.astimezone(zone).replace(tzinfo=None)
        rule = rrulestr("\n".join(event["recurrence"]), dtstart=local_start, forceset=True)
        lo_local = (lo - length).astimezone(zone).replace(tzinfo=None)
        hi_local = hi.astimezone(zone).replace(tzinfo=None)
        for occurrence in rule.between(lo_local, hi_local, inc=True):
            begins = occurrence.replace(tzinfo=zone)
            stamp = begins.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
            instance = copy.deepcopy(event)
            instance.pop("recurrence", None)
            instance.update({
                "id": f"{event['id']}_{stamp}", "recurringEventId": event["id"],
                "originalStartTime": copy.deepcopy(event["start"]),
                "start": {"dateTime": begins.isoformat(), "timeZone": str(zone)},
                "end": {"dateTime": (begins + length).isoformat(), "timeZone": str(zone)},
            })
            yield instance

    def _list(self, calendar_id: str, query: dict[str, str]) -> dict[str, Any]:
        if calendar_id not in self._calendars:
            raise ApiError(404, "notFound", "Not Found")
        single = query.get("singleEvents", "false") == "true"
        if query.get("orderBy") == "startTime" and not single:
            raise ApiError(400, "invalid", "The requested ordering is not available for the "
                                           "particular query.")
        try:
            size = min(int(query.get("maxResults", "250")), self.page_limit)
        except ValueError:
            raise ApiError(400, "invalid", "Invalid maxResults") from None
        sync_token = query.get("syncToken")
        since = None
        if sync_token:
            if any(k in query for k in ("timeMin", "timeMax", "orderBy", "updatedMin")):
                raise ApiError(400, "invalid", "Sync token cannot be combined with these "
                                               "parameters")
            since = self._read_sync_token(sync_token)
        show_deleted = sync_token is not None or query.get("showDeleted", "false") == "true"
        lo = _parse_time(query["timeMin"]) if "timeMin" in query else datetime(1970, 1, 1,
                                                                               tzinfo=UTC)
        hi = _parse_time(query["timeMax"]) if "timeMax" in query else datetime.now(UTC) + \
            timedelta(days=730)
        updated_min = _parse_time(query["updatedMin"]) if "updatedMin" in query else None
        linked = query.get("privateExtendedProperty", "").partition("=")
        terms = query.get("q", "").lower().split()
        items: list[dict[str, Any]] = []
        for event in self._calendars[calendar_id].values():
            if terms and not all(t in _searchable(event) for t in terms):
                continue
            if since is not None and self._changed_at[(calendar_id, event["id"])] <= since:
                continue
            if linked[0] and ((event.get("extendedProperties") or {}).get("private") or {}
                              ).get(linked[0]) != linked[2]:
                continue
            if event.get("status") == "cancelled" and not show_deleted:
                continue
            if updated_min and _parse_time(event["updated"]) < updated_min:
                continue
            if single and event.get("recurrence") and event.get("status") != "cancelled":
                items.extend(self._instances(event, lo, hi))
                continue
            if since is None and not self._overlaps(event, lo, hi):
                continue
            items.append(event)
        items.sort(key=lambda e: (_when(e["start"], self.time_zone), e["id"]))
        offset = int(query.get("pageToken", "p0")[1:] or 0) if query.get("pageToken") else 0
        page = items[offset:offset + size]
        answer: dict[str, Any] = {
            "kind": "calendar#events", "etag": f'"p{self._clock}"', "summary": calendar_id,
            "timeZone": self.time_zone, "updated": _rfc3339(datetime.now(UTC)),
            "items": copy.deepcopy(page),
        }
        if offset + size < len(items):
            answer["nextPageToken"] = f"p{offset + size}"
        else:
            answer["nextSyncToken"] = f"s{self._sync_generation}-{self._clock}"
        return answer

    def _overlaps(self, event: dict[str, Any], lo: datetime, hi: datetime) -> bool:
        if "start" not in event:
            return True  # a bare cancelled instance
        return _when(event["end"], self.time_zone) > lo and _when(event["start"],
                                                                   self.time_zone) < hi

    # -- push channels ---------------------------------------------------------

    def _watch(self, calendar_id: str, body: dict[str, Any]) -> dict[str, Any]:
        if calendar_id not in self._calendars:
            raise ApiError(404, "notFound", "Not Found")
        address = str(body.get("address") or "")
        if body.get("type") not in ("web_hook", "webhook") or not body.get("id"):
            raise ApiError(400, "required", "A channel needs an id and type web_hook.")
        host = urlsplit(address).hostname or ""
        if not (address.startswith("https://") or host in ("127.0.0.1", "localhost", "::1")):
            raise ApiError(400, "push.webhookUrlNotHttps", "WebHook callback must be HTTPS: "
                                                           + address)
        if body["id"] in self.channels:
            raise ApiError(400, "channelIdNotUnique", "Channel id not unique")
        # Google grants at most its own limit, whatever ttl was asked for.
        asked = int((body.get("params") or {}).get("ttl") or self.channel_seconds)
        ttl = min(asked, self.channel_seconds)
        expires = int((datetime.now(UTC) + timedelta(seconds=ttl)).timestamp() * 1000)
        if body.get("expiration"):
            expires = min(expires, int(body["expiration"]))
        channel = {"kind": "api#channel", "id": body["id"], "resourceId":
                   secrets.token_urlsafe(12), "resourceUri":
                   f"{self.api_endpoint}calendars/{quote(calendar_id, safe='')}/events",
                   "token": body.get("token"), "expiration": str(expires),
                   "address": address, "calendar": calendar_id, "messages": 0}
        self.channels[channel["id"]] = channel
        self._deliver(channel, "sync")
        return {k: v for k, v in channel.items()
                if k not in ("address", "calendar", "messages") and v is not None}

    def _stop(self, body: dict[str, Any]) -> None:
        channel = self.channels.get(str(body.get("id")))
        if channel is None or channel["resourceId"] != body.get("resourceId"):
            raise ApiError(404, "notFound", "Channel not found")
        del self.channels[channel["id"]]

    def stop(self) -> None:
        if self._outbox is not None:
            self._outbox.put(None)  # the delivery thread ends after what is queued
        super().stop()

    def expire_channels(self) -> None:
        """Every channel past its expiry now, as Google's channels end."""
        with self._lock:
            for channel in self.channels.values():
                channel["expiration"] = "0"

    def _notify(self, calendar_id: str) -> None:
        for channel in list(self.channels.values()):
            if channel["calendar"] == calendar_id:
                self._deliver(channel, "exists")

    def _deliver(self, channel: dict[str, Any], state: str) -> None:
        if int(channel["expiration"]) <= datetime.now(UTC).timestamp() * 1000:
            self.channels.pop(channel["id"], None)  # expired: Google stops sending
            return
        channel["messages"] += 1
        headers = {"X-Goog-Channel-ID": channel["id"], "X-Goog-Resource-State": state,
                   "X-Goog-Resource-ID": channel["resourceId"],
                   "X-Goog-Resource-URI": channel["resourceUri"],
                   "X-Goog-Message-Number": str(channel["messages"]),
                   "X-Goog-Channel-Expiration": datetime.fromtimestamp(
                       int(channel["expiration"]) / 1000, UTC).strftime(
                       "%a, %d %b %Y %H:%M:%S GMT")}
        if channel.get("token"):
            headers["X-Goog-Channel-Token"] = channel["token"]
        if self._outbox is None:
            self._outbox = queue.Queue()
            threading.Thread(target=self._post_all, args=(self._outbox,), daemon=True,
                             name="calendar-push").start()
        self._outbox.put((channel["address"], headers))

    def _post_all(self, outbox: queue.Queue[tuple[str, dict[str, str]] | None]) -> None:
        # One thread, in order, as Google numbers its messages; never under the lock.
        while (item := outbox.get()) is not None:
            address, headers = item
            request = urllib.request.Request(address, data=b"", headers=headers,
                                             method="POST")
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    status: int | None = answer.status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError:
                status = None
            self.deliveries.append((headers["X-Goog-Resource-State"],
                                    headers["X-Goog-Channel-ID"], status))

    def _read_sync_token(self, token: str) -> int:
        match = re.fullmatch(r"s(\d+)-(\d+)", token)
        if not match or int(match[1]) != self._sync_generation:
            raise ApiError(410, "fullSyncRequired", "Sync token is no longer valid, a full "
                                                    "sync is required.")
        return int(match[2])

    def ical_feed(self, calendar_id: str) -> bytes:
        calendar = Calendar()
        calendar.add("prodid", "-//Google Inc//Google Calendar 70.9054//EN")
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", calendar_id)
        calendar.add("x-wr-timezone", self.time_zone)
        for event in self._calendars.get(calendar_id, {}).values():
            if event.get("status") == "cancelled":
                continue
            calendar.add_component(self._vevent(event))
        calendar.add_missing_timezones()
        return bytes(calendar.to_ical())

    def _vevent(self, event: dict[str, Any]) -> Event:
        vevent = Event()
        for name, key in (("dtstart", "start"), ("dtend", "end")):
            value = event[key]
            if "date" in value:
                vevent.add(name, date.fromisoformat(value["date"]))
            elif value.get("timeZone"):
                vevent.add(name, _when(value, self.time_zone).astimezone(
                    ZoneInfo(value["timeZone"])))
            else:
                vevent.add(name, _when(value, self.time_zone).astimezone(UTC))
        vevent.add("dtstamp", datetime.now(UTC))
        vevent.add("uid", event["iCalUID"])
        vevent.add("created", _parse_time(event["created"]))
        vevent.add("last-modified", _parse_time(event["updated"]))
        vevent.add("sequence", event.get("sequence", 0))
        vevent.add("status", event.get("status", "confirmed").upper())
        vevent.add("summary", event.get("summary", ""))
        if event.get("description"):
            vevent.add("description", event["description"])
        if event.get("location"):
            vevent.add("location", event["location"])
        for attendee in event.get("attendees", []):
            address = vCalAddress(f"mailto:{attendee['email']}")
            address.params["ROLE"] = "REQ-PARTICIPANT"
            vevent.add("attendee", address, encode=False)
        for rule in event.get("recurrence", []):
            if rule.startswith("RRULE:"):
                vevent.add("rrule", _rrule_dict(rule[6:]))
        return vevent


def _searchable(event: dict[str, Any]) -> str:
    """The text Google's free-text search ``q`` looks in."""
    people = [f"{a.get('email', '')} {a.get('displayName', '')}"
              for a in event.get("attendees", [])]
    return " ".join([event.get("summary", ""), event.get("description", ""),
                     event.get("location", ""), *people]).lower()


def _rrule_dict(text: str) -> dict[str, Any]:
    parts: dict[str, Any] = {}
    for piece in text.split(";"):
        key, _, value = piece.partition("=")
        parts[key.lower()] = value.split(",")
    return parts


class _Handler(BaseHTTPRequestHandler):
    owner: CalendarEmulator

    @property
    def emulator(self) -> CalendarEmulator:
        return self.owner
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read the log list
        return

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        emulator = self.emulator
        parts = urlsplit(self.path)
        emulator.requests.append((method, parts.path))
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            if parts.path == "/token" and method == "POST":
                return self._token(body)
            if (match := _ICAL.match(parts.path)) and method == "GET":
                with emulator._lock:
                    feed = emulator.ical_feed(unquote(match["cal"]))
                return self._send(200, feed, "text/calendar; charset=UTF-8")
            match = _EVENTS.match(parts.path)
            if parts.path == "/calendar/v3/channels/stop" and method == "POST":
                self._authorize()
                with emulator._lock:
                    emulator._stop(json.loads(body or b"{}"))
                return self._send(204, b"", None)
            if not match:
                raise ApiError(404, "notFound", "Not Found")
            self._authorize()
            hold = emulator._hold_for(method, unquote(self.path))
            if hold is not None:
                hold.wait()  # outside the lock: the emulator goes on answering others
            fault = emulator._fault_for(method, unquote(self.path))
            if fault is not None and fault.status is None:
                self.close_connection = True  # a reset, as a proxy or a load balancer does
                return None
            if fault is not None and fault.status is not None:
                headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
                raise ApiError(fault.status, fault.reason, "Injected fault", headers)
            if emulator._api_failure:
                raise ApiError(emulator._api_failure, "backendError", "Backend Error")
            with emulator._lock:
                self._events(method, unquote(match["cal"]),
                             unquote(match["event"]) if match["event"] else None, query, body)
        except ApiError as error:
            payload = {"error": {"code": error.status, "message": error.message, "errors": [
                {"domain": "global", "reason": error.reason, "message": error.message}]}}
            self._json(error.status, payload, headers=error.headers)

    def _authorize(self) -> None:
        if not self.emulator.require_auth:
            return
        header = self.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ").strip()
        if not header.startswith("Bearer ") or token not in self.emulator._tokens:
            raise ApiError(401, "authError", "Invalid Credentials")

    def _token(self, body: bytes) -> None:
        form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
        grant = form.get("grant_type")
        if grant == "refresh_token":
            if self.emulator._refresh_revoked or not form.get("refresh_token"):
                return self._json(400, {"error": "invalid_grant",
                                        "error_description": "Token has been expired or "
                                                             "revoked."})
        elif grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            if form.get("assertion", "").count(".") != 2:
                return self._json(400, {"error": "invalid_grant",
                                        "error_description": "Invalid JWT."})
        else:
            return self._json(400, {"error": "unsupported_grant_type"})
        token = "ya29.emulator-" + secrets.token_urlsafe(16)
        self.emulator._tokens.add(token)
        self._json(200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"})

    def _events(self, method: str, calendar_id: str, event_id: str | None,
                query: dict[str, str], body: bytes) -> None:
        emulator = self.emulator
        if_match = self.headers.get("If-Match")
        data = json.loads(body) if body else {}
        if event_id is None and method == "GET":
            return self._json(200, emulator._list(calendar_id, query))
        if event_id is None and method == "POST":
            return self._json(200, emulator._insert(calendar_id, data))
        if event_id == "watch" and method == "POST":
            return self._json(200, emulator._watch(calendar_id, data))
        if event_id is None:
            raise ApiError(405, "methodNotAllowed", "Method Not Allowed")
        if method == "GET":
            return self._json(200, emulator._find_instance(calendar_id, event_id))
        if method in ("PATCH", "PUT"):
            return self._json(200, emulator._patch(calendar_id, event_id, data,
                                                   if_match=if_match, replace=method == "PUT"))
        if method == "DELETE":
            emulator._delete(calendar_id, event_id, if_match=if_match)
            return self._send(204, b"", None)
        if method == "POST" and event_id.endswith("/move") and query.get("destination"):
            return self._json(200, emulator._move(calendar_id, event_id.removesuffix("/move"),
                                                  query["destination"]))
        raise ApiError(405, "methodNotAllowed", "Method Not Allowed")

    def _json(self, status: int, payload: Any, *, headers: dict[str, str] | None = None
              ) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json; charset=UTF-8",
                   headers=headers)

    def _send(self, status: int, body: bytes, content_type: str | None, *,
              headers: dict[str, str] | None = None) -> None:
        if self.path.startswith("/calendar/"):
            self.emulator.bytes_sent += len(body)
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)


CalendarEmulator.handler = _Handler
