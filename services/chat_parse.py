"""Reading a crew swap or a time change out of a captain's chat message. Pure.

"Gene is covering my June 14 charter", "can't make Saturday, Darrell will
take it", "swap: Ana for Bo on danika", "Danika's now 3-7". People are only
recognised from the roster, charters only from the upcoming ones; a message
that does not clearly name a change gives None, so small talk gets no reply.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from services.models import CrewMember, DesiredCharter
from services.resolve import parse_day
from services.roster import Roster

_WEEKDAYS = {"mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2,
             "wednesday": 2, "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4,
             "friday": 4, "sat": 5, "saturday": 5, "sun": 6, "sunday": 6}
_COVER = (r"(?:(?:is|'s|will|be|can|gonna|going to|about to)\s*)*(?:covering|cover|covers|taking|"
          r"take|takes|subbing|sub|subs|filling in|fill in|fills in|stepping in|step in|"
          r"steps in|replacing|replace|replaces|doing|do|has|got)")
_CANT = (r"(?:can'?t|cannot|can not|won'?t|unable to|not able to)\s+(?:make|do|come|crew|"
         r"work)|i'?m (?:out|sick|off)|i am (?:out|sick|off)|out sick|calling out")
_RANGE = re.compile(r"(?P<range>\d{1,2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?\s*(?:-|–|—|to)\s*"
                    r"\d{1,2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?)", re.I)
_TIME_WORDS = re.compile(r"\b(?:now|moved?|moving|starts?|shift(?:ed|ing)?|change[ds]?|"
                         r"push(?:ed)?|time)\b", re.I)


@dataclass(frozen=True)
class Proposal:
    kind: str  # swap | time
    event_id: str
    words: tuple[str, ...]  # what /charter swap|time would take after the verb

    @property
    def command(self) -> str:
        return f"/charter {self.kind} {' '.join(self.words)}"


def _people(text: str, roster: Roster) -> list[tuple[int, CrewMember]]:
    found = []
    for member in roster.members:
        for match in re.finditer(rf"\b{re.escape(member.name)}\b", text, re.I):
            found.append((match.start(), member))
    return sorted(found, key=lambda item: item[0])


def _days(text: str, today: date) -> set[date]:
    days = set()
    lowered = text.lower()
    for match in re.finditer(r"\b([a-z]{3,9})\.?\s*(\d{1,2})(?:st|nd|rd|th)?\b", lowered):
        day = parse_day(f"{match[1]}{match[2]}", today=today)
        if day:
            days.add(day)
    for match in re.finditer(r"\b(\d{1,2})/(\d{1,2})\b", lowered):
        day = parse_day(match[0], today=today)
        if day:
            days.add(day)
    for match in re.finditer(r"\bthe (\d{1,2})(?:st|nd|rd|th)\b", lowered):
        for offset in range(0, 62):
            candidate = today + timedelta(days=offset)
            if candidate.day == int(match[1]):
                days.add(candidate)
                break
    for word, weekday in _WEEKDAYS.items():
        if re.search(rf"\b{word}\b", lowered):
            days.add(today + timedelta(days=(weekday - today.weekday()) % 7))
    if re.search(r"\btomorrow\b", lowered):
        days.add(today + timedelta(days=1))
    if re.search(r"\btoday\b|\btonight\b", lowered):
        days.add(today)
    return days


def _charter(text: str, charters: Mapping[str, DesiredCharter], today: date,
             author: CrewMember | None, roster: Roster,
             mentioned: list[CrewMember]) -> str | None:
    lowered = text.lower()
    days = _days(text, today)
    named = {event_id for event_id, want in charters.items()
             if want.charter.guest_name and re.search(
                 rf"\b{re.escape(want.charter.guest_name.split()[0].lower())}\b", lowered)}
    named |= {event_id for event_id in charters if event_id in lowered}
    candidates = set(named) if named else set(charters)
    if days:
        candidates = {e for e in candidates if charters[e].charter.local_date in days}
    elif not named:
        return None
    if len(candidates) > 1 and author is not None:
        mine = {e for e in candidates if author.name in _crew_of(charters[e], roster)}
        candidates = mine or candidates
    if len(candidates) > 1 and mentioned:
        theirs = {e for e in candidates
                  if {m.name for m in mentioned} & _crew_of(charters[e], roster)}
        candidates = theirs or candidates
    return candidates.pop() if len(candidates) == 1 else None


def _crew_of(want: DesiredCharter, roster: Roster) -> set[str]:
    c = want.charter
    return {roster.canonical(n) or n for n in (c.captain, c.mate, *c.crew) if n}


def _pm_default(text: str) -> str:
    """'3-7' in a chat about a charter means the afternoon."""
    if re.search(r"[ap]\.?m", text, re.I):
        return text
    hours = [int(h) for h in re.findall(r"(\d{1,2})(?::\d{2})?", text)]
    crosses_noon = len(hours) == 2 and hours[0] > hours[1]
    return f"{text}pm" if hours and (all(h <= 8 for h in hours) or crosses_noon) else text


def parse_chat(text: str, *, author: CrewMember | None, roster: Roster,
               charters: Mapping[str, DesiredCharter], today: date) -> Proposal | None:
    clean = " ".join(text.replace("’", "'").split())
    people = _people(clean, roster)
    event_id = _charter(clean, charters, today, author, roster, [m for _, m in people])
    if event_id is None:
        return None
    on_charter = _crew_of(charters[event_id], roster)
    time_match = _RANGE.search(clean)
    if time_match and _TIME_WORDS.search(clean) and not people:
        return Proposal("time", event_id, (event_id, _pm_default(time_match["range"].replace(
            " ", ""))))
    if not people:
        return None
    names = [m.name for _, m in people]
    lowered = clean.lower()
    # "swap: Ana for Bo", "Ana for Bo on danika", "Gene instead of Darrell"
    for pattern in (r"\b(?P<new>{n})\s+(?:for|instead of|in place of|replacing)\s+(?P<old>{n})\b",
                    r"\b(?P<new>{n})\b.*?\binstead of\s+(?P<old>{n})\b",
                    r"\b(?P<old>{n})\s+(?:is\s+)?(?:out|off|sick)\b.*?\b(?P<new>{n})\s+"
                    r"(?:is\s+)?in\b"):
        alternatives = "|".join(re.escape(n) for n in names)
        match = re.search(pattern.format(n=alternatives), clean, re.I)
        if match and ("swap" in lowered or "instead" in lowered or "place" in lowered
                      or "replac" in lowered or " for " in lowered or " in" in lowered):
            new, old = roster.find(match["new"]), roster.find(match["old"])
            if new and old and old.name in on_charter and new.name != old.name:
                return Proposal("swap", event_id, (event_id, old.name, new.name))
    # "Gene is covering (for Darrell)", "Darrell will take it" after "can't make it"
    covering = [m for pos, m in people
                if re.match(rf"\s*{_COVER}\b", clean[pos + len(m.name):], re.I)]
    others = [m for _, m in people if m not in covering]
    if covering:
        new = covering[0]
        old = next((m for m in others if m.name in on_charter), None)
        if old is None and author is not None and author.name in on_charter:
            old = author
        if old is not None and new.name != old.name and new.name not in on_charter:
            return Proposal("swap", event_id, (event_id, old.name, new.name))
    if re.search(_CANT, lowered) and author is not None and author.name in on_charter:
        new = next((m for _, m in people if m.name != author.name and m.name not in on_charter),
                   None)
        if new is not None:
            return Proposal("swap", event_id, (event_id, author.name, new.name))
    return None
