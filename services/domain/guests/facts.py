"""What a guest is told about a charter, what is news to them, and the key that lets one
correction be claimed once. Pure.

The facts are kept as the guest read them ('Saturday, May 30, 2026', '2:00–6:00 PM'): the
news is between two texts a guest sees, so a change that reads the same to them (an end
moved by a second, a location's spacing) is no news. The news is always between what the
guest was last told and the charter now, never between one change and the next: so a
change and its undo before anything went leave no news, and two changes that bring the
same facts bring the same news.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from services.domain.pages.rendering import arrival_window, display_date

if TYPE_CHECKING:
    from services.domain.models import Charter

# Every fact a guest may be told, in the order a correction lists them.
FACTS = ("date", "arrival", "location", "boat", "captain")
# A crew swap alone is no news to a guest unless the operator lists the captain.
DEFAULT_TELL_ON = ("date", "arrival", "location", "boat")
LABELS = {"date": "the date", "arrival": "the arrival time", "location": "the location",
          "boat": "the boat", "captain": "the captain"}
# How a fact the charter does not give (no captain named yet) reads to a guest.
NOT_GIVEN = "not yet given"


@dataclass(frozen=True)
class GuestFacts:
    date: str
    arrival: str
    location: str
    boat: str
    captain: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> GuestFacts:
        """As stored by ``to_dict`` (the audit store's JSON)."""
        def text(name: str) -> str:
            return str(data.get(name) or "")
        captain = data.get("captain")
        return cls(date=text("date"), arrival=text("arrival"), location=text("location"),
                   boat=text("boat"), captain=str(captain) if captain else None)

    def value(self, fact: str) -> str | None:
        return getattr(self, fact)  # type: ignore[no-any-return]


def facts_of(charter: Charter, *, boat: str) -> GuestFacts:
    """The charter as its guest reads it; ``boat``: the boat's name as guests know it
    (the charter's ``vessel`` in a fleet, else ``operator.name``)."""
    return GuestFacts(date=display_date(charter.start),
                      arrival=arrival_window(charter.start, charter.end),
                      location=" ".join(charter.location.split()),
                      boat=charter.vessel or boat, captain=charter.captain)


@dataclass(frozen=True)
class FactChange:
    fact: str
    old: str | None
    new: str | None

    @property
    def label(self) -> str:
        return LABELS[self.fact]

    @property
    def sentence(self) -> str:
        """'the arrival time 2:00–6:00 PM → 3:00–7:00 PM'."""
        return f"{self.label} {self.old or NOT_GIVEN} → {self.new or NOT_GIVEN}"


def _folded(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def _same(old: str | None, new: str | None) -> bool:
    return _folded(old) == _folded(new)


def news(told: GuestFacts, now: GuestFacts, *, tell_on: Collection[str]) -> tuple[FactChange, ...]:
    """What differs, among the facts in ``tell_on``, between what the guest was told and
    the charter now; empty: nothing to tell."""
    return tuple(FactChange(fact, told.value(fact), now.value(fact)) for fact in FACTS
                 if fact in tell_on and not _same(told.value(fact), now.value(fact)))


def news_sentence(changes: tuple[FactChange, ...]) -> str:
    """'the arrival time 2:00–6:00 PM → 3:00–7:00 PM; the location A → B'."""
    return "; ".join(change.sentence for change in changes)


BOARDING = "boarding:"


def boarding_basis(sent_at: object) -> str:
    """The basis of a guest's first correction: the boarding e-mail, by the value the
    operator's Lambda wrote in ``readiness.boarding_sent_attribute`` (a second boarding
    e-mail is a new basis)."""
    return f"{BOARDING}{sent_at}"


def notice_key(*, event_id: str, address: str, basis: str, facts: GuestFacts,
               tell_on: Collection[str]) -> str:
    """The one key of telling ``address`` the facts ``facts`` (those in ``tell_on``) about
    ``event_id``, after what ``basis`` told them: the key of the last correction sent
    to them, or ``boarding_basis(...)``.

    Two changes bringing the same news, a replica's and a retry's, give one key, and
    the claim on it is taken once. The basis makes it a chain: told 2 PM, then 3 PM,
    then 2 PM again, then 3 PM again is four corrections, not two, since the last two
    follow different ones."""
    told = {fact: _folded(facts.value(fact)) for fact in FACTS if fact in tell_on}
    text = json.dumps([event_id, address.casefold(), basis, told], ensure_ascii=False,
                      sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()
