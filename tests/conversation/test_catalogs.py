"""Every sentence the bot says is in the catalogs, and English is complete."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from handlers.i18n import Catalogs, Msg, locales_dir, t, tn

ROOT = Path(__file__).resolve().parents[2]


def _ids(catalog: Iterable[Message]) -> set[str | tuple[str, ...]]:
    """Whole ids: a plural is its singular and plural, so a change to either is seen."""
    return {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalog if m.id}


def _po(lang: str) -> set[str | tuple[str, ...]]:
    with (locales_dir() / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return _ids(read_po(handle))


def test_catalogs_are_not_stale(tmp_path: Path) -> None:
    """Extracting again finds exactly the sentences the catalogs hold (run `make locales`)."""
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(
        [str(pybabel), "-q", "extract", "--no-location", "-k", "t", "-k", "tn:1,2",
         "-o", str(pot), "handlers", "bot"],
        cwd=ROOT, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    with pot.open("rb") as handle:
        source = _ids(read_po(handle))
    assert source, "nothing extracted: the extraction keywords changed?"
    for lang in ("fr", "en"):
        assert _po(lang) == source, f"{lang} catalog is stale: run `make locales`"


def test_english_is_complete_and_keeps_placeholders() -> None:
    with (locales_dir() / "en" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    import re

    names = re.compile(r"\{(\w+)\}")
    for message in catalog:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strs = [message.string] if isinstance(message.string, str) else list(message.string or [])
        assert all(strs), f"untranslated: {ids[0]!r}"
        assert not message.fuzzy, f"fuzzy: {ids[0]!r}"
        for text in strs:
            assert set(names.findall(text)) <= set(names.findall(" ".join(ids))), ids[0]


def test_each_reply_is_rendered_in_its_readers_language() -> None:
    catalogs = Catalogs()
    msg: Msg = t("Dans quel télécentre ?")
    assert catalogs.render(msg, "fr") == "Dans quel télécentre ?"
    assert catalogs.render(msg, "en") != catalogs.render(msg, "fr")
    plural = tn("Votre réservation à venir :", "Vos {n} réservations à venir :", 3)
    assert "3" in catalogs.render(plural, "en")
    assert catalogs.render(msg, "de") == "Dans quel télécentre ?", "unknown: the source language"


def test_no_sentence_bypasses_the_catalogs() -> None:
    """A reply built from a bare string literal would be said in one language to everyone."""
    found = []
    for path in [*ROOT.joinpath("handlers").rglob("*.py"), *ROOT.joinpath("bot").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            first = node.args[0]
            said = first.value if isinstance(first, ast.Constant) else None
            if name in ("Out", "Reply") and isinstance(said, str) and said.strip():
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, f"sentences outside t()/tn(): {found}"
