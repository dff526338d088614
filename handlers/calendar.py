"""Bookings as iCalendar files, so that a person's own calendar shows them and stays right.

A confirmation carries one ``.ics`` file (``METHOD:PUBLISH``) that adds the booking to
any calendar application; ``/calendrier`` sends one file with all future bookings; a
cancellation sends the same events again with ``METHOD:CANCEL``, ``STATUS:CANCELLED``
and a higher ``SEQUENCE``, which is how calendar applications recognise an update of
an event they already hold rather than a new one.

What makes the cancellation find the right event is the UID: it is derived from the
booking id and the network alone (``booking-<id>@<network slug>``), never from the
time of sending, so the event created at confirmation, the one in a ``/calendrier``
export and the cancellation all share it.

Times are written in the network's time zone with its ``VTIMEZONE`` (built by
``icalendar`` from the zoneinfo database), so a booking at 08:30 in Figeac stays at
08:30 on the day of a daylight-saving change and for a person whose phone is set to
another zone. The ``VTIMEZONE`` only spans the years of the bookings in the file, to
keep the file small.

Everything here is pure: the time stamp (``DTSTAMP``) comes from the caller's ``now``,
so the same bookings at the same moment always give the same bytes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Final, Literal
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress

from booking_core.domain import Booking, BookingStatus
from booking_core.errors import UnknownCentre, UnknownResource
from booking_core.network import Centre, Network, Period, ResourceKind
from handlers.faq.kb import default_kb
from handlers.faq.render import translate_notes
from handlers.messages import Attachment

Method = Literal["PUBLISH", "REQUEST", "CANCEL"]

ICS_MIME: Final = "text/calendar"
PRODID: Final = "-//telecentre//reservations//FR"

# The few words an event carries; the room names come from the network file as written.
_WORDS: Final = {
    "fr": {
        "desk": "Bureau",
        "room": "Salle de réunion",
        "booking": "Réservation n° {id}",
        "people": "{n} personnes",
        "booking_file": "reservation-{ids}.ics",
        "cancel_file": "annulation-{ids}.ics",
        "all_file": "reservations.ics",
        Period.MORNING: "matin",
        Period.AFTERNOON: "après-midi",
        Period.DAY: "journée",
    },
    "en": {
        "desk": "Desk",
        "room": "Meeting room",
        "booking": "Booking no. {id}",
        "people": "{n} people",
        "booking_file": "booking-{ids}.ics",
        "cancel_file": "cancellation-{ids}.ics",
        "all_file": "bookings.ics",
        Period.MORNING: "morning",
        Period.AFTERNOON: "afternoon",
        Period.DAY: "whole day",
    },
}


def network_slug(network: Network) -> str:
    """The network's name as ASCII letters, digits and dashes, the right-hand side of UIDs.

    Taken from the name rather than anything of the deployment (host, database) so that
    a UID survives a move of the bot to another server.
    """
    plain = unicodedata.normalize("NFKD", network.name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "telecentre"


def booking_uid(booking: Booking, network: Network) -> str:
    """The event's UID: the same at confirmation, in an export and at cancellation."""
    return f"booking-{booking.id}@{network_slug(network)}"


def _lang(locale: str | None) -> str:
    return locale if locale in _WORDS else "fr"


def _words(locale: str | None) -> dict[str | Period, str]:
    words: dict[str | Period, str] = dict(_WORDS[_lang(locale)])
    return words


def _address(centre: Centre, locale: str | None) -> str:
    """The centre's address for the event's LOCATION, with the network file's own notes
    ("(adresse à confirmer)") in the reader's language, as the FAQ renders them."""
    strings = default_kb().strings.get(_lang(locale))
    return translate_notes(centre.spec.address, strings) if strings else centre.spec.address


def _centre(network: Network, booking: Booking) -> Centre | None:
    """The booking's centre, or None if the network file no longer has it.

    A booking outlives configuration changes; its cancellation must still be sendable,
    with less detail, rather than fail the conversation turn that cancels it.
    """
    try:
        return network.centre(booking.centre_id)
    except UnknownCentre:
        return None


def _what(network: Network, booking: Booking, words: dict[str | Period, str]) -> str:
    """A desk is "Bureau"; a room is called by its name in the network file."""
    if booking.kind is ResourceKind.DESK:
        return words["desk"]
    try:
        return network.resource(booking.resource_id).name
    except (UnknownCentre, UnknownResource):
        return words["room"]


def _description(booking: Booking, centre: Centre | None, words: dict[str | Period, str]) -> str:
    lines = [words["booking"].format(id=booking.id)]
    if booking.period is not None:
        lines[0] += f" ({words[booking.period]})"
    if booking.kind is ResourceKind.MEETING_ROOM and booking.people > 1:
        lines.append(words["people"].format(n=booking.people))
    if centre is not None:
        contact = centre.spec.contact
        lines += [value for value in (contact.phone, contact.email, contact.url) if value]
    return "\n".join(lines)


