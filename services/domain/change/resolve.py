"""Which charter does a person mean by 'danika', 'june14' or 'danika-may31'? Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta

from common.errors import InputError, UnknownCharterError
from services.domain.calendar.event_ids import slug
from services.domain.models import DesiredCharter, ReconcileResult

_MONTHS = {name: n for n, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
     ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
     ("oct", "october"), ("nov", "november"), ("dec", "december")], start=1) for name in names}


_WEEKDAYS = {name: n for n, names in enumerate(
    [("mon", "monday"), ("tue", "tues", "tuesday"), ("wed", "wednesday"),
     ("thu", "thur", "thurs", "thursday"), ("fri", "friday"), ("sat", "saturday"),
     ("sun", "sunday")]) for name in names}


def parse_day(token: str, *, today: date) -> date | None:
    """'2026-05-31', 'may31', 'may 31', 'june14', '5/31', 'sat', 'today', 'tomorrow':
    the next such date from today."""
    text = token.strip().lower()
    if text in _WEEKDAYS:
        return today + timedelta(days=(_WEEKDAYS[text] - today.weekday()) % 7)
    if text in ("today", "tonight"):
        return today
    if text == "tomorrow":
        return today + timedelta(days=1)
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
        return _date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(r"([a-z]+)\.?\s*(\d{1,2})(st|nd|rd|th)?", text):
        month = _MONTHS.get(m[1])
        return _upcoming(month, int(m[2]), today) if month else None
    if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})", text):
        return _upcoming(int(m[1]), int(m[2]), today)
    return None


# A charter is named in a few words: 'danika', 'may31', 'mary ann june 14'. A longer
# query names none, and every span of its words tried as a date cost 16.5 s at 2,000.
# A record's own id may be as long as DynamoDB allows a key (2,048 bytes): another
# Lambda's record keeps the id it was given.
MAX_QUERY_WORDS = 6
MAX_QUERY_CHARS = 2048
_DAY_WORDS = 2  # the most words a date takes: 'june 14'


def check_query(query: str) -> None:
    """InputError for a query too long to name a charter, before anything is read."""
    words = query.split()
    length = len(" ".join(words))
    if len(words) > MAX_QUERY_WORDS or length > MAX_QUERY_CHARS:
        this = (f"{len(words):,} words" if len(words) > MAX_QUERY_WORDS
                else f"{length:,} characters")
        raise InputError(
            f"That names no charter: a charter is named in at most {MAX_QUERY_WORDS} words "
            f"and {MAX_QUERY_CHARS:,} characters (this is {this}) — the guest "
            "(danika), the date (may31) or both, or the record id (danika-may31).")


def resolve_event(query: str, charters: Mapping[str, DesiredCharter], *, today: date) -> str:
    """The eventId the query names, or UnknownCharterError listing the candidates;
    InputError for a query too long to name one (``check_query``)."""
    check_query(query)
    text = " ".join(query.split())
    if text.lower() in charters:
        return text.lower()
    words = text.split(" ")
    day = parse_day(text, today=today)
    name_words = words
    if day is None and len(words) > 1:
        for i in range(len(words)):
            for j in range(i + 1, min(i + _DAY_WORDS, len(words)) + 1):
                found = parse_day(" ".join(words[i:j]), today=today)
                if found:
                    day, name_words = found, words[:i] + words[j:]
                    break
            if day:
                break
    elif day is not None:
        name_words = []
    name = slug("".join(name_words))
    matches = sorted(
        event_id for event_id, want in charters.items()
        if (day is None or want.charter.local_date == day)
        and (not name or slug(want.charter.guest_name.split()[0] if want.charter.guest_name
                              else "") == name or slug(want.charter.guest_name) == name)
    )
    if day is None and not name:
        matches = []
    if len(matches) == 1:
        return matches[0]
    boats = {charters[m].charter.vessel for m in matches}
    labels = [f"{m} ({charters[m].charter.vessel})" for m in matches] if len(boats) > 1 \
        else []
    raise UnknownCharterError(query, matches, labels=labels)


def _upcoming(month: int, day: int, today: date) -> date | None:
    this_year = _date(today.year, month, day)
    if this_year and this_year >= today:
        return this_year
    return _date(today.year + 1, month, day)


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def resolve_charter(query: str, result: ReconcileResult, *, today: date) -> str:
    """As ``resolve_event`` over the result's charters; a query that names none of them
    but a charter held back by a link conflict is told so, not "no charter matches"."""
    try:
        return resolve_event(query, result.desired, today=today)
    except UnknownCharterError as error:
        if error.candidates:
            raise
        words = [slug(w) for w in query.split() if slug(w)]
        held = [d.summary for d in result.discrepancies if d.kind == "LINK_CONFLICT"
                and words and all(w in slug(f"{d.event_id} {d.summary}") for w in words)]
        if not held:
            raise
        raise UnknownCharterError(query, held=held) from None
