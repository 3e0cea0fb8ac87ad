"""The guest's e-mail address: where it is found, whether it can be sent to, and how Slack
shows it. Pure.

Three places may hold it, read in this order, and the first that holds anything decides:
the event's private extended property ``guestEmail`` (booking intake writes it), an
``Email:`` line of the description (``Guest email:`` and ``E-mail:`` too), and the record
attribute ``guests.email_attribute`` names. A later place is never a fallback for an
earlier one that holds something unusable: the operator wrote the first one on purpose,
and mail to an address they did not mean is worse than none, so the problem is named.

An address is never shown in full outside the e-mail and the audit store: a problem
names where the address is and what is wrong with it, never the address itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# RFC 5321: a path is at most 256 octets with its angle brackets, so 254 for the address.
MAX_LENGTH = 254
PRIVATE_PROPERTY = "guestEmail"

# A description line 'Email: ...', 'Guest email = ...', '• E-mail – ...' (bullets and the
# separators description.py takes). Anchored and free of nested repeats: linear in the line.
_EMAIL_LINE = re.compile(
    r"^\s*(?:(?:[•·*▪◦‣●○>\-–—]+|\(?\d{1,2}[.)])\s*)?"
    r"(?:guest\s*)?e-?mail(?:\s+address)?\s*"
    r"(?:[:=：]|[–—]|\s-\s)\s*(?P<value>.*?)\s*$",
    re.IGNORECASE,
)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class GuestContact:
    """The guest's address (None: none that can be sent to), where it was found, and the
    reason, as a sentence, that it cannot be sent to."""

    address: str | None
    source: str | None = None
    problem: str | None = None

    @property
    def masked(self) -> str | None:
        return mask(self.address) if self.address else None


def address_problem(value: str) -> str | None:
    """Why ``value`` is not an address mail may go to, or None. Never shows the value."""
    if not value.strip():
        return "is empty"
    if len(value) > MAX_LENGTH:
        return f"is {len(value)} characters long, and an address is at most {MAX_LENGTH}"
    if "\r" in value or "\n" in value:
        return "holds a line break"
    if _CONTROL.search(value):
        return "holds an invisible control character"
    if any(c.isspace() for c in value):
        return "holds a space"
    if "@" not in value:
        return "has no @"
    if value.count("@") > 1:
        return "holds more than one @"
    local, domain = value.split("@")
    if not local:
        return "has nothing before the @"
    if "." not in domain.strip(".") or ".." in domain:
        return "has no domain after the @ (like example.com)"
    if any(c in value for c in '<>,;"()[]\\'):
        return "holds a character an address cannot (<, >, a comma, a quote, ...)"
    return None


def mask(address: str) -> str:
    """'danika@example.com' -> 'd•••@example.com': enough for a person to recognise whose
    it is, not enough to write to."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}"


def description_email(description: str) -> tuple[str | None, str | None]:
    """(the address an ``Email:`` line of the plain-text description gives, a problem):
    (None, None) when no line gives one; two lines with different addresses are a problem,
    since which one is meant is the operator's to say."""
    found: list[str] = []
    for line in description.splitlines():
        match = _EMAIL_LINE.match(line)
        if match is None:
            continue
        value = _unwrapped(match["value"])
        if value and value.casefold() not in {f.casefold() for f in found}:
            found.append(value)
    if len(found) > 1:
        return None, f"gives {len(found)} different addresses"
    return (found[0] if found else None), None


def _unwrapped(value: str) -> str:
    """An address as people paste it: '<danika@example.com>', 'mailto:danika@...'."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1].strip()
    if value.casefold().startswith("mailto:"):
        value = value[len("mailto:"):].strip()
    return value


def guest_contact(*, private_email: str | None, description: str,
                  record: Mapping[str, Any] | None, attribute: str) -> GuestContact:
    """The guest's address from the first place that holds one (see the module's doc)."""
    # Only spaces are trimmed: a line break at either end is refused with the rest (an
    # address with a CR or LF in it is how a header is smuggled into a message).
    if private_email is not None and private_email.strip(" "):
        return _checked(private_email.strip(" "),
                        f"the event's private property {PRIVATE_PROPERTY}")
    line, problem = description_email(description)
    where = "the description's Email: line"
    if problem:
        return GuestContact(None, where, f"The guest e-mail in the description {problem}; "
                                         "the guests cannot be told until one is left.")
    if line is not None:
        return _checked(line, where)
    value = (record or {}).get(attribute)
    if value is not None and value != "":
        where = f"the record's {attribute} attribute"
        if not isinstance(value, str):
            return GuestContact(None, where, f"The guest e-mail in {where} is not text; "
                                             "the guests cannot be told.")
        return _checked(value.strip(" "), where)
    return GuestContact(None, None, (
        f"No guest e-mail: the event has no {PRIVATE_PROPERTY} property, the description "
        f"no Email: line and the record no {attribute} attribute; the guests cannot be "
        "told."))


def _checked(value: str, where: str) -> GuestContact:
    problem = address_problem(value)
    if problem:
        return GuestContact(None, where, f"The guest e-mail in {where} {problem}; it is "
                                         "never sent to, so the guests cannot be told.")
    return GuestContact(value, where)
