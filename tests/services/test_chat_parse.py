"""How captains write a swap or a time change in chat, and what must not trigger one."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from services.chat_parse import parse_chat
from services.models import Charter, CrewMember, DesiredCharter
from services.roster import Roster

LA = ZoneInfo("America/Los_Angeles")
TODAY = date(2026, 5, 25)  # a Monday
ROSTER = Roster([CrewMember(n, ("captain", "mate", "crew"), "", f"{n.lower()}@x.com")
                 for n in ("Gene", "Darrell", "Marco", "Ana", "Angelia", "Bo", "Tess")])


def want(event_id: str, guest: str, day: date, start: int, end: int, captain: str, mate: str,
         crew: tuple[str, ...] = ()) -> DesiredCharter:
    charter = Charter(
        calendar_event_id=f"evt{guest}", title=f"{guest} — Sail",
        start=datetime(day.year, day.month, day.day, start, tzinfo=LA),
        end=datetime(day.year, day.month, day.day, end, tzinfo=LA), location="",
        guest_name=guest, guest_count=8, captain=captain, mate=mate, crew=crew)
    return DesiredCharter(event_id=event_id, charter=charter, record={}, page_key="",
                          page_html="", page_md5="")


CHARTERS = {w.event_id: w for w in [
    want("quinn-may30", "Quinn", date(2026, 5, 30), 10, 14, "Gene", "Angelia"),
    want("jonathan-may31", "Jonathan", date(2026, 5, 31), 10, 13, "Marco", "Ana"),
    want("danika-may31", "Danika", date(2026, 5, 31), 15, 19, "Gene", "Tess", ("Bo",)),
    want("paola-jun14", "Paola", date(2026, 6, 14), 12, 16, "Darrell", "Ana"),
]}


def parse(text: str, author: str | None):  # type: ignore[no-untyped-def]
    member = ROSTER.find(author) if author else None
    proposal = parse_chat(text, author=member, roster=ROSTER, charters=CHARTERS, today=TODAY)
    return proposal.command if proposal else None


TRIGGERS = [
    ("Gene is covering my June 14 charter", "Darrell", "/charter swap paola-jun14 Darrell Gene"),
    ("can't make Saturday, Darrell will take it", "Gene",
     "/charter swap quinn-may30 Gene Darrell"),
    ("swap: Ana for Bo on danika", None, "/charter swap danika-may31 Bo Ana"),
    ("Danika's now 3-7", None, "/charter time danika-may31 3-7pm"),
    ("Marco will cover for Angelia on Saturday", None, "/charter swap quinn-may30 Angelia Marco"),
    ("Tess is taking my spot on the 14th", "Darrell", "/charter swap paola-jun14 Darrell Tess"),
    ("I'm out sick for may 30, Marco can cover", "Angelia",
     "/charter swap quinn-may30 Angelia Marco"),
    ("Bo is out, Ana in for danika", None, "/charter swap danika-may31 Bo Ana"),
    ("can Gene captain june 14 instead of Darrell?", None,
     "/charter swap paola-jun14 Darrell Gene"),
    ("Quinn moved to 11am-3pm", None, "/charter time quinn-may30 11am-3pm"),
    ("moving Jonathan to 10:30-1:30", None, "/charter time jonathan-may31 10:30-1:30pm"),
    ("paola now 1-5pm", None, "/charter time paola-jun14 1-5pm"),
    ("Danika starts 2-6 now", None, "/charter time danika-may31 2-6pm"),
    ("Heads up: danika pushed to 4pm-8pm", None, "/charter time danika-may31 4pm-8pm"),
    ("Angelia replacing Tess on danika", None, "/charter swap danika-may31 Tess Angelia"),
    ("Darrell subbing for Gene on the Quinn charter", None,
     "/charter swap quinn-may30 Gene Darrell"),
    ("won't make it sunday, Darrell will do it", "Marco",
     "/charter swap jonathan-may31 Marco Darrell"),
    ("Tess covering jonathan for Ana", None, "/charter swap jonathan-may31 Ana Tess"),
    ("Angelia is filling in for Ana on the 31st", None,
     "/charter swap jonathan-may31 Ana Angelia"),
    ("GENE IS COVERING MY JUNE 14 CHARTER", "Darrell", "/charter swap paola-jun14 Darrell Gene"),
    ("gene's covering june 14", "Darrell", "/charter swap paola-jun14 Darrell Gene"),
    ("Marco takes my june14", "Darrell", "/charter swap paola-jun14 Darrell Marco"),
    ("unable to make 5/30 — Tess will step in", "Angelia",
     "/charter swap quinn-may30 Angelia Tess"),
    ("Bo for Tess on danika please", None, "/charter swap danika-may31 Tess Bo"),
    ("cant make sat. darrell can take it", "Gene", "/charter swap quinn-may30 Gene Darrell"),
    ("Jonathan is now 9-12", None, "/charter time jonathan-may31 9-12"),
    ("Quinn charter time change: 9am-1pm", None, "/charter time quinn-may30 9am-1pm"),
    ("Ana will sub for Tess at Danika's", None, "/charter swap danika-may31 Tess Ana"),
    ("Angelia is going to cover Bo on danika", None, "/charter swap danika-may31 Bo Angelia"),
    ("Darrell will be covering the Quinn charter for Gene", None,
     "/charter swap quinn-may30 Gene Darrell"),
]

NOT_TRIGGERS = [
    ("Anyone seen the dock keys?", "Gene"),
    ("Gene is great", None),
    ("The weather on Saturday looks bad", "Gene"),
    ("what time is danika?", None),
    ("covering the boat tonight with a tarp", "Bo"),
    ("lunch at 3-4?", None),
    ("Ana for president", None),
    ("thanks Tess!", "Gene"),
    ("Danika loved the trip", None),
    ("I'm out of sunscreen", "Bo"),
    ("Gene is covering", None),  # which charter?
    ("Zed will cover my June 14", "Darrell"),  # not in the roster
    ("see you saturday", "Angelia"),
    ("Gene is covering the Jonathan charter", None),  # nobody to replace
]


@pytest.mark.parametrize(("text", "author", "expected"), TRIGGERS)
def test_phrasings_that_propose_a_change(text: str, author: str | None, expected: str) -> None:
    assert parse(text, author) == expected


@pytest.mark.parametrize(("text", "author"), NOT_TRIGGERS)
def test_messages_that_must_not_propose_anything(text: str, author: str | None) -> None:
    assert parse(text, author) is None


def test_the_table_is_large_enough() -> None:
    assert len(TRIGGERS) + len(NOT_TRIGGERS) >= 40
