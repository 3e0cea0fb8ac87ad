"""The FareHarbor and Checkfront emulators answer as the providers document, with their
auth enforced, and the booking parsers read what they serve and what they POST."""

from __future__ import annotations

import base64
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.sandbox.checkfront_emulator import API_KEY, API_SECRET, CheckfrontEmulator
from bot.sandbox.fareharbor_emulator import APP_KEY, USER_KEY, FareHarborEmulator
from bot.sandbox.loopback import LoopbackServer
from services.domain.bookings.charters import charter_of
from services.domain.bookings.checkfront import parse_checkfront
from services.domain.bookings.checkfront_bodies import read_body
from services.domain.bookings.fareharbor import parse_fareharbor

LA = ZoneInfo("America/Los_Angeles")
SAT = datetime(2026, 5, 30, 15, 0, tzinfo=LA)
SAT_END = datetime(2026, 5, 30, 19, 0, tzinfo=LA)
SUN = datetime(2026, 5, 31, 10, 0, tzinfo=LA)
SUN_END = datetime(2026, 5, 31, 13, 0, tzinfo=LA)


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, Any, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, json.loads(answer.read()), dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), dict(error.headers)


class Receiver(LoopbackServer):
    """Where a provider's webhooks land: every body and its Content-Type, answered 200."""

    def __init__(self) -> None:
        super().__init__()
        self.received: list[tuple[bytes, str]] = []
        self.lock = threading.Lock()


class _Receive(BaseHTTPRequestHandler):
    owner: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.owner.lock:
            self.owner.received.append((body, self.headers.get("Content-Type", "")))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


Receiver.handler = _Receive


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as server:
        yield server


# -- FareHarbor ------------------------------------------------------------------

FH_KEYS = {"X-FareHarbor-API-App": APP_KEY, "X-FareHarbor-API-User": USER_KEY}


@pytest.fixture
def fareharbor() -> Iterator[FareHarborEmulator]:
    with FareHarborEmulator(shortname="jada") as emulator:
        emulator.add_item(4821, "Afternoon Sail")
        emulator.add_item(77, "Kayak rental")
        yield emulator


def test_fareharbor_refuses_missing_and_wrong_keys(fareharbor: FareHarborEmulator) -> None:
    uuid = fareharbor.add_booking(item=4821, start=SAT, end=SAT_END, contact="Danika",
                                  guests=2)
    url = f"{fareharbor.api_url}companies/jada/bookings/{uuid}/"
    assert get(url)[0] == 401
    assert get(url, {**FH_KEYS, "X-FareHarbor-API-User": "someone-else"})[0] == 403
    assert get(f"{url}?api-app={APP_KEY}&api-user=wrong")[0] == 403
    assert get(url, FH_KEYS)[0] == 200
    assert get(f"{url}?api-app={APP_KEY}&api-user={USER_KEY}")[0] == 200  # query keys
    assert get(f"{fareharbor.api_url}companies/jada/bookings/no-such-uuid/", FH_KEYS)[0] == 404
    assert len(fareharbor.requests) == 6


def test_fareharbor_backfill_path_and_the_parser_reads_what_it_serves(
        fareharbor: FareHarborEmulator) -> None:
    danika = fareharbor.add_booking(item=4821, start=SAT, end=SAT_END, contact="Danika Rivera",
                                    guests=12, email="d@example.com", phone="+1 619 555 0199")
    fareharbor.add_booking(item=4821, start=SUN, end=SUN_END, contact="Quinn", guests=4)
    fareharbor.add_booking(item=77, start=SAT, end=SAT_END, contact="Rental", guests=1)
    base = f"{fareharbor.api_url}companies/jada/"
    status, items, _ = get(f"{base}items/", FH_KEYS)
    assert status == 200 and [(i["pk"], i["name"]) for i in items["items"]] == [
        (77, "Kayak rental"), (4821, "Afternoon Sail")]
    status, found, _ = get(
        f"{base}items/4821/minimal/availabilities/date-range/2026-05-30/2026-05-30/", FH_KEYS)
    assert status == 200 and [a["start_at"] for a in found["availabilities"]] == [
        "2026-05-30T15:00:00-0700"]  # FareHarbor's offset, without a colon; Sunday is out
    availability = found["availabilities"][0]["pk"]
    status, listed, _ = get(f"{base}availabilities/{availability}/bookings/", FH_KEYS)
    assert status == 200 and [b["uuid"] for b in listed["bookings"]] == [danika]
    status, answer, _ = get(f"{base}bookings/{danika}/", FH_KEYS)
    booking = parse_fareharbor(answer, source="jada")
    assert (booking.booking_id, booking.contact_name, booking.lines[0].guests) == (
        danika, "Danika Rivera", 12)
    assert booking.lines[0].start == SAT and booking.lines[0].end == SAT_END
    charter = charter_of(booking, {"4821": "Queen of San Diego"})
    assert charter is not None and charter.boat == "Queen of San Diego"


