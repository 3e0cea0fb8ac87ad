"""A person's credentials and a boat's manning rules, as the crew gate reads them. Pure
value objects: app.yaml's ``credentials:`` and ``vessel:`` (services/domain/gate_settings.py)
are read into these, and services/domain/crew_gate.py judges a charter with them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

# The roles of a roster and of a charter's crew lines, in the order people read them.
ROLES = ("captain", "mate", "crew")
# Defaults of app.yaml's credential_kinds and endorsements (the latter least to most).
DEFAULT_KINDS = ("mmc", "medical", "drug_program", "twic", "first_aid")
DEFAULT_ENDORSEMENTS = ("oupv", "master_25", "master_50", "master_100")
# The kind the captain's endorsement is read from.
MMC = "mmc"


@dataclass(frozen=True, slots=True)
class Credential:
    """One credential a person holds, valid through ``expires`` (its last day)."""

    kind: str
    expires: date
    endorsement: str | None = None
    # Shown only to its holder and on the CLI; never part of a reason, a log line or a
    # channel message (repr=False keeps it out of a logged object too).
    number: str | None = field(default=None, repr=False)

    def valid_on(self, day: date) -> bool:
        return day <= self.expires


@dataclass(frozen=True)
class MinCrew:
    """The least crew aboard by role, and more above a guest count: ``over`` holds
    ``(guests, {role: count})`` pairs, a threshold applying to more guests than it."""

    base: Mapping[str, int] = field(default_factory=lambda: {"captain": 1})
    over: tuple[tuple[int, Mapping[str, int]], ...] = ()

    def needed(self, guests: int | None) -> dict[str, int]:
        """Each role's least count for ``guests`` (unknown: the base only): the highest of
        the base and every threshold the guests exceed, so more guests never need less."""
        needs = {role: self.base.get(role, 0) for role in ROLES}
        for threshold, counts in self.over:
            if guests is not None and guests > threshold:
                for role, count in counts.items():
                    needs[role] = max(needs[role], count)
        return needs


@dataclass(frozen=True)
class VesselRules:
    """What one boat requires of a charter (its ``vessel:`` in app.yaml)."""

    inspected: bool = False
    max_passengers: int | None = None
    min_crew: MinCrew = field(default_factory=MinCrew)
    # The least endorsement on the captain's MMC that may command the boat; None: any.
    captain_endorsement: str | None = None
    # The kinds every person aboard holds valid on the day, and each role's own.
    requires_all: tuple[str, ...] = ("drug_program",)
    requires_by_role: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: {"captain": ("mmc", "medical")})
    # The operator's endorsements, least to most: what "at least" means.
    endorsements: tuple[str, ...] = DEFAULT_ENDORSEMENTS

    def required_of(self, role: str) -> tuple[str, ...]:
        """The kinds a person in ``role`` must hold, each once, in the order written."""
        return self._required.get(role, self.requires_all)

    @cached_property
    def _required(self) -> dict[str, tuple[str, ...]]:
        # Asked for every person on every charter: worked out once per boat.
        required = {}
        for role in ROLES:
            kinds = [*self.requires_all, *self.requires_by_role.get(role, ())]
            if role == "captain" and self.captain_endorsement is not None:
                kinds.append(MMC)
            required[role] = tuple(dict.fromkeys(kinds))
        return required

    def rank(self, endorsement: str | None) -> int:
        """``endorsement``'s place in the operator's order; -1 for none or unknown."""
        try:
            return self.endorsements.index(endorsement) if endorsement else -1
        except ValueError:
            return -1
