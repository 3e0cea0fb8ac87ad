"""The crew gate's part of app.yaml: a person's ``credentials:``, a boat's ``vessel:``,
``credential_kinds``, ``endorsements`` and ``crew_gate:``; validated at load, each problem
naming its key, and read into the value objects of services/domain/credentials.py.

Kept apart from services/domain/config.py, which imports it: the keys that name a kind or
an endorsement are checked against the top-level lists once the whole file is read
(``check_names``), since a roster entry cannot see them on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from services.domain.credentials import (
    MMC,
    ROLES,
    Credential,
    MinCrew,
    VesselRules,
)

# A six-pack: an uninspected passenger vessel carries at most six passengers for hire
# (an operator whose uninspected boat may carry more says so with max_passengers).
UNINSPECTED_MAX_PASSENGERS = 6
NAME = re.compile(r"[a-z][a-z0-9_]*")


class _Gate(BaseModel):
    # As config.py's sections: frozen, no unknown key, numbers strict (YAML's yes is true).
    model_config = ConfigDict(frozen=True, extra="forbid")


def _names(what: str) -> Any:
    def check(value: tuple[str, ...]) -> tuple[str, ...]:
        for name in value:
            if not NAME.fullmatch(name):
                raise ValueError(f"'{name}' is not a {what} name: lower-case letters, digits "
                                 "and _, starting with a letter")
        twice = sorted({name for name in value if value.count(name) > 1})
        if twice:
            raise ValueError(f"{', '.join(twice)} listed twice; each {what} once")
        return value
    return AfterValidator(check)


CredentialKinds = Annotated[tuple[str, ...], _names("credential kind")]
Endorsements = Annotated[tuple[str, ...], _names("endorsement")]


def _known_roles(data: object, *, also: str | None = None) -> object:
    if isinstance(data, Mapping):
        keys = (*ROLES, also) if also else ROLES
        unknown = sorted(str(key) for key in data if key not in keys)
        if unknown:
            besides = f" (and {also})" if also else ""
            raise ValueError(f"unknown role {', '.join(unknown)}; the roles: "
                             f"{', '.join(ROLES)}{besides}")
    return data


class CredentialSettings(_Gate):
    """One entry of a person's ``credentials:``."""

    kind: str = Field(min_length=1)
    expires: date
    endorsement: str | None = None
    # Never in a log line: a Config printed or logged shows no credential number.
    number: str | None = Field(default=None, repr=False)

    @field_validator("expires", mode="before")
    @classmethod
    def _date(cls, value: object) -> date:
        # YAML reads 2027-03-01 as a date and "2027-03-01" as text; anything else (a
        # time, a number pydantic would take for a timestamp) is refused.
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise ValueError(f"'{value}' is not a date like 2027-03-01")

    @field_validator("number", mode="before")
    @classmethod
    def _number(cls, value: object) -> object:
        # A number of digits only is read by YAML as an int: it is still the number.
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    @model_validator(mode="after")
    def _endorsement_on_mmc(self) -> CredentialSettings:
        if self.endorsement is not None and self.kind != MMC:
            raise ValueError(f"endorsement '{self.endorsement}' on a {self.kind}: only an "
                             f"{MMC} carries an endorsement")
        return self


class RoleCounts(_Gate):
    """The crew one ``min_crew.over`` threshold asks for; a role not named keeps its base."""

    captain: int | None = Field(default=None, ge=0, strict=True)
    mate: int | None = Field(default=None, ge=0, strict=True)
    crew: int | None = Field(default=None, ge=0, strict=True)

    @model_validator(mode="before")
    @classmethod
    def _roles(cls, data: object) -> object:
        return _known_roles(data)


class MinCrewSettings(_Gate):
    captain: int = Field(default=1, ge=0, strict=True)
    mate: int = Field(default=0, ge=0, strict=True)
    crew: int = Field(default=0, ge=0, strict=True)
    # {guests: {role: count}}: more than that many guests need that many of the role.
    over: dict[int, RoleCounts] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _roles(cls, data: object) -> object:
        return _known_roles(data, also="over")

    @field_validator("over", mode="before")
    @classmethod
    def _thresholds(cls, value: object) -> object:
        if isinstance(value, Mapping):
            for key in value:
                if isinstance(key, bool) or not isinstance(key, int) or key < 0:
                    raise ValueError(f"'{key}' is not a guest count: give whole numbers of "
                                     "guests, like over: {20: {crew: 2}}")
        return value


