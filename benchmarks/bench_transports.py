"""Message-to-reply round trip through the real chat stacks, Telegram and Matrix side by side.

What a person waits for between sending a message and seeing the bot's first reply, with
everything but the network in the way:

- Telegram: the real python-telegram-bot stack (``TelegramTransport``: long polling, the
  rate limiter, the per-chat update processor) and the real router on a fake store,
  against the local fake Bot API of the end-to-end tests. Timed from the moment the
  person's update is offered to ``getUpdates`` until the fake server has answered the
  bot's first ``sendMessage``. The turns go to several people in turn, spaced so that
  the flood limits (about one message a second per chat, thirty overall) never have to
  hold a message back: the figure is the stack, not the limiter; the run counts the
  limiter's waits to show it.
- Matrix: the real ``MatrixTransport`` against a real Synapse on 127.0.0.1 (started as the
  end-to-end tests start it), the real router on a SQLite file, and the person on a plain
  matrix-nio client. Timed from the person's send until the person's own sync has
  received the bot's first reply.

Both bots run in one process and their rounds are interleaved, so a noisy shared machine
weighs on both alike. Each turn is finished (every reply delivered) before the next.

Run: ``.venv/bin/python benchmarks/bench_transports.py [--telegram-rounds N]
[--matrix-rounds N] [--warmup N] [--skip-matrix]``
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pydantic import SecretStr

from booking_core.network import Network, load_network
from booking_core.services import Core
from bot.settings import Settings
from bot.transports.matrix import MatrixTransport
from bot.transports.telegram import PerChatRateLimiter, TelegramTransport
from bot.wiring import open_runtime
from handlers.i18n import Catalogs
from handlers.messages import IncomingMessage, Reply
from handlers.router import Router
from tests.conftest import Clock
from tests.fakes import FakeStore
from tests.transports.fake_telegram import FakeBotApi
from tests.transports.synapse import Person, Synapse, notice, start_synapse

TOKEN = "123456:BENCH-token"
ALICE = 111  # the first Telegram person's chat; the others follow
MESSAGE = "bonjour"  # answered with a greeting, then the help text
PEOPLE = 10  # Telegram people taking turns
PACE_S = 0.15  # between two Telegram turns (each person's every PEOPLE turns)
WAIT_S = 30.0  # bound on any one turn: a failure guard, never part of a figure
BOT, PERSON = "bot", "alice"
LIMITER_WAITS: list[float] = []  # every wait the Telegram flood limits imposed


class Turns:
    """The router's ``handle``, noting how many replies each message got (a turn's end)."""

    def __init__(self, handle: Callable[[IncomingMessage], Awaitable[list[Reply]]]) -> None:
        self.handle = handle
        self.replies: list[int] = []

    async def __call__(self, message: IncomingMessage) -> list[Reply]:
        replies = await self.handle(message)
        self.replies.append(len(replies))
        return replies

    def ended(self, turn: int, delivered: int) -> bool:
        """Whether message ``turn`` (from 0) was handled and ``delivered`` covers its replies."""
        return len(self.replies) > turn and delivered >= self.replies[turn]


@dataclass
class Side:
    """One transport under measurement: a round function and the figures it gave."""

    name: str
    setup: str
    one_round: Callable[[], Awaitable[float]]
    rounds: int
    times: list[float] = field(default_factory=list)


# ---------------------------------------------------------------- Telegram


@asynccontextmanager
async def telegram_side(network: Network) -> AsyncIterator[Callable[[], Awaitable[float]]]:
    api = FakeBotApi(TOKEN)
    await api.start()
    turns = Turns(Router(Core(network, FakeStore().uow, Clock()), Catalogs()).handle)
    settings = Settings.model_validate(
        {
            "telegram_token": SecretStr(TOKEN),
            "telegram_base_url": api.base_url,
            "telegram_webhook_url": None,
            "telegram_webhook_secret": None,
        }
    )
    transport = TelegramTransport(settings, poll_timeout=5)
    try:
        await asyncio.wait_for(transport.start(turns), WAIT_S)
        app = transport._app
        assert app is not None
        limiter = app.bot.rate_limiter
        assert isinstance(limiter, PerChatRateLimiter)
        real_sleep = limiter._sleep

        async def counted(seconds: float) -> None:
            LIMITER_WAITS.append(seconds)
            await real_sleep(seconds)

        limiter._sleep = counted
        rounds = itertools.count()
        try:

            async def one_round() -> float:
                chat = ALICE + next(rounds) % PEOPLE
                turn, before = len(turns.replies), len(api.sent(chat))
                began = time.perf_counter()
                await api.push(api.text(chat, MESSAGE))
                sent = await api.wait_sent(chat, before + 1, within=WAIT_S)
                elapsed = sent[before].done - began
                await api.wait_for(
                    lambda: turns.ended(turn, len(api.sent(chat)) - before),
                    "the end of the turn",
                    WAIT_S,
                )
                await asyncio.sleep(PACE_S)
                return elapsed

            yield one_round
        finally:
            await asyncio.wait_for(transport.stop(), WAIT_S)
    finally:
        await api.stop()


# ---------------------------------------------------------------- Matrix


def bot_messages(person: Person, room: str, after: int) -> int:
    return sum(1 for e in person.seen[after:] if notice(room)(e))


@asynccontextmanager
async def matrix_side(
    network: Network, synapse: Synapse, folder: Path
) -> AsyncIterator[Callable[[], Awaitable[float]]]:
    runtime = await open_runtime(
        network=network, url=f"sqlite:///{folder / 'telecentre.db'}", clock=Clock()
    )
    turns = Turns(Router(runtime.core, Catalogs()).handle)
    bot_id = synapse.user_id(BOT)
    transport = MatrixTransport(
        Settings(
            _env_file=None,
            matrix_homeserver=synapse.url,
            matrix_user=bot_id,
            matrix_password=SecretStr(synapse.users[bot_id]),
            matrix_allowed=synapse.user_id(PERSON),
            matrix_store=str(folder / "matrix.json"),
        )
    )
    person = Person(synapse, PERSON)
    try:
        await asyncio.wait_for(transport.start(turns), WAIT_S)
        try:
            async with asyncio.timeout(WAIT_S):
                await person.login()
                room = await person.open_dm(bot_id)

            async def one_round() -> float:
                turn = len(turns.replies)
                began = time.perf_counter()
                mark = await person.say(room, MESSAGE)
                await person.expect(notice(room), after=mark, within=WAIT_S)
                elapsed = time.perf_counter() - began
                async with asyncio.timeout(WAIT_S):
                    while not turns.ended(turn, bot_messages(person, room, mark)):
                        await person.sync()
                return elapsed

            yield one_round
        finally:
            await transport.stop()
    finally:
        await person.close()
        await runtime.close()


# ---------------------------------------------------------------- the run


def interleaved(sides: list[Side]) -> list[Side]:
    """Every side's rounds spread evenly over the run (50 and 20: about 5 to 2 throughout)."""
    schedule = [
        ((k + 0.5) / side.rounds, n, side)
        for n, side in enumerate(sides)
        for k in range(side.rounds)
    ]
    schedule.sort(key=lambda slot: slot[:2])
    return [side for _, _, side in schedule]