def test_fareharbor_rebooking_cancels_the_old_and_makes_a_new_uuid(
        fareharbor: FareHarborEmulator) -> None:
    old = fareharbor.add_booking(item=4821, start=SAT, end=SAT_END, contact="Danika", guests=2)
    new = fareharbor.rebook(old, start=SUN, end=SUN_END)
    before = parse_fareharbor(fareharbor.booking(old), source="jada")
    after = parse_fareharbor(fareharbor.booking(new), source="jada")
    assert (before.status, before.provider_status, before.rebooked_to) == (
        "cancelled", "rebooked", new)
    assert (after.live, after.rebooked_from, after.lines[0].start) == (True, old, SUN)
    fareharbor.cancel(new)
    assert parse_fareharbor(fareharbor.booking(new), source="jada").status == "cancelled"


def test_fareharbor_sends_its_webhook_with_duplicates(fareharbor: FareHarborEmulator,
                                                      receiver: Receiver) -> None:
    uuid = fareharbor.add_booking(item=4821, start=SAT, end=SAT_END, contact="Danika",
                                  guests=3)
    fareharbor.send_webhook(uuid, f"{receiver.url}/bookings/fareharbor/s3cret", copies=3,
                            delay=0.01)
    assert fareharbor.webhooks.wait()
    assert [d.status for d in fareharbor.webhooks.deliveries] == [200, 200, 200]
    bodies = {body for body, _ in receiver.received}
    assert len(receiver.received) == 3 and len(bodies) == 1  # identical, as documented
    body, kind = receiver.received[0]
    assert kind == "application/json"
    assert parse_fareharbor(json.loads(body), source="jada").booking_id == uuid


def test_fareharbor_rate_limit(fareharbor: FareHarborEmulator) -> None:
    fareharbor.fail_next(1)
    assert get(f"{fareharbor.api_url}companies/jada/items/", FH_KEYS)[0] == 420
    assert get(f"{fareharbor.api_url}companies/jada/items/", FH_KEYS)[0] == 200


# -- Checkfront ------------------------------------------------------------------

def basic(key: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()}


CF_KEYS = basic(API_KEY, API_SECRET)


@pytest.fixture
def checkfront() -> Iterator[CheckfrontEmulator]:
    with CheckfrontEmulator(host="jada.checkfront.com") as emulator:
        yield emulator


def three_lines(emulator: CheckfrontEmulator, *, contact: str = "Quinn Harper",
                start: datetime = SAT, end: datetime = SAT_END) -> str:
    return emulator.add_booking(contact=contact, email="q@example.com", lines=[
        {"item_id": 6, "sku": "sunset", "name": "Sunset Cruise", "start": start, "end": end,
         "param": {"adults": 6, "children": 3}},
        {"item_id": 8, "sku": "lifejacket", "name": "Life jacket", "start": start, "end": end,
         "qty": 2},
        {"item_id": 9, "sku": "cooler", "name": "Cooler", "start": start, "end": end,
         "qty": 1}])


def test_checkfront_refuses_missing_and_wrong_credentials(
        checkfront: CheckfrontEmulator) -> None:
    code = three_lines(checkfront)
    url = f"{checkfront.api_url}booking/{code}"
    assert get(url)[0] == 401
    assert get(url, basic(API_KEY, "wrong"))[0] == 401
    assert get(url, {"Authorization": "Basic not-base64!"})[0] == 401
    assert get(url, CF_KEYS)[0] == 200
    assert get(f"{checkfront.api_url}booking/NOPE-000000", CF_KEYS)[0] == 404


