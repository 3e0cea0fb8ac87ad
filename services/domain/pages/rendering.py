"""Rendering a guest page: pure, deterministic HTML out of a GuestPage.

Deterministic matters: staleness is decided by comparing the MD5 of a fresh
rendering with the deployed object's, so no timestamps, no random ids, and a
stable order. Autoescaping is on: a calendar description or a guest name with
``<script>`` comes out inert.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


@dataclass(frozen=True)
class CrewContact:
    role: str
    name: str
    phone: str | None  # None when the person is not in the roster


@dataclass(frozen=True)
class GuestPage:
    event_id: str
    guest_name: str
    start: datetime  # aware, local time
    end: datetime
    location: str
    crew: tuple[CrewContact, ...]
    waiver_url: str
    photo_upload_url: str
    # The operator's name as guests know it (app.yaml operator.name; a fleet: the boat's).
    operator_name: str = "Queen of San Diego"
    # The boat to board, shown on the page in a fleet (None: one boat, the page as before).
    boat: str | None = None


def waiver_url(base: str, *, event_id: str, guest_name: str) -> str:
    """The waiver endpoint with eventId and guestName added, every value URL-encoded."""
    return _with_query(base, [("eventId", event_id), ("guestName", guest_name)])


def _with_query(url: str, extra: list[tuple[str, str]]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + extra
    return urlunsplit(parts._replace(query=urlencode(query)))


def _clock(moment: datetime) -> str:
    return f"{moment.hour % 12 or 12}:{moment.minute:02d}"


def arrival_window(start: datetime, end: datetime) -> str:
    """'3:00–7:00 PM'; '11:00 AM–2:00 PM' when the window crosses noon."""
    start_half, end_half = start.strftime("%p"), end.strftime("%p")
    if start_half == end_half:
        return f"{_clock(start)}–{_clock(end)} {end_half}"
    return f"{_clock(start)} {start_half}–{_clock(end)} {end_half}"


def display_date(start: datetime) -> str:
    return f"{start:%A, %B} {start.day}, {start.year}"


def content_md5(html: str) -> str:
    return hashlib.md5(html.encode("utf-8"), usedforsecurity=False).hexdigest()


class PageRenderer:
    """Loads the template once; render() is then a pure function of the page."""

    def __init__(self, template: str | Path | None = None) -> None:
        """``template``: the operator's own (``pages.template``), checked at load by
        services/domain/pages/own_template.py; None: the product's."""
        # Jinja is loaded with the first renderer: a request that renders no page (a
        # slash command's ack) never pays for it.
        from jinja2 import (
            Environment,
            FileSystemLoader,
            PackageLoader,
            StrictUndefined,
        )

        own = Path(template) if template is not None else None
        self._env = Environment(
            loader=FileSystemLoader(str(own.parent)) if own is not None
            else PackageLoader("services.domain.pages", "templates"),
            # Always: an operator's template named page.htm or page.jinja is HTML too.
            autoescape=True,
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )
        self._template = self._env.get_template(own.name if own is not None
                                                else "guest_page.html.j2")

    def render(self, page: GuestPage) -> str:
        return self._template.render(
            page=page,
            date=display_date(page.start),
            arrival=arrival_window(page.start, page.end),
            waiver_src=_with_query(page.waiver_url, [("isMinor", "false")]),
        )
