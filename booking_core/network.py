"""The territory as data: a network of centres read from one TOML file.

Another territory reuses the product by writing its own file; nothing here names a
place. Validation is strict (unknown keys are errors) so a typo in a deployment's file
is reported with the exact field instead of being silently ignored.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from booking_core.errors import UnknownCentre, UnknownResource

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Period(StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    DAY = "day"

    @property
    def halves(self) -> tuple[Period, ...]:
        """The half-days this period occupies; a day is both halves."""
        if self is Period.DAY:
            return (Period.MORNING, Period.AFTERNOON)
        return (self,)


class ResourceKind(StrEnum):
    DESK = "desk"
    MEETING_ROOM = "meeting_room"


Ident = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=40)]


def _parse_range(value: str) -> tuple[time, time]:
    try:
        start_s, end_s = value.split("-")
        start, end = time.fromisoformat(start_s.strip()), time.fromisoformat(end_s.strip())
    except ValueError as exc:
        raise ValueError(f"expected 'HH:MM-HH:MM', got {value!r}") from exc
    if start >= end:
        raise ValueError(f"range {value!r} ends before it starts")
    return start, end


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Contact(_Strict):
    phone: str | None = None
    email: str | None = None
    url: str | None = None


class RoomSpec(_Strict):
    id: Ident
    name: str
    capacity: int = Field(ge=1, le=500)
    equipment: list[str] = []


def _valid_closure(value: str) -> str:
    _parse_closure(value)
    return value


# A closure date or range; checked one by one, so an error names the faulty entry.
Closure = Annotated[str, AfterValidator(_valid_closure)]


def _confirmable(value: str) -> str:
    fields = set(CentreSpec.model_fields) - {"id", "to_confirm"}
    if value not in fields:
        raise ValueError(f"unknown field {value!r}; use one of {', '.join(sorted(fields))}")
    return value


class CentreSpec(_Strict):
    id: Ident
    name: str = Field(min_length=1)
    aliases: list[str] = []
    structure: str | None = None
    address: str
    commune: str
    department: str
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    contact: Contact = Contact()
    morning: str
    afternoon: str
    opening: dict[str, Literal["day", "morning", "afternoon", "closed"]]
    closures: list[Closure] = []
    prices: list[str] = []
    equipment: list[str] = []
    managers: list[str] = []
    desks: int = Field(ge=0, le=500)
    rooms: list[RoomSpec] = []
    checkin_release_minutes: int | None = Field(default=None, ge=5, le=240)
    open_at_lunch: bool = False
    """Whether the building stays open between the morning and the afternoon hours; when
    not, a meeting room cannot be booked across that break."""
    to_confirm: list[Annotated[str, AfterValidator(_confirmable)]] = []
    """Fields whose values are placeholders still to be confirmed with the centre."""
    checkin_tracked: bool = False
    """People are asked to signal their arrival here, so a booking without one is a
    no-show in the digests (implied by ``checkin_release_minutes``)."""

    @field_validator("morning", "afternoon")
    @classmethod
    def _valid_range(cls, value: str) -> str:
        _parse_range(value)
        return value

    @field_validator("opening")
    @classmethod
    def _valid_days(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(WEEKDAYS))
        if unknown:
            raise ValueError(f"unknown weekday {unknown[0]!r}; use {', '.join(WEEKDAYS)}")
        return value

    @model_validator(mode="after")
    def _coherent(self) -> CentreSpec:
        if _parse_range(self.morning)[1] > _parse_range(self.afternoon)[0]:
            raise ValueError("morning must end before (or when) the afternoon starts")
        room_ids = [room.id for room in self.rooms]
        if len(room_ids) != len(set(room_ids)):
            raise ValueError("two rooms share an id")
        return self


class Reminders(_Strict):
    """When people are reminded and managers get their digest (local times)."""

    evening_before: str | None = "18:00"
    morning_of: str | None = None
    digest: str = "07:30"
    weekly_digest_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"

    @field_validator("evening_before", "morning_of", "digest")
    @classmethod
    def _valid_time(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                time.fromisoformat(value)
            except ValueError as exc:
                raise ValueError(f"expected 'HH:MM', got {value!r}") from exc
        return value


class Impact(_Strict):
    """Factors of the impact report, each with the source it comes from.

    The defaults are the sample network's, where each is explained (and what remains to
    be confirmed said): Impact CO2's thermal car, one person aboard; a speed hypothesis.
    """

    emission_kg_per_km: float = Field(default=0.2176, gt=0, le=2)
    emission_source: str = (
        "Impact CO2 (ADEME), voiture thermique, une personne à bord : 0,192 carburant "
        "+ 0,0256 construction (Base Carbone, documentation Routier)"
    )
    average_speed_kmh: float = Field(default=60.0, gt=1, le=200)
    speed_source: str = (
        "hypothèse du réseau pour des routes départementales, sans source publiée : à confirmer"
    )


class Retention(_Strict):
    """How long personal data is kept without activity (GDPR storage limitation)."""

    inactive_years: int = Field(default=3, ge=1, le=10)
    conversation_days: int = Field(default=30, ge=1, le=365)


class NetworkInfo(_Strict):
    name: str
    timezone: str
    default_language: str = Field(pattern=r"^[a-z]{2}$")
    holidays_country: str = "FR"
    holidays_subdivision: str | None = None
    booking_window_days: int = Field(default=60, ge=1, le=730)
    max_days_per_week: int | None = Field(default=3, ge=1, le=7)
    max_desks_per_booking: int = Field(default=10, ge=1, le=200)
    coordinators: list[str] = []
    reminders: Reminders = Reminders()
    impact: Impact = Impact()
    retention: Retention = Retention()

    @field_validator("timezone")
    @classmethod
    def _valid_tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _valid_holidays(self) -> NetworkInfo:
        try:
            holidays.country_holidays(self.holidays_country, subdiv=self.holidays_subdivision)
        except NotImplementedError as exc:
            raise ValueError(str(exc)) from exc
        return self


class NetworkSpec(_Strict):
    network: NetworkInfo
    centres: list[CentreSpec] = Field(min_length=1)

    def cross_problems(self) -> list[tuple[tuple[int | str, ...], str]]:
        """What no single field shows: a centre id used twice, a name or alias naming two
        centres; each with the location of the entry at fault."""
        problems: list[tuple[tuple[int | str, ...], str]] = []
        seen: dict[str, int] = {}
        for index, centre in enumerate(self.centres):
            if centre.id in seen:
                problems.append(
                    (
                        ("centres", index, "id"),
                        f"{centre.id!r} is already the id of centres[{seen[centre.id]}]",
                    )
                )
            seen.setdefault(centre.id, index)
        names: dict[str, tuple[str, tuple[int | str, ...]]] = {}
        for index, centre in enumerate(self.centres):
            named: list[tuple[tuple[int | str, ...], str]] = [
                (("centres", index, "name"), centre.name),
                *((("centres", index, "aliases", n), a) for n, a in enumerate(centre.aliases)),
            ]
            for loc, alias in named:
                owner, first = names.setdefault(alias.casefold().strip(), (centre.id, loc))
                if owner != centre.id:
                    problems.append((loc, f"{alias!r} already names {owner!r} ({_path(first)})"))
        return problems


def _path(loc: tuple[int | str, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")


def _parse_closure(item: str) -> tuple[date, date]:
    try:
        if ".." in item:
            first_s, last_s = item.split("..")
            first, last = date.fromisoformat(first_s.strip()), date.fromisoformat(last_s.strip())
        else:
            first = last = date.fromisoformat(item.strip())
    except ValueError as exc:
        raise ValueError(
            f"expected 'YYYY-MM-DD' or 'YYYY-MM-DD..YYYY-MM-DD', got {item!r}"
        ) from exc
    if last < first:
        raise ValueError(f"closure {item!r} ends before it starts")
    return first, last


class NetworkConfigError(ValueError):
    """A network file that cannot be used, with every faulty field named."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: " + "; ".join(problems))
        self.source = source
        self.problems = problems


