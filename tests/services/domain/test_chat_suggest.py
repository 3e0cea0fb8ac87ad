"""What a change that names no existing charter may have meant. Pure."""

from __future__ import annotations

from datetime import date

from handlers.views.chat import no_such_charter
from services.domain.chat.parse import read_intent
from services.usecases.chat_proposal import suggest
from tests.services.domain.test_chat_parse import CHARTERS, ROSTER, TODAY

CHARTERS_BY_DATE = sorted((w.charter for w in CHARTERS.values()), key=lambda c: c.start)


def intent(text: str, author: str | None = None):  # type: ignore[no-untyped-def]
    found = read_intent(text, author=ROSTER.find(author) if author else None, roster=ROSTER,
                        today=TODAY)
    assert found is not None
    return found


def test_the_authors_own_charters_nearest_to_the_day_come_first() -> None:
    asked = intent("cant make it friday — Darrell will take it", "Gene")
    assert asked.days == {date(2026, 5, 29)}
    found = suggest(CHARTERS_BY_DATE, intent=asked, person="Gene", roster=ROSTER)
    assert [c.guest_name for c in found] == ["Quinn", "Danika"]  # Sat May 30, Sun May 31
    message = no_such_charter(asked, found, value={"text": "…", "author": "U0GENE"})
    assert message["text"].startswith(
        "No charter on Fri May 29 — did you mean Sat May 30, Quinn or Sun May 31, Danika?")


def test_a_misspelt_guest_finds_the_guest_it_resembles() -> None:
    asked = intent("Jonathon's now 11-2")
    assert asked.named == ("jonathon",)
    found = suggest(CHARTERS_BY_DATE, intent=asked, person=None, roster=ROSTER)
    assert [c.guest_name for c in found] == ["Jonathan"]


def test_nothing_alike_is_said_plainly_without_buttons() -> None:
    asked = intent("Zelda's now 11-2")
    assert suggest(CHARTERS_BY_DATE, intent=asked, person=None, roster=ROSTER) == []
    message = no_such_charter(asked, [], value={})
    assert message["text"] == ("No upcoming charter for 'zelda', so there is nothing to "
                               "change. I read this as a new time, 11-2 for Zelda.")
    assert [b["type"] for b in message["blocks"]] == ["section"]
