"""Reading the ``Key: Value`` block people type into a calendar event's description.

Holds up on what crews really write and what Google's editor stores: any case
and spacing, bullets, ``:``/``-``/``–``/``—``/``=`` separators, HTML (``<br>``,
``<b>``, lists, entities), synonyms (``Skipper``, ``Pax``, ``Deckhands``) and
counts like ``12 guests``. Pure: text in, DescriptionFields out.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from services.models import DescriptionFields

_KEYS = {
    "captain": "captain", "capt": "captain", "capt.": "captain", "skipper": "captain",
    "mate": "mate", "first mate": "mate", "1st mate": "mate", "deckhand lead": "mate",
    "crew": "crew", "deckhand": "crew", "deckhands": "crew", "deck hands": "crew",
    "guests": "guest_count", "guest count": "guest_count", "# of guests": "guest_count",
    "number of guests": "guest_count", "no. of guests": "guest_count", "pax": "guest_count",
    "party size": "guest_count", "headcount": "guest_count",
    "guest": "guest_name", "guest name": "guest_name", "booking name": "guest_name",
    "booked by": "guest_name", "name": "guest_name",
}
_LINE = re.compile(
    r"^\s*(?:[•·*\-–—]+|\d+[.)])?\s*"  # bullet or number
    r"(?P<key>[#A-Za-z0-9][A-Za-z0-9 .#]*?)\s*"
    r"(?::|=|\s[-–—]\s?|[–—])\s*"  # separator; a plain '-' needs a space before it
    r"(?P<value>.*?)\s*$"
)
_UNSET = {"", "tbd", "tba", "?", "-", "–", "—", "none", "n/a", "na"}
_BLOCK_TAGS = {"br", "p", "div", "li", "ul", "ol", "tr", "h1", "h2", "h3", "h4"}


class _TextOnly(HTMLParser):
    """Google stores descriptions as HTML; block tags become line breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(description: str) -> str:
    if "<" not in description:
        return html.unescape(description).replace("\r\n", "\n").replace("\xa0", " ")
    reader = _TextOnly()
    reader.feed(description)
    reader.close()
    return "".join(reader.parts).replace("\r\n", "\n").replace("\xa0", " ")


def _name(value: str) -> str | None:
    value = re.sub(r"\s*\(.*?\)\s*", " ", value)  # "Gene (confirmed)"
    value = value.strip().strip(".,;!").strip()
    return None if value.lower() in _UNSET else " ".join(value.split())


def _names(value: str) -> tuple[str, ...]:
    parts = re.split(r"\s*(?:,|&|/|;|\band\b|\+)\s*", value)
    return tuple(n for p in parts if (n := _name(p)))


def _count(value: str) -> tuple[int | None, str | None]:
    cleaned = value.strip()
    if cleaned.lower() in _UNSET:
        return None, None
    match = re.fullmatch(r"~?\s*(\d{1,4})\s*(?:guests?|people|ppl|pax|persons?|adults?)?\.?",
                         cleaned, flags=re.IGNORECASE)
    if match:
        return int(match.group(1)), None
    return None, f"Guests: '{cleaned}' is not a number"


def key_of_line(line: str) -> str | None:
    """The field a description line sets ('captain', 'guest_count', ...), or None."""
    match = _LINE.match(line)
    return _KEYS.get(" ".join(match["key"].lower().split())) if match else None


def parse_description(text: str) -> DescriptionFields:
    found: dict[str, object] = {}
    problems: list[str] = []
    for line in plain_text(text or "").split("\n"):
        match = _LINE.match(line)
        if not match:
            continue
        field = _KEYS.get(" ".join(match["key"].lower().split()))
        if field is None:
            continue
        raw = match["value"]
        value: object
        if field == "guest_count":
            value, problem = _count(raw)
            if problem:
                problems.append(problem)
                continue
        elif field == "crew":
            value = _names(raw)
        else:
            value = _name(raw)
        if value in (None, ()):
            continue
        # Two different values for one key: which one is right is for a person to say,
        # so neither is used and the event is reported as incomplete.
        if field in found and found[field] != value:
            problems.append(f"{_LABELS[field]} is given twice ({_show(found[field])} and "
                            f"{_show(value)})")
            found[field] = None
            continue
        if field not in found:
            found[field] = value
    return DescriptionFields(
        captain=found.get("captain"),  # type: ignore[arg-type]
        mate=found.get("mate"),  # type: ignore[arg-type]
        crew=found.get("crew") or (),  # type: ignore[arg-type]
        guest_name=found.get("guest_name"),  # type: ignore[arg-type]
        guest_count=found.get("guest_count"),  # type: ignore[arg-type]
        problems=tuple(problems),
    )


_LABELS = {"captain": "Captain", "mate": "Mate", "crew": "Crew", "guest_count": "Guests",
           "guest_name": "Guest"}


def _show(value: object) -> str:
    return ", ".join(value) if isinstance(value, tuple) else str(value)
