"""The record id rule of the data contract: ``<guest first name>-<mon><day>``.

``danika-may31``; a second charter for the same first name on the same day
gets ``-2``, a third ``-3``. The operator's Lambdas and guest links already
use these ids, so the rule must not change. A first name longer than
``MAX_NAME`` characters is cut, and a short hash of the whole name keeps ids
distinct: the id (and the S3 key, block ids and audit rows made from it) stays
bounded whatever the calendar holds, and the same for the same name on every run.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from datetime import date

MAX_NAME = 40  # characters of the name part of an id: 32 of the name, then 8 of its hash
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def slug(text: str) -> str:
    """Lower-case ASCII letters and digits only (accents folded: 'Zoë' -> 'zoe')."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "", folded.lower())


def base_event_id(guest_name: str, day: date) -> str:
    first = guest_name.split()[0] if guest_name.split() else ""
    name = bounded(slug(first) or "charter", MAX_NAME)
    return f"{name}-{_MONTHS[day.month - 1]}{day.day}"


def bounded(text: str, limit: int) -> str:
    """``text`` when it fits in ``limit`` characters, else its start and a short hash of the
    whole: cut, yet unique and stable (the same text is cut the same way every time)."""
    if len(text) <= limit:
        return text
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return text[:limit - len(digest)] + digest


def candidate_event_ids(guest_name: str, day: date) -> Iterator[str]:
    """The base id, then ``-2``, ``-3``, ... for clashes."""
    base = base_event_id(guest_name, day)
    yield base
    suffix = 2
    while True:
        yield f"{base}-{suffix}"
        suffix += 1


def month_abbreviation(day: date) -> str:
    return _MONTHS[day.month - 1]
