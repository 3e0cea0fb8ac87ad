"""``status``: one charter as each system sees it, for Slack's ``/charter status`` and the
command line's ``status`` alike. Returns data; each surface renders it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from common.changes import ChangeEntry
from common.errors import InputError
from services.domain.change.resolve import check_query, resolve_charter
from services.domain.config import Config
from services.domain.display import show_value
from services.domain.fleet import on_boat
from services.domain.models import Boat, DesiredCharter, Discrepancy, Window
from services.domain.pages.reading import read_page_fields
from services.domain.pages.rendering import PageRenderer
from services.domain.reconcile.engine import COMPARED_FIELDS
from services.ports import AuditStore
from services.reconciling import Systems, run_reconcile

PageState = Literal["refused", "missing", "current", "stale"]


@dataclass(frozen=True)
class FieldStatus:
    name: str
    calendar: str
    dynamodb: str | None  # None: there is no record
    differs: bool


@dataclass(frozen=True)
class CharterStatus:
    event_id: str
    want: DesiredCharter
    fields: tuple[FieldStatus, ...]
    page: PageState
    page_url: str
    page_shows: dict[str, str]  # what the deployed page says, field by field
    discrepancies: tuple[Discrepancy, ...]
    recent_changes: tuple[ChangeEntry, ...]

    @property
    def in_sync(self) -> bool:
        return self.page == "current" and not any(f.differs for f in self.fields)


def charter_status(systems: Systems, config: Config, *, query: str, window: Window,
                   now: datetime, audit: AuditStore | None,
                   boat: Boat | None = None) -> CharterStatus:
    """InputError for an empty query; UnknownCharterError (with candidates) when it names
    no charter or several."""
    if not query.strip():
        raise InputError("Which charter? For example `/charter status danika`.")
    check_query(query)  # before the read: a paragraph names no charter
    result = run_reconcile(systems, config, window=window, now=now, renderer=PageRenderer())
    result = on_boat(result, boat)
    event_id = resolve_charter(query, result, today=window.start)
    want = result.desired[event_id]
    record = want.current_record
    fields = []
    # A fleet's status names the boat too: a charter moved to another boat shows here.
    boat_fields = ("vessel",) if config.fleet else ()
    for name in (*COMPARED_FIELDS, "status", *boat_fields):
        calendar = show_value(want.record.get(name))
        dynamodb = show_value(record.get(name)) if record else None
        fields.append(FieldStatus(name, calendar, dynamodb, dynamodb != calendar))
    page: PageState
    if want.page_key_problem:
        page = "refused"
    elif want.deployed_page is None:
        page = "missing"
    else:
        page = "current" if want.deployed_page.content_md5 == want.page_md5 else "stale"
    html = systems.pages.fetch(want.page_key) if page in ("current", "stale") else None
    changes = tuple(audit.recent(event_id=event_id, limit=3)) if audit is not None else ()
    return CharterStatus(
        event_id=event_id, want=want, fields=tuple(fields), page=page,
        page_url=f"{config.pages.base_url}/{want.page_key}",
        page_shows=read_page_fields(html) if html else {},
        discrepancies=tuple(d for d in result.discrepancies if d.event_id == event_id),
        recent_changes=changes)
