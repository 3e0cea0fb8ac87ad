"""Two events claiming one DynamoDB record: a conflict for a person, never a fix. Pure.

A record is claimed by the event its ``calendarEventId`` names, by every event that
carries its id as the private link (``extendedProperties.private.eventId``), and, for
a record from before the link (no ``calendarEventId``), by the charter the id rule
gives it. A copied event keeps the link of the one it was copied from, so a link alone
does not make a record an event's: when it contradicts the record, or another charter's
claim, nothing is written to that record and nothing is planned for the claimants in
doubt until a person has said which event it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.domain.calendar.event_ids import base_event_id, candidate_event_ids
from services.domain.models import Charter, Record

# How far down the id rule's list a charter's own ids are looked for (-2, -3, ...).
_OWN_IDS = 10


@dataclass(frozen=True)
class LinkConflict:
    charter: Charter  # a claimant in doubt: nothing is planned for it
    record_id: str
    other: str  # the other claim, in words
    owned: bool  # the record's own calendarEventId settles it: the owner is fixed as usual


def link_conflicts(charters: Sequence[Charter], records: Iterable[Record]
                   ) -> list[LinkConflict]:
    by_id = {r.event_id: r for r in records}
    linked = {r.get("calendarEventId") for r in by_id.values() if r.get("calendarEventId")}
    linkers: dict[str, list[Charter]] = {}
    for charter in charters:
        if charter.linked_event_id in by_id:
            linkers.setdefault(charter.linked_event_id, []).append(charter)
    found: list[LinkConflict] = []
    for record_id, claimants in linkers.items():
        owner = by_id[record_id].get("calendarEventId")
        if owner:
            found += [LinkConflict(c, record_id, f"the record names calendar event {owner}",
                                   owned=True)
                      for c in claimants if c.calendar_event_id != owner]
            continue
        if len(claimants) > 1:
            found += [LinkConflict(c, record_id, _others(claimants, c), owned=False)
                      for c in claimants]
            continue
        [linker] = claimants
        if record_id in own_ids(linker):
            continue  # the link agrees with the id rule: a second charter of the name is -2
        # A legacy record the id rule gives another charter, also claimed by this link.
        rivals = [c for c in charters if c is not linker and not c.linked_event_id
                  and c.calendar_event_id not in linked
                  and base_event_id(c.guest_name, c.local_date) == record_id]
        if rivals:
            found += [LinkConflict(c, record_id, _others([linker, *rivals], c), owned=False)
                      for c in (linker, *rivals)]
    return found


def unconfirmed_link(charter: Charter, record: Record) -> bool:
    """Whether ``charter`` holds ``record`` by its link alone, the record naming no event
    and the id rule not giving it to this charter: another charter may claim it, and only
    a view of every charter can tell (the live sync leaves it to the full reconcile)."""
    return (charter.linked_event_id == record.event_id and not record.get("calendarEventId")
            and record.event_id not in own_ids(charter))


def own_ids(charter: Charter) -> set[str]:
    """The ids the id rule could give this charter (``danika-may31``, ``-2``, ...)."""
    ids = candidate_event_ids(charter.guest_name, charter.local_date)
    return {next(ids) for _ in range(_OWN_IDS)}


def _others(claimants: Sequence[Charter], charter: Charter) -> str:
    return "also claimed by " + ", ".join(
        f"{c.title} ({c.start:%a %b %d %H:%M}, event {c.calendar_event_id})"
        for c in claimants if c is not charter)
