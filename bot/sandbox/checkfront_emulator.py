"""A local Checkfront API 3.0 emulator, and its booking webhook, for tests and the demo.

It serves, under ``/api/3.0/``, what booking intake reads (Checkfront/API, ``docs/ref``):

- ``GET booking/<code>`` -> ``{"version": "3.0", "request": {...}, "booking": {...}}``,
  the booking with its ``items`` keyed by line (``item_id``, ``sku``, ``name``, ``qty``,
  ``param``, ``start_date``/``end_date`` as Unix seconds), ``status_id`` and the
  customer's ``customer_name``/``_email``/``_phone``;
- ``GET booking/index`` with ``start_date``, ``end_date``, ``last_modified`` (each a date
  ``YYYY-MM-DD`` in the account's zone or Unix seconds, optionally prefixed with ``>``
  or ``<``), ``limit`` (default 100) and ``page``: ``"booking/index"`` keyed by
  ``booking_id``, and ``request`` with ``records``, ``total_records``, ``page``, ``pages``.

The key and secret are HTTP Basic's user and password; without them, or wrong, the
answer is 401. ``rate_limit(n)`` answers the next ``n`` requests 429 with ``Retry-After``.

A test adds bookings (one or several lines), changes their times, count or status, reads
``requests``, and sends a booking's webhook to a URL in the account's chosen body: JSON
(converted from XML, every value a string, one line one object), XML, or form-encoded
(PHP's bracket notation), with copies and a delay.
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import math
import random
import string
import threading
import time
import xml.etree.ElementTree as ElementTree
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit
from zoneinfo import ZoneInfo

from bot.sandbox.webhook_sender import BookingProvider, JsonHandler

API_KEY, API_SECRET = "emulator-key-0001", "emulator-secret-0002"
PREFIX = "/api/3.0/"
MAX_LIMIT = 250


class CheckfrontEmulator(BookingProvider):
    prefix = PREFIX

    def __init__(self, *, host: str = "jada.checkfront.com", key: str = API_KEY,
                 secret: str = API_SECRET, timezone: str = "America/Los_Angeles") -> None:
        super().__init__()
        self.host, self.key, self.secret = host, key, secret
        self.tz = ZoneInfo(timezone)
        self.requests: list[str] = []
        self._lock = threading.RLock()
        self._bookings: dict[str, dict[str, Any]] = {}
        self._modified: dict[str, float] = {}
        self._ids = itertools.count(157)
        self._limited: list[int] = []  # Retry-After of each request still to be refused
        self._codes = random.Random(7)

    # -- what a test does -------------------------------------------------------

    def add_booking(self, *, lines: list[dict[str, Any]], contact: str, email: str = "",
                    phone: str = "", status: str = "PAID") -> str:
        """A booking; each line ``{"item_id", "sku", "name", "qty", "start", "end"}``
        (datetimes) and optionally ``"param": {"adults": 4, ...}``. Its code."""
        with self._lock:
            booking_id = next(self._ids)
            code = "".join(self._codes.choices(string.ascii_uppercase, k=4)) + \
                f"-{booking_id:06d}"
            items = {str(n): self._line(line) for n, line in enumerate(lines, start=1)}
            self._bookings[code] = {
                "booking_id": booking_id, "code": code, "status_id": status,
                "status_name": status.title(), "created_date": int(time.time()),
                "start_date": min(i["start_date"] for i in items.values()),
                "end_date": max(i["end_date"] for i in items.values()),
                "customer_name": contact, "customer_email": email, "customer_phone": phone,
                "summary": ", ".join(i["name"] for i in items.values()),
                "items": items, "token": f"{booking_id:064x}"}
            self._touch(code)
            return code

    def change(self, code: str, *, line: int = 1, start: datetime | None = None,
               end: datetime | None = None, qty: int | None = None,
               contact: str | None = None) -> None:
        with self._lock:
            booking = self._bookings[code]
            item = booking["items"][str(line)]
            if start is not None:
                item["start_date"] = int(start.timestamp())
            if end is not None:
                item["end_date"] = int(end.timestamp())
            if qty is not None:
                item["qty"], item["param"] = qty, {}
            if contact is not None:
                booking["customer_name"] = contact
            booking["start_date"] = min(i["start_date"] for i in booking["items"].values())
            booking["end_date"] = max(i["end_date"] for i in booking["items"].values())
            self._touch(code)

    def set_status(self, code: str, status: str) -> None:
        """``STOP`` or ``VOID`` cancels; ``WAIT`` or a custom code as the account says."""
        with self._lock:
            self._bookings[code]["status_id"] = status
            self._bookings[code]["status_name"] = status.title()
            self._touch(code)

    def rate_limit(self, count: int = 1, *, retry_after: int = 1) -> None:
        with self._lock:
            self._limited.extend([retry_after] * count)

    def booking(self, code: str) -> dict[str, Any]:
        with self._lock:
            return self._envelope("booking", code, {"booking": copy.deepcopy(
                self._bookings[code])})

    def webhook_payload(self, code: str) -> dict[str, Any]:
        """The booking as the webhook's JSON carries it: XML's shape, every value text."""
        with self._lock:
            booking = self._bookings[code]
            lines = [{"@attributes": {"line_id": key, "item_id": str(i["item_id"])},
                      "start_date": str(i["start_date"]), "end_date": str(i["end_date"]),
                      "sku": i["sku"], "slip": {}, "package_id": "1",
                      "status": booking["status_id"], "qty": str(i["qty"])}
                     for key, i in booking["items"].items()]
            return {"@attributes": {"version": "3.0", "host": self.host}, "booking": {
                "@attributes": {"booking_id": str(booking["booking_id"])},
                "status": booking["status_id"], "code": code, "tid": {},
                "created_date": str(booking["created_date"]),
                "start_date": str(booking["start_date"]), "end_date": str(booking["end_date"]),
                "customer": {"name": booking["customer_name"],
                             "email": booking["customer_email"],
                             "phone": booking["customer_phone"]},
                "order": {"@attributes": {"currency_id": "USD"},
                          "items": {"item": lines[0] if len(lines) == 1 else lines}}}}

    def send_webhook(self, code: str, url: str, *, body: str = "json", copies: int = 1,
                     delay: float = 0.0) -> None:
        """POST the booking's webhook in ``body``: ``json``, ``xml`` or ``form``."""
        payload = self.webhook_payload(code)
        if body == "json":
            data, kind = json.dumps(payload).encode(), "application/json"
        elif body == "xml":
            data, kind = webhook_xml(payload), "application/xml"
        elif body == "form":
            data, kind = urlencode(php_form(payload)).encode(), \
                "application/x-www-form-urlencoded"
        else:
            raise ValueError(f"no such webhook body: {body}")
        self.webhooks.send(url, data, content_type=kind, copies=copies, delay=delay)

    # -- inside -----------------------------------------------------------------

    def _line(self, line: dict[str, Any]) -> dict[str, Any]:
        params = line.get("param") or {}
        return {"item_id": line["item_id"], "sku": line["sku"], "name": line["name"],
                "qty": line.get("qty", sum(params.values()) or 1),
                "start_date": int(line["start"].timestamp()),
                "end_date": int(line["end"].timestamp()), "status_id": "PAID",
                "param": {key: {"qty": qty, "name": key.title()}
                          for key, qty in params.items()}}

    def _touch(self, code: str) -> None:
        # Strictly increasing, so that 'modified since my last call' never misses one.
        last = max(self._modified.values(), default=0.0)
        self._modified[code] = max(time.time(), last + 0.001)

    def _envelope(self, resource: str, name: str, body: dict[str, Any], **request: Any
                  ) -> dict[str, Any]:
        return {"version": "3.0", "account_id": 1, "host_id": self.host,
                "request": {"status": "OK", "resource": resource, "id": name, **request},
                **body}

    def _moment(self, text: str, *, end_of_day: bool) -> float:
        if text.isdigit():
            return float(text)
        day = datetime.fromisoformat(text).replace(tzinfo=self.tz)
        return (day + timedelta(days=1) if end_of_day else day).timestamp() - (
            0.001 if end_of_day else 0)

    def _matches(self, value: float, condition: str, *, default: str) -> bool:
        sign = condition[0] if condition[:1] in "<>" else default
        moment = self._moment(condition.lstrip("<>"), end_of_day=sign == "<")
        return value >= moment if sign == ">" else value <= moment

    def _index(self, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        try:
            limit = min(int(query.get("limit", "100")), MAX_LIMIT)
            page = int(query.get("page", "1"))
            found = [b for code, b in self._bookings.items()
                     if ("start_date" not in query or self._matches(
                         b["start_date"], query["start_date"], default=">"))
                     and ("end_date" not in query or self._matches(
                         b["start_date"], query["end_date"], default="<"))
                     and ("last_modified" not in query or self._matches(
                         self._modified[code], query["last_modified"], default=">"))]
        except ValueError:
            return 400, {"request": {"status": "ERROR"}, "error": "bad query"}
        if limit < 1 or page < 1:
            return 400, {"request": {"status": "ERROR"}, "error": "bad limit or page"}
        found.sort(key=lambda b: b["booking_id"])
        chunk = found[(page - 1) * limit: page * limit]
        listed = {str(b["booking_id"]): {
            key: b[key] for key in ("booking_id", "code", "status_id", "status_name",
                                    "created_date", "customer_name", "customer_email",
                                    "summary", "token")} for b in chunk}
        return 200, self._envelope(
            "booking", "index", {"booking/index": listed}, records=len(chunk),
            total_records=len(found), limit=limit, page=page,
            pages=max(1, math.ceil(len(found) / limit)))


def webhook_xml(payload: dict[str, Any]) -> bytes:
    """The webhook's XML body: ``checkfront-notify`` with the payload's elements."""
    root = ElementTree.Element("checkfront-notify", payload.get("@attributes", {}))
    _children(root, {k: v for k, v in payload.items() if k != "@attributes"})
    return b'<?xml version="1.0" ?>\n' + ElementTree.tostring(root)


def _children(parent: ElementTree.Element, node: dict[str, Any]) -> None:
    for key, value in node.items():
        if key == "@attributes":
            continue
        for one in value if isinstance(value, list) else [value]:
            child = ElementTree.SubElement(
                parent, key, one.get("@attributes", {}) if isinstance(one, dict) else {})
            if isinstance(one, dict):
                _children(child, one)
            else:
                child.text = str(one)


def php_form(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """A nested payload as PHP's http_build_query writes it: ``a[b][0][c]=...``."""
    if isinstance(value, dict):
        return [pair for key, child in value.items()
                for pair in php_form(child, f"{prefix}[{key}]" if prefix else key)]
    if isinstance(value, list):
        return [pair for index, child in enumerate(value)
                for pair in php_form(child, f"{prefix}[{index}]")]
    return [(prefix, str(value))]


class _Handler(JsonHandler):
    owner: CheckfrontEmulator

    def do_GET(self) -> None:
        emulator = self.owner
        parts = urlsplit(self.path)
        emulator.requests.append(self.path)
        if not self._authorized():
            return self.send_json(401, {"request": {"status": "ERROR"},
                                        "error": "Invalid credentials"},
                                  headers={"WWW-Authenticate": 'Basic realm="API"'})
        with emulator._lock:
            if emulator._limited:
                wait = emulator._limited.pop(0)
                return self.send_json(429, {"request": {"status": "ERROR"},
                                            "error": "Too many requests"},
                                      headers={"Retry-After": str(wait)})
            name = parts.path.removeprefix(PREFIX) if parts.path.startswith(PREFIX) else ""
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            if name == "booking/index":
                return self.send_json(*emulator._index(query))
            code = name.removeprefix("booking/")
            if name.startswith("booking/") and code in emulator._bookings:
                return self.send_json(200, emulator.booking(code))
            return self.send_json(404, {"request": {"status": "ERROR"},
                                        "error": "Not found"})

    def _authorized(self) -> bool:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            decoded = base64.b64decode(header[6:], validate=True).decode()
        except ValueError:
            return False
        key, _, secret = decoded.partition(":")
        return (key, secret) == (self.owner.key, self.owner.secret)


CheckfrontEmulator.handler = _Handler
