"""Calendar files: what a calendar application reads back from the ``.ics`` the bot sends.

Every file is parsed again with ``icalendar``, and the times are checked twice: as the
event states them (wall time with ``TZID``), and as a calendar application that trusts
only the file would place them, by reading the ``VTIMEZONE`` shipped in it. Expected
instants are written out by hand (Paris is UTC+1 in winter, UTC+2 in summer; in 2027
summer time starts on 28 March and ends on 31 October), not computed with zoneinfo.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from icalendar import Calendar, Component, Event

from booking_core.domain import Booking, BookingStatus
from booking_core.network import Network, Period, ResourceKind
from bot.transports.console import render
from handlers.calendar import (
    ICS_MIME,
    attachment_for_all,
    attachment_for_booking,
    attachment_for_cancel,
    booking_event_ics,
    booking_uid,
    network_slug,
)
from handlers.messages import Attachment, Choice, Reply
from tests.conftest import PARIS

NOW = datetime(2027, 3, 1, 9, 15, 42, 123456, tzinfo=PARIS)  # 08:15:42 UTC


def _booking(
    id: int,
    day: date,
    *,
    centre: str = "figeac",
    period: Period | None = Period.MORNING,
    start: time = time(8, 30),
    end: time = time(12, 30),
    kind: ResourceKind = ResourceKind.DESK,
    resource: str | None = None,
    people: int = 1,
    status: BookingStatus = BookingStatus.ACTIVE,
) -> Booking:
    return Booking(
        id=id,
        user_id="telegram:111",
        centre_id=centre,
        resource_id=resource or f"{centre}/desk-1",
        kind=kind,
        day=day,
        period=period,
        start=start,
        end=end,
        status=status,
        people=people,
        created_at=NOW,
    )


def _parse(data: bytes) -> Calendar:
    calendar = Calendar.from_ical(data)
    assert isinstance(calendar, Calendar)
    return calendar


def _events(calendar: Calendar) -> list[Event]:
    return [c for c in calendar.walk("VEVENT") if isinstance(c, Event)]


def _text(component: Component, key: str) -> str:
    return str(component[key])


def _param(component: Component, key: str, name: str) -> str:
    prop: Any = component[key]
    return str(prop.params[name])


def _moment(component: Component, key: str) -> datetime:
    value = component.decoded(key)
    assert isinstance(value, datetime), f"{key} is not a date-time: {value!r}"
    return value


def _onsets(vtimezone: Component) -> list[tuple[datetime, timedelta]]:
    """Each (local onset, offset after it) that a VTIMEZONE declares, in order.

    The way a calendar application reads the file: no RRULE is expected (icalendar writes
    explicit onsets and RDATEs), and one would make this reading wrong, so it fails.
    """
    onsets: list[tuple[datetime, timedelta]] = []
    for rule in vtimezone.subcomponents:
        assert rule.name in ("STANDARD", "DAYLIGHT")
        assert "RRULE" not in rule
        offset = rule.decoded("TZOFFSETTO")
        onsets.append((rule.decoded("DTSTART"), offset))
        rdates: Any = rule.get("RDATE", [])
        for group in rdates if isinstance(rdates, list) else [rdates]:
            onsets += [(item.dt, offset) for item in group.dts]
    return sorted(onsets)


def _utc_by_vtimezone(calendar: Calendar, moment: datetime) -> datetime:
    """A local time of the event turned into UTC with the file's own VTIMEZONE."""
    (vtimezone,) = calendar.walk("VTIMEZONE")
    local = moment.replace(tzinfo=None)
    applicable = [offset for onset, offset in _onsets(vtimezone) if onset <= local]
    assert applicable, f"the VTIMEZONE does not cover {local}"
    return (local - applicable[-1]).replace(tzinfo=UTC)


# ---------------------------------------------------------------- the file's structure


