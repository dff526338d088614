"""`telecentre impact`, `export bookings` and `digest` on an embedded database."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

import pytest

from booking_core.db import create_engine, database_url, upgrade
from booking_core.network import load_network
from booking_core.storage import Storage
from bot.cli import main
from tests.reports.data import small_dataset

NOW = ["--now", "2026-12-03T10:00"]
USERS = {f"u{n}" for n in range(1, 13)}


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A migrated SQLite file holding the hand-computed dataset, as $DATABASE_URL."""
    path = tmp_path / "reports.db"

    async def fill() -> None:
        engine = create_engine(database_url(f"sqlite:///{path}"))
        await upgrade(engine)
        storage = Storage(engine)
        await small_dataset(load_network()).insert(storage)
        await storage.dispose()

    asyncio.run(fill())
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.delenv("TELECENTRE_NETWORK", raising=False)
    return path


def test_impact_prints_and_writes_csv(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "impact.csv"
    args = ["impact", "--from", "2026-11-01", "--to", "2026-12-31", "--csv", str(out)]
    assert main([*NOW, *args]) == 0
    text = capsys.readouterr().out
    assert "Impact du réseau du 2026-11-01 au 2026-12-31" in text
    assert "2026-11 : 10 réservations honorées, 6 personnes, 9 déplacements évités, 236 km" in text
    assert "dont 2 déplacements sans distance déclarée jusqu'au télécentre" in text
    assert (
        "toute la période : 13 réservations honorées, 7 personnes, 11 déplacements évités" in text
    )
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["centre"], r["month"]) for r in rows] == [
        ("figeac", "2026-11"), ("figeac", "2026-12"), ("montmurat", "2026-11"), ("*", "*"),
    ]  # fmt: skip
    figeac = rows[0]
    assert (figeac["trips"], figeac["trips_with_km"], figeac["trips_unknown_km"]) == ("9", "7", "2")
    assert figeac["trips_centre_km_unknown"] == "2"
    assert float(figeac["km"]) == 236.0
    assert float(figeac["hours"]) == pytest.approx(236 / 60, abs=0.01)
    assert float(figeac["co2_kg"]) == pytest.approx(
        236 * float(figeac["emission_kg_per_km"]), abs=0.01
    )
    assert figeac["emission_kg_per_km"] == "0.2176"
    assert "Impact CO2 (ADEME), voiture thermique" in figeac["emission_source"]
    assert float(rows[-1]["km"]) == 281.0


def test_impact_of_one_centre_in_english(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["impact", "--from", "2026-11-01", "--to", "2026-11-30", "--centre", "montmurat"]
    assert main([*NOW, *args, "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert "Impact of Télécentre de Montmurat from 2026-11-01 to 2026-11-30" in text
    assert "2026-11: 1 booking attended, 1 person, 1 trip avoided, 50 km" in text


def test_impact_refuses_bad_input(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["impact", "--from", "2026-12-31", "--to", "2026-11-01"]) == 2
    assert "before --from" in capsys.readouterr().err
    assert main(["impact", "--from", "2026-11-31", "--to", "2026-12-01"]) == 2
    assert "invalid_date" in capsys.readouterr().err
    assert main(["impact", "--from", "2026-11-01", "--to", "2026-12-01", "--centre", "paris"]) == 2
    assert "unknown_centre" in capsys.readouterr().err


def test_export_without_names_holds_no_user_id(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bookings.csv"
    args = ["export", "bookings", "--from", "2026-11-01", "--to", "2026-12-31", "--csv", str(out)]
    assert main(args) == 0
    count = len(small_dataset(load_network()).bookings)
    assert f"{count} bookings written" in capsys.readouterr().out
    content = out.read_text(encoding="utf-8")
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == count
    assert all(row["user"].startswith("p-") for row in rows)
    cells = {cell for line in content.splitlines() for cell in line.split(",")}
    assert not cells & USERS, "no user id anywhere in the file"
    assert "channel" not in rows[0]
    by_user: dict[str, set[str]] = {}
    for row in rows:
        by_user.setdefault(row["user"], set()).add(row["id"])
    assert len(by_user) == 12, "one stable pseudonym per person"
    assert rows[0]["day"] == "2026-11-02"
    assert (rows[0]["start"], rows[0]["end"]) == ("08:30", "12:30")


def test_export_with_names(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "named.csv"
    args = ["export", "bookings", "--from", "2026-12-03", "--to", "2026-12-03", "--csv", str(out)]
    assert main([*args, "--with-names", "--centre", "figeac"]) == 0
    assert "(with user ids)" in capsys.readouterr().out
    with out.open(encoding="utf-8") as handle:
        assert [row["user"] for row in csv.DictReader(handle)] == ["u1", "u2", "u3", "u4", "u5"]


def test_digest_of_the_day(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*NOW, "digest", "--centre", "figeac"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Point du jeudi 3 décembre")
    assert "matin : 3 bureaux réservés sur 6 (50 %), 3 libres, 2 personnes en attente" in text
    assert "Non venus mercredi 2 décembre : non suivi (l'arrivée n'est pas signalée" in text
    assert main(["digest", "--date", "2026-12-04", "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert "Next opening, Monday 7 December" in text
    assert "Whole network" in text, "every centre without --centre"


def test_weekly_digest_and_chart(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chart = tmp_path / "week.png"
    assert main(["digest", "--date", "2026-11-30", "--week", "--chart", str(chart)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Bilan de la semaine du lundi 23 novembre au dimanche 29 novembre")
    assert "◦ vendredi 27 novembre : 100 %" in text
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
