"""The vocabulary of crew chat: covering, asking for cover, accepting, time changes, days,
and the words that may be a guest's name. Pure; used by services.domain.chat.parse."""

from __future__ import annotations

import re
from datetime import date, timedelta

from services.domain.change.resolve import parse_day
from services.domain.roster import Roster

WEEKDAYS = {"mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2,
            "wednesday": 2, "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4,
            "friday": 4, "sat": 5, "saturday": 5, "sun": 6, "sunday": 6}
MONTHS = {"jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun",
          "june", "jul", "july", "aug", "august", "sep", "sept", "september", "oct", "october",
          "nov", "november", "dec", "december"}

# After a person's name: they take the charter over.
COVER = (r"(?:(?:is|will|be|can|could|gonna|going to|about to|happy to|glad to|'ll|has|"
         r"have|got|said\s+(?:he|she|they)(?:'d|\s+would|\s+will|'ll|\s+can))\s*)*"
         r"(?:covering|cover|covers|taking|take|takes|subbing|sub|subs|"
         r"filling in|fill in|fills in|stepping in|step in|steps in|replacing|replace|"
         r"replaces|relieving|relieve|relieves|doing|do|has|got)")
# Someone asks for cover: "can someone cover", "need a sub", "who can take my saturday".
COVER_REQUEST = (
    r"\b(?:can|could|would|will)\s+(?:some\s*one|any\s*one|some\s*body|any\s*body)\s+"
    r"(?:please\s+)?(?:cover|take|sub|fill|swap|do|grab|work)"
    r"|\bany\s*(?:one|body)\s+(?:free|available|around|able|want|wanna|up)\b[^.?!]{0,30}?"
    r"\b(?:cover|take|sub|work|crew|fill|my\s+(?:shift|spot|trip|charter|day|\w+day))"
    r"|\bwho(?:'s|\s+is)?\s+(?:can|could|wants?\s+to|free\s+to|able\s+to|up\s+for)\s+"
    r"(?:cover|take|sub|do|grab|work|fill)"
    r"|\bneeds?\s+(?:some\s*one|some\s*body|a\s+sub|cover|coverage|a\s+replacement|"
    r"relief|a\s+captain|a\s+mate|a\s+deckhand|another\s+\w+)"
    r"|\blooking\s+for\s+(?:cover|coverage|a\s+sub|some\s*one|some\s*body|a\s+replacement)"
    r"|\b(?:sub|cover|coverage)\s+needed\b|\bany\s+takers\b|\bup\s+for\s+grabs\b")
# After a person's name, once cover was asked for: they said yes.
ACCEPTED = (r"said\s+(?:yes|ok|okay|sure)|says\s+(?:yes|ok|sure)|said\s+(?:he|she|they)"
            r"(?:'d|\s+would|\s+will|'ll|\s+can|\s+could)|agreed|offered|volunteered|"
            r"accepted|confirmed|is\s+in|'s\s+in|is\s+good|'s\s+good|is\s+down|'s\s+down|"
            r"can\s+do\s+it|can\s+do|will\s+do\s+it|'ll\s+do\s+it|got\s+it|'s\s+got\s+it|"
            r"has\s+it|took\s+it|is\s+taking\s+it|stepped\s+up|is\s+on\s+it|'s\s+on\s+it|"
            r"grabbed\s+it|jumped\s+on\s+it|replied\s+yes|is\s+free|'s\s+free")
CANT = (r"(?:can'?t|cannot|can not|won'?t|unable to|not able to)\s+(?:make|do|come|crew|"
        r"work)|i'?m (?:out|sick|off)|i am (?:out|sick|off)|out sick|calling out")
ROLE_WORDS = {"captain": "captain", "skipper": "captain", "mate": "mate",
              "first mate": "mate"}
RANGE = re.compile(r"(?P<range>\d{1,2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?\s*(?:-|–|—|to)\s*"
                   r"\d{1,2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?)", re.I)
TIME_WORDS = re.compile(r"\b(?:now|moved?|moving|starts?|shift(?:ed|ing)?|change[ds]?|"
                        r"push(?:ed|ing)?|time|bump(?:ed|ing)?|reschedul\w*|instead|"
                        r"earlier|later)\b", re.I)

