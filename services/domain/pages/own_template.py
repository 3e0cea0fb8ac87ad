"""The operator's own guest page template (``pages.template``), checked when the settings
load: rendered against a sample page, so that one that does not parse or names a missing
variable stops the start naming the file and the line, and one that lacks a ``data-field``
mark ``status`` reads back is refused naming the mark."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from common.errors import ConfigError
from services.domain.guests.mail import failing_line
from services.domain.pages.reading import read_page_fields
from services.domain.pages.rendering import CrewContact, GuestPage, PageRenderer

SETTING = "pages.template"
# What status reads back from a deployed page (docs/contracts.md, The guest page); boat
# is shown in a fleet only, so not required.
REQUIRED_MARKS = ("guest", "date", "arrival", "location", "crew", "waiver")
_PACIFIC = timezone(timedelta(hours=-7))
SAMPLE = GuestPage(
    event_id="danika-may31", guest_name="Danika",
    start=datetime(2026, 5, 30, 15, tzinfo=_PACIFIC),
    end=datetime(2026, 5, 30, 19, tzinfo=_PACIFIC), location="Harbor Dock 3",
    crew=(CrewContact("Captain", "Gene", "+1 619 555 0101"),
          CrewContact("Mate", "Ana", None)),
    waiver_url="https://guests.example.com/charters/waiver?eventId=danika-may31",
    photo_upload_url="https://guests.example.com/charters/photos", boat="Queen of San Diego")


def check_page_template(path: str | Path) -> None:
    """ConfigError naming the key, and the file and line or the missing mark."""
    from jinja2 import TemplateError, TemplateSyntaxError

    template = Path(path)
    if not template.is_file():
        raise ConfigError(f"{SETTING}: {template} is not a file")
    try:
        html = PageRenderer(template).render(SAMPLE)
    except TemplateSyntaxError as error:
        raise ConfigError(f"{SETTING}: {error.filename or template}, line {error.lineno}: "
                          f"{error.message}") from None
    except TemplateError as error:
        where, line = failing_line(error, str(template))
        raise ConfigError(f"{SETTING}: {where}, line {line}: {error}") from None
    missing = [mark for mark in REQUIRED_MARKS if mark not in read_page_fields(html)]
    if missing:
        raise ConfigError(f"{SETTING}: {template} lacks the data-field mark"
                          f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}, which "
                          "status reads back from a deployed page; keep them as the "
                          "product's template has them")
