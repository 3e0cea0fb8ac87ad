"""Departure readiness, the I/O half: one reconcile, then the pure verdicts.

The reconcile runs over the usual window from the first day asked for, so that what
the operator's records carry at all ("tracked") is judged on more than a day's records,
and crew conflicts with later charters are seen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from common.errors import InputError
from services.domain.config import Config
from services.domain.models import ReconcileResult, ServedPage
from services.domain.page_rendering import PageRenderer
from services.domain.readiness import Departure, departures
from services.domain.roster import Roster
from services.reconciling import Systems, make_window, run_reconcile


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
                  served: Mapping[str, ServedPage] | None = None) -> list[Departure]:
    """The verdicts for ``days`` on a reconcile already made (the digest has one)."""
    records = [dict(w.current_record.attributes) for w in result.desired.values()
               if w.current_record is not None]
    return departures(result=result, days=days, roster=Roster(config.roster),
                      settings=config.readiness, records=records, served=served or {})


def check_readiness(systems: Systems, config: Config, *, days: Sequence[date],
                    now: datetime) -> Readiness:
    window = make_window(config, now=now, start=min(days), end=None)
    result = run_reconcile(systems, config, window=window, now=now, renderer=PageRenderer())
    return Readiness(days=tuple(days), result=result,
                     departures=tuple(departures_of(result, config, days=days)))
