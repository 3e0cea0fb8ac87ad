"""Google Calendar push: the channel every process shares, the notifications it receives,
and a burst of them turned into one incremental read.

- ``PushChannels.ensure`` registers a channel with ``events.watch`` on
  ``calendar.push_url`` (a random id and token), keeps it in the audit store so a
  restart or a second process reuses it, and registers a new one before it expires.
  Two processes racing to register keep one: the loser stops its own.
- When to renew is worked out from the expiry Google *granted* (it may grant less
  than asked): a fifth of the granted life before it, at most ``renew_before``, kept
  with the channel so every process agrees. ``PushChannels.keep_renewed`` renews at
  that moment on a timer of its own, not on the poll's rhythm (a channel granted 30
  seconds would otherwise lapse between two polls a minute apart).
- ``PushChannels.accepts`` checks a notification's channel id and token against the
  stored channel: a forged or stale one is answered and ignored, nothing read.
- ``Coalescer`` runs the check once a burst has gone quiet (twenty edits in a
  second are one read), never two checks at once.
- ``PushChannels.leave`` stops the channel (``channels.stop``) only when no other
  process has been seen following the calendar lately.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from common.errors import CharterOpsError, InputError
from store.sync_state import PushChannel, SyncState

logger = logging.getLogger(__name__)

CHANNEL_TTL = timedelta(days=7)  # what Google grants a calendar channel at most
RENEW_SHARE = 0.2  # renewed when a fifth of its granted life is left (at most renew_before)
STATES = frozenset({"sync", "exists", "not_exists"})
MESSAGE_NUMBER_DIGITS = 20


@dataclass(frozen=True)
class Notification:
    channel_id: str
    token: str
    state: str  # sync (the channel is set up) | exists (something changed) | not_exists
    message_number: int


def parse_notification(headers: Mapping[str, str]) -> Notification:
    """Google's X-Goog-* headers; InputError naming what is missing or wrong."""
    folded = {k.lower(): v for k, v in headers.items()}
    channel = folded.get("x-goog-channel-id", "").strip()
    state = folded.get("x-goog-resource-state", "").strip()
    number = folded.get("x-goog-message-number", "").strip()
    if not channel:
        raise InputError("not a calendar notification: no X-Goog-Channel-ID header")
    if state not in STATES:
        raise InputError(f"not a calendar notification: X-Goog-Resource-State is "
                         f"{state or 'missing'!r}, not one of sync, exists, not_exists")
    # Google counts in an unsigned 64-bit number: 20 digits at most. isdigit() alone takes
    # '²' (a digit to Unicode, not to int()), and int() refuses 4,300 digits and more.
    if not (number.isascii() and number.isdigit() and len(number) <= MESSAGE_NUMBER_DIGITS):
        raise InputError("not a calendar notification: X-Goog-Message-Number is not a number")
    return Notification(channel, folded.get("x-goog-channel-token", ""), state, int(number))


