"""Reading the ``Key: Value`` block people type into a calendar event's description.

Pure: text in, :class:`DescriptionFields` out. It holds up on what crews really
type and what Google's editor really stores:

* keys in any case and spacing, with synonyms: ``Captain``/``Capt``/``Cpt``/
  ``Skipper``; ``Mate``/``First mate``/``1st mate``; ``Crew``/``Deckhand(s)``/
  ``Deck hand(s)``/``Crew members``; ``Guests``/``Guest count``/``# of guests``/
  ``No. of guests``/``Number of guests``/``Pax``/``Party size``/``Group size``/
  ``Headcount``; ``Guest``/``Guest name``/``Booking name``/``Booked by``.
  ``Guest:`` is the booking name, ``Guests:`` the count. ``2nd mate`` and
  ``Co-captain`` are not keys (we would have to guess the role).
* ``:``, ``=``, ``–``, ``—`` or a spaced ``-`` between key and value; leading
  bullets (``•``, ``-``, ``*``, ``·``, ``–``, ...) and list numbers (``1.``, ``2)``).
* HTML: tags stripped, block tags become line breaks, entities unescaped;
  ``<script>`` and ``<style>`` elements go with their content (code, not text).
* Names lose surrounding space, a trailing full stop or exclamation and notes
  (``Gene (confirmed)``, ``Gene - backup``); other punctuation stays as written
  (``Anne-Marie``, ``O'Brien``, ``J.R.``, ``Sam Jr.``); ``TBD``, ``?``, ``-``,
  ``none`` mean not set.
  Crew lists split on ``,``, ``&``, ``and``, ``/``, ``;``, ``+``.
* Counts: ``12``, ``12 guests``, ``12 ppl``, ``~12``, ``about 12``; anything
  else (``twelve``, ``12-15``) is a problem, never a guess.

Lines that are not a known key (notes, links, "Bring sunscreen") are ignored.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from services.domain.models import DescriptionFields

CAPTAIN, MATE, CREW, GUEST_NAME, GUEST_COUNT = (
    "captain", "mate", "crew", "guest_name", "guest_count")

# Each key as _normal_key() leaves it, mapped to the field it sets.
_KEYS: dict[str, str] = {
    **dict.fromkeys(("captain", "capt", "cpt", "skipper"), CAPTAIN),
    **dict.fromkeys(("mate", "first mate", "1st mate"), MATE),
    **dict.fromkeys(("crew", "crew members", "deckhand", "deckhands", "deck hand",
                     "deck hands"), CREW),
    **dict.fromkeys(("guests", "guest count", "number of guests", "no of guests",
                     "number guests", "pax", "party size", "group size", "headcount",
                     "head count"), GUEST_COUNT),
    **dict.fromkeys(("guest", "guest name", "booking name", "booked by"), GUEST_NAME),
}
# The canonical key, used in problems so that they name the line the contract defines.
_LABELS = {CAPTAIN: "Captain", MATE: "Mate", CREW: "Crew", GUEST_NAME: "Guest",
           GUEST_COUNT: "Guests"}

_LINE = re.compile(
    r"^\s*(?:(?:[•·*▪◦‣●○>\-–—]+|\(?\d{1,2}[.)])\s*)?"  # a bullet or a list number
    r"(?P<key>[#A-Za-z0-9][A-Za-z0-9 .#]*?)\s*"
    # A plain '-' only counts when spaced, so that "Co-captain" is not "Co" set to "captain".
    r"(?:[:=：]|[–—]|(?<=\s)-|-(?=\s))"
    r"\s*(?P<value>.*?)\s*$"
)
_UNSET = frozenset({"", "tbd", "tba", "tbc", "?", "??", "???", "-", "--", "–", "—", "none",
                    "n/a", "pending", "unassigned"})
# "Gene (confirmed)", "Bo [new]"; empty brackets ("steal()") are not a note.
_NOTES = re.compile(r"\([^()]*[^()\s][^()]*\)|\[[^\[\]]*[^\[\]\s][^\[\]]*\]")
_ABBREVIATED = re.compile(r"(?:^|[\s.])[A-Za-z]$|\b(?:Jr|Sr|Co|Inc|Ltd|St|Dr|Mr|Mrs|Ms)$")
_UNCLOSED_NOTE = re.compile(r"[(\[][^)\]]*$")  # "Gene (confirmed" cut short
_DASH_NOTE = re.compile(r"\s+[-–—]\s.*$|\s*[–—].*$")  # "Gene - backup", "Gene—confirmed"
# A URL (with a scheme or 'www.') or an e-mail address: up to a space, ',' or ';'.
_LINKS = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)[^\s,;]+|[^\s,;&+/()]+@[^\s,;&+/()]+",
                    re.IGNORECASE)
_LINK_MARK = "\ue000"  # a private-use character: where a link was set aside
_LINK_HELD = re.compile(f"{_LINK_MARK}(\\d+){_LINK_MARK}")
_NAME_SEPARATORS = re.compile(r"\s*(?:[,&/;+]|\band\b)\s*", re.IGNORECASE)
_COUNT = re.compile(
    r"(?:~|about|approx\.?|approximately|around|ca\.?)?\s*(?P<n>\d{1,4})\s*"
    r"(?:guests?|people|persons?|ppl|pax|adults?|total)?\.?",
    re.IGNORECASE,
)

# -- HTML from Google's editor -------------------------------------------------

_BREAK_TAGS = frozenset({
    "br", "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "tr", "table", "thead", "tbody",
    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr", "section", "article",
})
_CELL_TAGS = frozenset({"td", "th"})
# Formatting with no meaning for the block; Google wraps its HTML in <html-blob>.
_DROPPED_TAGS = frozenset({
    "a", "b", "strong", "i", "em", "u", "s", "strike", "del", "ins", "span", "font", "small",
    "big", "sub", "sup", "code", "mark", "abbr", "cite", "q", "label", "center", "img", "wbr",
    "html-blob", "html", "body",
})
# Elements whose content is code for a browser, never text for a reader.
_CODE_TAGS = frozenset({"script", "style"})
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


class _TextOnly(HTMLParser):
    """Tags to text. A tag that is neither formatting nor markup (``<Gene>``) is kept
    verbatim: nothing a person wrote silently disappears, and escaping is the page
    renderer's job, not the parser's. A ``<script>`` or ``<style>`` element is markup
    whose content is code, not text: it goes whole, tags and content, as a browser
    would never show it (``Guest: Mallory<script>steal()</script>`` is Mallory). What
    a person typed in Google's editor arrives as entities and stays text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # the stdlib unescapes entities
        self.parts: list[str] = []
        self._inside: str | None = None  # the script or style element being skipped

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _CODE_TAGS:
            self._inside = tag
            return
        self.parts.append(_tag_as_text(tag, self.get_starttag_text() or ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _CODE_TAGS:
            return  # "<script/>" holds nothing
        self.handle_starttag(tag, attrs)  # "<br/>": one break, not two

    def handle_endtag(self, tag: str) -> None:
        if tag in _CODE_TAGS:
            self._inside = None
            return
        self.parts.append(_tag_as_text(tag, f"</{tag}>"))

    def handle_data(self, data: str) -> None:
        # The parser hands a script's or style's body over as data until its end tag.
        if self._inside is None:
            self.parts.append(data)


def _tag_as_text(tag: str, verbatim: str) -> str:
    if tag in _BREAK_TAGS:
        return "\n"
    if tag in _CELL_TAGS:
        return " "
    return "" if tag in _DROPPED_TAGS else verbatim


def plain_text(description: str) -> str:
    """The description as plain lines: HTML tags stripped, entities unescaped."""
    reader = _TextOnly()
    reader.feed(description or "")
    reader.close()
    text = "".join(reader.parts).translate(_INVISIBLE).replace("\xa0", " ")
    # splitlines() also takes "\r\n", a lone "\r" and U+2028.
    return "\n".join(line.rstrip() for line in text.splitlines())


# -- one line ------------------------------------------------------------------

def _normal_key(key: str) -> str:
    """'# of guests', 'No. of Guests', 'CAPT.' -> 'number of guests', 'no of guests', 'capt'."""
    return re.sub(r"[^a-z0-9]+", " ", key.lower().replace("#", " number ")).strip()


def _read_line(line: str) -> tuple[str, str] | None:
    """(field, value as written) for a line of the block, None for any other line."""
    match = _LINE.match(line)
    if match is None:
        return None
    field = _KEYS.get(_normal_key(match["key"]))
    return (field, match["value"]) if field else None


def key_of_line(line: str) -> str | None:
    """The field a description line sets ('captain', 'guest_count', ...), or None."""
    read = _read_line(line)
    return read[0] if read else None


def _clean_name(text: str) -> str | None:
    text = _UNCLOSED_NOTE.sub("", _NOTES.sub(" ", text))
    text = _DASH_NOTE.sub("", text)
    text = " ".join(text.split()).strip("*_\"“”")
    bare = text.rstrip(".,;:!").strip()
    # A sentence's full stop goes ("Gene."); an abbreviation's stays ("J.R.", "Sam Jr.").
    if text[len(bare):].startswith(".") and _ABBREVIATED.search(bare):
        bare += "."
    return None if bare.casefold() in _UNSET else bare


def _names(value: str) -> tuple[str, ...]:
    """Every name in a list, once, in the order written."""
    # Notes go first: "Bo (new, trainee), Tess" must not split inside the parentheses.
    # A link or an e-mail address is one entry (a name the roster does not know), never
    # split on its '/' or '&' into pieces that read as names.
    links: list[str] = []

    def kept(link: re.Match[str]) -> str:
        links.append(link.group())
        return f"{_LINK_MARK}{len(links) - 1}{_LINK_MARK}"

    masked = _LINKS.sub(kept, _NOTES.sub(" ", value.replace(_LINK_MARK, "")))
    names: dict[str, str] = {}
    for part in _NAME_SEPARATORS.split(masked):
        part = _LINK_HELD.sub(lambda m: links[int(m.group(1))], part)
        if (name := _clean_name(part)) is not None:
            names.setdefault(name.casefold(), name)
    return tuple(names.values())


def _count(value: str) -> int | None:
    match = _COUNT.fullmatch(_NOTES.sub(" ", value).strip())  # "12 (2 kids)" is 12
    return int(match["n"]) if match else None


def _value_of(field: str, raw: str) -> tuple[object, str | None]:
    """(value, problem) of one line; value None when the line says 'not set'."""
    label = _LABELS[field]
    if field == GUEST_COUNT:
        if _clean_name(raw) is None:
            return None, None
        count = _count(raw)
        return count, None if count is not None else f"{label}: '{raw}' is not a number"
    if field == CREW:
        return _names(raw) or None, None
    if field == GUEST_NAME:
        name = _clean_name(raw)
        if name is not None and name.isdigit():
            return None, (f"{label}: '{raw}' looks like a count; the count goes on a "
                          "Guests: line, the booking name on Guest:")
        return name, None
    names = _names(raw)
    if len(names) > 1:
        return None, f"{label}: '{raw}' names more than one person"
    return (names[0] if names else None), None


# -- the whole block -----------------------------------------------------------

def _same(value: object) -> object:
    """What makes two values the same: case and crew order do not matter."""
    if isinstance(value, tuple):
        return frozenset(v.casefold() for v in value)
    return value.casefold() if isinstance(value, str) else value


def _show(value: object) -> str:
    return ", ".join(value) if isinstance(value, tuple) else str(value)


def _conflict(field: str, values: list[object]) -> str:
    shown = [_show(v) for v in values]
    said = f"{', '.join(shown[:-1])} and {shown[-1]}"
    times = "twice" if len(values) == 2 else "more than once"
    return f"{_LABELS[field]} is given {times} ({said})"


def fields_from_plain_text(text: str) -> DescriptionFields:
    """The block read from text that is already plain (see :func:`plain_text`)."""
    values: dict[str, list[object]] = {}
    unreadable: set[str] = set()
    problems: list[str] = []
    for line in text.splitlines():
        read = _read_line(line)
        if read is None:
            continue
        field, raw = read
        value, problem = _value_of(field, raw)
        if problem:
            problems.append(problem)
            unreadable.add(field)
        elif value is not None and all(_same(v) != _same(value) for v in values.get(field, [])):
            values.setdefault(field, []).append(value)
    found: dict[str, object] = {}
    for field, given in values.items():
        if field in unreadable:
            continue  # already a problem; the readable value may well be the stale one
        if len(given) > 1:
            # A key written twice with different values (an edit that left the old line,
            # a copy-paste): the last is not reliably the newest, and a wrong captain on a
            # guest page is worse than none, so a person must say which one is right.
            problems.append(_conflict(field, given))
            continue
        found[field] = given[0]
    count = found.get(GUEST_COUNT)
    return DescriptionFields(
        captain=_str(found.get(CAPTAIN)),
        mate=_str(found.get(MATE)),
        crew=_strs(found.get(CREW)),
        guest_name=_str(found.get(GUEST_NAME)),
        guest_count=count if isinstance(count, int) else None,
        problems=tuple(problems),
    )


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _strs(value: object) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, tuple) else ()


def parse_description(text: str) -> DescriptionFields:
    """The ``Key: Value`` block of an event description (plain text or Google's HTML)."""
    return fields_from_plain_text(plain_text(text or ""))
