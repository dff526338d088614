"""`telecentre parse`: one message, or the JSON-lines batch contract, and a fast start."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from bot.cli import main

CONTRACT_KEYS = {
    "intent",
    "centre",
    "date",
    "end_date",
    "period",
    "start",
    "end",
    "count",
    "resource",
    "recurrence",
}


def test_parse_one_message(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["parse", "réserver à Figeac jeudi matin", "--now", "2026-12-03T10:00"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out.keys() >= CONTRACT_KEYS
    assert (out["intent"], out["centre"], out["date"], out["period"]) == (
        "book",
        "figeac",
        "2026-12-10",
        "morning",
    )
    assert out["language"] == "fr"


def test_parse_takes_the_global_now_and_a_language(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--now", "2027-03-28T10:00", "parse", "Figeac tomorrow", "--lang", "en"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (out["date"], out["language"]) == ("2027-03-29", "en")


def test_parse_without_text_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse"]) == 2
    assert "--jsonl" in capsys.readouterr().err


def test_jsonl_batch_keeps_order_and_ids(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        {"id": "b", "text": "annuler demain", "now": "2026-12-03T10:00", "lang": "fr"},
        {"id": 7, "text": "Book Figeac on Monday", "now": "2026-12-03T10:00"},
        {"id": "no-now", "text": "bonjour"},
        {"id": "bad-text", "text": 12},
    ]
    feed = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n\nnot json\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(feed))
    assert main(["parse", "--jsonl"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["id"] for o in out] == ["b", 7, "no-now", "bad-text", None]
    assert (out[0]["intent"], out[0]["date"]) == ("cancel", "2026-12-04")
    assert (out[1]["date"], out[1]["language"]) == ("2026-12-07", "en")
    assert out[2]["intent"] == "greeting"
    assert "error" in out[3]
    assert "error" in out[4]
    assert all(o.keys() >= CONTRACT_KEYS for o in out[:3])


def test_batch_through_the_installed_command() -> None:
    feed = json.dumps({"id": "x", "text": "bureau à Orillac vendredi", "now": "2026-12-03T10:00"})
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "parse", "--jsonl"],
        input=feed + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    out = json.loads(done.stdout)
    assert (out["id"], out["centre"], out["date"]) == ("x", "aurillac", "2026-12-04")


def test_dateparser_and_the_database_stack_load_only_when_needed() -> None:
    """A cold `telecentre parse` must not pay for what the message does not need."""
    probe = (
        "import sys, io, contextlib\n"
        "from bot.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['parse', 'réserver à Figeac jeudi matin'])\n"
        "print(sorted(m for m in ('dateparser', 'sqlalchemy', 'alembic', 'asyncio')"
        " if m in sys.modules))\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['parse', 'réserver à Figeac le 12 janvier'])\n"
        "print('dateparser' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split("\n")[:2] == ["[]", "True"]
