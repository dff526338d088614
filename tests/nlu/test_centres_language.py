"""Centres come from the network file; the language is detected when not chosen.

A second, made-up territory proves that no place name lives in the code: its centres are
found by name, alias, host structure and commune, with the same tolerance to typos.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from booking_core.network import Network, parse_network
from handlers.nlu import parse

NOW = datetime(2026, 12, 3, 10, 0)

OTHER_TERRITORY = """
[network]
name = "Réseau des tiers-lieux du Morvan"
timezone = "Europe/Paris"
default_language = "fr"

[[centres]]
id = "chateau"
name = "Tiers-lieu de Château-Chinon"
structure = "La Fabrique"
aliases = ["Château-Chinon", "Chateau", "la Fab"]
address = "1 rue du Bourg, 58120 Château-Chinon"
commune = "Château-Chinon"
department = "Nièvre (58)"
latitude = 47.06
longitude = 3.93
morning = "09:00-12:00"
afternoon = "13:00-18:00"
opening = { mon = "day", tue = "day", wed = "day", thu = "day", fri = "day" }
desks = 5

[[centres]]
id = "saulieu"
name = "Espace de coworking de Saulieu"
aliases = ["Saulieu", "coworking de Saulieu"]
address = "2 place du Marché, 21210 Saulieu"
commune = "Saulieu"
department = "Côte-d'Or (21)"
latitude = 47.28
longitude = 4.23
morning = "09:00-12:00"
afternoon = "13:00-18:00"
opening = { mon = "day", tue = "day", thu = "day", fri = "day" }
desks = 3
"""


@pytest.fixture(scope="module")
def morvan() -> Network:
    return parse_network(OTHER_TERRITORY, "morvan.toml")


@pytest.mark.parametrize(
    ("text", "centre"),
    [
        ("un bureau à Château-Chinon demain", "chateau"),
        ("un bureau a chateau chinon demain", "chateau"),
        ("un bureau à la Fabrique demain", "chateau"),
        ("un bureau à la Fab demain", "chateau"),
        ("un bureau à Chateau-Chinnon demain", "chateau"),
        ("un bureau à SAULIEU demain", "saulieu"),
        ("un bureau à Saulieux demain", "saulieu"),
        ("un bureau au coworking de Saulieu demain", "saulieu"),
        # the sample network's places mean nothing here
        ("un bureau à Figeac demain", None),
        ("un bureau à Aurillac demain", None),
    ],
)
def test_centres_come_from_the_network_file(morvan: Network, text: str, centre: str | None) -> None:
    assert parse(text, NOW, "fr", morvan).centre == centre


@pytest.mark.parametrize(
    ("text", "centre"),
    [
        ("bureau à Figeac", "figeac"),
        ("bureau à figeak", "figeac"),
        ("bureau à Fijeac", "figeac"),
        ("bureau à Orillac", "aurillac"),
        ("bureau à Aurrillac", "aurillac"),
        ("bureau à Cassaniouse", "cassaniouze"),
        ("bureau à Montmurrat", "montmurat"),
        ("bureau à Decazevile", "decazeville"),
        ("bureau à Decaz", "decazeville"),
        ("bureau à la pépinière", "decazeville"),
        ("bureau à la pepiniere", "decazeville"),
        ("bureau chez Chrysalis", "decazeville"),
        ("bureau à l'incubateur Chrysalis", "decazeville"),
        ("bureau à la Maison de l'Emploi", "figeac"),
        ("bureau à la maison de lemploi", "figeac"),
        ("bureau MDE Figeac", "figeac"),
        ("bureau au Télécentre d'Aurillac", "aurillac"),
        # ordinary words near a short alias are not places
        ("bureau décalé à demain", None),
        ("bureau figé demain", None),
        ("emploi du conjoint", None),
        ("réserver un bureau", None),
    ],
)
def test_sample_network_names_aliases_and_typos(
    nlu_network: Network, text: str, centre: str | None
) -> None:
    assert parse(text, NOW, "fr", nlu_network).centre == centre


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("réserver un bureau à Figeac jeudi", "fr"),
        ("reserver bureau figeac demain aprem", "fr"),
        ("bonjour", "fr"),
        ("Figeac jeudi", "fr"),
        ("Figeac 14h", "fr"),  # nothing tips it: the network's default language
        ("annule ma résa", "fr"),
        ("Book a desk in Figeac tomorrow morning", "en"),
        ("cancel my booking on Friday", "en"),
        ("show my bookings", "en"),
        ("hello", "en"),
        ("is there a free desk in Decazeville on Wednesday?", "en"),
        ("what is a telecentre?", "en"),
    ],
)
def test_language_is_detected_without_a_hint(
    nlu_network: Network, text: str, language: str
) -> None:
    assert parse(text, NOW, None, nlu_network).language == language


def test_a_chosen_language_is_kept(nlu_network: Network) -> None:
    assert parse("Book a desk in Figeac", NOW, "fr", nlu_network).language == "fr"
    assert parse("réserver à Figeac", NOW, "en", nlu_network).language == "en"
    assert parse("réserver à Figeac", NOW, "de", nlu_network).language == "fr"


@pytest.mark.parametrize(
    ("text", "language", "sure"),
    [
        # one word that says it: greetings, yes and no, thanks, calendar words
        ("hi", "en", True),
        ("Hello!", "en", True),
        ("thanks", "en", True),
        ("yes", "en", True),
        ("no", "en", True),
        ("tomorrow?", "en", True),
        ("oui", "fr", True),
        ("non", "fr", True),
        ("merci", "fr", True),
        ("salut", "fr", True),
        ("jeudi", "fr", True),
        ("journée", "fr", True),
        ("un bureau pour demain", "fr", True),
        ("can I book a desk on Friday?", "en", True),
        ("**urgent** can I book a desk?", "en", True),
        ("hello; is there a desk?", "en", True),
        # no evidence, or too little to switch a reply language on
        ("'; DROP TABLE bookings; --", None, False),
        ("SELECT * FROM users WHERE 1=1", None, False),
        ("<script>alert(1)</script>", None, False),
        ("🙂👍", None, False),
        ("ok", None, False),
        ("14", None, False),
        ("12/12", None, False),
        ("Figeac", None, False),
        ("desk", None, False),
        ("je voudrais book the desk", None, False),
        # asking for someone, or a command's own words, say it too
        ("find an accountant", "en", True),
        ("need a plumber", "en", True),
        ("looking for an illustrator", "en", True),
        ("anyone who does web design?", "en", True),
        ("any photographers nearby?", "en", True),
        ("/directory join", "en", True),
        ("/directory leave", "en", True),
        ("the Figeac one", "en", True),
        ("cherche une traductrice", "fr", True),
        ("trouver un électricien", "fr", True),
        ("besoin d'un photographe", "fr", True),
        ("/annuaire rejoindre", "fr", True),
        ("celle d'Aurillac", "fr", True),
    ],
)
def test_language_says_whether_it_is_sure(
    nlu_network: Network, text: str, language: str | None, sure: bool
) -> None:
    understood = parse(text, NOW, None, nlu_network)
    assert understood.language_sure is sure
    if language is not None:
        assert understood.language == language
    assert understood.as_json()["language_sure"] is sure


def test_a_chosen_language_is_sure(nlu_network: Network) -> None:
    assert parse("14", NOW, "en", nlu_network).language_sure


@pytest.mark.parametrize(
    ("text", "centre"),
    [
        ("celle de Figeac", "figeac"),
        ("celle d'Aurillac", "aurillac"),
        ("celui de Cassaniouse", "cassaniouze"),
        ("celle de la pépinière", "decazeville"),
        ("la résa de Montmurat", "montmurat"),
        ("the Aurillac one", "aurillac"),
        ("the one in Figeac", "figeac"),
        ("the Decazeville booking", "decazeville"),
    ],
)
def test_which_booking_answered_by_its_centre(nlu_network: Network, text: str, centre: str) -> None:
    """An answer to "which booking?" names the centre; the dialogue picks the booking."""
    assert parse(text, NOW, None, nlu_network).centre == centre
