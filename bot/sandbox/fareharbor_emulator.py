"""A local FareHarbor External API v1 emulator, and its booking webhook, for tests and
the demo.

It serves, under ``/api/external/v1/``, the endpoints booking intake reads, in the
documented shapes (FareHarbor/fareharbor-docs, ``external-api/endpoints``):

- ``GET companies/<shortname>/bookings/<uuid>/`` -> ``{"booking": {...}}``
- ``GET companies/<shortname>/items/`` -> ``{"items": [...]}``
- ``GET companies/<shortname>/items/<pk>/minimal/availabilities/date-range/<start>/<end>/``
  -> ``{"availabilities": [...]}`` (the item's departures from day ``start`` to ``end``)
- ``GET companies/<shortname>/availabilities/<pk>/bookings/`` -> ``{"bookings": [...]}``

Each request must carry the app and user keys, as headers (``X-FareHarbor-API-App``,
``X-FareHarbor-API-User``) or as the ``api-app``/``api-user`` query parameters: missing
keys are answered 401, wrong ones 403. Times carry an offset without a colon
(``2026-05-31T15:00:00-0700``), as FareHarbor writes them.

A test adds, modifies, cancels and rebooks bookings (a rebooking cancels the old one,
``status: rebooked`` and ``rebooked_to``, and makes a new one with a new uuid and
``rebooked_from``), reads ``requests``, and sends a booking's webhook
(``{"booking": {...}}``, JSON) to a URL, with copies and a delay. ``fail_next`` answers
the next requests with a status (FareHarbor's rate limit is 420).
"""

from __future__ import annotations

import copy
import itertools
import threading
import uuid as uuids
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.sandbox.webhook_sender import BookingProvider, JsonHandler

APP_KEY = "7f1a0d0c-app0-4b58-9a0e-emulator0001"
USER_KEY = "3c2b1a00-user-4b58-9a0e-emulator0002"
PREFIX = "/api/external/v1/"


