"""The log handler `telecentre run` installs never writes a secret, tracebacks included."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot import logs

TOKEN = "123456:SECRET-token-in-a-traceback"
PASSWORD = "matrix-password-value"


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    logs.configure(secrets=[TOKEN, PASSWORD, "short"])
    buffer = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    try:
        yield buffer
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def _fail(url: str) -> None:
    raise RuntimeError(f"request to {url} failed")


def test_a_traceback_holding_the_token_is_redacted(output: io.StringIO) -> None:
    log = logging.getLogger("bot.test")
    try:
        _fail(f"https://api.telegram.org/bot{TOKEN}/getMe")
    except RuntimeError:
        log.exception("telegram: the request failed")
    log.warning("login with %s", PASSWORD, stack_info=True)
    text = output.getvalue()
    assert "Traceback (most recent call last)" in text
    assert "RuntimeError: request to https://api.telegram.org/bot***/getMe failed" in text
    assert "login with ***" in text
    assert TOKEN not in text
    assert PASSWORD not in text


def test_the_cached_traceback_is_scrubbed_for_other_handlers(output: io.StringIO) -> None:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    root = logging.getLogger()
    root.addHandler(Keep())
    try:
        _fail(TOKEN)
    except RuntimeError:
        logging.getLogger("bot.test").exception("failed")
    assert records
    assert TOKEN not in (records[0].exc_text or "")
    assert TOKEN not in output.getvalue()


def test_short_values_are_not_treated_as_secrets(output: io.StringIO) -> None:
    logging.getLogger("bot.test").warning("a short word stays")
    assert "a short word stays" in output.getvalue()


def test_a_secret_learnt_at_run_time_is_redacted_from_then_on(output: io.StringIO) -> None:
    session = "syt_Ym90_session_token_from_a_login"
    logs.add_secret(session)
    logging.getLogger("bot.test").warning("sync with %s", session)
    assert session not in output.getvalue()
    assert "sync with ***" in output.getvalue()
