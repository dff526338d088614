"""The `telecentre` command: managers' and operators' entry point."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from booking_core import errors
from booking_core.network import Network, NetworkConfigError, load_network
from bot import reports_cli

# The database stack (SQLAlchemy, Alembic) and asyncio are imported inside the commands
# that use them: they take over a second to load, and `telecentre parse` must start fast.


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

    sub.add_parser("run", help="serve every configured chat network (Telegram, Matrix)")
    sub.add_parser("doctor", help="check the configuration, database and credentials")

    chat = sub.add_parser("chat", help="talk to the bot in the terminal (a pipe works too)")
    chat.add_argument("--user", default="local", help="who is talking (default: local)")
    chat.add_argument("--db", help="database URL (default: $DATABASE_URL or the embedded one)")

    parse = sub.add_parser("parse", help="show what the bot understands of a message")
    parse.add_argument("text", nargs="?", help="the message (omit with --jsonl)")
    parse.add_argument("--now", dest="when", help="the moment it was written (ISO, local)")
    parse.add_argument("--lang", choices=["fr", "en"], help="the user's language, if chosen")
    parse.add_argument(
        "--jsonl",
        action="store_true",
        help='batch: read {"id", "text", "now", "lang"} lines on stdin, write one result each',
    )

    faq = sub.add_parser("faq", help="answer a teleworking question from the knowledge base")
    faq.add_argument("text", nargs="?", help="the question (omit with --jsonl)")
    faq.add_argument("--now", dest="when", help="the moment it was asked (ISO, local)")
    faq.add_argument("--lang", choices=["fr", "en"], help="the user's language, if chosen")
    faq.add_argument(
        "--jsonl",
        action="store_true",
        help='batch: read {"id", "text", "now", "lang"} lines on stdin, write one answer each',
    )
    reports_cli.add_parsers(sub)  # impact, export bookings, digest
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
    for centre in network:
        if centre.to_confirm:
            # Valid, but not yet the centre's own figures: say which, so they get checked.
            print(f"  {centre.id}: to confirm: {', '.join(centre.to_confirm)}")
    return 0


async def _db(action: str) -> int:
    from booking_core.db import create_engine, current_revision, database_url, upgrade

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
    from booking_core.services import as_day, list_bookings
    from bot.wiring import network_from_env, open_runtime

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


def _moment(value: str | None, network: Network) -> datetime:
    """``--now`` or a batch line's ``now``: naive ISO times are local to the network."""
    if not value:
        return datetime.now(network.tz)
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=network.tz)


def _batch_line(line: str, network: Network, kind: str) -> dict[str, Any]:
    """One batch line of the contract, answered; a malformed line gets an error, not a crash."""
    from handlers.faq import answer
    from handlers.nlu import parse

    ident: Any = None
    try:
        case = json.loads(line)
        if not isinstance(case, dict):
            raise ValueError("expected a JSON object")
        ident = case.get("id")
        text, lang, now = case.get("text"), case.get("lang"), case.get("now")
        if not isinstance(text, str):
            raise ValueError("'text' must be a string")
        moment = _moment(now if isinstance(now, str) else None, network)
        hint = lang if isinstance(lang, str) else None
        if kind == "parse":
            return {"id": ident, **parse(text, moment, hint, network).as_json()}
        return {"id": ident, **answer(text, network, hint, moment).as_json()}
    except ValueError as exc:
        empty = {"intent": None} if kind == "parse" else {"topic": None, "centre": None}
        return {"id": ident, **empty, "error": str(exc)}


def _understand(args: argparse.Namespace) -> int:
    """`telecentre parse` and `telecentre faq`: one message, or the JSON-lines batch."""
    from handlers.faq import answer
    from handlers.nlu import parse

    # Same lookup as bot.wiring.network_from_env, without importing the database stack.
    network = load_network(args.network or os.environ.get("TELECENTRE_NETWORK") or None)
    if args.jsonl:
        for line in sys.stdin:
            if line.strip():
                result = _batch_line(line, network, args.command)
                print(json.dumps(result, ensure_ascii=False), flush=True)
        return 0
    if args.text is None:
        print("error: give a message, or --jsonl to read JSON lines on stdin", file=sys.stderr)
        return 2
    moment = _moment(args.when or args.now, network)
    if args.command == "parse":
        out = parse(args.text, moment, args.lang, network).as_json()
    else:
        out = answer(args.text, network, args.lang, moment).as_json()
    print(json.dumps(out, ensure_ascii=False))
    return 0


async def _doctor() -> int:
    from bot.doctor import doctor
    from bot.settings import Settings

    checks = await doctor(Settings())
    for ok, text in checks:
        print(("ok    " if ok else "FAIL  ") + text)
    return 0 if all(ok for ok, _ in checks) else 1


async def _chat(network: Network, clock: Callable[[], datetime], user: str, url: str | None) -> int:
    from bot.transports.console import run_console
    from bot.wiring import open_runtime
    from handlers.router import Router

    runtime = await open_runtime(network=network, url=url, clock=clock)
    try:
        return await run_console(Router(runtime.core), user=user)
    finally:
        await runtime.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.command in ("parse", "faq"):
        try:
            return _understand(args)
        except (NetworkConfigError, ValueError, OSError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    import asyncio

    from bot.transports.base import TransportStartError
    from bot.wiring import SchemaOutOfDate, fixed_clock, network_from_env, system_clock

    try:
        if args.command == "network":
            return _check_network(args.file)
        if args.command == "db":
            return asyncio.run(_db(args.action))
        if args.command == "bookings":
            return asyncio.run(_bookings(args))
        if args.command == "run":
            from bot.app import main as serve

            return serve()
        if args.command == "doctor":
            return asyncio.run(_doctor())
        if args.command == "chat":
            network = network_from_env(args.network)
            clock = fixed_clock(_moment(args.now, network)) if args.now else system_clock
            return asyncio.run(_chat(network, clock, args.user, args.db))
        if args.command in reports_cli.COMMANDS:
            return asyncio.run(reports_cli.run(args))
    except (NetworkConfigError, TransportStartError) as exc:
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