class RequiresSettings(_Gate):
    """The credential kinds held valid on the day: ``all`` of every person aboard, and
    each role's own. A key left out keeps its default; ``captain: []`` asks nothing more."""

    all: tuple[str, ...] = ("drug_program",)
    captain: tuple[str, ...] = (MMC, "medical")
    mate: tuple[str, ...] = ()
    crew: tuple[str, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _roles(cls, data: object) -> object:
        return _known_roles(data, also="all")


class VesselSettings(_Gate):
    """A boat's ``vessel:``: a boat without one is not gated."""

    inspected: bool = Field(default=False, strict=True)
    max_passengers: int | None = Field(default=None, ge=1, strict=True)
    min_crew: MinCrewSettings = MinCrewSettings()
    captain_endorsement: str | None = None
    requires: RequiresSettings = RequiresSettings()

    @model_validator(mode="after")
    def _certificate(self) -> VesselSettings:
        if self.inspected and self.max_passengers is None:
            raise ValueError("an inspected vessel needs max_passengers (its Certificate of "
                             "Inspection sets it)")
        return self


class CrewGateSettings(_Gate):
    # Credentials expiring within this many days are listed (the digest, the crew view).
    warn_days: int = Field(default=60, ge=1, le=366, strict=True)


def check_names(*, kinds: tuple[str, ...], endorsements: tuple[str, ...],
                credentials: Iterable[tuple[str, tuple[CredentialSettings, ...]]],
                vessels: Iterable[tuple[str, VesselSettings | None]]) -> None:
    """Every kind and endorsement a credential or a vessel names is one of the operator's
    lists; ValueError naming the first key that is not (``crew[2].credentials[0].kind``).
    ``credentials``: each roster key (``crew[2]``) with its entries; ``vessels``: each
    boat's key (``calendars[1].vessel``) with its settings."""
    def kind(key: str, value: str) -> None:
        if value not in kinds:
            raise ValueError(f"{key}: '{value}' is not a credential kind; the kinds "
                             f"(credential_kinds): {', '.join(kinds) or 'none'}")

    def endorsement(key: str, value: str | None) -> None:
        if value is not None and value not in endorsements:
            raise ValueError(f"{key}: '{value}' is not an endorsement; the endorsements "
                             f"(endorsements, least to most): {', '.join(endorsements)}")

    for person, entries in credentials:
        for n, entry in enumerate(entries):
            kind(f"{person}.credentials[{n}].kind", entry.kind)
            endorsement(f"{person}.credentials[{n}].endorsement", entry.endorsement)
    for key, vessel in vessels:
        if vessel is None:
            continue
        for role in ("all", *ROLES):
            for n, value in enumerate(getattr(vessel.requires, role)):
                kind(f"{key}.requires.{role}[{n}]", value)
        endorsement(f"{key}.captain_endorsement", vessel.captain_endorsement)
        if vessel.captain_endorsement is not None:
            kind(f"{key}.captain_endorsement (an endorsement is on an {MMC})", MMC)


def credentials(entries: Iterable[CredentialSettings]) -> tuple[Credential, ...]:
    return tuple(Credential(kind=e.kind, expires=e.expires, endorsement=e.endorsement,
                            number=e.number) for e in entries)


def vessel_rules(vessel: VesselSettings, *, endorsements: tuple[str, ...]) -> VesselRules:
    crew = vessel.min_crew
    over = tuple(
        (guests, {role: count for role in ROLES
                  if (count := getattr(counts, role)) is not None})
        for guests, counts in sorted(crew.over.items()))
    max_passengers = vessel.max_passengers
    if max_passengers is None and not vessel.inspected:
        max_passengers = UNINSPECTED_MAX_PASSENGERS
    return VesselRules(
        inspected=vessel.inspected, max_passengers=max_passengers,
        min_crew=MinCrew(base={role: getattr(crew, role) for role in ROLES}, over=over),
        captain_endorsement=vessel.captain_endorsement,
        requires_all=vessel.requires.all,
        requires_by_role={role: getattr(vessel.requires, role) for role in ROLES},
        endorsements=endorsements)

