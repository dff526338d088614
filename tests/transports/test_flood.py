"""Telegram's flood limits, on a fake clock: what may go when, per chat, per group, overall.

The limiter is driven sequentially with a fake ``sleep`` that moves the fake clock, so
every time below is exact and nothing depends on the machine's speed.
"""

from __future__ import annotations

from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.transports.flood import FloodLimits, SlidingWindow, TokenBucket
from bot.transports.telegram import PerChatRateLimiter, chat_of

ALICE, BOB, GROUP = 111, 222, -100123


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeTime:
    return FakeTime()


@pytest.fixture
def limiter(clock: FakeTime) -> PerChatRateLimiter:
    return PerChatRateLimiter(clock=clock, sleep=clock.sleep)


async def _send(
    limiter: PerChatRateLimiter, clock: FakeTime, chat: int | None, sent: list[float]
) -> None:
    async def call() -> dict[str, Any]:
        sent.append(clock.now)
        return {}

    data = {} if chat is None else {"chat_id": chat, "text": "x"}
    await limiter.process_request(call, (), {}, "sendMessage", data, None)


def test_a_sliding_window_never_lets_twice_the_limit_through() -> None:
    window = SlidingWindow(3, 10.0)
    times = []
    now = 0.0
    for _ in range(7):
        now += window.wait(now)
        window.take(now)
        times.append(now)
    assert times == [0, 0, 0, 10, 10, 10, 20]


def test_a_token_bucket_allows_a_burst_then_its_rate() -> None:
    bucket = TokenBucket(rate=1.0, burst=2)
    assert bucket.wait(0) == 0
    bucket.take(0)
    bucket.take(0)
    assert bucket.wait(0) == 1.0
    assert bucket.wait(0.5) == 0.5
    assert bucket.idle(2.0)


async def test_one_chat_gets_a_short_burst_then_one_message_a_second(
    limiter: PerChatRateLimiter, clock: FakeTime
) -> None:
    sent: list[float] = []
    for _ in range(8):
        await _send(limiter, clock, ALICE, sent)
    assert sent == [0, 0, 0, 0, 0, 1, 2, 3]


async def test_a_group_gets_twenty_a_minute_in_any_minute(
    limiter: PerChatRateLimiter, clock: FakeTime
) -> None:
    sent: list[float] = []
    for _ in range(45):
        await _send(limiter, clock, GROUP, sent)
    assert sent[:6] == [0, 0, 0, 0, 0, 1], "the chat's own burst and pace still apply"
    assert sent[20] == 60, "the 21st waits for the first to leave the minute"
    assert all(later - first >= 60 for first, later in zip(sent, sent[20:], strict=False)), (
        "never more than 20 in a minute, including the first one"
    )


async def test_all_chats_together_get_thirty_a_second(
    limiter: PerChatRateLimiter, clock: FakeTime
) -> None:
    sent: list[float] = []
    for chat in range(1, 71):
        await _send(limiter, clock, chat, sent)
    assert sent == [0.0] * 30 + [1.0] * 30 + [2.0] * 10


def test_a_429_holds_back_its_chat_only_and_one_without_a_chat_everything() -> None:
    limits = FloodLimits()
    limits.retry_after(ALICE, until=5.0, now=0.0)
    assert limits.wait(ALICE, 0.0) == 5.0
    assert limits.wait(BOB, 0.0) == 0.0
    assert limits.wait(None, 0.0) == 0.0
    limits.retry_after(None, until=3.0, now=0.0)
    assert limits.wait(BOB, 1.0) == 2.0
    assert limits.wait(None, 1.0) == 2.0
    assert limits.wait(ALICE, 1.0) == 4.0


# PTB 22 warns from inside RetryAfter itself that retry_after will become a timedelta.
@pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")
async def test_a_429_is_waited_out_then_retried_and_the_retries_are_bounded(
    clock: FakeTime,
) -> None:
    limiter = PerChatRateLimiter(max_retries=2, clock=clock, sleep=clock.sleep)
    calls: list[float] = []

    async def refused_twice() -> bool:
        calls.append(clock.now)
        if len(calls) <= 2:
            raise RetryAfter(4)
        return True

    data = {"chat_id": ALICE}
    assert await limiter.process_request(refused_twice, (), {}, "sendMessage", data, None)
    assert calls == [0, 4, 8]

    async def always_refused() -> bool:
        raise RetryAfter(1)

    with pytest.raises(RetryAfter):
        await limiter.process_request(always_refused, (), {}, "sendMessage", data, 0)


@pytest.mark.parametrize(
    ("data", "chat"),
    [
        ({"chat_id": 5}, 5),
        ({"chat_id": "-1001"}, -1001),
        ({"chat_id": "@channel"}, "@channel"),
        ({}, None),
        ({"chat_id": None}, None),
    ],
)
def test_the_chat_of_a_request(data: dict[str, Any], chat: int | str | None) -> None:
    assert chat_of(data) == chat


def test_idle_chats_are_forgotten_past_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.transports.flood.MAX_CHATS", 10)
    limits = FloodLimits()
    for chat in range(1, 30):
        limits.take(chat, float(chat * 10))
    assert len(limits) <= 10
