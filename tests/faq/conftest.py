"""Fixtures for the knowledge-base tests: the sample network, the FAQ bound to it, and the
labelled phrasings of ``questions.jsonl`` (the same format as ``shared/nlu/faq_dev.jsonl``,
so the scoring script runs on it too)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from booking_core.network import Network, load_network
from handlers.faq import Faq, FaqAnswer

QUESTIONS = Path(__file__).with_name("questions.jsonl")
NOW = datetime.fromisoformat("2026-12-03T10:00")

Ask = Callable[..., FaqAnswer]


def load_questions() -> list[dict[str, Any]]:
    return [json.loads(line) for line in QUESTIONS.read_text("utf-8").splitlines() if line]


@pytest.fixture(scope="session")
def faq_network() -> Network:
    return load_network()


@pytest.fixture(scope="session")
def faq(faq_network: Network) -> Faq:
    return Faq(faq_network)


@pytest.fixture(scope="session")
def ask(faq: Faq) -> Ask:
    def run(text: str, lang: str | None = None, now: datetime = NOW) -> FaqAnswer:
        return faq.answer(text, lang, now)

    return run