def test_one_event_per_booking_after_the_time_zone(network: Network) -> None:
    bookings = [
        _booking(12, date(2027, 3, 10), period=Period.AFTERNOON, start=time(13, 30)),
        _booking(11, date(2027, 3, 9)),
        _booking(
            13,
            date(2027, 3, 11),
            centre="aurillac",
            period=None,
            start=time(14),
            end=time(16),
            kind=ResourceKind.MEETING_ROOM,
            resource="aurillac/salle-reunion",
            people=6,
        ),
    ]
    calendar = _parse(booking_event_ics(bookings, network, method="PUBLISH", now=NOW))
    assert calendar["VERSION"] == "2.0"
    assert calendar["METHOD"] == "PUBLISH"
    assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE", "VEVENT", "VEVENT", "VEVENT"]
    assert calendar.subcomponents[0]["TZID"] == "Europe/Paris"
    events = _events(calendar)
    assert [str(e["UID"]) for e in events] == [
        f"booking-{n}@reseau-des-telecentres-cantal-lot-aveyron" for n in (11, 12, 13)
    ], "in time order, one per booking"

    figeac, aurillac = network.centre("figeac"), network.centre("aurillac")
    desk, room = events[0], events[2]
    assert desk["SUMMARY"] == f"Bureau — {figeac.name}"
    assert desk["LOCATION"] == figeac.spec.address
    assert desk.decoded("GEO") == (figeac.spec.latitude, figeac.spec.longitude)
    assert "Réservation n° 11 (matin)" in _text(desk, "DESCRIPTION")
    assert room["SUMMARY"] == f"Salle de réunion — {aurillac.name}"
    assert room["LOCATION"] == aurillac.spec.address
    assert "6 personnes" in _text(room, "DESCRIPTION")
    assert str(room["ORGANIZER"]) == f"mailto:{aurillac.spec.contact.email}"
    assert _param(room, "ORGANIZER", "CN") == aurillac.name
    for event in events:
        assert event.decoded("DTSTAMP") == datetime(2027, 3, 1, 8, 15, 42, tzinfo=UTC)
        assert b"DTSTAMP:20270301T081542Z" in event.to_ical()
        assert event["STATUS"] == "CONFIRMED"
        assert event.decoded("SEQUENCE") == 0


def test_words_follow_the_locale_and_room_names_the_network_file(network: Network) -> None:
    room = _booking(
        5,
        date(2027, 3, 11),
        centre="aurillac",
        period=None,
        kind=ResourceKind.MEETING_ROOM,
        resource="aurillac/salle-visio",
    )
    desk = _booking(6, date(2027, 3, 12), period=Period.DAY, end=time(18))
    events = _events(
        _parse(booking_event_ics([room, desk], network, method="PUBLISH", now=NOW, locale="en"))
    )
    assert _text(events[0], "SUMMARY").startswith("Salle de visio — ")
    assert _text(events[1], "SUMMARY").startswith("Desk — ")
    assert "Booking no. 6 (whole day)" in _text(events[1], "DESCRIPTION")


@pytest.mark.parametrize("centre", ["figeac", "aurillac", "decazeville"])
def test_an_english_location_carries_no_french_note(network: Network, centre: str) -> None:
    """The network file's notes are in its own language; an English reader gets them as the
    FAQ gives them, a French one as written."""
    address = network.centre(centre).spec.address
    assert "(adresse à confirmer)" in address, "the sample network flags its addresses"
    booking = [_booking(8, date(2027, 3, 9), centre=centre)]
    (english,) = _events(
        _parse(booking_event_ics(booking, network, method="PUBLISH", now=NOW, locale="en"))
    )
    located = _text(english, "LOCATION")
    assert "confirmer" not in located
    assert located == address.replace("(adresse à confirmer)", "(address to be confirmed)")
    (french,) = _events(_parse(booking_event_ics(booking, network, method="PUBLISH", now=NOW)))
    assert _text(french, "LOCATION") == address


def test_the_same_bookings_at_the_same_moment_give_the_same_bytes(network: Network) -> None:
    bookings = [_booking(1, date(2027, 3, 9)), _booking(2, date(2027, 3, 10))]
    first = booking_event_ics(bookings, network, method="PUBLISH", now=NOW)
    assert booking_event_ics(bookings[::-1], network, method="PUBLISH", now=NOW) == first
    assert first.startswith(b"BEGIN:VCALENDAR\r\n")


def test_what_cannot_make_a_calendar_file_is_refused(network: Network) -> None:
    with pytest.raises(ValueError, match="at least one booking"):
        booking_event_ics([], network, method="PUBLISH", now=NOW)
    with pytest.raises(ValueError, match="aware"):
        booking_event_ics(
            [_booking(1, date(2027, 3, 9))], network, method="PUBLISH", now=datetime(2027, 3, 1)
        )


