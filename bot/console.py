"""A terminal session over the booking core, on the embedded database and sample network.

Until the conversation layer lands, the demo speaks a small command language; every
command goes through the same services the chat transports will use.
"""

from __future__ import annotations

import asyncio
import shlex
import sys
from collections.abc import Callable
from datetime import datetime, time

from booking_core import errors, services
from booking_core.domain import Booking, DeskRequest, RoomRequest
from booking_core.network import Network, Period
from bot.wiring import open_runtime

HELP = """commands:
  centres                                  the network's centres
  avail CENTRE DATE                        free desks per half-day
  book CENTRE DATE [morning|afternoon|day] [COUNT]
  room CENTRE DATE HH:MM-HH:MM [PEOPLE]    book a meeting room
  wait CENTRE DATE [PERIOD]                join the waitlist
  list                                     my bookings to come
  cancel ID | cancel DATE | cancel all
  quit"""

USER = "console:demo"


def _describe(b: Booking) -> str:
    when = b.period.value if b.period else f"{b.start:%H:%M}-{b.end:%H:%M}"
    return f"#{b.id} {b.day:%a %d %b %Y} {when} {b.resource_id}"


def _explain(exc: errors.BookingError) -> str:
    lines = [f"refused ({exc.code}): {exc}"]
    for alt in getattr(exc, "alternatives", []):
        where = alt.centre_id + (f", {alt.distance_km} km" if alt.distance_km is not None else "")
        lines.append(f"  instead: {alt.day} {alt.period.value} at {where} ({alt.free} free)")
    return "\n".join(lines)


async def execute(core: services.Core, line: str, counter: int) -> str:
    """Run one console command and return what to print."""
    words = shlex.split(line)
    if not words:
        return ""
    cmd, args = words[0].lower(), words[1:]
    key = f"console:{counter}"
    if cmd == "help":
        return HELP
    if cmd == "centres":
        return "\n".join(
            f"{c.id:<12} {c.name} ({len(c.desks)} desks, {len(c.rooms)} rooms)"
            for c in core.network
        )
    if cmd == "avail" and len(args) == 2:
        a = await services.availability(core, args[0], args[1])
        if a.closed_reason:
            return f"{a.centre_id} is closed on {a.day} ({a.closed_reason})"
        return ", ".join(f"{p.value}: {n}/{a.total_desks} free" for p, n in a.free.items())
    if cmd in ("book", "wait") and len(args) >= 2:
        period = Period(args[2]) if len(args) > 2 else Period.DAY
        count = int(args[3]) if len(args) > 3 else 1
        req = DeskRequest(USER, args[0], services.as_day(args[1]), period, count, key)
        if cmd == "wait":
            entry = await services.join_waitlist(core, req)
            return f"waiting (#{entry.id}) for {entry.centre_id} {entry.day} {entry.period.value}"
        done = await services.book_desks(core, req)
        return "\n".join("booked " + _describe(b) for b in done.bookings)
    if cmd == "room" and len(args) >= 3:
        start, _, end = args[2].partition("-")
        people = int(args[3]) if len(args) > 3 else 1
        room_req = RoomRequest(
            USER,
            args[0],
            services.as_day(args[1]),
            time.fromisoformat(start),
            time.fromisoformat(end),
            people,
            key=key,
        )
        done = await services.book_room(core, room_req)
        return "\n".join("booked " + _describe(b) for b in done.bookings)
    if cmd == "list":
        mine = await services.upcoming(core, USER)
        return "\n".join(_describe(b) for b in mine) or "no booking to come"
    if cmd == "cancel" and len(args) == 1:
        if args[0] == "all":
            result = await services.cancel_all_future(core, USER, key)
        elif args[0].isdigit():
            result = await services.cancel_booking(core, USER, int(args[0]), key)
        else:
            result = await services.cancel_day(core, USER, args[0], key)
        return (
            "\n".join("cancelled " + _describe(b) for b in result.cancelled) or "nothing to cancel"
        )
    return "unknown command; type help"


async def run_demo(network: Network, clock: Callable[[], datetime]) -> int:
    runtime = await open_runtime(network=network, clock=clock)
    print(f"{network.name}: booking core console (type help)")
    counter = 0
    try:
        while True:
            try:
                line = await asyncio.to_thread(input, "> ")
            except EOFError:
                break
            if line.strip().lower() in ("quit", "exit"):
                break
            counter += 1
            try:
                out = await execute(runtime.core, line, counter)
            except errors.BookingError as exc:
                out = _explain(exc)
            except ValueError as exc:
                out = f"bad input: {exc}"
            if out:
                print(out)
    finally:
        await runtime.close()
    sys.stdout.flush()
    return 0
