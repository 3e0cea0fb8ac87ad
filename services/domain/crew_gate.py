"""The crew gate: may this charter leave the dock with the people and the guests it has?
Pure: a charter, its boat's rules (services/domain/credentials.py) and the roster in, a
verdict with each reason in a person's words out.

Everything is judged on the charter's own date: a credential valid today but expired on
the day of the charter fails that charter. A credential is valid through its ``expires``
date. A boat without rules (no ``vessel:`` in app.yaml) is not gated: nothing is checked.
A credential's number is never part of a reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from services.domain.credentials import MMC, ROLES, Credential, VesselRules
from services.domain.models import Charter, CrewMember
from services.domain.roster import Roster

KIND_WORDS = {"mmc": "MMC", "medical": "medical certificate",
              "drug_program": "drug-testing program enrolment", "twic": "TWIC",
              "first_aid": "first-aid certificate"}
ENDORSEMENT_WORDS = {"oupv": "OUPV"}
ROLE_WORDS = {"captain": ("captain", "captains"), "mate": ("mate", "mates"),
              "crew": ("deckhand", "deckhands")}


class Code(StrEnum):
    """Why a charter fails the gate; stable, for code and tests (the words may change)."""

    NOT_IN_ROSTER = "not_in_roster"
    CREDENTIAL_MISSING = "credential_missing"
    CREDENTIAL_EXPIRED = "credential_expired"
    ENDORSEMENT_MISSING = "endorsement_missing"
    ENDORSEMENT_TOO_LOW = "endorsement_too_low"
    UNDERMANNED = "undermanned"
    OVER_CAPACITY = "over_capacity"


@dataclass(frozen=True, slots=True)
class Reason:
    code: Code
    text: str
    person: str | None = None  # the roster's spelling, else the calendar's
    role: str | None = None
    kind: str | None = None  # the credential kind, where one is at fault


@dataclass(frozen=True, slots=True)
class Verdict:
    day: date
    gated: bool  # False: the boat has no rules, nothing was checked
    reasons: tuple[Reason, ...] = ()
    guests: int | None = None
    max_passengers: int | None = None

    @property
    def passed(self) -> bool:
        return not self.reasons


@dataclass(frozen=True, slots=True)
class Expiry:
    """A credential running out within the warning days, and the departures after it that
    would fail for it (the person aboard, the boat requiring that kind of their role)."""

    person: str
    kind: str
    expires: date
    days_left: int
    departures: tuple[Charter, ...] = ()

    @property
    def text(self) -> str:
        when = "today" if self.days_left == 0 else (
            "tomorrow" if self.days_left == 1 else f"in {self.days_left} days")
        after = len(self.departures)
        affects = (f"; {after} departure{'s' if after != 1 else ''} after it"
                   if after else "")
        return (f"{self.person}'s {kind_words(self.kind)} expires on "
                f"{day_words(self.expires)}, {when}{affects}")


def kind_words(kind: str) -> str:
    return KIND_WORDS.get(kind, kind.replace("_", " "))


def endorsement_words(endorsement: str) -> str:
    return ENDORSEMENT_WORDS.get(endorsement, endorsement.replace("_", " ").capitalize())


def day_words(day: date, *, beside: date | None = None) -> str:
    """``Jun 2``; with its year where ``beside`` is in another one."""
    year = f", {day.year}" if beside is not None and beside.year != day.year else ""
    return f"{day:%b} {day.day}{year}"


def aboard(charter: Charter) -> Iterator[tuple[str, str]]:
    """Each name on the charter with the role it is written in (a name twice, twice)."""
    for name, role in ((charter.captain, "captain"), (charter.mate, "mate"),
                       *((n, "crew") for n in charter.crew)):
        if name and name.strip():
            yield name, role


def judge(charter: Charter, *, vessel: VesselRules | None, roster: Roster) -> Verdict:
    """The gate for ``charter`` on its date; ``vessel`` None: not gated, passes."""
    day = charter.local_date
    if vessel is None:
        return Verdict(day=day, gated=False, guests=charter.guest_count)
    reasons: list[Reason] = []
    for name, role in aboard(charter):
        reasons.extend(_person(name, role, day=day, vessel=vessel, roster=roster))
    reasons.extend(_manning(charter, vessel))
    guests, most = charter.guest_count, vessel.max_passengers
    if guests is not None and most is not None and guests > most:
        reasons.append(Reason(Code.OVER_CAPACITY,
                              f"{guests} guests booked, the boat carries {most}"))
    return Verdict(day=day, gated=True, reasons=tuple(dict.fromkeys(reasons)),
                   guests=guests, max_passengers=most)


def _person(name: str, role: str, *, day: date, vessel: VesselRules,
            roster: Roster) -> Iterator[Reason]:
    member = roster.find(name)
    if member is None:
        yield Reason(Code.NOT_IN_ROSTER, f"{name} is not in the roster: no credentials on "
                     "file", person=name, role=role)
        return
    who = member.name
    lasts_until = member.lasts_until
    for kind in vessel.required_of(role):
        last = lasts_until.get(kind)
        if last is None:
            yield Reason(Code.CREDENTIAL_MISSING, f"{who} holds no {kind_words(kind)}",
                         person=who, role=role, kind=kind)
        elif day > last:
            yield Reason(Code.CREDENTIAL_EXPIRED,
                         f"{who}'s {kind_words(kind)} expired on "
                         f"{day_words(last, beside=day)}; the charter is "
                         f"{day_words(day, beside=last)}", person=who, role=role, kind=kind)
    if role == "captain" and vessel.captain_endorsement is not None:
        yield from _endorsement(member, day=day, vessel=vessel)


def _endorsement(member: CrewMember, *, day: date, vessel: VesselRules) -> Iterator[Reason]:
    valid = [c for c in member.credentials if c.kind == MMC and c.valid_on(day)]
    if not valid:
        return  # no valid MMC at all: said once, as the MMC the captain must hold
    needed = vessel.captain_endorsement
    assert needed is not None
    best = max(valid, key=lambda c: vessel.rank(c.endorsement))
    need = endorsement_words(needed)
    if best.endorsement is None:
        yield Reason(Code.ENDORSEMENT_MISSING, f"{member.name}'s MMC carries no endorsement; "
                     f"the boat needs {need}", person=member.name, role="captain", kind=MMC)
    elif vessel.rank(best.endorsement) < vessel.rank(needed):
        yield Reason(Code.ENDORSEMENT_TOO_LOW,
                     f"{member.name}'s MMC endorsement is "
                     f"{endorsement_words(best.endorsement)}; the boat needs {need}",
                     person=member.name, role="captain", kind=MMC)


def _manning(charter: Charter, vessel: VesselRules) -> Iterator[Reason]:
    needs = vessel.min_crew.needed(charter.guest_count)
    counts = {"captain": int(bool(charter.captain and charter.captain.strip())),
              "mate": int(bool(charter.mate and charter.mate.strip())),
              "crew": sum(1 for n in charter.crew if n.strip())}
    for role in ROLES:
        need, have = needs[role], counts[role]
        if have >= need:
            continue
        one, many = ROLE_WORDS[role]
        wanted = f"a {one}" if need == 1 else f"{need} {many}"
        by_guests = (f" for {charter.guest_count} guests"
                     if need > vessel.min_crew.base.get(role, 0) else "")
        present = "none is aboard" if have == 0 else (
            "1 is aboard" if have == 1 else f"{have} are aboard")
        yield Reason(Code.UNDERMANNED, f"the boat needs {wanted}{by_guests}; {present}",
                     role=role)


def expiring(roster: Roster, charters: Iterable[Charter], *, today: date, warn_days: int,
             vessel_of: Callable[[Charter], VesselRules | None]) -> tuple[Expiry, ...]:
    """Each person's credential of each kind that runs out from ``today`` to ``warn_days``
    later (a kind held twice: the one that lasts longest; a renewal already in the roster
    is no warning), with the departures among ``charters`` it would fail. Soonest first."""
    soon = [(member, kind, last) for member in roster.members
            for kind, last in member.lasts_until.items()
            if 0 <= (last - today).days <= warn_days]
    if not soon:
        return ()
    # Each person's departures, with the kinds their role there requires: found once,
    # rather than every charter looked through again for each credential.
    on_board: dict[str, list[tuple[Charter, tuple[str, ...]]]] = {}
    for charter in charters:
        vessel = vessel_of(charter)
        if vessel is None:
            continue
        for name, role in aboard(charter):
            member = roster.find(name)
            if member is not None:
                on_board.setdefault(member.name, []).append(
                    (charter, vessel.required_of(role)))
    found = [Expiry(member.name, kind, last, (last - today).days, tuple(dict.fromkeys(
                 charter for charter, kinds in on_board.get(member.name, ())
                 if kind in kinds and charter.local_date > last)))
             for member, kind, last in soon]
    return tuple(sorted(found, key=lambda e: (e.expires, e.person.casefold(), e.kind)))


def state(credential: Credential, *, today: date, warn_days: int) -> tuple[str, int]:
    """``("valid" | "expiring" | "expired", days left)`` (negative: days since)."""
    days_left = (credential.expires - today).days
    if days_left < 0:
        return "expired", days_left
    return ("expiring" if days_left <= warn_days else "valid"), days_left
