"""A sender process for the crash tests: `python -m tests.outbox.sender URL OUT KILL_AT N`.

It delivers due notifications of "file:" channels by appending their key to OUT (flushed
and fsynced: what the network accepted), and kills itself with SIGKILL at step KILL_AT
of its N-th delivery ("none" never). It exits 0 once nothing is left to deliver.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
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

LEASE_S = 0.5


class FileTransport:
    name = "file"

    def __init__(self, out: Path) -> None:
        self.out = out

    def owns(self, channel: str) -> bool:
        return channel.startswith("file:")

    async def start(self, handle: Handler) -> None:
        return None

    async def send(self, channel: str, replies: list[Reply]) -> None:
        with self.out.open("a", encoding="utf-8") as handle:
            handle.write(channel + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    async def stop(self) -> None:
        return None


async def main(url: str, out: Path, kill_at: str, nth: int) -> int:
    storage = Storage(create_engine(url))
    core = Core(load_network(), storage.uow, lambda: datetime.now(UTC))
    deliveries = 0

    def hook(point: str, note: Notification) -> None:
        nonlocal deliveries
        if point == "claimed":
            deliveries += 1
        if point == kill_at and deliveries >= nth:
            os.kill(os.getpid(), signal.SIGKILL)

    scheduler = Scheduler(
        core, [FileTransport(out)], Catalogs(), lease_s=LEASE_S, batch=20, hook=hook
    )
    idle = 0
    while idle < 3:  # leases of a killed predecessor expire within LEASE_S
        idle = idle + 1 if await scheduler.tick() == 0 else 0
        if idle:
            await asyncio.sleep(LEASE_S)
    await storage.dispose()
    return 0


if __name__ == "__main__":
    url, out, kill_at, nth = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    raise SystemExit(asyncio.run(main(url, out, kill_at, nth)))
