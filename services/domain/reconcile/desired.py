"""What a charter's DynamoDB record and guest page should hold, per the calendar. Pure."""

from __future__ import annotations

import re
from typing import Any

from services.domain.config import Config
from services.domain.models import STATUS_CREW_ASSIGNED, STATUS_SCHEDULED, Charter
from services.domain.pages.rendering import CrewContact, GuestPage, waiver_url
from services.domain.roster import Roster

# S3 refuses a key longer than this many bytes (KeyTooLongError).
MAX_KEY_BYTES = 1024
# What a guest page's name under the prefix may hold: plain path segments, no ``..``, no
# ``*`` (a wildcard in an invalidation), no ``?`` or ``#`` (a URL's query or fragment).
# A segment never starts with a dot, so neither ``.`` nor ``..`` is one.
_SEGMENT = r"[A-Za-z0-9_~-][A-Za-z0-9._~-]*"
_PAGE_NAME = re.compile(rf"{_SEGMENT}(/{_SEGMENT})*\.html")


def default_page_key(prefix: str, event_id: str) -> str:
    return f"{prefix}{event_id}.html"


def page_key_problem(key: str, prefix: str) -> str | None:
    """Why the bot may not write (or invalidate) the page at ``key``, or None when it may.

    A page key is read from a DynamoDB record, which other Lambdas and people write:
    it must name a page under ``pages.prefix`` and nothing else (not ``index.html``,
    ``../site/x.html``, an absolute path or a URL), or a record could steer an upload
    over any object of the bucket.
    """
    name = key[len(prefix):] if key.startswith(prefix) else None
    if name is None or not _PAGE_NAME.fullmatch(name):
        return f"it is not an .html page under pages.prefix {prefix}"
    if len(key.encode("utf-8")) > MAX_KEY_BYTES:
        return f"it is longer than S3's {MAX_KEY_BYTES} bytes"
    return None


def expected_status(captain: str | None, mate: str | None) -> str:
    return STATUS_CREW_ASSIGNED if captain and mate else STATUS_SCHEDULED


def desired_record(
    charter: Charter, *, event_id: str, page_key: str, roster: Roster, config: Config
) -> dict[str, Any]:
    """Every record attribute this product owns (``updatedAt`` is set when writing)."""
    captain = roster.canonical(charter.captain)
    mate = roster.canonical(charter.mate)
    boat = {"vessel": charter.vessel, "calendarId": charter.calendar_id} if charter.vessel \
        else {}
    return {
        "eventId": event_id,
        "eventDate": charter.start.date().isoformat(),
        "startTime": charter.start.strftime("%H:%M"),
        "endTime": charter.end.strftime("%H:%M"),
        "guestName": charter.guest_name,
        "guestCount": charter.guest_count,
        "captain": captain,
        "mate": mate,
        "crew": [roster.canonical(name) or name for name in charter.crew],
        "location": charter.location,
        "status": expected_status(captain, mate),
        "calendarEventId": charter.calendar_event_id,
        "pageKey": page_key,
        "waiverUrl": waiver_url(
            config.pages.waiver_url, event_id=event_id, guest_name=charter.guest_name
        ),
        **boat,
    }


def desired_page(charter: Charter, *, event_id: str, roster: Roster, config: Config) -> GuestPage:
    contacts = []
    for role, name in (("Captain", charter.captain), ("Mate", charter.mate)):
        if not name:
            continue
        member = roster.find(name)
        contacts.append(
            CrewContact(
                role=role,
                name=member.name if member else name,
                phone=member.phone if member and member.phone else None,
            )
        )
    photo_url = config.pages.photo_upload_url or f"{config.pages.base_url}/charters/photos"
    return GuestPage(
        event_id=event_id,
        guest_name=charter.guest_name,
        start=charter.start,
        end=charter.end,
        location=charter.location,
        crew=tuple(contacts),
        waiver_url=waiver_url(
            config.pages.waiver_url, event_id=event_id, guest_name=charter.guest_name
        ),
        photo_upload_url=photo_url,
        # The boat the guest boards, as guests know it (one boat: operator.name).
        operator_name=charter.vessel or config.operator.name,
        boat=charter.vessel if config.fleet and charter.vessel else None,
    )
