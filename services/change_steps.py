"""The four writes of a change, each exactly once whatever the wire does.

A write whose answer is lost (a reset, a timeout, a 5xx after the write landed,
a client library that retried and got 412 or a failed condition for its own
write) is not a conflict: after any failure the step reads the target and asks
whether it already holds the step's intended after-state, and if so the step is
done. Only a target that holds neither the planned before-state nor the
after-state is a conflict. A write that did not land on an untouched target is
tried again, a bounded number of times, then left ``failed`` for a retry later.

On a change's first run the steps trust the state it was planned from and write
at once (every write is conditional or idempotent); a resumed change first
looks at each target, since anything may have happened meanwhile.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from common.changes import ChangeEntry, StepEntry
from common.errors import ConflictError, SourceUnavailableError
from services.domain.calendar.events import charter_from_api_event
from services.domain.config import Config
from services.domain.fleet import aboard
from services.domain.models import Charter, Record
from services.domain.pages.rendering import PageRenderer, content_md5
from services.domain.reconcile.desired import desired_page
from services.domain.roster import Roster
from services.reconciling import Systems

ATTEMPTS = 3
BACKOFF_SECONDS = (0.2, 1.0)  # between attempts of a write that did not land


@dataclass
class RunMemo:
    """What one run of a change learned on the way, to spare reads later in that run."""

    event: dict[str, Any] | None = None  # the calendar event as the patch left it
    notes: list[str] = field(default_factory=list)
    # A fix's writes that could not be made, (status, what and why), and the paths of its
    # pages not uploaded: the invalidation is sent for the others only.
    stopped: list[tuple[str, str]] = field(default_factory=list)
    unwritten: set[str] = field(default_factory=set)


class StepWriter:
    def __init__(self, *, systems: Systems, config: Config, renderer: PageRenderer,
                 clock: Callable[[], datetime],
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._systems = systems
        self._config = config
        self._renderer = renderer
        self._clock = clock
        self._sleep = sleep

    def write(self, change: ChangeEntry, step: StepEntry, *, fresh: bool,
              memo: RunMemo) -> Any:
        """Carry out one step; its result for the audit. Raises ConflictError (someone
        else's data is there) or SourceUnavailableError (could not be done now)."""
        if step.system == "calendar":
            return self._calendar(step, memo)
        if step.system == "dynamodb":
            return self._record(step, fresh=fresh)
        if step.system == "page":
            return self._page(change, step, fresh=fresh, memo=memo)
        if step.system == "cdn":
            return self._invalidate(change, step, fresh=fresh, memo=memo)
        raise ValueError(f"unknown step system {step.system!r}")

    def _pause(self, attempt: int) -> None:
        self._sleep(BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS) - 1)])

    # -- 1. the calendar -----------------------------------------------------------

    def _calendar(self, step: StepEntry, memo: RunMemo) -> Any:
        api = self._systems.calendar.api
        planned = step.before.get("etag")
        # One read, always: the patch body keeps the attendees' own entries (RSVPs).
        event = api.get_event(step.target)
        for attempt in range(ATTEMPTS):
            if calendar_has(event, step.after):
                memo.event = event
                return {"etag": event.get("etag"), "already": True}
            if event.get("etag") != planned:
                raise ConflictError(
                    f"the calendar event {step.target} was edited after this change was "
                    f"planned (planned against {planned}, now {event.get('etag')}); "
                    "nothing was overwritten")
            try:
                patched = api.patch_event(step.target, patch_body(event, step.after),
                                          etag=planned)
            except (ConflictError, SourceUnavailableError) as error:
                # Did our own write land, its answer lost? Read and see.
                event = api.get_event(step.target)
                if calendar_has(event, step.after):
                    memo.event = event
                    return {"etag": event.get("etag"), "recovered": _brief(error)}
                if isinstance(error, SourceUnavailableError) and attempt == ATTEMPTS - 1:
                    raise
                if isinstance(error, SourceUnavailableError):
                    self._pause(attempt)
                continue
            memo.event = patched
            return {"etag": patched.get("etag")}
        raise SourceUnavailableError(f"the calendar event {step.target} could not be patched")

    # -- 2. the DynamoDB record ----------------------------------------------------

    def _record(self, step: StepEntry, *, fresh: bool) -> Any:
        records = self._systems.records
        creating = step.action == "create_record"
        if not fresh:
            current = records.get(step.target)
            if _record_holds(current, step.after):
                return {"already": True}
        now = self._clock().astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        for attempt in range(ATTEMPTS):
            try:
                if creating:
                    records.create({**step.after, "updatedAt": now})
                else:
                    records.update(step.target, changes={**step.after, "updatedAt": now},
                                   expected=dict(step.before))
                return None
            except (ConflictError, SourceUnavailableError) as error:
                current = records.get(step.target)
                if _record_holds(current, step.after):
                    return {"recovered": _brief(error)}
                untouched = current is None if creating else (
                    current is not None and _record_holds(current, step.before))
                if not untouched:
                    if creating:
                        raise ConflictError(f"record {step.target} was created by someone "
                                            "else meanwhile; nothing was overwritten") from error
                    holds = {k: current.get(k) for k in step.after} if current else None
                    raise ConflictError(
                        f"record {step.target} changed since the plan (now {holds}, planned "
                        f"from {step.before}); nothing was overwritten") from error
                if attempt == ATTEMPTS - 1:
                    raise
                self._pause(attempt)
        raise SourceUnavailableError(f"record {step.target} could not be written")

    # -- 3. the guest page ---------------------------------------------------------

    def _page(self, change: ChangeEntry, step: StepEntry, *, fresh: bool, memo: RunMemo) -> Any:
        pages = self._systems.pages
        if isinstance(step.after, dict) and "html" in step.after:
            html = str(step.after["html"])  # a fix: rendered from the calendar when planned
        else:
            html = self._render_from_calendar(change, memo)
        md5 = content_md5(html)
        deployed = (step.before or {}).get("md5") if fresh else pages.current_md5(step.target)
        if deployed == md5:
            return {"md5": md5, "already": True}
        for attempt in range(ATTEMPTS):
            try:
                pages.upload(step.target, html)
                return {"md5": md5}
            except SourceUnavailableError as error:
                if pages.current_md5(step.target) == md5:
                    return {"md5": md5, "recovered": _brief(error)}
                if attempt == ATTEMPTS - 1:
                    raise
                self._pause(attempt)
        raise SourceUnavailableError(f"the page {step.target} could not be uploaded")

    def _render_from_calendar(self, change: ChangeEntry, memo: RunMemo) -> str:
        # The calendar holds the new truth now: render from it, not from the plan.
        event = memo.event
        if event is None:
            calendar_id = next(s.target for s in change.steps if s.system == "calendar")
            event = self._systems.calendar.api.get_event(calendar_id)
        charter = charter_from_api_event(event, self._config.tz)
        if not isinstance(charter, Charter):
            raise ConflictError("the calendar event was cancelled meanwhile")
        # The page names the boat whose calendar holds the event (a fleet's, or the one).
        boat_of = getattr(self._systems.calendar, "boat_of", None)
        boat = boat_of(charter.calendar_event_id) if boat_of is not None else None
        if boat is not None:
            charter = aboard(charter, boat)
        page = desired_page(charter, event_id=change.event_id or "",
                            roster=Roster(self._config.roster), config=self._config)
        return self._renderer.render(page)

    # -- 4. the CloudFront invalidation -------------------------------------------

    def _invalidate(self, change: ChangeEntry, step: StepEntry, *, fresh: bool,
                    memo: RunMemo) -> Any:
        planned = (step.before or {}).get("paths") or [step.target]
        # Paths sent by an earlier run of this change, while some of its pages had failed.
        sent = {p for p in ((step.after or {}).get("result") or {}).get("sent", [])}
        paths = [p for p in planned if p not in sent and p not in memo.unwritten]
        reference = f"charter-ops-change-{change.id}"
        if len(paths) < len(planned):
            # Not every path this time: a reference of its own for this set.
            digest = hashlib.sha256("\n".join(sorted(paths)).encode()).hexdigest()[:8]
            reference += f"-{digest}"
        if not paths:
            return {"invalidation": None, "sent": sorted(sent)}
        cdn = self._systems.cdn
        since = change.created_at - timedelta(minutes=5)
        every = sorted({*sent, *paths})
        if not fresh:
            found = cdn.find_by_reference(reference, since=since)
            if found:
                return {"invalidation": found, "already": True, "sent": every}
        for attempt in range(ATTEMPTS):
            try:
                return {"invalidation": cdn.invalidate(paths, caller_reference=reference),
                        "sent": every}
            except SourceUnavailableError as error:
                found = cdn.find_by_reference(reference, since=since)
                if found:
                    return {"invalidation": found, "recovered": _brief(error), "sent": every}
                if attempt == ATTEMPTS - 1:
                    raise
                self._pause(attempt)
        raise SourceUnavailableError("the CloudFront invalidation could not be created")