def _format_loc(loc: tuple[int | str, ...], raw: dict[str, Any]) -> str:
    parts: list[str] = []
    node: Any = raw
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
            entry = node[item] if isinstance(node, list) and item < len(node) else None
            ident = entry.get("id") if isinstance(entry, dict) else None
            if isinstance(ident, str) and parts:
                parts[-1] = f"[{item}]({ident})"
        else:
            parts.append(f".{item}" if parts else str(item))
        try:
            node = node[item]
        except (KeyError, IndexError, TypeError):
            node = None
    return "".join(parts) or "(file)"


@dataclass(frozen=True)
class Resource:
    id: str
    centre_id: str
    kind: ResourceKind
    name: str
    capacity: int


class Centre:
    """One telecentre with its opening rules, derived once from its validated spec."""

    def __init__(self, spec: CentreSpec, network: Network) -> None:
        self.spec = spec
        self.id = spec.id
        self.name = spec.name
        self.aliases = tuple(spec.aliases)
        self._network = network
        self.morning = _parse_range(spec.morning)
        self.afternoon = _parse_range(spec.afternoon)
        self._closures = [_parse_closure(item) for item in spec.closures]
        desks = [
            Resource(f"{spec.id}/desk-{n}", spec.id, ResourceKind.DESK, f"desk {n}", 1)
            for n in range(1, spec.desks + 1)
        ]
        rooms = [
            Resource(
                f"{spec.id}/{room.id}", spec.id, ResourceKind.MEETING_ROOM, room.name, room.capacity
            )
            for room in spec.rooms
        ]
        self.desks: tuple[Resource, ...] = tuple(desks)
        self.rooms: tuple[Resource, ...] = tuple(sorted(rooms, key=lambda r: (r.capacity, r.id)))

    def __repr__(self) -> str:
        return f"Centre({self.id!r})"

    @property
    def to_confirm(self) -> tuple[str, ...]:
        """Fields of this centre whose values are placeholders, still to be confirmed."""
        return tuple(self.spec.to_confirm)

    @property
    def tracks_checkin(self) -> bool:
        """Whether arrivals are signalled here, so that no-shows can be counted."""
        return self.spec.checkin_tracked or self.spec.checkin_release_minutes is not None

    def resource(self, resource_id: str) -> Resource:
        for resource in (*self.desks, *self.rooms):
            if resource.id == resource_id:
                return resource
        raise UnknownResource(f"no resource {resource_id!r} at {self.id}", resource=resource_id)

    def is_holiday(self, day: date) -> bool:
        return day in self._network.holidays

    def holiday_name(self, day: date) -> str | None:
        name = self._network.holidays.get(day)
        return str(name) if name else None

    def closure_for(self, day: date) -> tuple[date, date] | None:
        for first, last in self._closures:
            if first <= day <= last:
                return first, last
        return None

    def open_halves(self, day: date) -> tuple[Period, ...]:
        """Half-days open on this date, after weekly opening, closure dates and holidays."""
        if self.is_holiday(day) or self.closure_for(day):
            return ()
        return self.weekly_halves(day)

    def weekly_halves(self, day: date) -> tuple[Period, ...]:
        rule = self.spec.opening.get(WEEKDAYS[day.weekday()], "closed")
        if rule == "closed":
            return ()
        return Period(rule).halves

    def half_bounds(self, half: Period) -> tuple[time, time]:
        if half is Period.MORNING:
            return self.morning
        if half is Period.AFTERNOON:
            return self.afternoon
        return self.morning[0], self.afternoon[1]

    def open_ranges(self, day: date) -> list[tuple[time, time]]:
        """The hours the building is open that day: each open half-day, joined into one
        range when it stays open at lunch."""
        ranges = [self.half_bounds(h) for h in self.open_halves(day)]
        if len(ranges) == 2 and (self.spec.open_at_lunch or ranges[0][1] == ranges[1][0]):
            return [(ranges[0][0], ranges[1][1])]
        return ranges

    def lunch_break(self, day: date) -> tuple[time, time] | None:
        """When the building closes between two open half-days, if it does that day."""
        ranges = self.open_ranges(day)
        return (ranges[0][1], ranges[1][0]) if len(ranges) == 2 else None


