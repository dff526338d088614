"""A sender process for the crash and two-instance tests.

``python -m tests.outbox.sender URL OUT KILL_AT N [--lease S] [--send-s S] [--batch N]``

It delivers due notifications of "file:" channels by appending their channel to OUT
(flushed and fsynced: what the network accepted), taking ``--send-s`` seconds per send,
and kills itself with SIGKILL at step KILL_AT of its N-th delivery ("none" never):
``claimed``, ``sending`` (lease renewed, nothing sent), ``in_send`` (inside the
transport, once the line is written: the network has it), ``sent`` (the send returned,
not marked yet), ``marked``. It exits 0 once nothing is left to deliver, printing how
many it sent and how many it skipped (found no longer its own before the send).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
from datetime import UTC, datetime
from pathlib import Path

from booking_core.db import create_engine
from booking_core.domain import Notification
from booking_core.network import load_network
from booking_core.services import Core
from booking_core.storage import Storage
from bot.scheduler import Scheduler
from bot.transports.base import Handler
from handlers.i18n import Catalogs
from handlers.messages import Reply


class FileTransport:
    name = "file"

    def __init__(self, out: Path, send_s: float, kill: asyncio.Event) -> None:
        self.out, self.send_s, self.kill = out, send_s, kill

    def owns(self, channel: str) -> bool:
        return channel.startswith("file:")

    async def start(self, handle: Handler) -> None:
        return None

    async def send(self, channel: str, replies: list[Reply], *, key: str | None = None) -> None:
        if self.send_s:
            await asyncio.sleep(self.send_s)
        with self.out.open("a", encoding="utf-8") as handle:
            handle.write(channel + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        if self.kill.is_set():
            os.kill(os.getpid(), signal.SIGKILL)

    async def stop(self) -> None:
        return None


async def main(args: argparse.Namespace) -> int:
    storage = Storage(create_engine(args.url))
    core = Core(load_network(), storage.uow, lambda: datetime.now(UTC))
    deliveries = 0
    in_send = asyncio.Event()

    def hook(point: str, note: Notification) -> None:
        nonlocal deliveries
        if point == "claimed":
            deliveries += 1
        if deliveries < args.nth:
            return
        if point == "sending" and args.kill_at == "in_send":
            in_send.set()
        elif point == args.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    transport = FileTransport(args.out, args.send_s, in_send)
    scheduler = Scheduler(
        core,
        [transport],
        Catalogs(),
        lease_s=args.lease,
        send_timeout_s=args.lease / 2,
        batch=args.batch,
        hook=hook,
    )
    idle = 0
    while idle < 3:  # leases of a killed predecessor expire within the lease
        idle = idle + 1 if await scheduler.tick() == 0 else 0
        if idle:
            await asyncio.sleep(args.lease)
    await storage.dispose()
    print(f"sent {scheduler.sent} skipped {scheduler.skipped}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("out", type=Path)
    parser.add_argument("kill_at")
    parser.add_argument("nth", type=int)
    parser.add_argument("--lease", type=float, default=0.5)
    parser.add_argument("--send-s", type=float, default=0.0)
    parser.add_argument("--batch", type=int, default=20)
    raise SystemExit(asyncio.run(main(parser.parse_args())))
