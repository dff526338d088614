"""The territory file: the sample loads, and every mistake names its exact field."""

from __future__ import annotations

import tomllib
from datetime import date
from importlib import resources
from typing import Any

import pytest

from booking_core.network import NetworkConfigError, Period, load_network, parse_network

SAMPLE = resources.files("booking_core").joinpath("sample_network.toml").read_text("utf-8")


def _dump(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_dump(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f'"{k}" = {_dump(v)}' for k, v in value.items()) + "}"
    raise TypeError(value)


def _toml(doc: dict[str, Any]) -> str:
    """Re-serialise a parsed network (tables of scalars, arrays of tables) for mutation tests."""
    lines = ["[network]"] + [f"{k} = {_dump(v)}" for k, v in doc["network"].items()]
    for centre in doc["centres"]:
        lines.append("[[centres]]")
        lines += [f"{k} = {_dump(v)}" for k, v in centre.items() if k != "rooms"]
        for room in centre.get("rooms", []):
            lines.append("[[centres.rooms]]")
            lines += [f"{k} = {_dump(v)}" for k, v in room.items()]
    return "\n".join(lines)


def _problems(mutate: Any) -> list[str]:
    doc = tomllib.loads(SAMPLE)
    mutate(doc)
    with pytest.raises(NetworkConfigError) as exc:
        parse_network(_toml(doc), "test.toml")
    return exc.value.problems


def test_sample_network_describes_the_five_centres() -> None:
    network = load_network()
    assert list(network.centres) == [
        "aurillac",
        "montmurat",
        "cassaniouze",
        "figeac",
        "decazeville",
    ]
    assert network.tz.key == "Europe/Paris"
    assert network.centre("decazeville").spec.structure == "Chrysalis"
    assert "Decaz" in network.centre("decazeville").aliases
    assert "Maison de l'Emploi" in network.centre("figeac").aliases
    assert all(c.desks for c in network)
    assert "à confirmer" in SAMPLE.lower() or "to be confirmed" in SAMPLE.lower()
    assert all("desks" in c.to_confirm for c in network), "a field scripts can read"


def test_round_trip_of_the_test_serialiser() -> None:
    assert (
        parse_network(_toml(tomllib.loads(SAMPLE))).centres.keys() == load_network().centres.keys()
    )


def test_public_holidays_close_every_centre() -> None:
    network = load_network()
    for day in (
        date(2027, 5, 1),
        date(2027, 7, 14),
        date(2027, 11, 11),
        date(2027, 3, 29),
    ):  # Easter Monday
        assert all(c.open_halves(day) == () for c in network), day
    assert network.centre("figeac").holiday_name(date(2027, 7, 14))


def test_weekly_opening_and_half_days() -> None:
    montmurat = load_network().centre("montmurat")
    assert montmurat.open_halves(date(2026, 12, 9)) == (Period.MORNING,)  # Wednesday
    assert montmurat.open_halves(date(2026, 12, 10)) == (Period.MORNING, Period.AFTERNOON)
    assert montmurat.open_halves(date(2026, 12, 13)) == ()  # Sunday


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["centres"][3].update(morning="8h30-12h"), "centres[3](figeac).morning"),
        (lambda d: d["centres"][3].update(afternoon="17:00-13:00"), "centres[3](figeac).afternoon"),
        (lambda d: d["centres"][0].update(opening={"lun": "day"}), "centres[0](aurillac).opening"),
        (
            lambda d: d["centres"][0].update(opening={"mon": "all"}),
            "centres[0](aurillac).opening.mon",
        ),
        (
            lambda d: d["centres"][1].update(closures=["2026-12-24", "2026-02-30"]),
            "centres[1](montmurat).closures[1]",
        ),
        (lambda d: d["centres"][1].update(desks=-2), "centres[1](montmurat).desks"),
        (lambda d: d["centres"][2].update(latitude=123.0), "centres[2](cassaniouze).latitude"),
        (lambda d: d["centres"][2].pop("address"), "centres[2](cassaniouze).address"),
        (lambda d: d["centres"][2].update(adress="x"), "centres[2](cassaniouze).adress"),
        (
            lambda d: d["centres"][4]["rooms"][0].update(capacity=0),
            "centres[4](decazeville).rooms[0](salle-reunion).capacity",
        ),
        (lambda d: d["centres"][4].update(id="Decaz ville"), "centres[4](Decaz ville).id"),
        (lambda d: d["network"].update(timezone="Europe/Figeac"), "network.timezone"),
        (lambda d: d["network"].update(holidays_country="XX"), "network"),
        (lambda d: d["network"].update(booking_window_days=0), "network.booking_window_days"),
        (lambda d: d["centres"][1].update(id="aurillac"), "centres[1](aurillac).id"),
        (
            lambda d: d["centres"][1].update(aliases=["Montmurat", "Decaz"]),
            "centres[4](decazeville).aliases[1]",  # the second to claim it
        ),
        (
            lambda d: d["centres"][0].update(to_confirm=["desks", "dekss"]),
            "centres[0](aurillac).to_confirm[1]",
        ),
    ],
)
def test_each_mistake_names_its_field(mutate: Any, expected: str) -> None:
    problems = _problems(mutate)
    assert any(p.startswith(f"{expected}:") for p in problems), problems


def test_a_name_claimed_twice_points_at_both() -> None:
    [problem] = _problems(lambda d: d["centres"][1].update(aliases=["Montmurat", "Decaz"]))
    assert problem == (
        "centres[4](decazeville).aliases[1]: 'Decaz' already names 'montmurat'"
        " (centres[1].aliases[1])"
    )


def test_not_toml_and_missing_file() -> None:
    with pytest.raises(NetworkConfigError, match="not valid TOML"):
        parse_network("[network\nname=", "broken.toml")
    with pytest.raises(NetworkConfigError, match="cannot read"):
        load_network("/nonexistent/network.toml")
