"""The record id rule of the data contract: ``<guest first name>-<mon><day>``.

``danika-may31``; a second charter for the same first name on the same day
gets ``-2``, a third ``-3``. The operator's Lambdas and guest links already
use these ids, so the rule must not change.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import date

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def slug(text: str) -> str:
    """Lower-case ASCII letters and digits only (accents folded: 'Zoë' -> 'zoe')."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "", folded.lower())


def base_event_id(guest_name: str, day: date) -> str:
    first = guest_name.split()[0] if guest_name.split() else ""
    name = slug(first) or "charter"
    return f"{name}-{_MONTHS[day.month - 1]}{day.day}"


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