def test_checkfront_booking_reads_as_a_charter_with_its_add_ons_ignored(
        checkfront: CheckfrontEmulator) -> None:
    code = three_lines(checkfront)
    status, answer, _ = get(f"{checkfront.api_url}booking/{code}", CF_KEYS)
    booking = parse_checkfront(answer, source="cf", tz=LA)
    assert status == 200 and len(booking.lines) == 3
    charter = charter_of(booking, {"sunset": "Queen of San Diego"})
    assert charter is not None
    assert (charter.line.name, charter.line.guests, charter.line.start) == (
        "Sunset Cruise", 9, SAT)
    checkfront.set_status(code, "VOID")
    _, answer, _ = get(f"{checkfront.api_url}booking/{code}", CF_KEYS)
    assert parse_checkfront(answer, source="cf", tz=LA).status == "cancelled"


def test_checkfront_index_pages_and_filters(checkfront: CheckfrontEmulator) -> None:
    codes = [three_lines(checkfront, contact=f"Guest {n}") for n in range(4)]
    codes.append(three_lines(checkfront, contact="Sunday", start=SUN, end=SUN_END))
    seen: list[str] = []
    for page in (1, 2, 3):
        status, answer, _ = get(f"{checkfront.api_url}booking/index?limit=2&page={page}",
                                CF_KEYS)
        assert status == 200
        assert (answer["request"]["total_records"], answer["request"]["pages"]) == (5, 3)
        assert answer["request"]["records"] == (1 if page == 3 else 2)
        seen += [b["code"] for b in answer["booking/index"].values()]
    assert seen == codes
    _, sunday, _ = get(f"{checkfront.api_url}booking/index?start_date=2026-05-31"
                       "&end_date=2026-05-31", CF_KEYS)
    assert [b["code"] for b in sunday["booking/index"].values()] == [codes[4]]
    _, saturday, _ = get(f"{checkfront.api_url}booking/index?end_date=2026-05-30", CF_KEYS)
    assert len(saturday["booking/index"]) == 4
    # Incremental: only what changed after a moment.
    since = int(__import__("time").time())
    checkfront._modified = {code: since - 10.0 for code in codes}  # all older
    checkfront.change(codes[2], qty=11)
    _, changed, _ = get(f"{checkfront.api_url}booking/index?last_modified=>{since}", CF_KEYS)
    assert [b["code"] for b in changed["booking/index"].values()] == [codes[2]]


def test_checkfront_rate_limit_answers_429_with_retry_after(
        checkfront: CheckfrontEmulator) -> None:
    checkfront.rate_limit(2, retry_after=3)
    for _ in range(2):
        status, _, headers = get(f"{checkfront.api_url}booking/index", CF_KEYS)
        assert (status, headers.get("Retry-After")) == (429, "3")
    assert get(f"{checkfront.api_url}booking/index", CF_KEYS)[0] == 200


@pytest.mark.parametrize("lines", [1, 3])
def test_checkfront_webhooks_in_three_bodies_read_as_the_api_booking(
        checkfront: CheckfrontEmulator, receiver: Receiver, lines: int) -> None:
    code = three_lines(checkfront) if lines == 3 else checkfront.add_booking(
        contact="Solo", lines=[{"item_id": 6, "sku": "sunset", "name": "Sunset Cruise",
                                "start": SAT, "end": SAT_END, "qty": 5}])
    for body in ("json", "xml", "form"):
        checkfront.send_webhook(code, f"{receiver.url}/bookings/checkfront/s3cret", body=body,
                                copies=2 if body == "json" else 1)
    assert checkfront.webhooks.wait()
    kinds = [kind for _, kind in receiver.received]
    assert kinds == ["application/json", "application/json", "application/xml",
                     "application/x-www-form-urlencoded"]
    read = [parse_checkfront(read_body(body, content_type=kind), source="cf", tz=LA)
            for body, kind in receiver.received]
    assert read[0] == read[1] == read[2] == read[3]  # one booking, whichever body
    _, answer, _ = get(f"{checkfront.api_url}booking/{code}", CF_KEYS)
    api = parse_checkfront(answer, source="cf", tz=LA)
    assert read[0].booking_id == api.booking_id == code
    # The webhook names no item (only its sku); the rest is the API's booking.
    assert [(line.keys, line.start, line.end, line.guests) for line in read[0].lines] == [
        (line.keys, line.start, line.end, line.guests) for line in api.lines]
    assert len(read[0].lines) == lines
