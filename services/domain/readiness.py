"""Is each departure ready? Pure: the reconcile result, the records and the served-page
check in; one verdict per charter out, each item true, false or None with its sentence.

None means "cannot say": an attribute no record of the operator carries ("not
tracked": the Lambda that would keep it does not exist there), or a check that could
not be made ("not checked"). None never makes a departure not ready; only False does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from services.domain.config import ReadinessSettings
from services.domain.models import (
    Charter,
    DesiredCharter,
    Discrepancy,
    Kind,
    ReconcileResult,
    ServedPage,
)
from services.domain.roster import Roster

ITEMS = ("crew_set", "crew_confirmed", "crew_told", "waivers", "boarding_email", "crew_sms",
         "page_served", "in_agreement")
LABELS = {"crew_set": "crew set", "crew_confirmed": "crew confirmed",
          "crew_told": "crew told", "waivers": "waivers",
          "boarding_email": "boarding e-mail", "crew_sms": "crew SMS",
          "page_served": "page served", "in_agreement": "in agreement"}
# Restated under crew_set; the rest of a charter's discrepancies are "not in agreement".
_CREW_KINDS = frozenset({Kind.UNKNOWN_CREW, Kind.CREW_CONFLICT})
_ANSWERS = {"needsAction": "has not answered the invitation (needsAction)",
            "tentative": "is tentative", "declined": "declined"}


@dataclass(frozen=True)
class Item:
    name: str
    ok: bool | None
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True)
class Departure:
    event_id: str
    charter: Charter
    items: tuple[Item, ...]
    # Crew who have not accepted their invitation (by roster name): the ones to nudge.
    unconfirmed: tuple[str, ...] = ()

    @property
    def ready(self) -> bool:
        return not any(item.ok is False for item in self.items)

    def to_dict(self) -> dict[str, Any]:
        return {"event_id": self.event_id, "vessel": self.charter.vessel or None,
                "start": self.charter.start.isoformat(), "ready": self.ready,
                "items": [item.to_dict() for item in self.items]}


def departures(*, result: ReconcileResult, days: Sequence[date], roster: Roster,
               settings: ReadinessSettings, records: Iterable[Mapping[str, Any]],
               served: Mapping[str, ServedPage] | None = None,
               untold: Mapping[str, Sequence[str]] | None = None) -> list[Departure]:
    """One verdict per charter leaving on ``days``, in order of departure. ``records`` are
    all the operator's records read (their attributes), to tell what is tracked at all.
    ``untold``: by charter, who has not been told of a change to it (each with why);
    None when the audit store was not read."""
    carried = {name for attributes in records for name, value in attributes.items()
               if value is not None}
    found: dict[str, list[Discrepancy]] = {}
    for item in result.discrepancies:
        found.setdefault(item.event_id, []).append(item)
    conflicts = [d for d in result.discrepancies if d.kind == Kind.CREW_CONFLICT]
    withheld = {w.event_id: w for w in result.withheld}
    served = {**result.served, **(served or {})}
    wanted = sorted((w for w in result.desired.values() if w.charter.local_date in days),
                    key=lambda w: (w.charter.start, w.event_id))
    out = []
    for want in wanted:
        record = dict(want.current_record.attributes) if want.current_record else None
        mine = found.get(want.event_id, [])
        # A conflict is filed under the earlier charter; its summary names both.
        named = re.compile(rf"(?<![\w-]){re.escape(want.event_id)}(?![\w-])")
        clashes = [d for d in conflicts if d.event_id == want.event_id
                   or named.search(d.summary)]
        items = (
            crew_set(want.charter, roster=roster, conflicts=clashes),
            crew_confirmed(want.charter, roster=roster),
            crew_told(None if untold is None else untold.get(want.event_id, ())),
            waivers(record, guest_count=want.charter.guest_count,
                    attribute=settings.waivers_signed_attribute, carried=carried),
            sent(record, name="boarding_email", attribute=settings.boarding_sent_attribute,
                 carried=carried, what="boarding e-mail", done="sent to the guests",
                 tz=want.charter.start.tzinfo),
            sent(record, name="crew_sms", attribute=settings.sms_sent_attribute,
                 carried=carried, what="crew SMS", done="dispatched",
                 tz=want.charter.start.tzinfo),
            page_served(served.get(want.event_id), want=want),
            in_agreement(mine, withheld=withheld.get(want.event_id) is not None),
        )
        out.append(Departure(event_id=want.event_id, charter=want.charter, items=items,
                             unconfirmed=unconfirmed(want.charter, roster=roster)))
    return out


def crew_set(charter: Charter, *, roster: Roster, conflicts: Sequence[Discrepancy]) -> Item:
    problems = [f"no {role}" for role, name in (("captain", charter.captain),
                                                ("mate", charter.mate)) if not name]
    named = [(role, name) for role, name in (("captain", charter.captain),
                                             ("mate", charter.mate)) if name]
    named += [("crew", name) for name in charter.crew]
    problems += [f"{name} ({role}) is not in the roster" for role, name in named
                 if roster.find(name) is None]
    problems += [d.summary for d in conflicts]
    if problems:
        return Item("crew_set", False, _sentence("; ".join(problems)))
    people = ", ".join(f"{role} {roster.canonical(name)}" for role, name in named)
    return Item("crew_set", True, _sentence(f"{people}, all in the roster"))


def crew_confirmed(charter: Charter, *, roster: Roster) -> Item:
    answers = dict(charter.attendee_responses)
    if not charter.attendee_emails:
        return Item("crew_confirmed", None,
                    "Not tracked: the crew are not invited to the calendar event.")
    if not answers:
        return Item("crew_confirmed", None,
                    "Not tracked: the calendar does not say who accepted the invitation.")
    waiting = []
    for name in dict.fromkeys(n for n in (charter.captain, charter.mate, *charter.crew) if n):
        member = roster.find(name)
        if member is None or not member.email:
            waiting.append(f"{name} cannot be asked (no e-mail in the roster)")
            continue
        email = member.email.casefold()
        if email not in charter.attendee_emails:
            waiting.append(f"{member.name} is not invited")
            continue
        status = answers.get(email, "needsAction")
        if status != "accepted":
            waiting.append(f"{member.name} {_ANSWERS.get(status, f'answered {status}')}")
    if waiting:
        return Item("crew_confirmed", False, _sentence("; ".join(waiting)))
    return Item("crew_confirmed", True, "Everyone on the charter accepted the invitation.")


def crew_told(untold: Sequence[str] | None) -> Item:
    """Whether each person a change to the charter affects was told by direct message."""
    if untold is None:
        return Item("crew_told", None, "Not checked: the audit store was not read.")
    if untold:
        return Item("crew_told", False, _sentence("Not told of a change: " + "; ".join(untold)))
    return Item("crew_told", True, "Nobody is waiting to hear of a change.")


def unconfirmed(charter: Charter, *, roster: Roster) -> tuple[str, ...]:
    """The roster names on the charter, invited, whose answer is not 'accepted'; none
    when the calendar does not say who answered (nobody can be told apart)."""
    answers = dict(charter.attendee_responses)
    if not answers:
        return ()
    found = []
    for name in dict.fromkeys(n for n in (charter.captain, charter.mate, *charter.crew) if n):
        member = roster.find(name)
        email = member.email.casefold() if member and member.email else ""
        if member and email in charter.attendee_emails and \
                answers.get(email, "needsAction") != "accepted":
            found.append(member.name)
    return tuple(found)


def waivers(record: Mapping[str, Any] | None, *, guest_count: int | None, attribute: str,
            carried: set[str]) -> Item:
    if attribute not in carried:
        return Item("waivers", None, f"Not tracked: no record carries {attribute}.")
    value = record.get(attribute) if record is not None else None
    if record is None:
        return Item("waivers", False, "No DynamoDB record, so no waiver is recorded.")
    if value is None:
        return Item("waivers", False, f"No waiver recorded ({attribute} is not on the record).")
    if isinstance(value, bool) or not isinstance(value, int | float | list | tuple | set):
        return Item("waivers", False,
                    f"{attribute} holds {value!r}, neither a count nor a list of signers.")
    signed = len(value) if isinstance(value, list | tuple | set) else int(value)
    if guest_count is None:
        return Item("waivers", None,
                    f"{signed} signed; the calendar gives no guest count to compare with.")
    text = f"{signed} of {guest_count} guest{'s' if guest_count != 1 else ''} signed"
    return Item("waivers", signed >= guest_count, _sentence(text))


def sent(record: Mapping[str, Any] | None, *, name: str, attribute: str, carried: set[str],
         what: str, done: str, tz: tzinfo | None = None) -> Item:
    if attribute not in carried:
        return Item(name, None, f"Not tracked: no record carries {attribute}.")
    if record is None:
        return Item(name, False, f"No DynamoDB record, so the {what} is not recorded as {done}.")
    value = record.get(attribute)
    if value is None or value is False or value == "" or value == 0:
        return Item(name, False, _sentence(f"{what} not {done} yet ({attribute} is "
                                           f"{'absent' if value is None else repr(value)})"))
    when = _when(value, tz=tz)
    return Item(name, True, _sentence(f"{what} {done}" + (f" {when}" if when else "")))


def page_served(check: ServedPage | None, *, want: DesiredCharter) -> Item:
    if check is None:
        return Item("page_served", None,
                    f"Not checked: {want.page_key} was not fetched (outside the check's "
                    "horizon, or the check did not run).")
    return Item("page_served", check.ok, check.detail)


def in_agreement(found: Sequence[Discrepancy], *, withheld: bool) -> Item:
    open_items = [d for d in found if d.kind not in _CREW_KINDS]
    if open_items:
        kinds = ", ".join(f"{d.kind}" + (f" {d.field}" if d.field else "") for d in open_items)
        count = len(open_items)
        return Item("in_agreement", False,
                    f"{count} open discrepanc{'y' if count == 1 else 'ies'}: {kinds}.")
    if withheld:
        return Item("in_agreement", None,
                    "Not checked in full: a source was read only in part.")
    return Item("in_agreement", True, "The calendar, DynamoDB and the guest page agree.")


def _when(value: Any, *, tz: tzinfo | None) -> str:
    """A Lambda's timestamp in the operator's zone; anything else shown as written."""
    if not isinstance(value, str):
        return ""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return f"({value})"
    if moment.tzinfo is None:
        return f"{moment:%b %-d %H:%M}"
    return f"{moment.astimezone(tz):%b %-d %H:%M %Z}".rstrip()


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


MARKS = {True: "✓", False: "✗", None: "–"}


def heading(departure: Departure) -> str:
    c = departure.charter
    verdict = "ready" if departure.ready else "NOT READY"
    return (f"{c.start:%a %b %-d} {c.start:%H:%M}–{c.end:%H:%M} · {c.guest_name} "
            f"({departure.event_id}): {verdict}")


def item_lines(departure: Departure) -> list[str]:
    return [f"{MARKS[i.ok]} {LABELS[i.name]} — {i.detail}" for i in departure.items]


def days_phrase(days: Sequence[date]) -> str:
    if len(days) == 1:
        return f"on {days[0]:%a %b %-d}"
    return f"{days[0]:%a %b %-d} – {days[-1]:%a %b %-d}"