async def measure(args: argparse.Namespace, synapse: Synapse | None, folder: Path) -> list[Side]:
    network = load_network()
    async with AsyncExitStack() as stack:
        sides = [
            Side(
                "Telegram",
                "python-telegram-bot, long polling, against the local fake Bot API; "
                "router on a fake store",
                await stack.enter_async_context(telegram_side(network)),
                args.telegram_rounds,
            )
        ]
        if synapse is not None:
            sides.append(
                Side(
                    "Matrix",
                    "MatrixTransport (matrix-nio) against a local Synapse; router on SQLite",
                    await stack.enter_async_context(matrix_side(network, synapse, folder)),
                    args.matrix_rounds,
                )
            )
        for _ in range(args.warmup):
            for side in sides:
                await side.one_round()
        LIMITER_WAITS.clear()  # first contacts say more; only the timed turns are counted
        for side in interleaved(sides):
            side.times.append(await side.one_round())
    return sides


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def render(sides: list[Side], args: argparse.Namespace, synapse: Synapse | None) -> str:
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    versions = f"python-telegram-bot {version('python-telegram-bot')}"
    if synapse is not None:
        versions += f", matrix-nio {version('matrix-nio')}, Synapse {version('matrix-synapse')}"
    rows = [
        "| date | Python | CPUs | load average (1 / 5 / 15 min) |",
        "|---|---|---:|---|",
        f"| {datetime.now(UTC):%Y-%m-%d %H:%M} UTC | {platform.python_version()} "
        f"| {os.cpu_count()} ({platform.machine()}) | {load} |",
        "",
        "| Message to first reply, ms | n | p50 | p90 | fastest / slowest |",
        "|---|---:|---:|---:|---:|",
    ]
    for side in sides:
        p50 = statistics.median(side.times)
        p90 = statistics.quantiles(side.times, n=10, method="inclusive")[-1]
        rows.append(
            f"| {side.name}: {side.setup} | {len(side.times)} | {ms(p50)} | {ms(p90)} "
            f"| {ms(min(side.times))} / {ms(max(side.times))} |"
        )
    notes = [
        "",
        f"« {MESSAGE} » ({PEOPLE} people in turn on Telegram, one on Matrix), "
        f"{args.warmup} warm-up turns per transport first, then "
        f"{'the rounds of both interleaved' if len(sides) > 1 else 'the rounds'}; every turn "
        "finished before the next. Telegram: from "
        "the update offered to getUpdates to the fake server's answer to the first sendMessage, "
        f"turns {PACE_S * 1000:.0f} ms apart; the flood limits held messages back "
        f"{len(LIMITER_WAITS)} times in the timed turns. Matrix: from the person's send to "
        "the first reply in the person's own sync.",
    ]
    if synapse is not None:
        notes.append(f"Synapse started in {synapse.startup_s:.1f} s.")
    command = " ".join([".venv/bin/python benchmarks/bench_transports.py", *sys.argv[1:]])
    return "\n".join(
        [
            "### Transport round trip",
            "",
            *rows,
            *notes,
            f"{versions}.",
            "",
            f"Command: `{command}`",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--telegram-rounds", type=int, default=50, help="timed Telegram turns")
    parser.add_argument("--matrix-rounds", type=int, default=20, help="timed Matrix turns")
    parser.add_argument("--warmup", type=int, default=PEOPLE, help="untimed turns per transport")
    parser.add_argument(
        "--skip-matrix", action="store_true", help="Telegram only (no Synapse started)"
    )
    args = parser.parse_args()
    if args.telegram_rounds < 2 or args.matrix_rounds < 2 or args.warmup < 0:
        parser.error("need at least 2 rounds per transport (for a p90) and --warmup >= 0")
    for name in ("NO_PROXY", "no_proxy"):  # the local servers, never through a proxy
        os.environ[name] = "127.0.0.1,localhost"
    with tempfile.TemporaryDirectory(prefix="bench-transports-") as tmp:
        folder = Path(tmp)
        synapse: Synapse | None = None
        if not args.skip_matrix:
            print("starting Synapse...", file=sys.stderr, flush=True)
            synapse = start_synapse(folder / "synapse")
        try:
            if synapse is not None:
                synapse.register(BOT, "bot-password")
                synapse.register(PERSON, "alice-password")
            sides = asyncio.run(measure(args, synapse, folder))
        finally:
            if synapse is not None:
                synapse.stop()
    print(render(sides, args, synapse))


if __name__ == "__main__":
    main()
