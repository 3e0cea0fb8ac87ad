"""Calendar adapter: the Google Calendar API, with the iCal feed as a read-only fallback.

The API is the preferred source (it carries etags and the private ``eventId``
link). When it cannot authorize (expired or revoked refresh token, 401/403) or
cannot be reached, the iCal feed is read instead and the snapshot says so. A
transient error on a read (a 5xx, a 429, a dropped connection) is first tried
again, briefly (services/adapters/calendar_retry.py): one bad page is not an outage.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import httplib2
from google.auth.exceptions import GoogleAuthError
from googleapiclient.errors import HttpError

from common.concurrently import Readers
from common.errors import (
    CalendarAuthError,
    ConflictError,
    SourceUnavailableError,
    SyncTokenExpiredError,
)
from services.adapters import calendar_retry
from services.adapters.calendar_lookup import look_up_by_api, look_up_in_feed
from services.adapters.calendar_retry import Backoff
from services.domain.calendar.events import charter_from_api_event, charters_from_ical
from services.domain.models import CalendarSnapshot, CancelledEvent, Charter, EventLookup, Lookup

# Google's largest page: the fewest requests for a window.
PAGE_SIZE = 2500


class CalendarApi(Protocol):
    def list_events(self, *, time_min: datetime, time_max: datetime) -> Iterator[dict[str, Any]]:
        ...

    def get_event(self, event_id: str) -> dict[str, Any]:
        ...

    def find_event(self, event_id: str) -> dict[str, Any] | None:
        ...

    def find_linked(self, record_event_id: str) -> list[dict[str, Any]]:
        ...

    def patch_event(self, event_id: str, body: dict[str, Any], *, etag: str) -> dict[str, Any]:
        ...


class GoogleCalendarApi:
    """The events of one calendar through google-api-python-client."""

    def __init__(self, *, service_factory: Callable[[], Any], calendar_id: str,
                 backoff: Backoff | None = None) -> None:
        # httplib2, under google-api-python-client, is not thread-safe, and Slack's lazy
        # listeners run concurrently: each thread builds and keeps its own client.
        self._factory = service_factory
        self._local = threading.local()
        self._calendar_id = calendar_id
        self._backoff = backoff or calendar_retry.DEFAULT_BACKOFF

    @property
    def _events(self) -> Any:
        events = getattr(self._local, "events", None)
        if events is None:
            events = self._local.events = self._factory().events()
        return events

    def get_event(self, event_id: str) -> dict[str, Any]:
        return _read(self._events.get(calendarId=self._calendar_id, eventId=event_id),
                     backoff=self._backoff)

    def find_event(self, event_id: str) -> dict[str, Any] | None:
        """The event, cancelled ones included; None when the calendar has no such event."""
        try:
            return self.get_event(event_id)
        except SourceUnavailableError as error:
            cause = error.__cause__
            if isinstance(cause, HttpError) and cause.resp.status in (404, 410):
                return None
            raise

    def find_linked(self, record_event_id: str) -> list[dict[str, Any]]:
        """Every event, anywhere in the calendar, whose private ``eventId`` is this record's."""
        request = self._events.list(
            calendarId=self._calendar_id,
            privateExtendedProperty=f"eventId={record_event_id}",
            showDeleted=True,
            maxResults=PAGE_SIZE,
        )
        return list(_read(request, backoff=self._backoff).get("items", []))

    def patch_event(self, event_id: str, body: dict[str, Any], *, etag: str) -> dict[str, Any]:
        """Patch only if the event still has ``etag``; ConflictError otherwise."""
        request = self._events.patch(calendarId=self._calendar_id, eventId=event_id, body=body)
        request.headers["If-Match"] = etag
        return _call(request, conflict_on_412=True)

    def list_events(self, *, time_min: datetime, time_max: datetime) -> Iterator[dict[str, Any]]:
        request = self._events.list(
            calendarId=self._calendar_id,
            timeMin=time_min.isoformat(),
            timeMax=time_max.isoformat(),
            singleEvents=True,
            showDeleted=True,
            maxResults=PAGE_SIZE,
        )
        while request is not None:
            page = _read(request, backoff=self._backoff)
            yield from page.get("items", [])
            request = self._events.list_next(request, page)

    def list_changes(self, *, sync_token: str | None, time_min: datetime,
                     time_max: datetime) -> tuple[list[dict[str, Any]], str]:
        """The events changed since ``sync_token`` (cancelled ones included) and the next
        token; without a token, every event of [time_min, time_max) and a first token.
        SyncTokenExpiredError when Google answers 410: the caller reads in full again."""
        if sync_token:
            params: dict[str, Any] = {"syncToken": sync_token}
        else:
            params = {"timeMin": time_min.isoformat(), "timeMax": time_max.isoformat()}
        request = self._events.list(calendarId=self._calendar_id, singleEvents=True,
                                    showDeleted=True, maxResults=PAGE_SIZE, **params)
        items: list[dict[str, Any]] = []
        while True:
            try:
                page = _read(request, backoff=self._backoff)
            except SourceUnavailableError as error:
                cause = error.__cause__
                if isinstance(cause, HttpError) and cause.resp.status == 410:
                    raise SyncTokenExpiredError(
                        "the calendar no longer accepts the stored sync token (HTTP 410)"
                    ) from error
                raise
            items += page.get("items", [])
            following = self._events.list_next(request, page)
            if following is None:
                token = page.get("nextSyncToken")
                if not token:
                    raise SourceUnavailableError("the Calendar API gave no nextSyncToken")
                return items, str(token)
            request = following

    def watch(self, *, channel_id: str, token: str, address: str,
              ttl_seconds: int) -> dict[str, Any]:
        """Register a push channel (events.watch): Google POSTs to ``address`` on every
        change, with ``token``, until the channel expires (its ``expiration``, ms)."""
        body = {"id": channel_id, "type": "web_hook", "address": address, "token": token,
                "params": {"ttl": str(ttl_seconds)}}
        return _call(self._events.watch(calendarId=self._calendar_id, body=body))

    def stop_channel(self, *, channel_id: str, resource_id: str) -> None:
        """channels.stop: Google posts no more to that channel. Gone already is done."""
        try:
            _call(self._factory().channels().stop(body={"id": channel_id,
                                                        "resourceId": resource_id}))
        except SourceUnavailableError as error:
            cause = error.__cause__
            if not (isinstance(cause, HttpError) and cause.resp.status == 404):
                raise

    def search_events(self, *, time_min: datetime, time_max: datetime,
                      text: str) -> Iterator[dict[str, Any]]:
        """Events matching Google's free-text search (summary, description, location,
        attendees): the few charters a guest's name can mean, without the whole window."""
        request = self._events.list(
            calendarId=self._calendar_id, timeMin=time_min.isoformat(),
            timeMax=time_max.isoformat(), singleEvents=True, showDeleted=False,
            maxResults=PAGE_SIZE, q=text)
        while request is not None:
            page = _read(request, backoff=self._backoff)
            yield from page.get("items", [])
            request = self._events.list_next(request, page)