def _event(
    booking: Booking,
    network: Network,
    *,
    cancelled: bool,
    stamp: datetime,
    words: dict[str | Period, str],
    locale: str | None,
) -> Event:
    centre = _centre(network, booking)
    event = Event()
    event.add("uid", booking_uid(booking, network))
    event.add("dtstamp", stamp)
    # SEQUENCE 0 when created; a cancellation is the event's one revision, so 1.
    event.add("sequence", 1 if cancelled else 0)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("dtstart", network.at(booking.day, booking.start))
    event.add("dtend", network.at(booking.day, booking.end))
    where = centre.name if centre is not None else booking.centre_id
    event.add("summary", f"{_what(network, booking, words)} — {where}")
    event.add("description", _description(booking, centre, words))
    event.add("transp", "OPAQUE")
    if centre is not None:
        event.add("location", _address(centre, locale))
        event.add("geo", (centre.spec.latitude, centre.spec.longitude))
        email = centre.spec.contact.email
        if email:
            # iTIP (RFC 5546) asks for an ORGANIZER on CANCEL and REQUEST; some clients
            # ignore a cancellation without one. The centre is who the booking is with.
            organizer = vCalAddress(f"mailto:{email}")
            organizer.params["cn"] = centre.name
            event.add("organizer", organizer)
    return event


def booking_event_ics(
    bookings: Sequence[Booking],
    network: Network,
    *,
    method: Method,
    now: datetime,
    locale: str | None = None,
) -> bytes:
    """One VCALENDAR with one VEVENT per booking, as the bytes of an ``.ics`` file.

    ``method`` is ``PUBLISH`` to add bookings to a calendar (a confirmation, an export),
    ``CANCEL`` to withdraw them; ``REQUEST`` is accepted for clients that only act on
    invitations. With ``CANCEL`` every event is cancelled; otherwise a booking's own
    status decides, so an export that includes a cancelled booking also corrects it.
    ``now`` (aware) becomes every event's ``DTSTAMP``; ``locale`` picks the language of
    the few generic words (French unless ``en``).
    """
    if not bookings:
        raise ValueError("a calendar file needs at least one booking")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime (DTSTAMP is written in UTC)")
    stamp = now.astimezone(UTC).replace(microsecond=0)
    words = _words(locale)
    ordered = sorted(bookings, key=lambda b: (b.day, b.start, b.id))

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add_component(_timezone(network.tz, ordered[0].day, ordered[-1].day))
    for booking in ordered:
        cancelled = method == "CANCEL" or booking.status is BookingStatus.CANCELLED
        calendar.add_component(
            _event(booking, network, cancelled=cancelled, stamp=stamp, words=words, locale=locale)
        )
    data: bytes = calendar.to_ical()
    return data


def _timezone(tz: ZoneInfo, first: date, last: date) -> Timezone:
    """The zone's VTIMEZONE over whole years around the bookings, placed before events.

    Built explicitly rather than with ``Calendar.add_missing_timezones`` so that it comes
    first in the file whatever the icalendar version (older ones appended it), and spans
    only the years needed instead of 1970 to 2038.
    """
    return Timezone.from_tzinfo(
        tz, tzid=tz.key, first_date=date(first.year, 1, 1), last_date=date(last.year + 1, 1, 1)
    )


def _ids(bookings: Sequence[Booking]) -> str:
    ids = sorted(b.id for b in bookings)
    return str(ids[0]) if len(ids) == 1 else f"{ids[0]}-{ids[-1]}"


def attachment_for_booking(
    bookings: Sequence[Booking], network: Network, *, now: datetime, locale: str | None = None
) -> Attachment:
    """The file sent with a confirmation: ``reservation-123.ics`` (``-123-125`` for several),
    ``booking-123.ics`` for an English reader."""
    data = booking_event_ics(bookings, network, method="PUBLISH", now=now, locale=locale)
    name = _words(locale)["booking_file"].format(ids=_ids(bookings))
    return Attachment(name, ICS_MIME, data)


def attachment_for_cancel(
    bookings: Sequence[Booking], network: Network, *, now: datetime, locale: str | None = None
) -> Attachment:
    """The file sent with a cancellation: ``annulation-123.ics`` (``cancellation-123.ics``
    in English), the same UIDs, cancelled."""
    data = booking_event_ics(bookings, network, method="CANCEL", now=now, locale=locale)
    name = _words(locale)["cancel_file"].format(ids=_ids(bookings))
    return Attachment(name, ICS_MIME, data)


def attachment_for_all(
    bookings: Sequence[Booking], network: Network, *, now: datetime, locale: str | None = None
) -> Attachment | None:
    """The ``/calendrier`` file, ``reservations.ics`` (``bookings.ics`` in English); None
    when there is nothing to send.

    The caller chooses the bookings (the person's future ones); an empty calendar file
    would only puzzle the person, so the conversation says so in words instead.
    """
    if not bookings:
        return None
    data = booking_event_ics(bookings, network, method="PUBLISH", now=now, locale=locale)
    return Attachment(_words(locale)["all_file"], ICS_MIME, data)


__all__ = [
    "ICS_MIME",
    "Method",
    "attachment_for_all",
    "attachment_for_booking",
    "attachment_for_cancel",
    "booking_event_ics",
    "booking_uid",
    "network_slug",
]
