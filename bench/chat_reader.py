"""The chat reader's worst case by message length: adversarial messages, not typical ones.

Times the pure reader a message goes through before any I/O (``read_intent``, then
``candidates`` and ``parse_chat`` over a few charters, as a proposal does) on messages
built to make a backtracking reader slow: one name repeated ("sunday " + "Ana out " * N),
every roster name repeated, long runs of 'instead of', 'for', 'is in', cover words, days
and time ranges. Each message is grown to 1 KB, 4 KB and 40 KB (Slack's limit for a
message's text), and at 500, the longest a report may be. A cell is the median of three
runs, in milliseconds, and whether the message was read as a change at all. A second
table reads the same messages with the length bound lifted: the reader's own cost, which
must grow no faster than the message.

    python bench/chat_reader.py [--sizes 500,1000,4000,40000] [--limit-seconds 30]

``--limit-seconds`` stops a shape's larger sizes once one run took longer than that (the
unbounded reader takes minutes at 2 KB), printing '>' for the sizes skipped.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.domain.chat import parse
from services.domain.chat.parse import candidates, parse_chat, read_intent
from services.domain.models import Charter, CrewMember, DesiredCharter
from services.domain.roster import Roster

LA = ZoneInfo("America/Los_Angeles")
TODAY = date(2026, 5, 25)
NAMES = ("Gene", "Darrell", "Marco", "Ana", "Angelia", "Bo", "Tess")
ROSTER = Roster([CrewMember(n, ("captain", "mate", "crew"), "", f"{n.lower()}@x.com")
                 for n in NAMES])


def _want(event_id: str, guest: str, day: date, captain: str, mate: str) -> DesiredCharter:
    charter = Charter(calendar_event_id=f"evt{guest}", title=f"{guest} — Sail",
                      start=datetime(day.year, day.month, day.day, 10, tzinfo=LA),
                      end=datetime(day.year, day.month, day.day, 14, tzinfo=LA), location="",
                      guest_name=guest, guest_count=8, captain=captain, mate=mate, crew=())
    return DesiredCharter(event_id=event_id, charter=charter, record={}, page_key="",
                          page_html="", page_md5="")


CHARTERS = {w.event_id: w for w in (
    _want("quinn-may30", "Quinn", date(2026, 5, 30), "Gene", "Angelia"),
    _want("danika-may31", "Danika", date(2026, 5, 31), "Gene", "Tess"),
)}

# (name, prefix, the unit repeated to the size asked)
SHAPES: list[tuple[str, str, str]] = [
    ("one name: 'Ana out '", "sunday ", "Ana out "),
    ("every name", "sunday ", "Gene Darrell Marco Ana Angelia Bo Tess "),
    ("'Ana instead of '", "sunday ", "Ana instead of "),
    ("'instead of ' runs", "sunday Ana ", "instead of "),
    ("'Bo for Ana for '", "sunday ", "Bo for Ana for "),
    ("'Ana is in, '", "sunday ", "Ana is in, "),
    ("cover words", "can someone cover saturday? ", "Gene is covering said yes "),
    ("days and ranges", "Danika's now ", "june 14 5/30 the 14th 3-7 "),
    ("guest refs", "", "on Danika's Quinn charter "),
    ("no spaces", "sunday ", "AnaAnaAna"),
]


def message(prefix: str, unit: str, size: int) -> str:
    return (prefix + unit * (size // len(unit) + 1))[:size]


def read(text: str) -> bool:
    """The reader's whole pure path for one message: whether it read a change."""
    author = ROSTER.find("Gene")
    intent = read_intent(text, author=author, roster=ROSTER, today=TODAY)
    if intent is None:
        return False
    candidates(text, author=author, roster=ROSTER, charters=CHARTERS, today=TODAY)
    parse_chat(text, author=author, roster=ROSTER, charters=CHARTERS, today=TODAY)
    return True


def timed(fn: Callable[[], object], runs: int) -> float:
    """The median of ``runs`` runs, in seconds (this machine's clock jumps now and then)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def table(sizes: list[int], *, runs: int, limit_seconds: float) -> None:
    print(f"{'message':<24}" + "".join(f"{f'{s:,} chars':>18}" for s in sizes))
    worst = {s: 0.0 for s in sizes}
    for name, prefix, unit in SHAPES:
        cells = []
        over = False
        for size in sizes:
            if over:
                cells.append(f"{'>':>18}")
                continue
            text = message(prefix, unit, size)
            seconds = timed(lambda text=text: read(text),  # type: ignore[misc]
                            1 if size > 4000 else runs)
            worst[size] = max(worst[size], seconds)
            understood = "change" if read(text) else "none"
            cells.append(f"{seconds * 1000:>10.2f} ms {understood:>6}")
            over = seconds > limit_seconds
        print(f"{name:<24}" + "".join(cells))
    print(f"{'worst':<24}" + "".join(f"{worst[s] * 1000:>13.2f} ms    " for s in sizes))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,1000,4000,40000")
    parser.add_argument("--limit-seconds", type=float, default=30.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    bound = getattr(parse, "MAX_REPORT_CHARS", None)
    print(f"The reader as it runs (a report is at most {bound} characters):")
    table(sizes, runs=args.runs, limit_seconds=args.limit_seconds)
    if bound is not None:
        # The bound hides the reader's own cost: lifted, each message is read whole.
        print("\nThe same messages read whole, the bound lifted (the reader's own cost):")
        parse.MAX_REPORT_CHARS = 10**6
        table(sizes, runs=args.runs, limit_seconds=args.limit_seconds)
        parse.MAX_REPORT_CHARS = bound
    typical = "Ana is covering for Angelia on saturday"
    read(typical)  # the patterns compiled once, as in a running bot
    print(f"\ntypical report ({len(typical)} chars, read as a change: {read(typical)}): "
          f"{timed(lambda: read(typical), 51) * 1000:.3f} ms, median of 51")


if __name__ == "__main__":
    main()
