"""The operator's settings (``app.yaml``), validated once into immutable objects.

Secrets and endpoints never live here: they come from the environment
(``bot.environment``).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import time
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from common.errors import InputError
from services.domain.credentials import DEFAULT_ENDORSEMENTS, DEFAULT_KINDS, ROLES
from services.domain.gate_settings import (
    CredentialKinds,
    CredentialSettings,
    CrewGateSettings,
    Endorsements,
    VesselSettings,
    check_names,
    credentials,
    vessel_rules,
)
from services.domain.guest_settings import GuestSettings

if TYPE_CHECKING:
    from services.domain.credentials import VesselRules
    from services.domain.models import Boat, CrewMember

KNOWN_ROLES = frozenset(ROLES)
FIXABLE_KINDS = frozenset(
    {"RECORD_MISSING", "RECORD_MISMATCH", "RECORD_ORPHANED", "PAGE_MISSING", "PAGE_STALE",
     "CACHE_STALE", "PAGE_SERVED_STALE"}
)


class _Section(BaseModel):
    # Every number in a section is a Field(strict=True): YAML reads `yes` as true, and
    # pydantic would otherwise take true for 1.
    model_config = ConfigDict(frozen=True, extra="forbid")


CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?")

# A name in the settings is compared and shown as calendar text is: what cannot be seen
# (a zero-width space or joiner's kin, a byte-order mark) goes, full-width letters and a
# no-break space become plain ones (NFKC), and runs of spaces one. A control character,
# NUL or a bidi override would reach every guest page and message: refused, named.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u2060\ufeff"))
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def settings_name(value: str) -> str:
    """A boat's, the operator's or a crew member's name as it will be compared and shown."""
    found = _UNSHOWABLE.search(value)
    if found:
        raise ValueError(f"holds the invisible character U+{ord(found.group()):04X}; "
                         "write the name without it")
    text = " ".join(unicodedata.normalize("NFKC", value.translate(_INVISIBLE)).split())
    if not text:
        raise ValueError("is empty")
    return text


def calendar_key(calendar_id: str) -> str:
    """What makes two calendar ids one calendar: Google's ids are e-mail addresses,
    whose case does not matter."""
    return calendar_id.strip().casefold()


def _clock(value: object) -> str:
    """A local time of day, ``HH:MM`` or, where a minute is too coarse (a test that
    should not wait for the next one), ``HH:MM:SS``."""
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 7:00 as sexagesimal 420, and 7:00:30 as 25230: turn
        # them back. An hour of minutes is at most 23:59 (1439); with seconds, an hour is
        # at least 1 (3600), since a leading 0 keeps YAML from reading it as a number.
        value = (f"{value // 3600:02d}:{value // 60 % 60:02d}:{value % 60:02d}"
                 if value >= 3600 else f"{value // 60:02d}:{value % 60:02d}")
    if not isinstance(value, str) or not CLOCK.fullmatch(value):
        raise ValueError(f"'{value}' is not a 24-hour time like 07:00 (or 07:00:30, "
                         "to the second)")
    return value


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# pages.prefix: relative folders, each ending in '/' ('' for the bucket's top).
PLAIN_PREFIX = re.compile(r"(?:[A-Za-z0-9._-]+/)+")


class CalendarSettings(_Section):
    # One boat's calendar; a fleet lists its boats under ``calendars:`` instead, and keeps
    # window_days and push_url here, read for every boat.
    id: str | None = Field(default=None, min_length=1)
    ical_url: str | None = None
    window_days: int = Field(default=30, ge=1, le=366, strict=True)
    # The public URL of POST /calendar/notifications, for Google's push; None to poll only.
    push_url: str | None = None
    # The one boat's manning rules (the crew gate); None: not gated.
    vessel: VesselSettings | None = None

    @field_validator("push_url")
    @classmethod
    def _push_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        match = re.fullmatch(r"(https?)://(\[[^\]]+\]|[^/:\s]+)(:\d+)?(/\S*)?", value)
        host = match[2].strip("[]") if match else ""
        if not match or (match[1] != "https" and host not in LOOPBACK_HOSTS):
            raise ValueError(f"'{value}' is not an https URL (Google only pushes to https; "
                             "plain http only on a loopback address, for the sandbox)")
        return value