# Words that are never a guest's name, whatever the capitals: chat vocabulary.
_STOP_WORDS = """
a about after again all also am an and another any anybody anyone are around as at away back
be been before bring but by call calling came can cannot cant captain charter charters could
cover coverage covered covering covers crew cruise day deck deckhand do doing done down dock
earlier eh else family for free from fill filling gets go going gonna good got grab group had
has have he head heads hello her here hey hi him his how i if in instead into is it its just
keep know later let like look looking lol make mate maybe me morning move moved moving my need
needed needs new next night no not now of off offered ok okay on one or our out over party
please push pushed pushing replace replacing reschedule rescheduled sail said say says see she
shift shifted shifting sick skipper so some somebody someone sorry spot start starts step
stepping sub subbing sure swap take taker takers takes taking tell thanks thank that the their
them then there they thing this those time to today tomorrow tonight too trip up us was we
week weekend well were what when where who whole why will with won wont work would yeah yes
yet you your afternoon evening bump bumped booking change changed changes
"""
_STOP = frozenset(_STOP_WORDS.split())
_REF_PATTERNS = (
    # strong: "on danika", "Danika's", "the Quinn charter", "paola now 1-5"
    r"\b(?:on|at)\s+(?:the\s+)?(?P<w>[a-z][a-z-]+)",
    r"\b(?P<w>[a-z][a-z-]+)'s\b",
    r"\b(?P<w>[a-z][a-z-]+)\s+(?:charter|trip|sail|cruise|booking|party|group|family)\b",
    r"\b(?P<w>[a-z][a-z-]+)\s+(?:is\s+)?(?:now|moved|pushed|starts|shifted|rescheduled|"
    r"bumped)\b",
    r"\b(?:move|moving|push|pushing|bump|bumping|reschedule|rescheduling|shift|shifting)\s+"
    r"(?:the\s+)?(?P<w>[a-z][a-z-]+)",
)
_WEAK_PATTERNS = (
    r"\b(?:for|covering|cover|take|taking|takes|doing|do|sub|subbing|grab)\s+(?:the\s+|my\s+)?"
    r"(?P<w>[a-z][a-z-]+)",
)


def _ok_ref(word: str, roster: Roster) -> bool:
    word = word.lower().strip("-")
    return (len(word) >= 3 and word not in _STOP and word not in WEEKDAYS
            and word not in MONTHS and roster.find(word) is None)


def guest_refs(text: str, roster: Roster) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(every word that may be a guest's name, the ones written so that they clearly are).

    Strong: 'on danika', "Danika's", 'the Quinn charter', 'paola now 1-5'. Weak: after
    'for' or a cover verb, or written with a capital. At most three, for at most three
    look-ups.
    """
    lowered = text.lower()
    strong: list[str] = []
    for pattern in _REF_PATTERNS:
        strong += [m["w"] for m in re.finditer(pattern, lowered) if _ok_ref(m["w"], roster)]
    weak = [m["w"] for p in _WEAK_PATTERNS for m in re.finditer(p, lowered)
            if _ok_ref(m["w"], roster)]
    weak += [w.lower() for w in re.findall(r"\b[A-Z][a-z]+(?:-[a-z0-9]+)?\b", text)
             if _ok_ref(w, roster)]
    # An event id ('danika-may31') is looked up by its guest part.
    words = [w.split("-")[0] for w in dict.fromkeys(strong + weak)]
    found = tuple(w for w in dict.fromkeys(words) if _ok_ref(w, roster))[:3]
    named = tuple(w.split("-")[0] for w in dict.fromkeys(strong) if w.split("-")[0] in found)
    return found, named


def mentioned_days(text: str, today: date) -> set[date]:
    """'June 14', 'may31', '5/30', 'the 14th', 'saturday', 'tomorrow': the next such dates."""
    days = set()
    lowered = text.lower()
    # Each distinct way of writing a day is worked out once, however often it is written.
    written = {f"{m[1]}{m[2]}" for m in re.finditer(
        r"\b([a-z]{3,9})\.?\s*(\d{1,2})(?:st|nd|rd|th)?\b", lowered)}
    written |= {m[0] for m in re.finditer(r"\b(\d{1,2})/(\d{1,2})\b", lowered)}
    for token in written:
        day = parse_day(token, today=today)
        if day:
            days.add(day)
    for number in {int(m[1]) for m in re.finditer(r"\bthe (\d{1,2})(?:st|nd|rd|th)\b",
                                                  lowered)}:
        for offset in range(0, 62):
            candidate = today + timedelta(days=offset)
            if candidate.day == number:
                days.add(candidate)
                break
    for word, weekday in WEEKDAYS.items():
        if re.search(rf"\b{word}\b", lowered):
            days.add(today + timedelta(days=(weekday - today.weekday()) % 7))
    if re.search(r"\btomorrow\b", lowered):
        days.add(today + timedelta(days=1))
    if re.search(r"\btoday\b|\btonight\b", lowered):
        days.add(today)
    return days