class Network:
    """The validated territory; build it with :func:`load_network`."""

    def __init__(self, spec: NetworkSpec) -> None:
        self.spec = spec
        info = spec.network
        self.name = info.name
        self.tz = ZoneInfo(info.timezone)
        self.default_language = info.default_language
        self.booking_window_days = info.booking_window_days
        self.max_days_per_week = info.max_days_per_week
        self.max_desks_per_booking = info.max_desks_per_booking
        self.coordinators = tuple(info.coordinators)
        self.reminders = info.reminders
        self.impact = info.impact
        self.retention = info.retention
        self.centres: dict[str, Centre] = {c.id: Centre(c, self) for c in spec.centres}

    @cached_property
    def holidays(self) -> holidays.HolidayBase:
        info = self.spec.network
        return holidays.country_holidays(info.holidays_country, subdiv=info.holidays_subdivision)

    def __iter__(self) -> Iterator[Centre]:
        return iter(self.centres.values())

    def centre(self, centre_id: str) -> Centre:
        try:
            return self.centres[centre_id]
        except KeyError:
            raise UnknownCentre(f"no centre {centre_id!r}", centre=centre_id) from None

    def resource(self, resource_id: str) -> Resource:
        centre_id, _, _ = resource_id.partition("/")
        return self.centre(centre_id).resource(resource_id)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def at(self, day: date, clock_time: time) -> datetime:
        return datetime.combine(day, clock_time, tzinfo=self.tz)

    def distance_km(self, a: Centre, b: Centre) -> float:
        """Great-circle distance, good enough to rank the nearest other centres."""
        lat1, lon1 = math.radians(a.spec.latitude), math.radians(a.spec.longitude)
        lat2, lon2 = math.radians(b.spec.latitude), math.radians(b.spec.longitude)
        h = (
            math.sin((lat2 - lat1) / 2) ** 2
            + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        )
        return 2 * 6371.0 * math.asin(math.sqrt(h))

    def nearest(self, centre: Centre) -> list[Centre]:
        others = [c for c in self if c.id != centre.id]
        return sorted(others, key=lambda c: self.distance_km(centre, c))

    def last_bookable_day(self, today: date) -> date:
        return today + timedelta(days=self.booking_window_days)


def parse_network(text: str, source: str = "<network>") -> Network:
    """Parse and validate a network file's text; every problem names its field."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise NetworkConfigError(source, [f"not valid TOML: {exc}"]) from exc
    try:
        spec = NetworkSpec.model_validate(raw)
    except ValidationError as exc:
        problems = [f"{_format_loc(tuple(err['loc']), raw)}: {err['msg']}" for err in exc.errors()]
        raise NetworkConfigError(source, problems) from exc
    if crossed := spec.cross_problems():
        raise NetworkConfigError(
            source, [f"{_format_loc(loc, raw)}: {msg}" for loc, msg in crossed]
        )
    return Network(spec)


def load_network(path: str | Path | None = None) -> Network:
    """Load a network file, or the sample network shipped with the product."""
    if path is None:
        text = resources.files("booking_core").joinpath("sample_network.toml").read_text("utf-8")
        return parse_network(text, "sample_network.toml")
    file = Path(path)
    try:
        text = file.read_text("utf-8")
    except OSError as exc:
        raise NetworkConfigError(str(file), [f"cannot read: {exc.strerror}"]) from exc
    return parse_network(text, str(file))