def test_a_booking_at_a_centre_gone_from_the_network_file_still_has_its_event(
    network: Network,
) -> None:
    gone = _booking(9, date(2027, 3, 9), centre="closed-centre")
    (event,) = _events(_parse(booking_event_ics([gone], network, method="CANCEL", now=NOW)))
    assert event["SUMMARY"] == "Bureau — closed-centre"
    assert "LOCATION" not in event
    assert event["STATUS"] == "CANCELLED"


def test_the_uid_slug_is_plain_ascii(network: Network) -> None:
    slug = network_slug(network)
    assert slug == "reseau-des-telecentres-cantal-lot-aveyron"
    assert booking_uid(_booking(42, date(2027, 3, 9)), network) == f"booking-42@{slug}"


# ---------------------------------------------------------------- daylight saving time


@pytest.mark.parametrize(
    ("day", "utc_start", "utc_end"),
    [
        (date(2027, 3, 27), datetime(2027, 3, 27, 7, 30), datetime(2027, 3, 27, 11, 30)),
        (date(2027, 3, 28), datetime(2027, 3, 28, 6, 30), datetime(2027, 3, 28, 10, 30)),
        (date(2027, 3, 29), datetime(2027, 3, 29, 6, 30), datetime(2027, 3, 29, 10, 30)),
        (date(2027, 10, 30), datetime(2027, 10, 30, 6, 30), datetime(2027, 10, 30, 10, 30)),
        (date(2027, 10, 31), datetime(2027, 10, 31, 7, 30), datetime(2027, 10, 31, 11, 30)),
        (date(2027, 11, 1), datetime(2027, 11, 1, 7, 30), datetime(2027, 11, 1, 11, 30)),
    ],
    ids=["day-before-spring", "spring", "day-after-spring", "day-before-autumn", "autumn", "after"],
)
def test_local_times_hold_across_the_daylight_saving_changes(
    network: Network, day: date, utc_start: datetime, utc_end: datetime
) -> None:
    calendar = _parse(booking_event_ics([_booking(7, day)], network, method="PUBLISH", now=NOW))
    (event,) = _events(calendar)
    for key, utc in (("DTSTART", utc_start), ("DTEND", utc_end)):
        assert _param(event, key, "TZID") == "Europe/Paris"
        moment = _moment(event, key)
        assert moment.date() == day
        assert moment.time() == (time(8, 30) if key == "DTSTART" else time(12, 30))
        assert moment.astimezone(UTC) == utc.replace(tzinfo=UTC), "read with the TZID"
        assert _utc_by_vtimezone(calendar, moment) == utc.replace(tzinfo=UTC), (
            "read with the file's own VTIMEZONE"
        )


def test_one_file_spanning_both_changes_places_every_booking_right(network: Network) -> None:
    days = [date(2027, 3, 28), date(2027, 3, 29), date(2027, 10, 31), date(2027, 11, 1)]
    bookings = [_booking(n, day) for n, day in enumerate(days, 1)]
    calendar = _parse(booking_event_ics(bookings, network, method="PUBLISH", now=NOW))
    starts = [_utc_by_vtimezone(calendar, _moment(e, "DTSTART")) for e in _events(calendar)]
    assert [s.hour for s in starts] == [6, 6, 7, 7]  # 08:30 local: CEST, CEST, CET, CET


# ---------------------------------------------------------------- creation, then cancellation


def test_a_cancellation_matches_the_created_event_and_supersedes_it(network: Network) -> None:
    bookings = [_booking(31, date(2027, 3, 28)), _booking(32, date(2027, 3, 29))]
    later = NOW + timedelta(days=3)
    created = _parse(attachment_for_booking(bookings, network, now=NOW).data)
    cancelled = _parse(attachment_for_cancel(bookings, network, now=later).data)

    assert created["METHOD"] == "PUBLISH"
    assert cancelled["METHOD"] == "CANCEL"
    before, after = _events(created), _events(cancelled)
    assert [str(e["UID"]) for e in before] == [str(e["UID"]) for e in after]
    assert {str(e["STATUS"]) for e in before} == {"CONFIRMED"}
    assert {str(e["STATUS"]) for e in after} == {"CANCELLED"}
    for old, new in zip(before, after, strict=True):
        assert new.decoded("SEQUENCE") > old.decoded("SEQUENCE")
        assert new.decoded("DTSTAMP") > old.decoded("DTSTAMP")
        assert _moment(new, "DTSTART") == _moment(old, "DTSTART"), (
            "the same occurrence is cancelled"
        )
        assert "ORGANIZER" in new, "iTIP CANCEL names the organizer"


