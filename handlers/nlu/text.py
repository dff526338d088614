"""A folded message whose already-understood parts can be blanked out.

Each extractor reads the text, then masks what it took so that the next one cannot read
the same characters a second time ("14h" is a time, so it can no longer be the 14th).
Masking keeps positions, so spans found by different extractors stay comparable.
"""

from __future__ import annotations

MASK = "\x00"


class Text:
    __slots__ = ("_chars",)

    def __init__(self, text: str) -> None:
        self._chars = list(text)

    def __str__(self) -> str:
        return "".join(self._chars)

    def take(self, start: int, end: int) -> None:
        self._chars[start:end] = MASK * (end - start)

    def before(self, start: int, width: int = 40) -> str:
        """The text just before ``start`` (masked parts included), for prefix checks."""
        return "".join(self._chars[max(0, start - width) : start])

    def after(self, end: int, width: int = 40) -> str:
        return "".join(self._chars[end : end + width])
