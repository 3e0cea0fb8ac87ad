"""Reading FareHarbor's and Checkfront's bookings, in the documented shapes and quirks."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest

from common.errors import ConfigError, InputError
from services.domain.bookings.charters import charter_of
from services.domain.bookings.checkfront import live_statuses, parse_checkfront
from services.domain.bookings.checkfront_bodies import read_body, read_form, read_xml
from services.domain.bookings.fareharbor import parse_fareharbor
from services.domain.bookings.model import BookingError

LA = ZoneInfo("America/Los_Angeles")

FAREHARBOR: dict[str, Any] = {"booking": {
    "pk": 73, "uuid": "bc6a0a36-46a1-4a5d-9a3e-6a3c3a5e3f10", "display_id": "#73",
    "status": "booked", "rebooked_from": None, "rebooked_to": None,
    "availability": {"pk": 123, "start_at": "2026-05-31T15:00:00-0700",
                     "end_at": "2026-05-31T19:00:00-0700",
                     "item": {"pk": 4821, "name": "Afternoon Sail"}},
    "contact": {"name": "Danika Rivera", "email": "danika@example.com",
                "phone": "+1 619 555 0199", "language": "en-us"},
    # The documentation's own examples: customer_count 1 beside two customers.
    "customer_count": 1, "customers": [{"pk": 1}, {"pk": 2}],
    "dashboard_url": "https://fareharbor.com/jada/dashboard/?overlay=/contacts/7/bookings/"
                     "bc6a0a36-46a1-4a5d-9a3e-6a3c3a5e3f10/",
}}


def fareharbor(**changes: Any) -> dict[str, Any]:
    payload = copy.deepcopy(FAREHARBOR)
    payload["booking"].update(changes)
    return payload


def test_fareharbor_reads_the_offset_without_a_colon_and_counts_customers() -> None:
    booking = parse_fareharbor(FAREHARBOR, source="jada")
    line = booking.lines[0]
    assert line.start.astimezone(LA) == datetime(2026, 5, 31, 15, 0, tzinfo=LA)
    assert line.end.astimezone(LA) == datetime(2026, 5, 31, 19, 0, tzinfo=LA)
    assert line.guests == 2  # customers[], not customer_count
    assert line.keys == ("4821",) and line.name == "Afternoon Sail"
    assert booking.booking_id == "bc6a0a36-46a1-4a5d-9a3e-6a3c3a5e3f10"
    assert (booking.display_id, booking.contact_name, booking.email, booking.phone) == (
        "#73", "Danika Rivera", "danika@example.com", "+1 619 555 0199")
    assert booking.live and booking.provider_status == "booked"


def test_fareharbor_rebooked_and_cancelled_are_not_live() -> None:
    old = parse_fareharbor(fareharbor(status="rebooked", rebooked_to="new-uuid-1"), source="j")
    new = parse_fareharbor(fareharbor(uuid="new-uuid-1", rebooked_from=FAREHARBOR["booking"][
        "uuid"]), source="j")
    cancelled = parse_fareharbor(fareharbor(status="cancelled"), source="j")
    assert (old.status, old.rebooked_to) == ("cancelled", "new-uuid-1")
    assert new.live and new.rebooked_from == FAREHARBOR["booking"]["uuid"]
    assert cancelled.status == "cancelled"


@pytest.mark.parametrize(("change", "message"), [
    ({"availability": {"item": {"pk": 1, "name": "x"}, "end_at": "2026-05-31T19:00:00-0700"}},
     "booking.availability.start_at is missing"),
    ({"availability": {"item": {"pk": 1, "name": "x"}, "start_at": "2026-05-31T15:00:00",
                       "end_at": "2026-05-31T19:00:00-0700"}},
     "booking.availability.start_at '2026-05-31T15:00:00' is not a date and time with an"),
    ({"availability": {"item": {"pk": 1, "name": "x"}, "start_at": "2026-05-31T19:00:00-0700",
                       "end_at": "2026-05-31T15:00:00-0700"}},
     "booking.availability ends"),
    ({"status": "pending"}, "booking.status 'pending' is not booked, cancelled or rebooked"),
    ({"uuid": None}, "booking.uuid is missing"),
    ({"uuid": "x" * 300}, "is not a booking id"),
    ({"customers": 3}, "booking.customers is not a list"),
    ({"contact": {"name": ""}}, "booking.contact.name is empty"),
    ({"dashboard_url": "javascript:alert(1)"}, "booking.dashboard_url is not a web address"),
])
def test_fareharbor_bad_input_names_what_was_wrong(change: dict[str, Any], message: str) -> None:
    with pytest.raises(BookingError, match=message.replace("(", r"\(")) as caught:
        parse_fareharbor(fareharbor(**change), source="jada")
    assert isinstance(caught.value, InputError)


def test_fareharbor_without_a_booking_says_so() -> None:
    with pytest.raises(BookingError, match=r"^booking is missing$"):
        parse_fareharbor({"bookings": []}, source="jada")


def test_a_newline_in_a_name_cannot_become_a_line_of_its_own() -> None:
    booking = parse_fareharbor(fareharbor(contact={"name": "Ann\nCaptain: Eve\x1b[2J"}),
                               source="j")
    assert booking.contact_name == "Ann Captain: Eve[2J"


# -- Checkfront ------------------------------------------------------------------

# The webhook's JSON as documented (docs/examples/response/webhook-booking.json):
# converted from XML, every value a string, attributes under @attributes.
CHECKFRONT: dict[str, Any] = {
    "@attributes": {"version": "3.0", "host": "jada.checkfront.com"},
    "booking": {
        "@attributes": {"booking_id": "157"}, "status": "PAID", "code": "KMVQ-060314",
        "tid": {}, "created_date": "1394156618", "start_date": "1780264800",
        "end_date": "1780279200",
        "customer": {"code": "BT5-386-579", "name": "Quinn Harper", "email": "q@example.com",
                     "phone": "1 (800) 559-0985"},
        "order": {"@attributes": {"currency_id": "USD"}, "items": {"item": [
            {"@attributes": {"line_id": "1", "item_id": "6"}, "start_date": "1780264800",
             "end_date": "1780279200", "sku": "sunset", "status": "PAID", "qty": "9"},
            {"@attributes": {"line_id": "2", "item_id": "8"}, "start_date": "1780264800",
             "end_date": "1780279200", "sku": "lifejacket", "status": "PAID", "qty": "2"},
            {"@attributes": {"line_id": "3", "item_id": "9"}, "start_date": "1780264800",
             "end_date": "1780279200", "sku": "cooler", "status": "PAID", "qty": "1"},
        ]}}}}

XML = b"""<?xml version="1.0" ?>
<checkfront-notify version="3.0" host="jada.checkfront.com">
  <booking booking_id="157">
    <status>PAID</status><code>KMVQ-060314</code><tid/>
    <start_date>1780264800</start_date><end_date>1780279200</end_date>
    <customer><name>Quinn Harper</name><email>q@example.com</email>
      <phone>1 (800) 559-0985</phone></customer>
    <order currency_id="USD"><items>
      <item line_id="1" item_id="6"><start_date>1780264800</start_date>
        <end_date>1780279200</end_date><sku>sunset</sku><qty>9</qty></item>
    </items></order>
  </booking>
