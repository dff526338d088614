"""The general rules of the text pipeline and of ranking, each on a phrasing of its own:
how an unaccented "ou" is read, idioms made of stopwords, compound terms, a question that
only names a centre, typo correction towards a department, and ranking by coverage."""

from __future__ import annotations

import pytest

from booking_core.network import Network
from handlers.faq import Faq
from handlers.faq.kb import default_kb
from handlers.faq.search import Retriever
from handlers.faq.text import WHERE, Analyzer
from tests.faq.conftest import Ask


@pytest.fixture(scope="module")
def fr() -> Analyzer:
    return Analyzer("fr", default_kb().lexicon)


@pytest.fixture(scope="module")
def en() -> Analyzer:
    return Analyzer("en", default_kb().lexicon)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("ou se trouve le telecentre", True),
        ("le telecentre de figeac c est ou", True),
        ("c est ou exactement", True),
        ("c'est gratuit ou payant ?", False),
        ("le wifi ou la fibre ?", False),
    ],
)
def test_an_unaccented_ou_means_where_only_where_it_can(
    fr: Analyzer, text: str, where: bool
) -> None:
    assert (WHERE in fr.words(text)) is where


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        # "combien de X" counts things; "combien" alone asks a price.
        ("combien y a-t-il de postes ?", ["nombr", "post"]),
        ("c'est combien ?", ["combien"]),
        ("combien de temps ?", ["dure"]),
        # Verb forms the stemmer cannot join, and idioms made of stopwords.
        ("je viens en bus", ["ven", "itinerair", "bus"]),
        ("c'est pris en charge ?", ["pris", "charg"]),
        ("qui est derrière ?", ["ger"]),
        # Compound terms are one term: their halves are no topic's cue.
        ("tickets restaurant", ["titresrestaur"]),
        ("le code du travail", ["codedutravail"]),
        # Prepositions and politeness carry no topic.
        ("pourriez-vous m'indiquer une gare près du centre", ["gar", "centr"]),
    ],
)
def test_french_idioms_and_forms(fr: Analyzer, text: str, terms: list[str]) -> None:
    assert fr.terms(text) == terms


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("how many desks?", ["number", "desk"]),
        ("how long do you keep it?", ["durat", "keep"]),
        ("who is behind it?", ["run"]),
        ("can I work remotely?", ["teletravail"]),
        ("do I have to pay?", ["price"]),
        ("who pays?", ["reimburs"]),
    ],
)
def test_english_idioms_and_forms(en: Analyzer, text: str, terms: list[str]) -> None:
    assert en.terms(text) == terms


def test_a_department_is_corrected_within_one_edit_only(faq: Faq, faq_network: Network) -> None:
    retriever = Retriever(faq.kb, faq_network)
    assert retriever.correct(["cantall"], "fr") == ["cantal"]
    assert retriever.correct(["capital"], "fr") == ["capital"]
    assert retriever.correct(["orillac"], "fr") == ["aurillac"]


@pytest.mark.parametrize(
    ("text", "topic", "centre"),
    [
        # A question that only names a centre asks where it is.
        ("le télécentre de Figeac ?", "locations", "figeac"),
        ("vous avez un centre à Aurillac ?", "locations", "aurillac"),
        # "What is it" alone asks what the service is.
        ("c'est quoi ?", "network", None),
        ("vous êtes qui ?", "network", None),
        # The generic half of a compound is no cue: a restaurant table is not a meal voucher.
        ("comment réserver une table au restaurant ?", None, None),
        ("quelle est la météo ce week-end ?", None, None),
        # Of two articles scoring alike, the one explaining more of the question wins.
        ("I work for the French government, how many telework days?", "public_sector", None),
        # Paying as an obligation is a price; who pays is the employer's share.
        ("faut-il payer pour venir ?", "pricing", None),
        ("qui paie mon bureau au télécentre ?", "allowance", None),
        # "Who can" asks who may use the centres, unless it is about one's data.
        ("who can book a desk?", "eligibility", None),
        ("qui peut voir mes réservations ?", "privacy", None),
    ],
)
def test_general_rules_reach_the_right_article(
    ask: Ask, text: str, topic: str | None, centre: str | None
) -> None:
    answer = ask(text)
    assert (answer.topic, answer.centre) == (topic, centre)