def patch_body(event: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """The PATCH body for ``patch``: an attendee who stays keeps their entry as it is
    (response status, comments, optional flag), rooms and other resources stay, only
    the people the change adds or removes differ."""
    body = dict(patch)
    if "attendees" in patch:
        wanted = [str(a["email"]).lower() for a in patch["attendees"]]
        kept = [dict(a) for a in event.get("attendees") or []
                if a.get("resource") or str(a.get("email", "")).lower() in wanted]
        present = {str(a.get("email", "")).lower() for a in kept}
        body["attendees"] = kept + [{"email": e} for e in wanted if e not in present]
    return body


def calendar_has(event: Mapping[str, Any], patch: Mapping[str, Any]) -> bool:
    """Whether the event already shows every field of the patch."""
    for key, wanted in patch.items():
        current = event.get(key)
        if key == "attendees":
            people = {str(a.get("email", "")).lower() for a in current or []
                      if not a.get("resource")}
            if people != {str(a["email"]).lower() for a in wanted}:
                return False
        elif key in ("start", "end"):
            if not current or _instant(current) != _instant(wanted):
                return False
        elif (current or "") != wanted:
            return False
    return True


def _instant(value: Mapping[str, Any]) -> datetime:
    moment = datetime.fromisoformat(str(value["dateTime"]).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(value.get("timeZone") or "UTC"))
    return moment


def _record_holds(current: Record | None, fields: Mapping[str, Any]) -> bool:
    if current is None:
        return False
    return all(_same(current.get(k), v) for k, v in fields.items())


def _same(current: Any, wanted: Any) -> bool:
    if isinstance(current, list) or isinstance(wanted, list):
        return list(current or []) == list(wanted or [])
    return bool(current == wanted)


def _brief(error: Exception) -> str:
    return f"a write whose answer was lost had landed ({error})"
