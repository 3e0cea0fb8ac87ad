"""Crew chat through Slack's Events API: small talk costs no reads at all, a change reads
only its day, and a change for a charter that does not exist is answered in thread."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.sandbox.sandbox import Sandbox
from bot.sandbox.slack_fake import SlackFake
from tests.handlers.slack_requests import (
    STRANGER,
    buttons,
    click,
    make_bot,
    message_event,
    responses,
    signed,
)
from tests.services.domain.test_chat_parse import SMALL_TALK

CREW = ["U0GENE", "U0DARRELL", "U0ANA", "U0BO", "U0TESS", STRANGER]
NO_READS = {"calendar": 0, "dynamodb": 0, "s3": 0, "cloudfront": 0}


def test_a_quiet_channel_of_fifty_messages_reads_nothing(
        seeded: Sandbox, slack: SlackFake, tmp_path: Path) -> None:
    # One worker: the deferred work runs in order, so a barrier task marks "all done".
    pool = ThreadPoolExecutor(max_workers=1)
    app, ops = make_bot(seeded, slack, tmp_path / "audit.sqlite3", executor=pool)
    seeded.reset_requests()
    for n, text in enumerate(SMALL_TALK):
        response = app.dispatch(message_event(text, CREW[n % len(CREW)],
                                              ts=f"1716000{n:03d}.000100"))
        assert response.status == 200
    pool.submit(lambda: None).result()
    assert seeded.reads() == NO_READS  # counted where they would arrive: emulator, moto
    assert [m for m, _ in slack.calls if m.startswith("chat.")] == []
    assert ops.audit.decision_history() == []

    # The same bot, the same counters: a real change is read, narrowly, and proposed.
    app.dispatch(message_event("can someone cover for me saturday? Marco said yes",
                               "U0ANGELIA", ts="1716000999.000100"))
    pool.submit(lambda: None).result()
    [(_, proposal)] = slack.wait_for(1, method="chat.postMessage")
    assert "mate Angelia → Marco on quinn-may30" in proposal["text"]
    assert proposal["thread_ts"] == "1716000999.000100"
    reads = seeded.reads()
    assert reads == {"calendar": 1, "dynamodb": 1, "s3": 1, "cloudfront": 0}, reads


def test_a_guest_named_without_a_day_is_searched_for_not_the_whole_window(
        seeded: Sandbox, slack: SlackFake, tmp_path: Path) -> None:
    pool = ThreadPoolExecutor(max_workers=1)
    app, _ = make_bot(seeded, slack, tmp_path / "audit.sqlite3", executor=pool)
    seeded.reset_requests()
    app.dispatch(message_event("Danika's now 4-8", "U0GENE"))
    pool.submit(lambda: None).result()
    [(_, proposal)] = slack.wait_for(1, method="chat.postMessage")
    assert "danika-may31 on Sun May 31: 15:00–19:00 → 16:00–20:00" in proposal["text"]
    searches = [p for m, p in seeded.emulator.requests if m == "GET" and "/events" in p]
    assert len(searches) == 2  # the search for 'danika', then Sunday's events
    assert seeded.reads()["dynamodb"] == 1 and seeded.reads()["cloudfront"] == 0


def test_a_swap_for_a_day_without_a_charter_is_answered_in_thread_with_candidates(
        seeded: Sandbox, slack: SlackFake, tmp_path: Path) -> None:
    app, ops = make_bot(seeded, slack, tmp_path / "audit.sqlite3")
    seeded.reset_requests()
    # Gene captains Danika on Sunday May 31 and Paola on Sunday June 14; nothing on Friday.
    app.dispatch(message_event("cant make it friday — Darrell will take it", "U0GENE",
                               ts="1716000500.000100"))
    [(_, answer)] = slack.wait_for(1, method="chat.postMessage")
    assert answer["thread_ts"] == "1716000500.000100"
    assert answer["text"].startswith(
        "No charter on Fri May 29 — did you mean Sun May 31, Danika or Sun Jun 14, Paola?")
    assert "I read this as Darrell taking over on Fri May 29." in answer["text"]
    choices = buttons(answer, "chat_pick_charter")
    assert [b["text"]["text"] for b in choices] == ["Sun May 31 · Danika", "Sun Jun 14 · Paola"]
    reads = seeded.reads()
    assert (reads["dynamodb"], reads["s3"], reads["cloudfront"]) == (0, 0, 0)
    assert ops.audit.change_history() == []

    # Someone outside the crew cannot pick; only they are told, the answer stays.
    message = {"ts": "1700000000.000009", "text": answer["text"], "blocks": answer["blocks"]}
    app.dispatch(signed(click(slack, "chat_pick_charter", choices[0]["value"],
                              block_id="chat_pick", message=message, user=STRANGER)))
    [refusal] = responses(slack, 1)
    assert "only the approvers" in refusal["text"]
    assert (refusal["response_type"], refusal["replace_original"]) == ("ephemeral", False)
    # Gene picks Danika: the proposal takes the answer's place, in the thread.
    app.dispatch(signed(click(slack, "chat_pick_charter", choices[0]["value"],
                              block_id="chat_pick", message=message, user="U0GENE")))
    proposal = responses(slack, 2)[1]
    assert proposal["replace_original"] is True
    assert "proposes `/charter swap danika-may31 Gene Darrell`" in proposal["text"]
    assert "captain Gene → Darrell on danika-may31" in proposal["text"]
    assert [d.decision for d in ops.audit.decision_history()] == ["proposed", "refused"]


def test_an_unknown_guest_is_answered_with_what_was_understood(
        seeded: Sandbox, slack: SlackFake, tmp_path: Path) -> None:
    app, _ = make_bot(seeded, slack, tmp_path / "audit.sqlite3")
    app.dispatch(message_event("Dannika's now 4-8", "U0GENE"))
    [(_, answer)] = slack.wait_for(1, method="chat.postMessage")
    assert answer["text"].startswith("No upcoming charter for 'dannika' — did you mean "
                                     "Sun May 31, Danika?")
    assert "I read this as a new time, 4-8 for Dannika." in answer["text"]
    [choice] = buttons(answer, "chat_pick_charter")
    assert json.loads(choice["value"])["cal"] == "evtdanika"