def test_an_export_marks_a_booking_already_cancelled_as_such(network: Network) -> None:
    bookings = [
        _booking(1, date(2027, 3, 9)),
        _booking(2, date(2027, 3, 10), status=BookingStatus.CANCELLED),
    ]
    calendar = _parse(booking_event_ics(bookings, network, method="PUBLISH", now=NOW))
    assert [(str(e["STATUS"]), e.decoded("SEQUENCE")) for e in _events(calendar)] == [
        ("CONFIRMED", 0),
        ("CANCELLED", 1),
    ]


def test_request_is_available_for_clients_that_only_act_on_invitations(network: Network) -> None:
    calendar = _parse(
        booking_event_ics([_booking(1, date(2027, 3, 9))], network, method="REQUEST", now=NOW)
    )
    assert calendar["METHOD"] == "REQUEST"
    assert _events(calendar)[0]["STATUS"] == "CONFIRMED"


# ---------------------------------------------------------------- attachments


def test_attachments_are_named_for_what_they_carry(network: Network) -> None:
    one = [_booking(123, date(2027, 3, 9))]
    several = [_booking(125, date(2027, 3, 10)), _booking(123, date(2027, 3, 9))]
    assert attachment_for_booking(one, network, now=NOW).filename == "reservation-123.ics"
    assert attachment_for_booking(several, network, now=NOW).filename == "reservation-123-125.ics"
    assert attachment_for_cancel(one, network, now=NOW).filename == "annulation-123.ics"
    everything = attachment_for_all(several, network, now=NOW)
    assert everything is not None
    assert everything.filename == "reservations.ics"
    assert everything.mime_type == ICS_MIME == "text/calendar"
    assert len(_events(_parse(everything.data))) == 2
    assert attachment_for_all([], network, now=NOW) is None, "nothing to send: say it in words"


@pytest.mark.parametrize(
    ("locale", "booked", "cancelled", "everything"),
    [
        ("fr", "reservation-123-125.ics", "annulation-123-125.ics", "reservations.ics"),
        (None, "reservation-123-125.ics", "annulation-123-125.ics", "reservations.ics"),
        ("en", "booking-123-125.ics", "cancellation-123-125.ics", "bookings.ics"),
        ("de", "reservation-123-125.ics", "annulation-123-125.ics", "reservations.ics"),
    ],
)
def test_file_names_follow_the_locale(
    network: Network, locale: str | None, booked: str, cancelled: str, everything: str
) -> None:
    several = [_booking(125, date(2027, 3, 10)), _booking(123, date(2027, 3, 9))]
    assert attachment_for_booking(several, network, now=NOW, locale=locale).filename == booked
    assert attachment_for_cancel(several, network, now=NOW, locale=locale).filename == cancelled
    export = attachment_for_all(several, network, now=NOW, locale=locale)
    assert export is not None
    assert export.filename == everything


def test_a_reply_without_files_is_what_it_always_was() -> None:
    reply = Reply("Bonjour", (Choice("Oui", "1"),))
    assert reply.files == ()
    assert reply == Reply("Bonjour", (Choice("Oui", "1"),), ())


def test_an_attachment_keeps_its_bytes_out_of_logs_and_its_name_plain() -> None:
    file = Attachment("reservation-1.ics", ICS_MIME, b"BEGIN:VCALENDAR secret")
    assert "secret" not in repr(file)
    assert "secret" not in repr(Reply("x", files=(file,)))
    for bad in ("", "../etc/passwd", "a\\b.ics", "a\nb.ics"):
        with pytest.raises(ValueError, match="plain file name"):
            Attachment(bad, ICS_MIME, b"")


def test_the_console_names_each_file_with_its_size(network: Network) -> None:
    file = attachment_for_booking([_booking(123, date(2027, 3, 9))], network, now=NOW)
    reply = Reply("C'est réservé.", (Choice("Mes réservations", "1"),), (file,))
    assert render(reply).splitlines() == [
        "C'est réservé.",
        "  1. Mes réservations",
        f"[\U0001f4ce reservation-123.ics, {len(file.data)} B]",
    ]
    assert (
        render(Reply("", files=(file,))) == f"[\U0001f4ce reservation-123.ics, {len(file.data)} B]"
    )
    assert render(Reply("Bonjour")) == "Bonjour"
