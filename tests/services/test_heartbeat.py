"""Who watches the watcher: HEARTBEAT_URL after each successful check (a loopback server
stands in for Healthchecks), /readyz 503 when the last successful check is stale, and
the digest saying when it was."""

from __future__ import annotations

import dataclasses
import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from werkzeug.test import Client

from bot.health import Health, with_health
from bot.sandbox.loopback import POLL_SECONDS
from bot.sandbox.sandbox import Sandbox
from bot.serve import _sync_check
from bot.wiring import build_deps
from common.errors import CharterOpsError
from handlers.views.digest import digest_message_list
from services import jobs
from services.adapters.heartbeat import Heartbeat
from services.usecases.digest import digest
from tests.services.test_live_sync import Bot, make_bot, move_danika


@dataclasses.dataclass
class Watcher:
    url: str
    requests: list[str]


@pytest.fixture
def watcher() -> Iterator[Watcher]:
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"OK")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(POLL_SECONDS,), daemon=True).start()
    yield Watcher(f"http://127.0.0.1:{server.server_port}/ping/abc", seen)
    server.shutdown()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def bot(seeded: Sandbox, tmp_path: Path) -> Bot:
    return make_bot(seeded, tmp_path)


def test_a_successful_check_is_heard_at_most_once_a_minute(bot: Bot, watcher: Watcher
                                                             ) -> None:
    clock = Clock()
    # As build_live_sync wires HEARTBEAT_URL.
    live = bot.live(heartbeat=Heartbeat(watcher.url, clock=clock).beat)
    live.check()
    assert watcher.requests == ["/ping/abc"]
    move_danika(bot.box)
    live.check()
    clock.now += 30
    live.check()
    assert len(watcher.requests) == 1  # three successes within a minute: one beat
    clock.now += 31
    live.check()
    assert len(watcher.requests) == 2


def test_a_failed_check_is_not_heard(bot: Bot, watcher: Watcher) -> None:
    live = bot.live(heartbeat=Heartbeat(watcher.url, every=0).beat)
    bot.box.emulator.fail_api(403)  # the credentials revoked: every calendar read refused
    with pytest.raises(CharterOpsError):
        live.check()
    assert watcher.requests == []
    bot.box.emulator.fail_api(None)
    live.check()
    assert watcher.requests == ["/ping/abc"]


def test_an_unreachable_heartbeat_is_logged_never_fatal(bot: Bot, watcher: Watcher,
                                                        caplog: pytest.LogCaptureFixture
                                                        ) -> None:
    live = bot.live(heartbeat=Heartbeat("http://127.0.0.1:9/nobody", timeout=1).beat)
    assert live.check().read == "first"
    assert "heartbeat after the live-sync check not delivered" in caplog.text


def test_the_digest_and_nightly_sync_are_heard_a_failed_job_is_not(watcher: Watcher) -> None:
    posted: list[object] = []
    beat = Heartbeat(watcher.url, every=0).beat
    jobs.guarded("nightly sync", lambda: "done", posted.append, beat=beat)()
    assert len(watcher.requests) == 1

    def failing() -> None:
        raise CharterOpsError("the table could not be read")

    jobs.guarded("morning digest", failing, posted.append, beat=beat)()
    assert len(watcher.requests) == 1 and len(posted) == 1


def test_a_heartbeat_peer_that_answers_no_http_never_fails_the_job(
        caplog: pytest.LogCaptureFixture) -> None:
    listener = socket.create_server(("127.0.0.1", 0))

    def answer_garbage() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(4096)
            connection.sendall(b"garbage\r\n")

    threading.Thread(target=answer_garbage, daemon=True).start()
    posted: list[object] = []
    beat = Heartbeat(f"http://127.0.0.1:{listener.getsockname()[1]}/ping", timeout=5).beat
    jobs.guarded("nightly sync", lambda: "done", posted.append, beat=beat)()
    listener.close()
    assert posted == []  # the sync succeeded: the channel is told of no failure
    assert "heartbeat after the nightly sync not delivered" in caplog.text


def readyz(bot: Bot) -> tuple[int, dict[str, str]]:
    env = dataclasses.replace(bot.box.env, database_url=bot.database)
    health = Health(config_source="app.yaml", database=lambda: (True, "reachable"),
                    sync=_sync_check(bot.config, env))
    answer = Client(with_health(lambda e, s: [], health)).get("/readyz")
    return answer.status_code, json.loads(answer.get_data())


def test_readyz_is_503_with_the_reason_when_the_last_check_is_stale(bot: Bot) -> None:
    twenty_ago = datetime.now(UTC) - timedelta(minutes=20)
    bot.live(store_clock=lambda: twenty_ago).check()  # the last success, 20 minutes ago
    status, body = readyz(bot)
    assert status == 503
    assert "last successful calendar check was 20 minutes ago" in body["sync"]
    assert "sync.stale_after_minutes (15)" in body["sync"]
    bot.live().check()  # checked again now
    status, body = readyz(bot)
    assert status == 200 and body["status"] == "ready"


def test_the_digest_says_when_the_last_sync_was_when_stale(bot: Bot) -> None:
    env = dataclasses.replace(bot.box.env, database_url=bot.database)
    ops = build_deps(bot.config, env)
    bot.live(store_clock=lambda: datetime.now(UTC) - timedelta(hours=3)).check()
    text = json.dumps(digest_message_list(digest(ops), all_clear=True))
    assert "The calendar was last synced 3 hours ago" in text
    bot.live().check()
    assert "last synced" not in json.dumps(digest_message_list(digest(ops), all_clear=True))
