"""Looking people up in the crew roster of app.yaml, the way people write names."""

from __future__ import annotations

from collections.abc import Iterable
from typing import overload

from services.domain.models import CrewMember


class Roster:
    def __init__(self, members: Iterable[CrewMember]) -> None:
        self.members = tuple(members)
        self._by_name = {m.name.casefold(): m for m in self.members}
        self._by_email = {m.email.casefold(): m for m in self.members if m.email}
        first_names: dict[str, list[CrewMember]] = {}
        for member in self.members:
            first_names.setdefault(member.name.split()[0].casefold(), []).append(member)
        # "Gene Smith" in the calendar finds "Gene" only when no other Gene exists.
        self._by_first = {k: v[0] for k, v in first_names.items() if len(v) == 1}

    def find(self, name: str | None) -> CrewMember | None:
        if not name or not name.strip():
            return None
        key = " ".join(name.split()).casefold()
        return self._by_name.get(key) or self._by_first.get(key.split()[0])

    def find_by_email(self, email: str) -> CrewMember | None:
        return self._by_email.get(email.casefold())

    @overload
    def canonical(self, name: str) -> str: ...
    @overload
    def canonical(self, name: None) -> None: ...
    def canonical(self, name: str | None) -> str | None:
        """The roster's spelling of ``name``, or the name as written when unknown."""
        if name is None:
            return None
        member = self.find(name)
        return member.name if member else " ".join(name.split())