def _read(request: Any, *, backoff: Backoff) -> dict[str, Any]:
    """A read, tried again through transient errors (see services/adapters/calendar_retry.py)."""
    waited, attempt = 0.0, 1
    while True:
        try:
            return _call(request, num_retries=0)  # the waits are ours, short and bounded
        except SourceUnavailableError as error:
            wait = backoff.wait_before(attempt, error.__cause__, waited=waited)
            if wait is None:
                if attempt == 1:
                    raise
                # The same type (a rate-limited 403 stays a CalendarAuthError), with the tries.
                raise type(error)(
                    f"{error} ({attempt} tries in {waited:.1f} s)") from error.__cause__
        backoff.sleep(wait)
        waited, attempt = waited + wait, attempt + 1


def _call(request: Any, *, conflict_on_412: bool = False, num_retries: int = 1
          ) -> dict[str, Any]:
    try:
        return dict(request.execute(num_retries=num_retries))
    except GoogleAuthError as error:
        raise CalendarAuthError(f"the Calendar API refused our credentials ({error})") from error
    except HttpError as error:
        status = error.resp.status
        if status == 412 and conflict_on_412:
            raise ConflictError("the calendar event was edited meanwhile; nothing was "
                                "overwritten") from error
        if status in (401, 403):
            raise CalendarAuthError(
                f"the Calendar API refused our credentials (HTTP {status})"
            ) from error
        raise SourceUnavailableError(f"the Calendar API answered HTTP {status}") from error
    except (TimeoutError, httplib2.HttpLib2Error, OSError) as error:
        raise SourceUnavailableError(f"the Calendar API could not be reached ({error})") from error