class PushChannels:
    def __init__(self, *, api: Any, state: SyncState, calendar_id: str, address: str,
                 runner_id: str, clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 ttl: timedelta = CHANNEL_TTL, renew_before: timedelta = timedelta(hours=1)
                 ) -> None:
        self._api = api
        self._state = state
        self._calendar = calendar_id
        self._address = address
        self._runner = runner_id
        self._clock = clock
        self._ttl = ttl
        self._renew_before = renew_before
        self._stopped = threading.Event()

    def ensure(self) -> PushChannel:
        """The channel in use, registered or renewed when needed (a store read otherwise)."""
        self._state.seen(self._calendar, self._runner)
        current = self._state.channel(self._calendar)
        if current is not None and current.address == self._address and \
                self._clock() < self.renew_at(current):
            return current
        fresh = self._register()
        if not self._state.replace_channel(self._calendar, seen=current.id if current else None,
                                           new=fresh):
            self._stop(fresh)  # another process registered first: keep theirs
            kept = self._state.channel(self._calendar)
            assert kept is not None
            return kept
        if current is not None:
            self._stop(current)  # renewed: the old channel would only post twice
        logger.info("calendar push channel %s registered until %s", fresh.id,
                    fresh.expires_at.isoformat())
        return fresh

    def renew_at(self, channel: PushChannel) -> datetime:
        """When ``channel``'s successor is due (a channel from before says nothing)."""
        return channel.renew_at or channel.expires_at - self._renew_before

    def keep_renewed(self, *, retry_seconds: float = 60.0) -> threading.Thread:
        """Renew the channel when it is due, on a thread of its own, until ``leave``. A
        failed registration is logged and tried again after ``retry_seconds``."""

        def run() -> None:
            while not self._stopped.is_set():
                try:
                    due = self.renew_at(self.ensure())
                    # At least a second: a channel granted less could not be kept anyway,
                    # and registering in a tight loop would only flood the calendar.
                    wait = max((due - self._clock()).total_seconds(), 1.0)
                except CharterOpsError as error:
                    logger.warning("calendar push channel not renewed (trying again in "
                                   "%.0f s): %s", retry_seconds, error)
                    wait = retry_seconds
                except Exception:  # a bug or the store: the thread must not die unheard
                    logger.exception("calendar push channel not renewed (trying again in "
                                     "%.0f s)", retry_seconds)
                    wait = retry_seconds
                self._stopped.wait(wait)

        thread = threading.Thread(target=run, daemon=True, name="calendar-push-renewal")
        thread.start()
        return thread

    def accepts(self, notification: Notification) -> bool:
        current = self._state.channel(self._calendar)
        return current is not None and current.id == notification.channel_id and \
            hmac.compare_digest(current.token.encode(), notification.token.encode())

    def leave(self, *, alive_within: timedelta) -> bool:
        """This process stops; the channel too when nobody else follows. True if stopped."""
        self._stopped.set()  # no more renewals from here
        others = self._state.leave(self._calendar, self._runner, alive_within=alive_within)
        current = self._state.channel(self._calendar)
        if others or current is None:
            return False
        if self._state.replace_channel(self._calendar, seen=current.id, new=None):
            self._stop(current)
            return True
        return False

    def _register(self) -> PushChannel:
        channel_id = uuid.uuid4().hex
        token = secrets.token_urlsafe(32)
        asked = self._clock()
        answer = self._api.watch(channel_id=channel_id, token=token, address=self._address,
                                 ttl_seconds=int(self._ttl.total_seconds()))
        expires = datetime.fromtimestamp(int(answer["expiration"]) / 1000, UTC) \
            if answer.get("expiration") else asked + self._ttl
        # Google's expiry, not ours: it may be far sooner than the ttl asked for.
        # An expiry at or before the asking (clocks apart) gives no margin, never a negative
        # one that would put the renewal after the expiry.
        margin = max(min(self._renew_before, (expires - asked) * RENEW_SHARE), timedelta(0))
        return PushChannel(channel_id, token, str(answer["resourceId"]), self._address,
                           expires, renew_at=expires - margin)

    def _stop(self, channel: PushChannel) -> None:
        try:
            self._api.stop_channel(channel_id=channel.id, resource_id=channel.resource_id)
        except CharterOpsError as error:  # it expires on its own; say so and go on
            logger.warning("could not stop calendar channel %s: %s", channel.id, error)


class FleetPush:
    """A push channel per boat's calendar, each registered, renewed and stopped as one
    calendar's is (its row, its lease); a notification on any of them wakes the check,
    which reads every boat's calendar from its own token."""

    def __init__(self, channels: Sequence[PushChannels]) -> None:
        self._channels = tuple(channels)

    def ensure(self) -> list[PushChannel]:
        """Every boat's channel; one that cannot be registered now does not keep the
        others from being registered (the first error is raised after)."""
        done, errors = [], []
        for channels in self._channels:
            try:
                done.append(channels.ensure())
            except CharterOpsError as error:
                errors.append(error)
        if errors:
            raise errors[0]
        return done

    def keep_renewed(self, *, retry_seconds: float = 60.0) -> list[threading.Thread]:
        return [c.keep_renewed(retry_seconds=retry_seconds) for c in self._channels]

    def accepts(self, notification: Notification) -> bool:
        return any(c.accepts(notification) for c in self._channels)

    def leave(self, *, alive_within: timedelta) -> bool:
        return any([c.leave(alive_within=alive_within) for c in self._channels])


class Coalescer:
    """Runs ``check`` after notifications, once per burst: when ``quiet`` seconds pass
    without another, or ``longest`` after the first, whichever comes first."""

    def __init__(self, check: Callable[[], object], *, quiet: float = 0.25,
                 longest: float = 2.0) -> None:
        self._check = check
        self._quiet = quiet
        self._longest = longest
        self._wake = threading.Condition()
        self._first: float | None = None
        self._last = 0.0
        self._stopped = False
        self._thread: threading.Thread | None = None

    def start(self) -> Coalescer:
        self._thread = threading.Thread(target=self._run, daemon=True, name="calendar-push")
        self._thread.start()
        return self

    def poke(self) -> None:
        with self._wake:
            now = time.monotonic()
            self._first = self._first if self._first is not None else now
            self._last = now
            self._wake.notify()

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            with self._wake:
                while (first := self._first) is None and not self._stopped:
                    self._wake.wait()
                if self._stopped or first is None:
                    return
                while not self._stopped:
                    now = time.monotonic()
                    due = min(self._last + self._quiet, first + self._longest)
                    if now >= due:
                        break
                    self._wake.wait(due - now)
                if self._stopped:
                    return
                self._first = None
            try:
                self._check()
            except CharterOpsError as error:
                logger.warning("live sync after a calendar notification failed: %s", error)
            except Exception:  # a bug: keep listening, keep the trace
                logger.exception("live sync after a calendar notification failed")
