"""The conversation layer's cost per message and its memory over time, through the real router.

A person waits on every message, so the figure that matters is the latency of one
``Router.handle`` call, tail included, for the messages that make a booking: the request
with everything in it, then the confirmation. The router parses, loads and saves the
dialogue state and runs a dry-run check before the booking itself, so it costs a multiple
of the bare core call; to show that multiple without trusting a noisy shared machine, the
core's ``book_desks`` runs beside it in alternating rounds, on a twin fresh database that
receives the same bookings. The bot is a long-running process, so a second part feeds it
a mixed stream of thousands of people and watches the resident memory.

Run: ``.venv/bin/python benchmarks/bench_chat.py [--quick] [--bookings N] [--messages N]``
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import tracemalloc
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from time import perf_counter
from zoneinfo import ZoneInfo

import sqlalchemy

from booking_core import services
from booking_core.domain import DeskRequest
from booking_core.network import Network, Period, load_network
from bot.wiring import Runtime, fixed_clock, open_runtime
from handlers.i18n import Catalogs
from handlers.messages import IncomingMessage, Reply
from handlers.router import Router

# Thursday 3 December 2026, 10:00 in Paris: the clock of the conversation tests.
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
ROUNDS = 10
WARMUP_BOOKINGS = 50
AIM_P99_MS = 25.0
AIM_GROWTH_MB = 20.0
KEEP_ONE_IN = 4  # one memory-stream person in four keeps the booking, the others cancel it
INTERLEAVED = 40  # people talking at once in the memory stream, one message each in turn

Slot = tuple[str, date, Period]  # centre, day, half-day: one desk for one booking
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)  # fmt: skip
REQUESTS = (
    "un bureau à {centre} le {day} {period}",
    "réserver un bureau à {centre} le {day} {period}",
    "je voudrais une place à {centre} le {day} {period}",
    "Réserve-moi un bureau à {centre} le {day} {period} stp",
)
PERIOD_WORDS = {
    Period.MORNING: ("matin", "au matin", "le matin"),
    Period.AFTERNOON: ("après-midi", "l'après-midi"),
}
FAQ = (
    "le télétravail c'est un droit ?",
    "combien coûte une demi-journée ?",
    "est-ce qu'il y a la fibre à Montmurat ?",
    "quels sont les horaires de Decazeville ?",
    "mon employeur peut-il refuser le télétravail ?",
    "comment venir au télécentre de Figeac ?",
)
AVAILABILITY = (
    "des bureaux libres à {centre} demain ?",
    "il reste de la place à {centre} lundi ?",
    "des bureaux libres à {centre} le {day} ?",
)
GARBAGE = (
    "🙂🙂🙂",
    "👍",
    "",
    "   ",
    "asdfghjkl",
    "'; DROP TABLE bookings; --",
    "x" * 5000,
    "/inconnue",
    "???",
    "bonjour",
    "merci",
)


class BenchFailure(RuntimeError):
    """A booking the benchmark counts on did not happen: the figures would be meaningless."""


def say(message: str) -> None:
    """Progress on stderr, so that stdout stays a clean Markdown report."""
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def desk_slots(network: Network, seed: int) -> list[Slot]:
    """Every bookable desk half-day, shuffled: one user each, so none is refused as full."""
    slots: list[Slot] = []
    day = NOW.date()
    while day <= network.last_bookable_day(NOW.date()):
        for centre in network:
            for half in centre.open_halves(day):
                if network.at(day, centre.half_bounds(half)[1]) > NOW:
                    slots += [(centre.id, day, half)] * len(centre.desks)
        day += timedelta(days=1)
    random.Random(seed).shuffle(slots)
    return slots


def french_day(day: date) -> str:
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]}"


def request_text(network: Network, slot: Slot, n: int) -> str:
    """Varied wordings, so the timings are not those of one cached sentence."""
    centre_id, day, half = slot
    words = PERIOD_WORDS[half]
    return REQUESTS[n % len(REQUESTS)].format(
        centre=network.centre(centre_id).spec.commune,
        day=french_day(day),
        period=words[n % len(words)],
    )


def transcript(replies: list[Reply]) -> str:
    return "\n".join(
        r.text + "".join(f"\n  {c.value}. {c.label}" for c in r.choices) for r in replies
    )


def summary(samples: list[float]) -> tuple[float, float, float]:
    """p50, p99 and max; the p99 of 500 samples is about the fifth worst, not the worst."""
    if len(samples) < 2:
        only = samples[0] if samples else float("nan")
        return only, only, only
    return (
        statistics.median(samples),
        statistics.quantiles(samples, n=100, method="inclusive")[98],
        max(samples),
    )


def rss_mb() -> float:
    """Resident memory now; without /proc, the peak is the best the OS tells."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_rss_mb()


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)


