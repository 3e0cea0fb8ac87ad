"""The Departures section within Slack's limits, whatever the digest below it holds."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from handlers.views.blocks import section
from handlers.views.readiness import departure_blocks, with_departures
from services.domain.readiness import Departure, Item
from tests.services.domain.test_reconcile import charter

DAYS = [date(2026, 5, 31)]


def departure(n: int = 0, *, ok: bool | None = True,
              unconfirmed: tuple[str, ...] = ()) -> Departure:
    return Departure(event_id=f"danika-{n}", charter=charter(),
                     items=(Item("crew_set", ok, "Captain Gene."),), unconfirmed=unconfirmed)


def test_the_departures_go_on_top_of_the_first_message_when_they_fit() -> None:
    digest = [{"text": "headline", "blocks": [section("Morning check")]}]
    [message] = with_departures(digest, [departure(ok=False)], days=DAYS)
    assert message["text"] == "headline"
    assert [b["text"]["text"].splitlines()[0] for b in message["blocks"]] == [
        ":anchor: *Departures* on Sun May 31 — 0 of 1 ready",
        ":x: *Sun May 31 15:00–19:00 · Danika (danika-0): NOT READY*", "Morning check"]


def test_a_full_first_message_gets_the_departures_as_a_message_of_its_own() -> None:
    digest = [{"text": "headline", "blocks": [section(f"{i}") for i in range(49)]}]
    first, second = with_departures(digest, [departure()], days=DAYS)
    assert first["text"] == "Departures on Sun May 31: 1 of 1 ready"
    assert second == digest[0]


def test_no_digest_at_all_still_posts_the_departures() -> None:
    [message] = with_departures([], [], days=DAYS)
    assert message["text"] == "No departures on Sun May 31"


def test_many_departures_stay_within_fifty_blocks() -> None:
    blocks = departure_blocks([departure(n, unconfirmed=("Ana", "Bo")) for n in range(120)],
                              days=DAYS)
    assert len(blocks) <= 50
    assert "…and 98 more" in blocks[-1]["elements"][0]["text"]


def test_each_unconfirmed_crew_member_gets_a_nudge_button() -> None:
    _, _, nudges = departure_blocks([departure(unconfirmed=("Ana", "Bo"))], days=DAYS)
    assert nudges["block_id"] == "nudge:danika-0"
    assert [(e["text"]["text"], e["action_id"], e["value"]) for e in nudges["elements"]] == [
        ("Nudge Ana", "readiness_nudge", '{"event": "danika-0", "person": "Ana"}'),
        ("Nudge Bo", "readiness_nudge", '{"event": "danika-0", "person": "Bo"}')]


def test_a_fleets_departures_are_grouped_under_each_boats_name_at_no_extra_block() -> None:
    def on(n: int, boat: str) -> Departure:
        return replace(departure(n), charter=replace(charter(), vessel=boat))

    leaving = [on(0, "Queen of San Diego"), on(1, "Sea Wolf"), on(2, "Queen of San Diego")]
    blocks = departure_blocks(leaving, days=DAYS)
    texts = [b["text"]["text"] for b in blocks[1:]]
    assert len(blocks) == 4  # the headline and one section per departure, as for one boat
    assert [t.splitlines()[0] for t in texts] == [
        "*Queen of San Diego*", ":white_check_mark: *Sun May 31 15:00–19:00 · Danika "
        "(danika-2): ready*", "*Sea Wolf*"]
    assert "(danika-0)" in texts[0] and "(danika-1)" in texts[2]
    # One boat: no heading at all, the blocks as before fleets.
    single = departure_blocks([on(0, "Queen of San Diego"), on(1, "Queen of San Diego")],
                              days=DAYS)
    assert not any(b["text"]["text"].startswith("*Queen") for b in single)
