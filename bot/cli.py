"""The `telecentre` command: managers' and operators' entry point."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from booking_core import errors
from booking_core.db import create_engine, current_revision, database_url, upgrade
from booking_core.network import NetworkConfigError, load_network
from booking_core.services import as_day, list_bookings
from bot.wiring import SchemaOutOfDate, fixed_clock, network_from_env, open_runtime, system_clock


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="telecentre", description=__doc__)
    parser.add_argument(
        "--network", help="network TOML file (default: $TELECENTRE_NETWORK or the sample)"
    )
    parser.add_argument("--now", help="pretend the time is this ISO moment (local to the network)")
    sub = parser.add_subparsers(dest="command", required=True)

    net = sub.add_parser("network", help="the territory file").add_subparsers(
        dest="action", required=True
    )
    check = net.add_parser("check", help="validate a network file and name the field at fault")
    check.add_argument("file")

    db = sub.add_parser("db", help="the database schema").add_subparsers(
        dest="action", required=True
    )
    db.add_parser("upgrade", help="apply migrations to $DATABASE_URL")
    db.add_parser("current", help="print the schema revision of $DATABASE_URL")

    bookings = sub.add_parser("bookings", help="list bookings")
    bookings.add_argument("--centre")
    bookings.add_argument("--date")
    bookings.add_argument("--user")
    bookings.add_argument("--all", action="store_true", help="include cancelled bookings")
    bookings.add_argument("--json", action="store_true", help="machine-readable output")

    sub.add_parser("demo", help="try the booking core in the terminal")
    return parser


def _check_network(path: str) -> int:
    try:
        network = load_network(path)
    except NetworkConfigError as exc:
        print(f"{exc.source}: invalid network file", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    desks = sum(len(c.desks) for c in network)
    rooms = sum(len(c.rooms) for c in network)
    print(
        f"{path}: OK: {network.name}, {len(network.centres)} centres, {desks} desks, {rooms} rooms"
    )
    return 0


async def _db(action: str) -> int:
    url = database_url()
    engine = create_engine(url)
    try:
        if action == "upgrade":
            await upgrade(engine)
        print(
            f"{url.render_as_string(hide_password=True)}: revision {await current_revision(engine)}"
        )
    finally:
        await engine.dispose()
    return 0


async def _bookings(args: argparse.Namespace) -> int:
    runtime = await open_runtime(network=network_from_env(args.network))
    try:
        found = await list_bookings(
            runtime.core,
            centre_id=args.centre,
            day=as_day(args.date) if args.date else None,
            user_id=args.user,
            include_cancelled=args.all,
        )
    finally:
        await runtime.close()
    if args.json:
        json.dump([b.as_json() for b in found], sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    for b in found:
        when = b.period.value if b.period else f"{b.start:%H:%M}-{b.end:%H:%M}"
        print(f"#{b.id:<6} {b.day} {when:<11} {b.resource_id:<28} {b.user_id:<24} {b.status.value}")
    print(f"{len(found)} booking(s)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "network":
            return _check_network(args.file)
        if args.command == "db":
            return asyncio.run(_db(args.action))
        if args.command == "bookings":
            return asyncio.run(_bookings(args))
        if args.command == "demo":
            from bot.console import run_demo

            network = network_from_env(args.network)
            clock = system_clock
            if args.now:
                moment = datetime.fromisoformat(args.now)
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=ZoneInfo(network.tz.key))
                clock = fixed_clock(moment)
            return asyncio.run(run_demo(network, clock))
    except NetworkConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except errors.BookingError as exc:
        print(f"error ({exc.code}): {exc}", file=sys.stderr)
        return 2
    except (SchemaOutOfDate, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
