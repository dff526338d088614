"""No notification lost, none sent twice but in the documented window: real `kill -9`s.

200 reminders are due. A sender process is killed with SIGKILL at one step of a delivery
(after the claim, just before the send, after the send and before the mark, after the
mark), three times, then a last sender finishes. Every key must have been delivered;
only kills between the send and the mark may leave a duplicate, at most one per kill.
"""

from __future__ import annotations

import asyncio
import collections
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from booking_core.db import create_engine, upgrade
from booking_core.domain import NewNotification
from booking_core.network import load_network
from booking_core.services import Core
from booking_core.storage import Storage
from booking_core.uow import UnitOfWork
from bot.scheduler import Scheduler
from handlers.i18n import Catalogs
from tests.outbox.recording import RecordingTransport

ROOT = Path(__file__).resolve().parents[2]
COUNT = 200
KILLS = 3


async def _queue(url: str, count: int, prefix: str) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    storage = Storage(engine)
    now = datetime.now(UTC)
    items = [
        NewNotification(
            key=f"crash:{n}",
            kind="release_notice",
            channel=f"{prefix}{n}",
            user_id=f"{prefix}{n}",
            payload={
                "booking": {
                    "id": n,
                    "date": "2026-12-10",
                    "period": "morning",
                    "centre": "figeac",
                    "start": "08:30",
                    "end": "12:30",
                }
            },
            due_at=now - timedelta(seconds=1),
        )
        for n in range(count)
    ]

    async def body(uow: UnitOfWork) -> None:
        await uow.repo.add_notifications(items, now)

    await storage.uow().run(body)
    await storage.dispose()


def _sender(url: str, out: Path, kill_at: str, nth: int) -> int:
    done = subprocess.run(
        [sys.executable, "-m", "tests.outbox.sender", url, str(out), kill_at, str(nth)],
        cwd=ROOT, timeout=120, check=False, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode not in (0, -signal.SIGKILL):
        raise AssertionError(done.stderr[-3000:])
    return done.returncode


@pytest.mark.parametrize("kill_at", ["claimed", "sending", "sent", "marked"])
def test_kill_9_at_each_step_loses_nothing(tmp_path: Path, kill_at: str) -> None:
    url = f"sqlite:///{tmp_path / 'outbox.db'}"
    asyncio.run(_queue(url, COUNT, "file:"))
    out = tmp_path / "delivered.txt"
    kills = sum(_sender(url, out, kill_at, 40) == -signal.SIGKILL for _ in range(KILLS))
    assert kills == KILLS
    assert _sender(url, out, "none", 0) == 0
    delivered = collections.Counter(out.read_text().split())
    assert set(delivered) == {f"file:{n}" for n in range(COUNT)}, "nothing lost"
    duplicates = sum(n - 1 for n in delivered.values())
    if kill_at == "sent":
        assert duplicates <= kills, "at most one per kill inside the window"
    else:
        assert duplicates == 0


async def test_two_senders_on_postgresql_never_send_twice(postgres_url: URL) -> None:
    from tests.conftest import _clean_storage

    storage = await _clean_storage(postgres_url)
    await storage.dispose()
    url = postgres_url.render_as_string(hide_password=False)
    await _queue(url, COUNT, "test:")
    senders = []
    transports = []
    for _ in range(2):
        store = Storage(create_engine(postgres_url))
        transport = RecordingTransport()
        core = Core(load_network(), store.uow, lambda: datetime.now(UTC))
        senders.append((Scheduler(core, [transport], Catalogs(), batch=7), store))
        transports.append(transport)

    async def drain(scheduler: Scheduler) -> None:
        while await scheduler.tick() > 0:  # each tick waits on the database
            continue

    await asyncio.gather(*(drain(s) for s, _ in senders))
    channels = [ch for t in transports for ch, _ in t.sent]
    assert len(channels) == COUNT
    assert len(set(channels)) == COUNT, "no duplicate"
    assert all(t.sent for t in transports), "both instances took part"
    for _, store in senders:
        await store.dispose()