class Talker:
    """Sends messages as a transport would: a channel per person, a fresh id per message."""

    def __init__(self, router: Router) -> None:
        self.router = router
        self.sent = 0

    async def say(self, user: str, text: str) -> tuple[float, list[Reply]]:
        self.sent += 1
        msg = IncomingMessage(f"bench:{user}", user, text, f"m{self.sent}")
        started = perf_counter()
        replies = await self.router.handle(msg)
        return (perf_counter() - started) * 1000, replies


# ---------------------------------------------------------------- part 1 and 3: latency


@dataclass
class Latency:
    request: list[float] = field(default_factory=list)
    confirm: list[float] = field(default_factory=list)
    core: list[float] = field(default_factory=list)
    cold_ms: float = 0.0
    active: int = 0
    expected: int = 0


async def chat_booking(talker: Talker, network: Network, n: int, slot: Slot) -> tuple[float, float]:
    """The request with everything, then "oui": the shortest conversation that books."""
    user = f"chat-{n}"
    asked, replies = await talker.say(user, request_text(network, slot, n))
    if "C'est bon ?" not in transcript(replies):
        raise BenchFailure(f"booking {n} not offered for confirmation:\n{transcript(replies)}")
    confirmed, replies = await talker.say(user, "oui")
    if "C'est réservé" not in transcript(replies):
        raise BenchFailure(f"booking {n} not confirmed:\n{transcript(replies)}")
    return asked, confirmed


async def core_booking(core: services.Core, n: int, slot: Slot) -> float:
    """The same booking as the router's, idempotency key included, straight on the core."""
    centre_id, day, half = slot
    request = DeskRequest(f"core-{n}", centre_id, day, half, key=f"bench:core-{n}:m{n}")
    started = perf_counter()
    done = await services.book_desks(core, request)
    elapsed = (perf_counter() - started) * 1000
    if len(done.bookings) != 1:
        raise BenchFailure(f"core booking {n} not confirmed: {done}")
    return elapsed


async def check_database(core: services.Core, plan: list[Slot], prefix: str) -> int:
    """Each reply said booked; the database must agree, booking for booking."""
    active = await services.list_bookings(core)
    found = Counter((b.centre_id, b.day, b.period) for b in active)
    strangers = [b for b in active if not b.user_id.startswith(prefix)]
    if len(active) != len(plan) or found != Counter(plan) or strangers:
        raise BenchFailure(
            f"expected {len(plan)} active bookings by {prefix}*, found {len(active)} "
            f"({len(strangers)} by others, slots match: {found == Counter(plan)})"
        )
    return len(active)


