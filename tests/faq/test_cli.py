"""`telecentre faq`: one question, or the JSON-lines batch contract of the scoring script."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from bot.cli import main


def test_faq_one_question(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["faq", "quels sont les horaires d'ouverture de Figeac ?", "--lang", "fr"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (out["topic"], out["centre"], out["language"]) == ("opening_hours", "figeac", "fr")
    assert out["sources"]


def test_faq_without_text_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["faq"]) == 2
    assert "--jsonl" in capsys.readouterr().err


def test_faq_batch_keeps_order_and_ids(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        {"id": "a", "text": "c'est quoi un télécentre ?", "lang": "fr"},
        {"id": 2, "text": "How do I cancel a booking?", "now": "2026-12-03T10:00"},
        {"id": "off", "text": "recette de la tarte"},
        {"id": "bad", "text": None},
    ]
    feed = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n\n[1]\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(feed))
    assert main(["faq", "--jsonl"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["id"] for o in out] == ["a", 2, "off", "bad", None]
    assert [o["topic"] for o in out] == ["network", "booking_howto", None, None, None]
    assert out[1]["language"] == "en"
    assert all(o.keys() >= {"id", "topic", "centre", "answer", "sources"} for o in out[:3])
    assert "error" in out[3]
    assert "error" in out[4]


def test_faq_batch_through_the_installed_command() -> None:
    feed = json.dumps({"id": "x", "text": "parking à Orillac ?", "now": "2026-12-03T10:00"})
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "faq", "--jsonl"],
        input=feed + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    out = json.loads(done.stdout)
    assert (out["id"], out["topic"], out["centre"]) == ("x", "access", "aurillac")


def test_faq_loads_no_database_stack() -> None:
    """A cold `telecentre faq` pays for the knowledge base only."""
    probe = (
        "import sys, io, contextlib\n"
        "from bot.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['faq', 'combien coûte une journée ?'])\n"
        "heavy = ('sqlalchemy', 'alembic', 'asyncio', 'numpy')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"
