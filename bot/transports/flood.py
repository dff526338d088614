"""When the bot may next write to a chat: Telegram's flood limits, as pure bookkeeping.

Telegram answers 429 to a bot that writes more than about one message a second in a
chat (short bursts pass), twenty a minute in a group, or thirty a second overall. The
limits here keep under those figures before Telegram has to say so, and remember the
``retry_after`` of a 429 for the chat it concerns only: one chat being throttled must
not hold up the others. Nothing here sleeps or reads a clock; the caller passes ``now``
(seconds on a monotonic clock), so the rules are tested on a fake one.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

# Telegram's figures (core.telegram.org/bots/faq: "My bot is hitting limits").
PER_CHAT_RATE = 1.0  # messages a second, on average, in one chat
PER_CHAT_BURST = 5  # a turn's few messages (welcome, notice, question, file) go at once
GROUP_LIMIT, GROUP_PERIOD = 20, 60.0  # in any minute, in one group
OVERALL_LIMIT, OVERALL_PERIOD = 30, 1.0  # in any second, all chats together
# Chats remembered before idle ones are forgotten (an idle chat holds no limit).
MAX_CHATS = 4096

Chat = int | str


class SlidingWindow:
    """At most ``limit`` events in any ``period`` seconds.

    A leaky bucket of the same rate lets twice ``limit`` through in the first period
    (a full bucket, then its refill); a window of the actual sends never does.
    """

    def __init__(self, limit: int, period: float) -> None:
        self.limit, self.period = limit, period
        self._times: deque[float] = deque()

    def _expire(self, now: float) -> None:
        while self._times and self._times[0] <= now - self.period:
            self._times.popleft()

    def wait(self, now: float) -> float:
        """Seconds until one more event fits (0 if it fits now)."""
        self._expire(now)
        if len(self._times) < self.limit:
            return 0.0
        return self._times[0] + self.period - now

    def take(self, now: float) -> None:
        self._times.append(now)

    def idle(self, now: float) -> bool:
        self._expire(now)
        return not self._times


class TokenBucket:
    """``rate`` events a second on average, and up to ``burst`` at once after a pause."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self._tokens = float(burst)
        self._at: float | None = None

    def _refill(self, now: float) -> None:
        if self._at is not None:
            self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now

    def wait(self, now: float) -> float:
        self._refill(now)
        return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self._tokens -= 1

    def idle(self, now: float) -> bool:
        self._refill(now)
        return self._tokens >= self.burst


def is_group(chat: Chat) -> bool:
    """Groups, supergroups and channels have negative ids (or an ``@username``)."""
    return isinstance(chat, str) or chat < 0


@dataclass
class _ChatLimits:
    bucket: TokenBucket
    window: SlidingWindow | None  # groups only
    held_until: float = 0.0  # a 429's retry_after, for this chat

    def wait(self, now: float) -> float:
        waits = [self.held_until - now, self.bucket.wait(now)]
        if self.window is not None:
            waits.append(self.window.wait(now))
        return max(waits)

    def take(self, now: float) -> None:
        self.bucket.take(now)
        if self.window is not None:
            self.window.take(now)

    def idle(self, now: float) -> bool:
        quiet = self.window is None or self.window.idle(now)
        return self.held_until <= now and self.bucket.idle(now) and quiet


@dataclass
class FloodLimits:
    """Every limit that applies to a request, and the 429 deadlines, per chat and overall."""

    per_chat_rate: float = PER_CHAT_RATE
    per_chat_burst: int = PER_CHAT_BURST
    group_limit: int = GROUP_LIMIT
    group_period: float = GROUP_PERIOD
    overall: SlidingWindow = field(
        default_factory=lambda: SlidingWindow(OVERALL_LIMIT, OVERALL_PERIOD)
    )
    paused_until: float = 0.0  # a 429 that named no chat stops everything
    _chats: dict[Chat, _ChatLimits] = field(default_factory=dict, init=False, repr=False)

    def _chat(self, chat: Chat, now: float) -> _ChatLimits:
        found = self._chats.get(chat)
        if found is None:
            if len(self._chats) >= MAX_CHATS:
                for key in [k for k, v in self._chats.items() if v.idle(now)]:
                    del self._chats[key]
            window = SlidingWindow(self.group_limit, self.group_period) if is_group(chat) else None
            found = _ChatLimits(TokenBucket(self.per_chat_rate, self.per_chat_burst), window)
            self._chats[chat] = found
        return found

    def wait(self, chat: Chat | None, now: float) -> float:
        """Seconds before a request to ``chat`` (None: no chat, e.g. getUpdates) may go."""
        paused = self.paused_until - now
        if chat is None:
            return max(paused, 0.0)
        return max(paused, self.overall.wait(now), self._chat(chat, now).wait(now), 0.0)

    def take(self, chat: Chat | None, now: float) -> None:
        """Count a request that goes now."""
        if chat is not None:
            self.overall.take(now)
            self._chat(chat, now).take(now)

    def retry_after(self, chat: Chat | None, until: float, now: float) -> None:
        """Telegram said 429 until ``until``: for that chat only, or for all if it named none."""
        if chat is None:
            self.paused_until = max(self.paused_until, until)
        else:
            limits = self._chat(chat, now)
            limits.held_until = max(limits.held_until, until)

    def __len__(self) -> int:
        return len(self._chats)
