"""The seed's weekend extended with what readiness reads: the crew's answers to their
calendar invitations, and the attributes the operator's Lambdas keep on the records."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.sandbox.sandbox import Sandbox, install, running_sandbox
from bot.sandbox.scenario import Scenario, seed_weekend
from services.domain.config import Config
from tests.conftest import SEED_SATURDAY, as_the_cli_sees_it

ANSWERS = {
    # Sunday: Danika's mate is tentative and Bo has not answered; Jonathan's crew accepted.
    "evtdanika": {"gene": "accepted", "ana": "tentative", "bo": "needsAction"},
    "evtjonathan": {"marco": "accepted", "tess": "accepted"},
    # Friday: Lindqvist is all set.
    "evtlindqvist": {"darrell": "accepted", "tess": "accepted"},
}
LAMBDAS = {
    "danika-may31": {"waiversSigned": ["a", "b", "c", "d", "e", "f", "g", "h", "i"],
                     "boardingEmailSentAt": "2026-05-29T17:00:00Z", "smsDispatched": False},
    "lindqvist-jun5": {"waiversSigned": 30, "boardingEmailSentAt": "2026-06-03T16:00:00Z",
                       "smsDispatched": True},
}


def readiness_scenario(config: Config) -> Scenario:
    pages, roster = config.pages, config.roster
    scenario = seed_weekend(
        SEED_SATURDAY, waiver_base=pages.waiver_url, prefix=pages.prefix,
        phones={m.name: m.phone for m in roster}, emails={m.name: m.email for m in roster},
        photo_url=pages.photo_upload_url or f"{pages.base_url}/charters/photos")
    for event in scenario.events:
        answers = ANSWERS.get(event["id"], {})
        for attendee in event.get("attendees", []):
            status = answers.get(attendee["email"].split("@")[0])
            if status:
                attendee["responseStatus"] = status
    for record in scenario.records:
        record.update(LAMBDAS.get(record["eventId"], {}))
    return scenario


@contextmanager
def ready_sandbox(config: Config, tmp_path: Path,
                  monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    """The extended seed in the sandbox, as ``python -m bot`` sees it."""
    with running_sandbox(config) as box:
        install(box, readiness_scenario(config))
        yield as_the_cli_sees_it(box, tmp_path, monkeypatch)
