"""No notification lost, none sent twice but in the documented window: real `kill -9`s,
on SQLite and PostgreSQL.

Reminders and release notices are due. A sender process is killed with SIGKILL at one
step of a delivery (after the claim; after the lease renewal, just before the send;
inside the send, once the network has the message; after the send and before the mark;
after the mark), three times, then a last sender finishes. Every notification must have
been delivered; a kill once the network has the message and before the mark costs
exactly one duplicate, any other kill none.

Two senders in separate processes on one PostgreSQL, with a lease shorter than their
batches take, deliver everything once: the lease is re-checked before each send.
"""

from __future__ import annotations

import asyncio
import collections
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import URL, make_url

from booking_core.domain import NewNotification
from booking_core.uow import UnitOfWork
from tests.conftest import _clean_storage

ROOT = Path(__file__).resolve().parents[2]
COUNT = 120
KILLS = 3
NTH = 30
IN_THE_WINDOW = ("in_send", "sent")


def _booking(n: int) -> dict[str, object]:
    return {"id": n, "date": "2026-12-10", "period": "morning", "centre": "figeac",
            "start": "08:30", "end": "12:30"}  # fmt: skip


async def _queue(url: URL, count: int) -> None:
    """Half evening reminders (they also leave a question in the dialogue state), half
    release notices, all due."""
    storage = await _clean_storage(url)
    now = datetime.now(UTC)
    items = [
        NewNotification(
            key=f"crash:{n}",
            kind="reminder_evening" if n % 2 == 0 else "release_notice",
            channel=f"file:{n}",
            user_id=f"file:{n}",
            payload={"booking": _booking(n)},
            due_at=now - timedelta(seconds=1),
            expires_at=now + timedelta(days=1),
        )
        for n in range(count)
    ]

    async def body(uow: UnitOfWork) -> None:
        await uow.repo.add_notifications(items, now)

    await storage.uow().run(body)
    await storage.dispose()


def _sync_url(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def _sender(url: URL, out: Path, kill_at: str, nth: int, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.outbox.sender", _sync_url(url), str(out), kill_at,
         str(nth), *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _wait(process: subprocess.Popen[str]) -> int:
    return _finish(process)[0]


def _finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    out, err = process.communicate(timeout=180)
    if process.returncode not in (0, -signal.SIGKILL):
        raise AssertionError(err[-3000:])
    return process.returncode, out


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> URL:
    if request.param == "sqlite":
        return make_url(f"sqlite+aiosqlite:///{tmp_path / 'outbox.db'}")
    found: URL = request.getfixturevalue("postgres_url")
    return found


@pytest.mark.parametrize("kill_at", ["claimed", "sending", "in_send", "sent", "marked"])
def test_kill_9_at_each_step_loses_nothing(url: URL, tmp_path: Path, kill_at: str) -> None:
    asyncio.run(_queue(url, COUNT))
    out = tmp_path / "delivered.txt"
    kills = sum(_wait(_sender(url, out, kill_at, NTH)) == -signal.SIGKILL for _ in range(KILLS))
    assert kills == KILLS
    assert _wait(_sender(url, out, "none", 0)) == 0
    delivered = collections.Counter(out.read_text().split())
    assert set(delivered) == {f"file:{n}" for n in range(COUNT)}, "nothing lost"
    duplicates = sum(n - 1 for n in delivered.values())
    if kill_at in IN_THE_WINDOW:
        assert duplicates == kills, "exactly one per kill inside the window"
    else:
        assert duplicates == 0


def test_two_sender_processes_with_a_short_lease_never_send_twice(
    postgres_url: URL, tmp_path: Path
) -> None:
    asyncio.run(_queue(postgres_url, 60))
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    # 0.2 s a send, batches of 40 (8 s) against a 1 s lease: the second sender, started
    # while the first is in its batch, takes over the rows the first has not reached.
    slow = ("--lease", "1.0", "--send-s", "0.2", "--batch", "40")
    a = _sender(postgres_url, first, "none", 0, *slow)
    deadline = time.monotonic() + 60
    while (not first.exists() or len(first.read_text().split()) < 2) and a.poll() is None:
        assert time.monotonic() < deadline, "the first sender never started delivering"
        time.sleep(0.05)
    b = _sender(postgres_url, second, "none", 0, *slow)
    (code_a, out_a), (code_b, out_b) = _finish(a), _finish(b)
    assert (code_a, code_b) == (0, 0)
    by_first, by_second = first.read_text().split(), second.read_text().split()
    delivered = collections.Counter(by_first + by_second)
    assert set(delivered) == {f"file:{n}" for n in range(60)}, "nothing lost"
    assert max(delivered.values()) == 1, "no duplicate"
    assert by_first, "both took part"
    assert by_second, "both took part"
    # Each batch outlives its lease after about five sends: the rest is skipped by the
    # sender that claimed it, and sent once by whichever claims it next.
    skipped = sum(int(out.split()[-1]) for out in (out_a, out_b))
    assert skipped > 0, "rows were found no longer ours before their send"