def fetch_url(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return bytes(response.read())
    except (urllib.error.URLError, OSError) as error:
        raise SourceUnavailableError(f"the iCal feed could not be read ({error})") from error


class CalendarReader:
    def __init__(
        self,
        *,
        api: CalendarApi | None,
        ical_url: str | None,
        tz: ZoneInfo,
        fetch: Callable[[str], bytes] = fetch_url,
    ) -> None:
        self._api = api
        self._ical_url = ical_url
        self._tz = tz
        self._fetch = fetch

    @property
    def api(self) -> CalendarApi:
        """The writable API; the iCal feed is read-only, so changes need the API."""
        if self._api is None:
            raise SourceUnavailableError("the calendar can only be changed through the Calendar "
                                         "API, and no Google credentials are configured")
        return self._api

    def snapshot(self, *, start: datetime, end: datetime) -> CalendarSnapshot:
        """Charters and cancellations overlapping [start, end)."""
        reason = "no Google credentials are configured"
        if self._api is not None:
            try:
                return self._from_api(start, end)
            except SourceUnavailableError as error:
                reason = str(error)
        if not self._ical_url:
            raise SourceUnavailableError(
                f"The calendar could not be read: {reason}, and no calendar.ical_url is set."
            )
        try:
            data = self._fetch(self._ical_url)
        except SourceUnavailableError as error:
            raise SourceUnavailableError(
                f"The calendar could not be read: {reason}; {error}."
            ) from error
        charters, cancelled = charters_from_ical(data, tz=self._tz, start=start, end=end)
        return CalendarSnapshot(
            charters=tuple(charters),
            cancelled=tuple(cancelled),
            source="ical",
            notes=(f"Read the iCal feed because {reason}.",),
        )

    def look_up(self, links: Mapping[str, str | None], *, source: str, start: datetime,
                end: datetime, readers: Readers | None = None) -> dict[str, EventLookup]:
        """What the calendar holds, anywhere, for each record's link (record eventId ->
        calendarEventId or None), from the source the snapshot came from; through the
        API, a few at a time through ``readers`` where it is given."""
        if not links:
            return {}
        if source == "api" and self._api is not None:
            return look_up_by_api(self._api, links, tz=self._tz, readers=readers)
        url = self._ical_url
        if not url:
            return {r: EventLookup(Lookup.UNKNOWN, detail="the calendar has no source to look "
                                                          "it up in") for r in links}
        return look_up_in_feed(lambda: self._fetch(url), links, tz=self._tz, start=start,
                               end=end)

    def _from_api(self, start: datetime, end: datetime) -> CalendarSnapshot:
        assert self._api is not None
        charters: list[Charter] = []
        cancelled: list[CancelledEvent] = []
        for event in self._api.list_events(time_min=start, time_max=end):
            item = charter_from_api_event(event, self._tz)
            if isinstance(item, Charter):
                charters.append(item)
            elif isinstance(item, CancelledEvent):
                cancelled.append(item)
        return CalendarSnapshot(charters=tuple(charters), cancelled=tuple(cancelled), source="api")

    def search(self, *, start: datetime, end: datetime, text: str) -> CalendarSnapshot:
        """The charters in [start, end) that a free-text search for ``text`` finds.

        Through the API's ``q`` when it answers; otherwise the feed (one read, whatever
        the window), narrowed here to the events that mention ``text``.
        """
        search = getattr(self._api, "search_events", None)
        if search is not None:
            try:
                found = [charter_from_api_event(e, self._tz)
                         for e in search(time_min=start, time_max=end, text=text)]
                return CalendarSnapshot(
                    charters=tuple(c for c in found if isinstance(c, Charter)))
            except SourceUnavailableError:
                pass  # the feed below, as snapshot() would
        whole = self.snapshot(start=start, end=end)
        word = text.lower()
        return CalendarSnapshot(
            charters=tuple(c for c in whole.charters
                           if word in f"{c.title} {c.description} {c.location}".lower()),
            source=whole.source, notes=whole.notes)