async def latency(network: Network, tmp: Path, bookings: int) -> Latency:
    """Chat and core bookings in alternating rounds, on twin fresh databases."""
    slots = desk_slots(network, seed=42)
    if WARMUP_BOOKINGS + bookings > len(slots):
        raise SystemExit(f"--bookings: at most {len(slots) - WARMUP_BOOKINGS} fit in the window")
    plan = slots[: WARMUP_BOOKINGS + bookings]
    chat_rt = await open_runtime(
        network=network, url=f"sqlite:///{tmp / 'chat.db'}", clock=fixed_clock(NOW)
    )
    core_rt = await open_runtime(
        network=network, url=f"sqlite:///{tmp / 'core.db'}", clock=fixed_clock(NOW)
    )
    talker = Talker(Router(chat_rt.core, Catalogs()))
    out = Latency()
    try:
        for n, slot in enumerate(plan[:WARMUP_BOOKINGS]):
            asked, _ = await chat_booking(talker, network, n, slot)
            out.cold_ms = out.cold_ms or asked
            await core_booking(core_rt.core, n, slot)
        size = -(-bookings // ROUNDS)
        for r, first in enumerate(range(WARMUP_BOOKINGS, len(plan), size)):
            chunk = list(enumerate(plan[first : first + size], first))
            for side in (
                ("chat", "core") if r % 2 else ("core", "chat")
            ):  # who goes first alternates
                for n, slot in chunk:
                    if side == "core":
                        out.core.append(await core_booking(core_rt.core, n, slot))
                    else:
                        asked, confirmed = await chat_booking(talker, network, n, slot)
                        out.request.append(asked)
                        out.confirm.append(confirmed)
            say(f"latency: {first + len(chunk) - WARMUP_BOOKINGS}/{bookings} bookings per side")
        out.expected = len(plan)
        out.active = await check_database(chat_rt.core, plan, "chat-")
        await check_database(core_rt.core, plan, "core-")
    finally:
        await chat_rt.close()
        await core_rt.close()
    return out


# ---------------------------------------------------------------- part 2: memory


@dataclass(frozen=True)
class Turn:
    user: str
    text: str
    kind: str
    expect: str | None = None  # what the reply must contain for the turn to count as done


@dataclass
class Mix:
    """Many people at once, each in a short episode of everything the bot is asked.

    Each person is new (a fresh welcome, state and profile lookups), books, lists, asks
    the FAQ and the availability, sends something odd, then mostly cancels: cancelled
    desks go back to the pool so that the stream can run for as long as asked without
    filling the 60-day window, while the kept ones make the database grow as in real use.
    """

    network: Network
    pool: deque[Slot]
    episodes: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    done: Counter[str] = field(default_factory=Counter)
    wanted: Counter[str] = field(default_factory=Counter)

    def episode(self, n: int) -> Iterator[Turn]:
        user = f"mem-{n}"
        slot = self.pool.popleft() if self.pool else None
        if slot is not None:
            yield Turn(user, request_text(self.network, slot, n), "booking", "C'est bon ?")
            yield Turn(user, "oui", "confirmation", "C'est réservé")
        yield Turn(user, "mes réservations", "list")
        yield Turn(user, FAQ[n % len(FAQ)], "faq")
        centres = list(self.network)
        centre = centres[n % len(centres)].spec.commune
        day = french_day(NOW.date() + timedelta(days=1 + n % 50))
        text = AVAILABILITY[n % len(AVAILABILITY)].format(centre=centre, day=day)
        yield Turn(user, text, "availability")
        yield Turn(user, GARBAGE[n % len(GARBAGE)], "garbage")
        if slot is None or n % KEEP_ONE_IN == 0:
            yield Turn(user, "/aide", "help")
            return
        yield Turn(user, f"annuler ma réservation du {french_day(slot[1])}", "cancel", "J'annule")
        yield Turn(user, "oui", "cancel confirmation", "C'est annulé")
        self.pool.append(slot)  # runs once the cancellation has been answered

    def turns(self) -> Iterator[Turn]:
        """Round robin over INTERLEAVED people; a finished episode makes room for a new one."""
        talking: deque[Iterator[Turn]] = deque()
        while True:
            while len(talking) < INTERLEAVED:
                talking.append(self.episode(self.episodes))
                self.episodes += 1
            current = talking.popleft()
            turn = next(current, None)
            if turn is not None:
                talking.append(current)
                yield turn


@dataclass
class Memory:
    warmup: int = 0
    messages: int = 0
    rss_before: float = 0.0
    rss_after: float = 0.0
    seconds: float = 0.0
    traced_kb: float = 0.0
    traced_seconds: float = 0.0
    top: list[str] = field(default_factory=list)
    mix: Mix | None = None
    active: int = 0


async def drive(talker: Talker, turns: Iterator[Turn], count: int, mix: Mix) -> float:
    started = perf_counter()
    for _ in range(count):
        turn = next(turns)
        _, replies = await talker.say(turn.user, turn.text)
        mix.kinds[turn.kind] += 1
        if turn.expect is not None:
            mix.wanted[turn.kind] += 1
            mix.done[turn.kind] += turn.expect in transcript(replies)
    return perf_counter() - started


async def memory(network: Network, tmp: Path, warmup: int, messages: int) -> Memory:
    """RSS over a plain pass, then Python's own live allocations over a traced second pass.

    ``tracemalloc`` slows every allocation and keeps its own tables in the same process,
    so it would inflate both the RSS figure and the time: the RSS pass runs untraced, and
    the traced pass continues the same stream on the same warm router.
    """
    runtime: Runtime = await open_runtime(
        network=network, url=f"sqlite:///{tmp / 'memory.db'}", clock=fixed_clock(NOW)
    )
    mix = Mix(network, deque(desk_slots(network, seed=7)))
    turns = mix.turns()
    talker = Talker(Router(runtime.core, Catalogs()))
    out = Memory(warmup=warmup, messages=messages, mix=mix)
    try:
        await drive(talker, turns, warmup, mix)
        gc.collect()
        out.rss_before = rss_mb()
        say(f"memory: warm-up of {warmup} messages done, RSS {out.rss_before:.1f} MB")
        out.seconds = await drive(talker, turns, messages, mix)
        gc.collect()
        out.rss_after = rss_mb()
        say(f"memory: {messages} messages done, RSS {out.rss_after:.1f} MB; traced pass next")
        tracemalloc.start()
        gc.collect()
        before, first = tracemalloc.take_snapshot(), tracemalloc.get_traced_memory()[0]
        out.traced_seconds = await drive(talker, turns, messages, mix)
        gc.collect()
        after, last = tracemalloc.take_snapshot(), tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        out.traced_kb = (last - first) / 1024
        # The stream's own bookkeeping is not the bot's memory.
        skip = [
            tracemalloc.Filter(False, tracemalloc.__file__),
            tracemalloc.Filter(False, __file__),
        ]
        growth = after.filter_traces(skip).compare_to(before.filter_traces(skip), "lineno")
        out.top = [
            f"{stat.size_diff / 1024:+.0f} KB in {stat.count_diff:+d} blocks at "
            f"{shorten(str(stat.traceback[0].filename))}:{stat.traceback[0].lineno}"
            for stat in growth[:3]
        ]
        out.active = len(await services.list_bookings(runtime.core))
    finally:
        await runtime.close()
    return out


def shorten(path: str) -> str:
    stdlib = f"python{sys.version_info.major}.{sys.version_info.minor}/"
    for marker in ("site-packages/", str(Path(__file__).resolve().parent.parent) + "/", stdlib):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


# ---------------------------------------------------------------- report


def verdict(value: float, aim: float) -> str:
    return f"< {aim:g}: {'met' if value < aim else 'MISSED'}"


def render(lat: Latency, mem: Memory, args: argparse.Namespace) -> str:
    both = lat.request + lat.confirm
    per_booking = [a + b for a, b in zip(lat.request, lat.confirm, strict=True)]
    rows = [
        ("Booking request (centre, date, half-day in one message)", lat.request),
        ('Confirmation "oui" (books)', lat.confirm),
        ("Both kinds together", both),
        ("Whole chat booking (request + confirmation)", per_booking),
        ("Core `book_desks` alone, same bookings, twin database", lat.core),
    ]
    table = [
        "| Latency, ms | n | p50 | p99 | max |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, samples in rows:
        p50, p99, worst = summary(samples)
        table.append(f"| {label} | {len(samples):,} | {p50:.2f} | {p99:.2f} | {worst:.2f} |")
    p99_both = summary(both)[1]
    median_ratio = statistics.median(per_booking) / statistics.median(lat.core)
    total_ratio = sum(per_booking) / sum(lat.core)
    mix = mem.mix
    assert mix is not None
    growth = mem.rss_after - mem.rss_before
    shares = ", ".join(
        f"{kind} {count * 100 / sum(mix.kinds.values()):.0f} %"
        for kind, count in mix.kinds.most_common()
    )
    checks = ", ".join(f"{kind} {mix.done[kind]}/{mix.wanted[kind]}" for kind in mix.wanted)
    figures = [
        "| Measure | Value | Aim |",
        "|---|---:|---|",
        f"| p99 over both kinds of message, ms | {p99_both:.2f} "
        f"| {verdict(p99_both, AIM_P99_MS)} |",
        f"| Chat booking ÷ core `book_desks`, medians | {median_ratio:.1f}x | |",
        f"| Chat booking ÷ core `book_desks`, total time | {total_ratio:.1f}x | |",
        f"| First message after start (cold), ms | {lat.cold_ms:.0f} | |",
        f"| Active bookings in the chat database | {lat.active:,} of {lat.expected:,} "
        f"| exactly {WARMUP_BOOKINGS} warm-up + {args.bookings:,} |",
        f"| RSS after a warm-up of {mem.warmup:,} messages, MB | {mem.rss_before:.1f} | |",
        f"| RSS after {mem.messages:,} more messages, MB | {mem.rss_after:.1f} | |",
        f"| RSS growth over {mem.messages:,} messages, MB | {growth:+.1f} "
        f"| {verdict(growth, AIM_GROWTH_MB)} |",
        f"| `tracemalloc` live growth over {mem.messages:,} more messages (traced pass), MB "
        f"| {mem.traced_kb / 1024:+.2f} | |",
        f"| Peak RSS of the whole run, MB | {peak_rss_mb():.1f} | |",
        f"| Memory stream, messages/s untraced / traced "
        f"| {mem.messages / mem.seconds:,.0f} / {mem.messages / mem.traced_seconds:,.0f} | |",
    ]
    command = " ".join([".venv/bin/python benchmarks/bench_chat.py", *sys.argv[1:]])
    return "\n".join(
        [
            f"### Chat router benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            "",
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
            f"SQLAlchemy {sqlalchemy.__version__}, {os.cpu_count()} CPUs "
            f"({platform.machine()}, {platform.system()}). Clock frozen at {NOW.isoformat()}.",
            "",
            *table,
            "",
            *figures,
            "",
            f"Latency: {args.bookings:,} timed bookings per side after {WARMUP_BOOKINGS} warm-up "
            f"ones, in {ROUNDS} alternating rounds, one new person per booking, through "
            "`Router.handle` on a fresh SQLite file (the request runs a dry-run check, the "
            "confirmation the booking; each loads and saves the dialogue state). The core "
            "side calls `services.book_desks` with the same slots on a twin fresh database.",
            "",
            f"Memory: {mix.episodes:,} people, {INTERLEAVED} talking at once, on another fresh "
            f"database; RSS (VmRSS) after `gc.collect()`. Mix: {shares}. Replies as expected: "
            f"{checks}. Active bookings at the end: {mem.active:,}. Largest live growth in "
            f"the traced pass: {'; '.join(mem.top) or 'none'}.",
            "",
            f"Command: `{command}`",
            "",
        ]
    )


async def run(args: argparse.Namespace) -> str:
    network = load_network()
    with tempfile.TemporaryDirectory(prefix="bench-chat-") as tmp:
        say(f"latency: {args.bookings} bookings per side, database in {tmp}")
        lat = await latency(network, Path(tmp), args.bookings)
        gc.collect()
        say(f"memory: {args.warmup} + {args.messages} + {args.messages} (traced) messages")
        mem = await memory(network, Path(tmp), args.warmup, args.messages)
    return render(lat, mem, args)


def main() -> None:
    parser = argparse.ArgumentParser(description="Chat router latency and memory.")
    parser.add_argument("--bookings", type=int, default=500, help="timed bookings per side")
    parser.add_argument("--messages", type=int, default=10_000, help="messages per memory pass")
    parser.add_argument("--warmup", type=int, default=500, help="memory warm-up messages")
    parser.add_argument("--quick", action="store_true", help="smoke run: 50 bookings, 1,000 msgs")
    parser.add_argument("--out", type=Path, help="also write the Markdown report to this file")
    args = parser.parse_args()
    if args.quick:
        args.bookings, args.messages, args.warmup = 50, 1000, 200
    if args.bookings < ROUNDS or args.messages < 1 or args.warmup < 0:
        parser.error(f"need --bookings >= {ROUNDS}, --messages >= 1 and --warmup >= 0")
    try:
        report = asyncio.run(run(args))
    except BenchFailure as failure:
        sys.exit(f"bench_chat: {failure}")
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
