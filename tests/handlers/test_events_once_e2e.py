"""Slack delivers events at least once: a retry, or the same event at a second replica on
the same audit store, is acknowledged and makes no second proposal."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from slack_bolt import App

from bot.sandbox.sandbox import Sandbox
from bot.sandbox.slack_fake import SlackFake
from services.deps import Deps
from tests.handlers.slack_requests import make_bot, message_event

SWAP = "Ana is covering for Angelia on saturday"


def proposals(slack: SlackFake) -> list[dict]:
    return [p for m, p in slack.calls if m == "chat.postMessage"]


def test_a_retried_event_is_acknowledged_and_makes_one_proposal(
        seeded: Sandbox, slack: SlackFake, tmp_path: Path) -> None:
    pool = ThreadPoolExecutor(max_workers=4)
    app, ops = make_bot(seeded, slack, tmp_path / "audit.sqlite3", executor=pool)
    first = app.dispatch(message_event(SWAP, "U0GENE", event_id="Ev0RETRY1"))
    slack.wait_for(1, method="chat.postMessage")
    # Slack thought the first delivery was slow and sends it again, twice.
    started = time.perf_counter()
    retries = [app.dispatch(message_event(SWAP, "U0GENE", event_id="Ev0RETRY1", retry=n))
               for n in (1, 2)]
    acked_in = time.perf_counter() - started
    pool.shutdown(wait=True)  # every deferred listener has run
    assert [r.status for r in (first, *retries)] == [200, 200, 200]
    assert acked_in < 1.0
    [proposal] = proposals(slack)
    assert "mate Angelia → Ana on quinn-may30" in proposal["text"]
    assert [d.decision for d in ops.audit.decision_history()] == ["proposed"]


def test_a_new_event_with_the_same_text_is_still_read(
        seeded: Sandbox, slack: SlackFake, tmp_path: Path) -> None:
    pool = ThreadPoolExecutor(max_workers=4)
    app, _ = make_bot(seeded, slack, tmp_path / "audit.sqlite3", executor=pool)
    app.dispatch(message_event(SWAP, "U0GENE", event_id="Ev0FIRST", ts="1716000000.000100"))
    app.dispatch(message_event(SWAP, "U0GENE", event_id="Ev0SECOND", ts="1716000001.000100"))
    pool.shutdown(wait=True)
    assert sorted(p["thread_ts"] for p in proposals(slack)) == ["1716000000.000100",
                                                                "1716000001.000100"]


def test_two_replicas_on_one_database_make_one_proposal(
        seeded: Sandbox, slack: SlackFake, tmp_path: Path) -> None:
    pools = [ThreadPoolExecutor(max_workers=4) for _ in range(2)]
    replicas: list[tuple[App, Deps]] = [
        make_bot(seeded, slack, tmp_path / "shared.sqlite3", executor=pool) for pool in pools]
    for app, _ in replicas:
        assert app.dispatch(message_event(SWAP, "U0GENE", event_id="Ev0BOTH")).status == 200
    for pool in pools:
        pool.shutdown(wait=True)
    assert len(proposals(slack)) == 1
