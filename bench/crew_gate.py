"""The crew gate over a window of N charters (default 50,000) with a roster of 200.

Pure: no server. The settings are read as an operator writes them (parse_config over a
generated app.yaml: 200 people with 3 to 5 credentials each, some expiring inside the
window, and K boats, each with a vessel: of its own, six-packs and inspected boats with
min_crew thresholds and a captain's endorsement); the charters are dealt over the window's
days and boats with a captain, most with a mate, one to four deckhands and the guests the
boat carries (one charter in a hundred a few more).

Prints the time of judging every charter (total and per charter, the best of --repeat
runs), of building the two discrepancy kinds from the verdicts, of listing the
credentials expiring within warn_days with the departures each would fail, and how many
charters failed and why.

    python bench/crew_gate.py [--charters N] [--days D] [--boats K] [--seed S] [--repeat R]
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.config import parse_config
from services.domain.config import Config
from services.domain.crew_gate import expiring, judge
from services.domain.models import Charter
from services.domain.reconcile.gate import gate_discrepancies
from services.domain.roster import Roster

T = TypeVar("T")
LA = ZoneInfo("America/Los_Angeles")
FIRST_DAY = date(2026, 6, 1)
TODAY = FIRST_DAY - timedelta(days=1)


def settings(rng: random.Random, *, boats: int, days: int) -> Config:
    """An app.yaml of ``boats`` boats and 200 people (40 captains, 60 mates, 100 crew)."""
    endorsements = ["oupv", "master_25", "master_50", "master_100"]
    crew = []
    for n in range(200):
        role = "captain" if n < 40 else "mate" if n < 100 else "crew"
        kinds = ["drug_program", "first_aid"] + (["mmc", "medical"] if role == "captain"
                                                 else [])
        if rng.random() < 0.3:
            kinds.append("twic")
        credentials = []
        endorsement = rng.choice(endorsements)
        for kind in kinds:
            # One in eight runs out inside the window, and most of those are renewed in
            # the roster (a second entry of the kind); the rest last beyond the window.
            inside = rng.random() < 0.125
            lasts = [rng.randrange(days) if inside else days + rng.randrange(900)]
            if inside and rng.random() < 0.7:
                lasts.append(lasts[0] + 365 * 2)
            for last in lasts:
                entry: dict[str, Any] = {
                    "kind": kind, "expires": (FIRST_DAY + timedelta(days=last)).isoformat(),
                    "number": f"{kind.upper()}-{n:06d}"}
                if kind == "mmc":
                    entry["endorsement"] = endorsement
                credentials.append(entry)
        crew.append({"name": f"Person {n:03d}", "roles": [role], "credentials": credentials})
    fleet = []
    for b in range(boats):
        vessel: dict[str, Any] = (
            {"inspected": False, "min_crew": {"captain": 1, "crew": 1}}
            if b % 2 == 0 else
            {"inspected": True, "max_passengers": 49, "captain_endorsement": "master_25",
             "min_crew": {"captain": 1, "mate": 1, "crew": 1,
                          "over": {20: {"crew": 2}, 40: {"crew": 3}}},
             "requires": {"all": ["drug_program"], "captain": ["mmc", "medical"],
                          "mate": ["first_aid"]}})
        fleet.append({"name": f"Boat {b}", "id": f"boat{b}@group.calendar.google.com",
                      "vessel": vessel})
    return parse_config(yaml.safe_dump({
        "calendars": fleet, "crew": crew,
        "pages": {"bucket": "bench-bucket", "distribution_id": "EBENCH",
                  "base_url": "https://guests.example.com",
                  "waiver_url": "https://guests.example.com/waiver"}}))


def charters(rng: random.Random, config: Config, *, n: int, days: int) -> list[Charter]:
    names = [m.name for m in config.crew]
    captains, mates, deck = names[:40], names[40:100], names[100:]
    boats = [b.name for b in config.calendars]
    made = []
    for k in range(n):
        # A six-pack (even boats) books 2 to 6 guests, now and then 7; an inspected boat
        # (its max 49) 2 to 49, now and then 52.
        six_pack = k % len(boats) % 2 == 0
        most = 6 if six_pack else 49
        guests = most + 1 + (0 if six_pack else 2) if rng.random() < 0.01 else \
            rng.randrange(2, most + 1)
        day = FIRST_DAY + timedelta(days=k % days)
        start = datetime(day.year, day.month, day.day, 9 + k % 8, tzinfo=LA)
        made.append(Charter(
            calendar_event_id=f"evt{k:06d}", title=f"Guest {k} — Sail", start=start,
            end=start + timedelta(hours=3), location="Dock B", guest_name=f"Guest {k}",
            guest_count=guests, captain=rng.choice(captains),
            mate=rng.choice(mates) if rng.random() < 0.8 else None,
            crew=tuple(rng.sample(deck, rng.randrange(1, 5))), vessel=boats[k % len(boats)]))
    return made


def best_of(repeat: int, work: Callable[[], T]) -> tuple[tuple[float, float], T]:
    """The least wall time and the least CPU time of ``repeat`` runs (on a shared machine
    the wall time is the CPU time and the wait for a core), and the result."""
    wall, cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        result = work()
        wall = min(wall, time.perf_counter() - began)
        cpu = min(cpu, time.process_time() - began_cpu)
    return (wall, cpu), result  # type: ignore[return-value]


def timing(took: tuple[float, float], n: int) -> str:
    wall, cpu = took
    return (f"{wall:7.3f} s wall {wall / n * 1e6:6.1f} µs/charter | {cpu:7.3f} s CPU "
            f"{cpu / n * 1e6:6.1f} µs/charter")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--charters", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--boats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=31)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    began = time.perf_counter()
    config = settings(rng, boats=args.boats, days=args.days)
    loaded = time.perf_counter() - began
    window = charters(rng, config, n=args.charters, days=args.days)
    roster = Roster(config.roster)
    held = sum(len(m.credentials) for m in config.roster)

    def vessel_of(charter: Charter) -> Any:
        return config.vessel_of(charter.vessel)

    judged, verdicts = best_of(args.repeat, lambda: [
        judge(c, vessel=vessel_of(c), roster=roster) for c in window])
    built, found = best_of(args.repeat, lambda: [
        d for c, v in zip(window, verdicts, strict=True)
        for d in gate_discrepancies(c.calendar_event_id, v, title=c.title)])
    listed, expiries = best_of(args.repeat, lambda: expiring(
        roster, window, today=TODAY, warn_days=config.crew_gate.warn_days,
        vessel_of=vessel_of))

    failed = sum(1 for v in verdicts if not v.passed)
    codes = collections.Counter(r.code for v in verdicts for r in v.reasons)
    kinds = collections.Counter(str(d.kind) for d in found)
    n = len(window)
    print(f"window: {n:,} charters over {args.days} days on {args.boats} boats; roster of "
          f"{len(config.roster)} holding {held} credentials (app.yaml read and validated "
          f"in {loaded * 1000:.0f} ms)")
    print(f"(each the best of {args.repeat} runs)")
    print(f"judge:         {timing(judged, n)}")
    print(f"discrepancies: {timing(built, n)}  "
          f"({', '.join(f'{k} {v:,}' for k, v in sorted(kinds.items()))})")
    print(f"expiring:      {timing(listed, n)}  ({len(expiries)} credentials within "
          f"{config.crew_gate.warn_days} days of {TODAY}, "
          f"{sum(len(e.departures) for e in expiries):,} departures they would fail)")
    total = tuple(sum(parts) for parts in zip(judged, built, listed, strict=True))
    print(f"total:         {timing(total, n)}")  # type: ignore[arg-type]
    print(f"failed: {failed:,} of {n:,} charters; reasons: "
          + ", ".join(f"{code} {count:,}" for code, count in codes.most_common()))


if __name__ == "__main__":
    main()
