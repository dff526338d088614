"""Fixtures for the language-understanding tests: the sample network and a parse helper.

The helper compares only the keys a case states, as the scoring script does, so a table
row says exactly what it is about and nothing more.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from booking_core.network import Network, load_network
from handlers.nlu import parse

Understand = Callable[[str, str, str | None], dict[str, Any]]


@pytest.fixture(scope="session")
def nlu_network() -> Network:
    return load_network()


@pytest.fixture(scope="session")
def understand(nlu_network: Network) -> Understand:
    def run(text: str, now: str, lang: str | None) -> dict[str, Any]:
        return parse(text, datetime.fromisoformat(now), lang, nlu_network).as_json()

    return run


def check(result: dict[str, Any], expected: dict[str, Any]) -> None:
    """Assert the stated keys only, and show every difference at once."""
    diff = {k: (v, result.get(k)) for k, v in expected.items() if result.get(k) != v}
    assert not diff, f"(expected, got): {diff}"