class BoatSettings(_Section):
    """One boat of a fleet: its name as guests and crew know it, and its own calendar."""

    name: str = Field(min_length=1)
    id: str = Field(min_length=1)
    ical_url: str | None = None
    # The boat's manning rules (the crew gate); None: not gated.
    vessel: VesselSettings | None = None

    _name = field_validator("name")(settings_name)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is empty")
        return value.strip()


class DynamoSettings(_Section):
    table: str = Field(default="jada-charter-events", min_length=3)
    region: str = "us-west-2"
    # Optional GSI with partition key eventDate; used when named and present.
    date_index: str | None = None


class PagesSettings(_Section):
    bucket: str = Field(min_length=3)
    prefix: str = "charters/guests/"
    distribution_id: str = Field(min_length=1)
    base_url: str
    waiver_url: str
    photo_upload_url: str | None = None
    cache_ttl_seconds: int = Field(default=86400, ge=0, strict=True)
    # Pages of charters departing within this many hours are fetched as a guest does.
    served_check_hours: float = Field(default=48, ge=0, strict=True)
    # The operator's own guest page template (Jinja2); None: the product's.
    template: str | None = Field(default=None, min_length=1)

    @field_validator("base_url", "waiver_url", "photo_upload_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"https?://[^\s/]+", value):
            raise ValueError(f"'{value}' is not an http(s) URL")
        return value

    @field_validator("prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        # Every page key is this prefix and a name, and the prefix is what the bot lists
        # and writes under: a '..' or a leading '/' would point it outside the folder meant.
        dot_folder = any(part in (".", "..") for part in value.split("/"))
        if dot_folder or (value and not PLAIN_PREFIX.fullmatch(value)):
            raise ValueError(
                f"'{value}' is not a key prefix like 'charters/guests/': folder names of "
                "letters, digits, '.', '_' or '-', each ending in /, no leading /, "
                "no '.' or '..' folders")
        return value


class SlackSettings(_Section):
    channel: str = "#charter-ops"
    approvers: tuple[str, ...] = ()
    # A Slack user group (S0...) whose members are approvers too; None for none.
    approver_group: str | None = None
    digest_at: str = "07:00"
    all_clear: bool = True
    # The days of departures the Home tab shows, from today.
    home_days: int = Field(default=7, ge=1, le=31, strict=True)

    @field_validator("digest_at", mode="before")
    @classmethod
    def _digest_at(cls, value: object) -> str:
        return _clock(value)


class SyncSettings(_Section):
    nightly_at: str = "02:00"
    auto_fix: tuple[str, ...] = ()
    freeze_hours: float = Field(default=2, ge=0, strict=True)
    # Live sync: any change to a charter departing this soon is told to the channel.
    alert_hours: float = Field(default=48, ge=0, strict=True)
    # Live sync: seconds between two incremental checks of the calendar.
    poll_seconds: int = Field(default=60, strict=True)
    # Seconds between two looks for changes a crash or an outage left unfinished.
    retry_seconds: int = Field(default=600, strict=True)
    # The last successful calendar check older than this: /readyz answers 503, and the
    # digest says when it was (the bot has stopped syncing).
    stale_after_minutes: int = Field(default=15, strict=True)

    @field_validator("poll_seconds")
    @classmethod
    def _poll(cls, value: int) -> int:
        if value <= 0:
            raise ValueError(f"{value} is not a poll interval: give the seconds between two "
                             "checks of the calendar, at least 1 (default 60)")
        return value

    @field_validator("retry_seconds")
    @classmethod
    def _retry(cls, value: int) -> int:
        if value <= 0:
            raise ValueError(f"{value} is not a retry interval: give the seconds between two "
                             "looks for interrupted changes, at least 1 (default 600)")
        return value

    @field_validator("stale_after_minutes")
    @classmethod
    def _stale(cls, value: int) -> int:
        if value <= 0:
            raise ValueError(f"{value} is not a number of minutes: give how old the last "
                             "successful calendar check may be, at least 1 (default 15)")
        return value

    @field_validator("nightly_at", mode="before")
    @classmethod
    def _nightly_at(cls, value: object) -> str:
        return _clock(value)

    @field_validator("auto_fix")
    @classmethod
    def _kinds(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - FIXABLE_KINDS)
        if unknown:
            raise ValueError(
                f"{', '.join(unknown)} cannot be fixed automatically; "
                f"choose from {', '.join(sorted(FIXABLE_KINDS))}"
            )
        return value


class ReadinessSettings(_Section):
    # Record attributes the operator's Lambdas keep; readiness reads them, never writes.
    waivers_signed_attribute: str = Field(default="waiversSigned", min_length=1)
    boarding_sent_attribute: str = Field(default="boardingEmailSentAt", min_length=1)
    sms_sent_attribute: str = Field(default="smsDispatched", min_length=1)


class OperatorSettings(_Section):
    # Shown to guests: the guest page's title.
    name: str = Field(default="Queen of San Diego", min_length=1)

    _name = field_validator("name")(settings_name)


class CrewSettings(_Section):
    name: str = Field(min_length=1)
    roles: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""
    slack_id: str | None = None
    # False: no direct message when a change affects this person.
    notify: bool = True
    # What the crew gate reads: each credential with its expiry.
    credentials: tuple[CredentialSettings, ...] = ()

    _name = field_validator("name")(settings_name)

    @field_validator("roles")
    @classmethod
    def _roles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - KNOWN_ROLES)
        if unknown:
            raise ValueError(f"unknown role {', '.join(unknown)}; use captain, mate or crew")
        return value


class Config(_Section):
    timezone: str = "America/Los_Angeles"
    calendar: CalendarSettings
    calendars: tuple[BoatSettings, ...] = ()
    dynamodb: DynamoSettings = DynamoSettings()
    pages: PagesSettings
    slack: SlackSettings = SlackSettings()
    sync: SyncSettings = SyncSettings()
    readiness: ReadinessSettings = ReadinessSettings()
    operator: OperatorSettings = OperatorSettings()
    crew: tuple[CrewSettings, ...] = ()
    credential_kinds: CredentialKinds = DEFAULT_KINDS
    endorsements: Endorsements = DEFAULT_ENDORSEMENTS
    crew_gate: CrewGateSettings = CrewGateSettings()
    guests: GuestSettings = GuestSettings()

    model_config = ConfigDict(frozen=True, extra="forbid", ignored_types=(cached_property,))

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"'{value}' is not an IANA time zone such as America/Los_Angeles") from None
        return value

    @model_validator(mode="before")
    @classmethod
    def _fleet_calendar_section(cls, data: object) -> object:
        # A fleet may leave out calendar: (its window_days and push_url have defaults);
        # one boat must give it, with its id.
        if isinstance(data, dict) and data.get("calendars") and "calendar" not in data:
            return {**data, "calendar": {}}
        return data

    @field_validator("calendars")
    @classmethod
    def _distinct_boats(cls, value: tuple[BoatSettings, ...]) -> tuple[BoatSettings, ...]:
        names: dict[str, int] = {}
        ids: dict[str, int] = {}
        for n, boat in enumerate(value):
            first = names.setdefault(boat.name.casefold(), n)
            if first != n:
                raise ValueError(f"calendars[{n}].name: the boat '{boat.name}' is named "
                                 f"twice (calendars[{first}] too); each boat once")
            first = ids.setdefault(calendar_key(boat.id), n)
            if first != n:
                raise ValueError(f"calendars[{n}].id: calendar {boat.id} is also "
                                 f"calendars[{first}]'s; two boats cannot share a calendar")
        return value

    @model_validator(mode="after")
    def _one_way_to_name_calendars(self) -> Config:
        if self.calendars and (self.calendar.id or self.calendar.ical_url):
            raise ValueError("calendars: set beside calendar.id; give one boat's calendar "
                             "as calendar.id, or every boat's under calendars, not both")
        if not self.calendars and not self.calendar.id:
            raise ValueError("calendar.id: missing; give the Google Calendar id (or list "
                             "each boat under calendars)")
        return self

    @model_validator(mode="after")
    def _unique_crew(self) -> Config:
        seen: set[str] = set()
        for member in self.crew:
            folded = member.name.casefold()
            if folded in seen:
                raise ValueError(f"crew: '{member.name}' is listed twice")
            seen.add(folded)
        return self

    @model_validator(mode="after")
    def _crew_gate_names(self) -> Config:
        if self.calendars and self.calendar.vessel is not None:
            raise ValueError("calendar.vessel: set beside calendars; give each boat's "
                             "vessel under its calendars entry")
        check_names(
            kinds=self.credential_kinds, endorsements=self.endorsements,
            credentials=((f"crew[{n}]", m.credentials) for n, m in enumerate(self.crew)),
            vessels=[("calendar.vessel", self.calendar.vessel),
                     *((f"calendars[{n}].vessel", b.vessel)
                       for n, b in enumerate(self.calendars))])
        return self

    @cached_property
    def vessels(self) -> dict[str, VesselRules]:
        """Each gated boat's rules, by boat name (the one boat: ``operator.name``); empty
        when no boat has a ``vessel:``, and then nothing is gated."""
        pairs = ([(b.name, b.vessel) for b in self.calendars] if self.calendars
                 else [(self.operator.name, self.calendar.vessel)])
        return {name: vessel_rules(v, endorsements=self.endorsements)
                for name, v in pairs if v is not None}

    def vessel_of(self, boat: str) -> VesselRules | None:
        """The rules of the boat named ``boat`` (a charter's ``vessel``; any case), or of
        the one boat whatever its charters say; None: that boat is not gated."""
        if not self.calendars:
            return next(iter(self.vessels.values()), None)
        folded = boat.strip().casefold()
        return next((v for name, v in self.vessels.items() if name.casefold() == folded),
                    None)

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def boats(self) -> tuple[Boat, ...]:
        """Every boat with its calendar; the single ``calendar:`` is one boat named
        ``operator.name``. Not cached: a copy with other calendars (model_copy) would
        keep a cached value."""
        from services.domain.models import Boat  # not at a cold start: app.yaml alone

        if self.calendars:
            return tuple(Boat(b.name, b.id, b.ical_url) for b in self.calendars)
        assert self.calendar.id is not None  # _one_way_to_name_calendars
        return (Boat(self.operator.name, self.calendar.id, self.calendar.ical_url),)

    @property
    def fleet(self) -> bool:
        """More than one boat: people are shown which boat each charter is on. Cheap (no
        Boat is built): asked once per charter when pages are rendered."""
        return len(self.calendars) > 1

    def boat_named(self, name: str) -> Boat:
        """The boat a person named (any case); InputError listing the boats otherwise."""
        for boat in self.boats:
            if boat.name.casefold() == name.strip().casefold():
                return boat
        raise InputError(f"No boat is named '{name}'. The boats: "
                         f"{', '.join(b.name for b in self.boats)}.")

    @cached_property
    def roster(self) -> tuple[CrewMember, ...]:
        from services.domain.models import CrewMember  # not at a cold start: app.yaml alone

        return tuple(
            CrewMember(name=m.name, roles=m.roles, phone=m.phone, email=m.email,
                       slack_id=m.slack_id, credentials=credentials(m.credentials))
            for m in self.crew
        )


def clock_time(value: str) -> time:
    """A validated ``HH:MM`` or ``HH:MM:SS`` (see ``_clock``) as a time of day."""
    match = CLOCK.fullmatch(value)
    if match is None:
        raise ValueError(f"'{value}' is not a 24-hour time like 07:00")
    hours, minutes, seconds = match.groups()
    return time(int(hours), int(minutes), int(seconds or 0))
