"""Reading a crew swap or a time change out of a captain's chat message. Pure.

"Gene is covering my June 14 charter", "can't make Saturday, Darrell will
take it", "can someone cover for me saturday? Darrell said yes", "swap: Ana
for Bo on danika", "Danika's now 3-7". People are only recognised from the
roster, charters only from the ones passed in.

Two steps, so that a quiet channel costs nothing: ``read_intent`` looks at the
words alone (no charters, no I/O) and says whether the message is about a
change and which days or guest names it could mean; only then does the caller
read those charters and ``parse_chat`` settle the proposal.

Reading costs at most what a report's length warrants: a message longer than
``MAX_REPORT_CHARS`` is not read as a change at all, and no pattern here is built from
the message's own words or puts ``.*?`` between two alternatives (an alternation of a
name's every occurrence searched with ``.*?`` took 17 s on a 1,000-character message).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from services.domain.chat.words import (
    ACCEPTED,
    COVER,
    COVER_REQUEST,
    RANGE,
    ROLE_WORDS,
    TIME_WORDS,
    guest_refs,
    mentioned_days,
)
from services.domain.models import CrewMember, DesiredCharter
from services.domain.roster import Roster


@dataclass(frozen=True)
class Proposal:
    kind: str  # swap | time
    event_id: str
    words: tuple[str, ...]  # what /charter swap|time would take after the verb

    @property
    def command(self) -> str:
        return f"/charter {self.kind} {' '.join(self.words)}"


@dataclass(frozen=True)
class Intent:
    """What a message asks for, before knowing the charters."""

    kind: str  # swap | time
    days: frozenset[date]
    refs: tuple[str, ...]  # words that may be a guest's name, to look up
    named: tuple[str, ...]  # the refs written so that they clearly name a charter
    new: str | None = None  # swap: who takes over
    old: str | None = None  # swap: who is replaced, when the message says so
    role: str | None = None  # swap: "need a mate"
    time_range: str | None = None
    paired: bool = False  # "Ana for Bo": both named as such; the plan checks the roles

    @property
    def clear(self) -> bool:
        """Enough to act on, if only the charter were known."""
        return bool(self.new) if self.kind == "swap" else bool(self.time_range)

    def describe(self) -> str:
        if self.kind == "time":
            return f"a new time, {self.time_range}"
        if self.old:
            return f"{self.new} taking over from {self.old}"
        return f"{self.new} taking over" + (f" as {self.role}" if self.role else "")


# A swap or time report is a sentence or two: "can't make Saturday, Darrell will take it"
# is 41 characters, and one with its reason and a thank-you ("sorry all, my kid is sick,
# can't make the Quinn charter on Saturday. Marco said he'd cover for me as mate. Thanks
# Marco!") about 130. 500 leaves room for a chatty one; a longer message is an
# announcement or a paste, and reading it as a change would be a guess.
MAX_REPORT_CHARS = 500


def readable(text: str) -> bool:
    """Whether a message is short enough to be a report of a change."""
    return len(text) <= MAX_REPORT_CHARS


def _clean(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("‘", "'").split())


def _people(text: str, roster: Roster) -> list[tuple[int, CrewMember]]:
    found = []
    for member in roster.members:
        for match in re.finditer(rf"\b{re.escape(member.name)}\b", text, re.I):
            found.append((match.start(), member))
    return sorted(found, key=lambda item: item[0])


def _after(clean: str, pos: int, member: CrewMember, pattern: str) -> bool:
    # Matched in place: a slice from each name to the end would copy the message per name.
    return re.compile(rf"(?:\s*'s)?\s*(?:{pattern})\b", re.I).match(
        clean, pos + len(member.name)) is not None


def _pairs(clean: str, names: list[str]) -> list[tuple[str, str]]:
    """(new, old) from 'Ana for Bo', 'Gene instead of Darrell', 'Bo out, Ana in'.

    The alternatives are the roster names the message holds, each once. The two shapes
    with words between their halves ('Gene can captain instead of Darrell', 'Bo is out
    saturday, Ana in') find each half on its own and pair the first of one with the
    next of the other: linear, where ``.*?`` between two alternations retried every
    later position from every name."""
    n = "|".join(re.escape(name) for name in dict.fromkeys(names))
    lowered = clean.lower()
    if not any(w in lowered for w in ("swap", "instead", "place", "replac", " for ", " in",
                                      " out")):
        return []
    found = []
    adjacent = re.search(rf"\b(?P<new>{n})\s+(?:for|instead of|in place of|replacing)\s+"
                         rf"(?P<old>{n})\b", clean, re.I)
    if adjacent:
        found.append((adjacent["new"], adjacent["old"]))
    instead = _then(re.finditer(rf"\b(?P<new>{n})\b", clean, re.I),
                    list(re.finditer(rf"\binstead of\s+(?P<old>{n})\b", clean, re.I)))
    if instead:
        found.append((instead[0]["new"], instead[1]["old"]))
    out_in = _then(re.finditer(rf"\b(?P<old>{n})\s+(?:is\s+)?(?:out|off|sick)\b", clean,
                               re.I),
                   list(re.finditer(rf"\b(?P<new>{n})\s+(?:is\s+)?in\b", clean, re.I)))
    if out_in:
        found.append((out_in[1]["new"], out_in[0]["old"]))
    in_out = re.search(rf"\b(?P<new>{n})\s+(?:is\s+)?in\b,?\s*(?:and\s+)?(?P<old>{n})\s+"
                       rf"(?:is\s+)?out\b", clean, re.I)
    if in_out:
        found.append((in_out["new"], in_out["old"]))
    return found


def _then(firsts: Iterator[re.Match[str]],
          seconds: list[re.Match[str]]) -> tuple[re.Match[str], re.Match[str]] | None:
    """The first of ``firsts`` that some of ``seconds`` follows, with the nearest that does
    (what ``first.*?second`` finds, in one pass over each)."""
    starts = [m.start() for m in seconds]
    for first in firsts:
        i = bisect_left(starts, first.end())
        if i < len(starts):
            return first, seconds[i]
    return None


def read_intent(text: str, *, author: CrewMember | None, roster: Roster,
                today: date) -> Intent | None:
    """Whether the message is about a change at all; None for small talk, and for a
    message longer than a report (``readable``). No I/O."""
    if not readable(text):
        return None
    clean = _clean(text)
    days = frozenset(mentioned_days(clean, today))
    refs, named = guest_refs(clean, roster)
    if not days and not refs:
        return None  # names no day and no guest: nothing it could be about
    people = _people(clean, roster)
    time_match = RANGE.search(clean)
    if time_match and TIME_WORDS.search(clean) and not people:
        return Intent("time", days, refs, named,
                      time_range=time_match["range"].replace(" ", ""))
    if not people:
        return None
    lowered = clean.lower()
    names = [m.name for _, m in people]
    pairs = _pairs(clean, names)
    if pairs:
        new, old = pairs[0]
        return Intent("swap", days, refs, named, new=_canon(roster, new), old=_canon(roster, old),
                      paired=True)
    covering = [m for pos, m in people if _after(clean, pos, m, COVER)]
    request = re.search(COVER_REQUEST, clean, re.I)
    accepted = [m for pos, m in people
                if request and pos > request.start() and _after(clean, pos, m, ACCEPTED)]
    role = next((r for w, r in ROLE_WORDS.items() if request and re.search(
        rf"\b(?:a|an|another|new)\s+{w}\b", lowered)), None)
    if covering or accepted:
        taker = (covering or accepted)[0]
        before = [m for pos, m in people if m != taker and (not request or pos < request.start())]
        left = before[0].name if before and not covering else None
        if covering:
            left = next((m.name for m in (m for _, m in people) if m != taker), None)
        return Intent("swap", days, refs, named, new=taker.name, old=left, role=role)
    return None  # "can't make Saturday" alone names nobody to take over


def _canon(roster: Roster, name: str) -> str:
    member = roster.find(name)
    return member.name if member else name


def candidates(text: str, *, author: CrewMember | None, roster: Roster,
               charters: Mapping[str, DesiredCharter], today: date) -> list[str]:
    """The charters a message could be about, narrowed by who is on them; none for a
    message longer than a report."""
    if not readable(text):
        return []
    clean = _clean(text)
    lowered = clean.lower()
    days = mentioned_days(clean, today)
    mentioned = [m for _, m in _people(clean, roster)]
    named = {event_id for event_id, want in charters.items()
             if want.charter.guest_name and re.search(
                 rf"\b{re.escape(want.charter.guest_name.split()[0].lower())}\b", lowered)}
    named |= {event_id for event_id in charters if event_id in lowered}
    found = set(named) if named else set(charters)
    if days:
        found = {e for e in found if charters[e].charter.local_date in days}
    elif not named:
        return []
    if len(found) > 1 and author is not None:
        mine = {e for e in found if author.name in _crew_of(charters[e], roster)}
        found = mine or found
    if len(found) > 1 and mentioned:
        theirs = {e for e in found
                  if {m.name for m in mentioned} & _crew_of(charters[e], roster)}
        found = theirs or found
    return sorted(found)


def _crew_of(want: DesiredCharter, roster: Roster) -> set[str]:
    c = want.charter
    return {roster.canonical(n) or n for n in (c.captain, c.mate, *c.crew) if n}


def _holder(want: DesiredCharter, role: str, roster: Roster) -> str | None:
    name = want.charter.captain if role == "captain" else want.charter.mate
    return roster.canonical(name) if name else None


def _pm_default(text: str) -> str:
    """'3-7' in a chat about a charter means the afternoon."""
    if re.search(r"[ap]\.?m", text, re.I):
        return text
    hours = [int(h) for h in re.findall(r"(\d{1,2})(?::\d{2})?", text)]
    crosses_noon = len(hours) == 2 and hours[0] > hours[1]
    return f"{text}pm" if hours and (all(h <= 8 for h in hours) or crosses_noon) else text


def parse_chat(text: str, *, author: CrewMember | None, roster: Roster,
               charters: Mapping[str, DesiredCharter], today: date,
               event_id: str | None = None) -> Proposal | None:
    """The proposal a message makes about one of ``charters``; None when it makes none.
    ``event_id`` settles the charter when a person picked it."""
    intent = read_intent(text, author=author, roster=roster, today=today)
    if intent is None:
        return None
    if event_id is None:
        found = candidates(text, author=author, roster=roster, charters=charters, today=today)
        if len(found) != 1:
            return None
        event_id = found[0]
    want = charters[event_id]
    if intent.kind == "time":
        assert intent.time_range is not None
        return Proposal("time", event_id, (event_id, _pm_default(intent.time_range)))
    on_charter = _crew_of(want, roster)
    new = roster.find(intent.new)
    if new is None:
        return None
    if intent.paired and intent.old in on_charter and intent.old != new.name:
        return Proposal("swap", event_id, (event_id, intent.old, new.name))
    if new.name in on_charter:
        return None
    old = intent.old
    if old is None or old not in on_charter:
        old = None
        if intent.role:
            old = _holder(want, intent.role, roster)
        elif author is not None and author.name in on_charter:
            old = author.name
        else:  # "Gene is covering, Darrell's out": the other person named on the charter
            clean = _clean(text)
            old = next((m.name for _, m in _people(clean, roster)
                        if m.name in on_charter and m.name != new.name), None)
    if old is None or old == new.name:
        return None
    return Proposal("swap", event_id, (event_id, old, new.name))