def fareharbor_time(moment: datetime) -> str:
    """FareHarbor's own way: ISO 8601 with a numeric offset and no colon."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S%z")


class FareHarborEmulator(BookingProvider):
    prefix = PREFIX

    def __init__(self, *, shortname: str = "jada", company: str = "JADA Charters",
                 app_key: str = APP_KEY, user_key: str = USER_KEY) -> None:
        super().__init__()
        self.shortname, self.company = shortname, company
        self.app_key, self.user_key = app_key, user_key
        self.requests: list[str] = []  # the path (and query) of every request
        self._lock = threading.RLock()
        self._items: dict[int, str] = {}
        self._availabilities: dict[int, dict[str, Any]] = {}
        self._bookings: dict[str, dict[str, Any]] = {}
        self._pks = itertools.count(1001)
        self._failures: list[int] = []

    # -- what a test does -------------------------------------------------------

    def add_item(self, pk: int, name: str) -> None:
        with self._lock:
            self._items[pk] = name

    def add_booking(self, *, item: int, start: datetime, end: datetime, contact: str,
                    guests: int, email: str = "", phone: str = "",
                    rebooked_from: str | None = None) -> str:
        """A new booking on the item's departure at ``start`` (made if absent): its uuid."""
        with self._lock:
            availability = self._availability(item, start, end)
            booking_uuid = str(uuids.uuid4())
            pk = next(self._pks)
            self._bookings[booking_uuid] = {
                "pk": pk, "uuid": booking_uuid, "display_id": f"#{pk}",
                "status": "booked", "rebooked_from": rebooked_from, "rebooked_to": None,
                "availability": availability,
                "company": {"shortname": self.shortname, "name": self.company,
                            "currency": "usd"},
                "affiliate_company": None,
                "contact": {"name": contact, "email": email, "phone": phone,
                            "normalized_phone": phone, "phone_country": "US",
                            "language": "en-us", "is_subscribed_for_email_updates": False},
                "customers": [self._customer() for _ in range(guests)],
                "customer_count": guests,
                "dashboard_url": f"https://fareharbor.com/{self.shortname}/dashboard/"
                                 f"?overlay=/contacts/7/bookings/{booking_uuid}/",
                "external_api_url": f"{self.api_url}companies/{self.shortname}/bookings/"
                                    f"{booking_uuid}/",
                "note": "", "voucher_number": "", "external_id": "", "order": None,
            }
            return booking_uuid

    def modify(self, booking_uuid: str, *, contact: str | None = None,
               guests: int | None = None, email: str | None = None) -> None:
        """A change FareHarbor makes in place (the contact, the customers)."""
        with self._lock:
            booking = self._bookings[booking_uuid]
            if contact is not None:
                booking["contact"]["name"] = contact
            if email is not None:
                booking["contact"]["email"] = email
            if guests is not None:
                booking["customers"] = [self._customer() for _ in range(guests)]
                booking["customer_count"] = guests

    def cancel(self, booking_uuid: str) -> None:
        with self._lock:
            self._bookings[booking_uuid]["status"] = "cancelled"

    def rebook(self, booking_uuid: str, *, start: datetime, end: datetime,
               guests: int | None = None) -> str:
        """Another time or count: FareHarbor cancels the booking and makes a new one."""
        with self._lock:
            old = self._bookings[booking_uuid]
            new = self.add_booking(
                item=old["availability"]["item"]["pk"], start=start, end=end,
                contact=old["contact"]["name"], email=old["contact"]["email"],
                phone=old["contact"]["phone"],
                guests=len(old["customers"]) if guests is None else guests,
                rebooked_from=booking_uuid)
            old["status"], old["rebooked_to"] = "rebooked", new
            return new

    def booking(self, booking_uuid: str) -> dict[str, Any]:
        with self._lock:
            return {"booking": copy.deepcopy(self._bookings[booking_uuid])}

    def send_webhook(self, booking_uuid: str, url: str, *, copies: int = 1,
                     delay: float = 0.0) -> None:
        import json

        body = json.dumps(self.booking(booking_uuid)).encode()
        self.webhooks.send(url, body, content_type="application/json", copies=copies,
                           delay=delay)

    def fail_next(self, count: int = 1, *, status: int = 420) -> None:
        with self._lock:
            self._failures.extend([status] * count)

    # -- inside -----------------------------------------------------------------

    def _customer(self) -> dict[str, Any]:
        return {"pk": next(self._pks), "checkin_status": None, "custom_field_values": [],
                "customer_type_rate": {"pk": 1, "capacity": None, "customer_type": {
                    "pk": 1, "singular": "Adult", "plural": "Adults"}}}

    def _availability(self, item: int, start: datetime, end: datetime) -> dict[str, Any]:
        start_at, end_at = fareharbor_time(start), fareharbor_time(end)
        for availability in self._availabilities.values():
            if (availability["item"]["pk"], availability["start_at"]) == (item, start_at):
                return availability
        pk = next(self._pks)
        availability = {"pk": pk, "start_at": start_at, "end_at": end_at, "capacity": 49,
                        "minimum_party_size": None, "maximum_party_size": None,
                        "headline": "", "item": {"pk": item, "name": self._items[item]}}
        self._availabilities[pk] = availability
        return availability

    def _answer(self, parts: list[str]) -> tuple[int, Any]:
        if parts[:2] != ["companies", self.shortname]:
            return 404, {"error": "Company not found"}
        rest = parts[2:]
        if len(rest) == 2 and rest[0] == "bookings":
            found = self._bookings.get(rest[1])
            return (200, {"booking": found}) if found else (404, {"error": "Not found"})
        if rest == ["items"]:
            return 200, {"items": [{"pk": pk, "name": name, "headline": "",
                                    "is_pickup_ever_available": False}
                                   for pk, name in sorted(self._items.items())]}
        if (len(rest) == 7 and rest[0] == "items"
                and rest[2:5] == ["minimal", "availabilities", "date-range"]):
            return self._date_range(rest[1], rest[5], rest[6])
        if len(rest) == 3 and rest[0] == "availabilities" and rest[2] == "bookings":
            listed = [b for b in self._bookings.values()
                      if str(b["availability"]["pk"]) == rest[1]]
            return 200, {"bookings": listed}
        return 404, {"error": "Not found"}

    def _date_range(self, item: str, start: str, end: str) -> tuple[int, Any]:
        try:
            first, last = date.fromisoformat(start), date.fromisoformat(end)
        except ValueError:
            return 400, {"error": "Dates must be YYYY-MM-DD"}
        listed = [{k: a[k] for k in ("pk", "start_at", "end_at", "capacity")}
                  for a in self._availabilities.values() if str(a["item"]["pk"]) == item
                  and first <= date.fromisoformat(a["start_at"][:10]) <= last]
        return 200, {"availabilities": sorted(listed, key=lambda a: a["start_at"])}


class _Handler(JsonHandler):
    owner: FareHarborEmulator

    def do_GET(self) -> None:
        emulator = self.owner
        parts = urlsplit(self.path)
        emulator.requests.append(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        app = self.headers.get("X-FareHarbor-API-App") or query.get("api-app")
        user = self.headers.get("X-FareHarbor-API-User") or query.get("api-user")
        if not app or not user:
            return self.send_json(401, {"error": "Authentication credentials were not "
                                                 "provided."})
        if (app, user) != (emulator.app_key, emulator.user_key):
            return self.send_json(403, {"error": "Invalid API key."})
        if not parts.path.startswith(PREFIX) or not parts.path.endswith("/"):
            return self.send_json(404, {"error": "Not found"})
        with emulator._lock:
            if emulator._failures:
                status = emulator._failures.pop(0)
                return self.send_json(status, {"error": "Enhance your calm"})
            status, payload = emulator._answer(parts.path[len(PREFIX):-1].split("/"))
            self.send_json(status, copy.deepcopy(payload))


FareHarborEmulator.handler = _Handler