</checkfront-notify>"""


def test_checkfront_webhook_reads_epochs_in_the_sources_zone() -> None:
    booking = parse_checkfront(CHECKFRONT, source="cf", tz=LA)
    line = booking.lines[0]
    # 1780264800 is 2026-05-31 22:00 UTC: 15:00 in San Diego.
    assert line.start == datetime(2026, 5, 31, 15, 0, tzinfo=LA)
    assert line.start.utcoffset() == LA.utcoffset(datetime(2026, 5, 31, 15))
    assert line.end == datetime(2026, 5, 31, 19, 0, tzinfo=LA)
    assert (line.keys, line.guests, line.name) == (("6", "sunset"), 9, "sunset")
    assert (booking.booking_id, booking.contact_name, booking.live) == (
        "KMVQ-060314", "Quinn Harper", True)


def test_a_three_line_order_is_one_charter_and_two_ignored_lines() -> None:
    booking = parse_checkfront(CHECKFRONT, source="cf", tz=LA)
    assert len(booking.lines) == 3
    charter = charter_of(booking, {"sunset": "Queen of San Diego"})
    assert charter is not None and charter.line.keys == ("6", "sunset")
    assert charter.boat == "Queen of San Diego"
    assert charter_of(booking, {"99": "Queen of San Diego"}) is None  # nothing is a charter


def test_two_charter_lines_in_one_booking_are_refused_for_a_person() -> None:
    booking = parse_checkfront(CHECKFRONT, source="cf", tz=LA)
    with pytest.raises(BookingError, match="has 2 charter lines"):
        charter_of(booking, {"6": "Queen", "8": "Princess"})


def test_checkfront_xml_with_one_line_reads_as_the_json_does() -> None:
    body = read_body(XML, content_type="text/xml")
    assert isinstance(body["booking"]["order"]["items"]["item"], dict)  # one object
    assert body["booking"]["tid"] == {}
    from_xml = parse_checkfront(body, source="cf", tz=LA)
    one_line = copy.deepcopy(CHECKFRONT)
    one_line["booking"]["order"]["items"]["item"] = one_line["booking"]["order"]["items"][
        "item"][0]
    from_json = parse_checkfront(read_body(json.dumps(one_line).encode(),
                                           content_type="application/json"), source="cf", tz=LA)
    assert from_xml == from_json


def _php_form(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [pair for key, child in value.items()
                for pair in _php_form(child, f"{prefix}[{key}]" if prefix else key)]
    if isinstance(value, list):
        return [pair for index, child in enumerate(value)
                for pair in _php_form(child, f"{prefix}[{index}]")]
    return [(prefix, value)]


def test_checkfront_form_body_reads_as_the_json_does() -> None:
    body = urlencode(_php_form(CHECKFRONT)).encode()
    form = read_body(body, content_type="application/x-www-form-urlencoded")
    assert parse_checkfront(form, source="cf", tz=LA) == parse_checkfront(
        CHECKFRONT, source="cf", tz=LA)


def test_checkfront_api_shape_reads_items_and_guest_parameters() -> None:
    api = {"booking": {"booking_id": 157, "code": "KMVQ-060314", "status_id": "HOLD",
                       "start_date": 1780264800, "end_date": 1780279200,
                       "customer_name": "Quinn Harper", "customer_email": "q@example.com",
                       "customer_phone": "555", "items": {"1": {
                           "item_id": 6, "sku": "sunset", "name": "Sunset Cruise", "qty": 1,
                           "start_date": 1780264800, "end_date": 1780279200,
                           "param": {"adults": {"qty": 6}, "children": {"qty": 3}}}}}}
    booking = parse_checkfront(api, source="cf", tz=LA)
    assert (booking.lines[0].name, booking.lines[0].guests) == ("Sunset Cruise", 9)
    assert booking.live and booking.email == "q@example.com"


@pytest.mark.parametrize(("status", "live", "expected"), [
    ("PEND", frozenset(), "live"), ("HOLD", frozenset(), "live"), ("PART", frozenset(), "live"),
    ("PAID", frozenset(), "live"), ("WAIT", frozenset(), "cancelled"),
    ("WAIT", frozenset({"WAIT"}), "live"), ("POSTPONED", frozenset(), "cancelled"),
    ("POSTPONED", frozenset({"postponed"}), "live"), ("STOP", frozenset(), "cancelled"),
    ("VOID", frozenset(), "cancelled"),
])
def test_checkfront_statuses(status: str, live: frozenset[str], expected: str) -> None:
    payload = copy.deepcopy(CHECKFRONT)
    payload["booking"]["status"] = status
    booking = parse_checkfront(payload, source="cf", tz=LA, live=live_statuses(live))
    assert (booking.status, booking.provider_status) == (expected, status)


def test_stop_and_void_cannot_be_made_live() -> None:
    with pytest.raises(ConfigError, match="VOID is a cancellation"):
        live_statuses(["WAIT", "void"])


@pytest.mark.parametrize(("path", "value", "message"), [
    (("booking", "start_date"), "", "booking.start_date is missing"),
    (("booking", "start_date"), "2026-05-31", "booking.start_date '2026-05-31' is not a Unix"),
    (("booking", "start_date"), "17802648000", "not a date between 2000 and 2100"),
    (("booking", "code"), None, "booking.code is missing"),
    (("booking", "customer"), None, "booking.customer is missing"),
    (("booking", "order", "items"), {}, "booking.order.items.item is missing"),
    (("booking", "order", "items", "item"), "x", "is not a line or a list of lines"),
])
def test_checkfront_bad_input_names_what_was_wrong(path: tuple[str, ...], value: Any,
                                                   message: str) -> None:
    payload = copy.deepcopy(CHECKFRONT)
    node = payload
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(BookingError, match=message):
        parse_checkfront(payload, source="cf", tz=LA)


def test_a_bad_line_is_named_by_its_place() -> None:
    payload = copy.deepcopy(CHECKFRONT)
    payload["booking"]["order"]["items"]["item"][1]["qty"] = "two"
    with pytest.raises(BookingError, match=r"booking.order.items.item\[1\].qty is not a count"):
        parse_checkfront(payload, source="cf", tz=LA)


def test_xml_with_a_doctype_is_refused_unread() -> None:
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><booking>&lol2;</booking>')
    with pytest.raises(BookingError, match="declares a DOCTYPE"):
        read_xml(laughs)


@pytest.mark.parametrize(("body", "kind", "message"), [
    (b"", "application/json", "the body is empty"),
    (b"[1, 2]", "application/json", "not a JSON object"),
    (b"{" * 5000 + b"}" * 5000, "application/json", "the body"),
    (b"<a><b>", "text/xml", "the body is not XML"),
    (b"x" * 1_000_001, "application/json", "more than 1,000,000"),
    (b"a[b]=1&a[b][c]=2", "application/x-www-form-urlencoded", "both a value and fields"),
    (b"&".join(b"a%d=1" % n for n in range(6000)), "application/x-www-form-urlencoded",
     "not a form"),
])
def test_bodies_that_are_not_a_booking_are_refused(body: bytes, kind: str,
                                                   message: str) -> None:
    with pytest.raises(BookingError, match=message):
        read_body(body, content_type=kind)


def test_a_deep_form_is_refused() -> None:
    with pytest.raises(BookingError, match="nests deeper"):
        read_form(b"a" + b"[x]" * 40 + b"=1")


def test_an_empty_checkfront_element_is_empty_text() -> None:
    # Checkfront's JSON is its XML converted: <email/> arrives as {}.
    payload = copy.deepcopy(CHECKFRONT)
    payload["booking"]["customer"].update(email={}, phone={})
    booking = parse_checkfront(payload, source="cf", tz=LA)
    assert (booking.email, booking.phone) == ("", "")
    payload["booking"]["customer"]["name"] = {}
    with pytest.raises(BookingError, match=r"booking\.customer\.name is missing"):
        parse_checkfront(payload, source="cf", tz=LA)
