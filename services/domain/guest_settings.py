"""The ``guests:`` part of app.yaml: whether and how guests are told by e-mail when what
they were told changes (issue 30). Validated at load, each problem naming its key.

Kept apart from services/domain/config.py, which imports it. The operator's own e-mail
templates (``template_dir``) are files: they are checked where app.yaml is read
(bot/config.py), by rendering a sample correction, not here.
"""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.domain.guests.address import address_problem
from services.domain.guests.facts import DEFAULT_TELL_ON, FACTS
from services.domain.guests.quiet import DEFAULT, QuietHours

NOTIFY = ("ask", "auto", "off")


class GuestSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", ignored_types=(cached_property,))

    # ask: the change's preview names the guests to be told and a person presses Tell the
    # guests; auto: the correction goes when the change lands; off: only shown.
    notify: Literal["ask", "auto", "off"] = "ask"
    # The facts whose change is news to a guest; a crew swap alone is none unless
    # ``captain`` is listed.
    tell_on: tuple[str, ...] = DEFAULT_TELL_ON
    # The SES sender identity (verified in SES); no correction can be sent without it.
    from_address: str | None = None
    # Local hours in which a correction waits (unless the charter departs too soon).
    quiet_hours: str = DEFAULT
    # The record attribute that may hold the guest's e-mail (the operator's Lambdas').
    email_attribute: str = Field(default="guestEmail", min_length=1)
    # A folder of the operator's own e-mail templates; None: the product's.
    template_dir: str | None = Field(default=None, min_length=1)

    @field_validator("notify", mode="before")
    @classmethod
    def _notify(cls, value: object) -> object:
        # YAML reads an unquoted off as false: the operator meant the word.
        if value is False:
            return "off"
        if value not in NOTIFY:
            raise ValueError(f"'{value}' is not a policy; use ask, auto or off")
        return value

    @field_validator("tell_on", mode="before")
    @classmethod
    def _tell_on(cls, value: object) -> object:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"give a list of facts, from {', '.join(FACTS)}")
        unknown = [str(v) for v in value if v not in FACTS]
        if unknown:
            raise ValueError(f"{', '.join(unknown)}: not a fact a guest is told; choose "
                             f"from {', '.join(FACTS)}")
        twice = sorted({str(v) for v in value if list(value).count(v) > 1})
        if twice:
            raise ValueError(f"{', '.join(twice)} listed twice; each fact once")
        if not value:
            raise ValueError("is empty; to tell guests nothing, set notify: off")
        return tuple(value)

    @field_validator("from_address")
    @classmethod
    def _from_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        problem = address_problem(value)
        if problem:
            raise ValueError(f"'{value}' {problem}; give the sender address verified in "
                             "SES, like bookings@example.com")
        return value

    @field_validator("quiet_hours", mode="before")
    @classmethod
    def _quiet_hours(cls, value: object) -> str:
        if not isinstance(value, str):
            raise ValueError(f"'{value}' is not a span of local times like 21:00-08:00 "
                             "(quote it)")
        return str(QuietHours.parse(value))

    @model_validator(mode="after")
    def _sender_for_auto(self) -> GuestSettings:
        if self.notify == "auto" and self.from_address is None:
            raise ValueError("guests.from_address: missing; notify: auto sends e-mail, so "
                             "give the sender address verified in SES (or notify: ask)")
        return self

    @cached_property
    def quiet(self) -> QuietHours:
        return QuietHours.parse(self.quiet_hours)
