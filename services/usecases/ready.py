"""Departure readiness, the I/O half: one reconcile, then the pure verdicts.

The reconcile runs over the usual window from the first day asked for, so that what
the operator's records carry at all ("tracked") is judged on more than a day's records,
and crew conflicts with later charters are seen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from common.errors import InputError
from common.notices import NOT_CONFIRMED
from services.domain.change.crew_notice import Notice
from services.domain.config import Config
from services.domain.fleet import on_boat
from services.domain.models import Boat, ReconcileResult, ServedPage
from services.domain.pages.rendering import PageRenderer
from services.domain.readiness import Departure, departures
from services.domain.roster import Roster
from services.ports import AuditStore
from services.reconciling import Systems, make_window, run_reconcile

# Claims this recent that Slack never confirmed are shown: older news is past its day.
UNTOLD_WITHIN = timedelta(days=30)


@dataclass(frozen=True)
class Readiness:
    days: tuple[date, ...]
    departures: tuple[Departure, ...]
    result: ReconcileResult

    @property
    def ready(self) -> bool:
        return all(d.ready for d in self.departures)


def parse_day(text: str | None, *, today: date) -> tuple[date, ...]:
    """The days asked for: today and tomorrow by default, else the one date given."""
    word = (text or "").strip().lower()
    if not word:
        return (today, today + timedelta(days=1))
    if word in ("today", "tomorrow"):
        return (today + timedelta(days=word == "tomorrow"),)
    try:
        return (date.fromisoformat(word),)
    except ValueError:
        raise InputError(f"'{text}' is not a date like 2026-05-31 (or today, tomorrow)") \
            from None


def departures_of(result: ReconcileResult, config: Config, *, days: Sequence[date],
                  served: Mapping[str, ServedPage] | None = None,
                  untold: Mapping[str, Sequence[str]] | None = None) -> list[Departure]:
    """The verdicts for ``days`` on a reconcile already made (the digest has one)."""
    records = [dict(w.current_record.attributes) for w in result.desired.values()
               if w.current_record is not None]
    return departures(result=result, days=days, roster=Roster(config.roster),
                      settings=config.readiness, records=records, served=served or {},
                      untold=untold)


def untold_crew(audit: AuditStore, *, now: datetime) -> dict[str, list[str]]:
    """By charter, the people a recent change's message has not reached: Slack never
    confirmed it (the bot's retry looks for it), or Slack refused it."""
    found: dict[str, list[str]] = {}
    changes: dict[str, dict[str, Notice]] = {}
    from store.notices import NoticeLog  # the audit store's table of direct messages

    for delivery in NoticeLog(audit.sessions).unsettled(since=now - UNTOLD_WITHIN):
        if delivery.change_id not in changes:
            change = audit.get(delivery.change_id)
            notices = map(Notice.from_dict, change.params.get("notices", [])) if change else []
            changes[delivery.change_id] = {n.slack_id: replace(
                n, event_id=n.event_id or (change.event_id if change else None))
                for n in notices if n.slack_id}
        notice = changes[delivery.change_id].get(delivery.slack_id)
        if notice is None or notice.event_id is None:
            continue
        why = ("Slack never confirmed the message; the bot's retry looks for it"
               if delivery.state == NOT_CONFIRMED else f"the message failed: {delivery.error}")
        found.setdefault(notice.event_id, []).append(
            f"{notice.name}, of change {delivery.change_id} ({why})")
    return found


def check_readiness(systems: Systems, config: Config, *, days: Sequence[date],
                    now: datetime, audit: AuditStore | None = None,
                    boat: Boat | None = None) -> Readiness:
    """``audit``: where who was told of a change is read (None: not checked)."""
    window = make_window(config, now=now, start=min(days), end=None)
    result = run_reconcile(systems, config, window=window, now=now, renderer=PageRenderer())
    result = on_boat(result, boat)
    untold = untold_crew(audit, now=now) if audit is not None else None
    return Readiness(days=tuple(days), result=result,
                     departures=tuple(departures_of(result, config, days=days,
                                                    untold=untold)))
