"""The article files: they parse, cover every topic in both languages, cite their sources,
and leave every centre-specific figure to the network file."""

from __future__ import annotations

import re
import shutil
from datetime import date
from importlib import resources
from pathlib import Path
from urllib.parse import urlparse

import pytest

from booking_core.network import Network, parse_network
from handlers.faq import TOPICS, KnowledgeBaseError, load_kb
from handlers.faq.kb import BODY_FIELDS, FACT_KINDS, default_kb, parse_article, placeholders
from handlers.faq.render import body_values, render_article, spell_date
from tests.faq.conftest import NOW

ARTICLES = Path(str(resources.files("handlers.faq").joinpath("articles")))
CHECKED = date(2026, 12, 3)
# Articles about the law and people's rights must cite an official page.
LEGAL = {
    "telework_rights",
    "public_sector",
    "work_accident",
    "allowance",
    "eligibility",
    "spouse_employment",
    "privacy",
    "skills_directory",
}
OFFICIAL = (
    "legifrance.gouv.fr",
    "service-public.fr",
    "travail-emploi.gouv.fr",
    "fonction-publique.gouv.fr",
    "ameli.fr",
    "cnil.fr",
    "urssaf.fr",
    "boss.gouv.fr",
    "francetravail.fr",
    "eur-lex.europa.eu",
)


def article_files() -> list[Path]:
    return sorted(p for p in ARTICLES.glob("*.md") if p.name != "README.md")


@pytest.mark.parametrize("path", article_files(), ids=lambda p: p.name)
def test_each_article_file_parses(path: Path) -> None:
    article = parse_article(path.read_text("utf-8"), path.name)
    assert f"{article.topic}.{article.lang}.md" == path.name


def test_every_topic_has_an_article_in_french_and_in_english() -> None:
    kb = load_kb()
    assert set(kb.articles) == {(t, lang) for t in TOPICS for lang in ("fr", "en")}
    assert len(article_files()) == 2 * len(TOPICS) == 30


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("topic", TOPICS)
def test_every_article_has_sources_and_a_checked_date(topic: str, lang: str) -> None:
    article = default_kb().article(topic, lang)
    assert article.checked == CHECKED
    assert article.sources
    for source in article.sources:
        assert source.title.strip()
        if source.url:
            assert urlparse(source.url).scheme in {"https", "mailto"}
    if topic in LEGAL:
        hosts = [urlparse(s.url).hostname or "" for s in article.sources if s.url]
        assert any(h == d or h.endswith("." + d) for h in hosts for d in OFFICIAL), hosts


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("topic", TOPICS)
def test_every_article_renders_with_the_network_values(
    topic: str, lang: str, faq_network: Network
) -> None:
    kb = default_kb()
    article, strings = kb.article(topic, lang), kb.strings[lang]
    assert placeholders(article.body) <= BODY_FIELDS
    text = render_article(article, strings, faq_network, None, NOW.replace(tzinfo=faq_network.tz))
    assert "{" not in text
    assert "}" not in text
    assert article.title in text
    values = body_values(faq_network, strings)
    for name in placeholders(article.body):
        assert str(values[name]) in text


def test_centre_facts_live_in_the_network_file_not_in_articles(faq_network: Network) -> None:
    """Prices, hours and addresses are placeholders to confirm: one place to change them."""
    bodies = " ".join(a.body for a in default_kb().articles.values())
    for centre in faq_network:
        spec = centre.spec
        for value in (spec.address, spec.morning, spec.afternoon, *spec.prices):
            assert value not in bodies
    assert not re.search(r"\d+\s?€\s*(?:la|par|/)\s*(?:demi|journ|mois|half|day|month)", bodies)
    assert {a.facts for a in default_kb().articles.values()} - {None} == set(FACT_KINDS)


def _copy_articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    shutil.copytree(ARTICLES, folder)
    return folder


def test_a_broken_article_is_reported_with_its_file(tmp_path: Path) -> None:
    folder = _copy_articles(tmp_path)
    path = folder / "pricing.en.md"
    path.write_text(path.read_text("utf-8").replace("checked = 2026-12-03\n", ""), "utf-8")
    (folder / "access.fr.md").write_text("no front matter\n", "utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_kb(folder)
    problems = " | ".join(caught.value.problems)
    assert "pricing.en.md: checked" in problems
    assert "access.fr.md: must start with a '+++' line" in problems


def test_unknown_keys_placeholders_and_missing_sources_are_errors(tmp_path: Path) -> None:
    folder = _copy_articles(tmp_path)
    path = folder / "privacy.en.md"
    text = path.read_text("utf-8")
    text = text.replace('topic = "privacy"', 'topic = "privacy"\nauthor = "me"')
    text = text.replace("{contacts}", "{phone_number}")
    path.write_text(text, "utf-8")
    moved = folder / "allowance.fr.md"
    moved.rename(folder / "allowance.fr.txt")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_kb(folder)
    problems = " | ".join(caught.value.problems)
    assert "privacy.en.md: author: Extra inputs are not permitted" in problems
    assert "phone_number" in problems
    assert "missing article allowance.fr.md" in problems


def test_a_file_named_after_another_topic_is_refused() -> None:
    text = (ARTICLES / "pricing.fr.md").read_text("utf-8")
    with pytest.raises(ValueError, match=r"pricing\.fr\.md"):
        parse_article(text, "pricing.en.md")


@pytest.mark.parametrize(
    ("lang", "years", "days", "expected"),
    [
        ("fr", 1, 7, ("7 jours sans échange", "pendant 1 an est anonymisé")),
        ("fr", 5, 1, ("1 jour sans échange", "pendant 5 ans est anonymisé")),
        ("en", 1, 90, ("after 90 days without", "for 1 year is anonymised")),
    ],
)
def test_retention_periods_come_from_the_network_file(
    lang: str, years: int, days: int, expected: tuple[str, ...]
) -> None:
    """ "How long do you keep my messages?" gets the territory's own figures."""
    sample = resources.files("booking_core").joinpath("sample_network.toml").read_text("utf-8")
    text = sample.replace("inactive_years = 3 ", f"inactive_years = {years} ").replace(
        "conversation_days = 30 ", f"conversation_days = {days} "
    )
    assert text != sample
    network = parse_network(text, "test.toml")
    kb = default_kb()
    answer = render_article(
        kb.article("privacy", lang), kb.strings[lang], network, None, NOW.replace(tzinfo=network.tz)
    )
    for part in expected:
        assert part in answer


@pytest.mark.parametrize("topic", ["locations", "access", "pricing"])
def test_an_english_answer_has_the_network_files_notes_in_english(
    topic: str, faq_network: Network
) -> None:
    kb = default_kb()
    moment = NOW.replace(tzinfo=faq_network.tz)
    english = render_article(kb.article(topic, "en"), kb.strings["en"], faq_network, None, moment)
    french = render_article(kb.article(topic, "fr"), kb.strings["fr"], faq_network, None, moment)
    for note in ("à confirmer", "demi-journée", "offerte"):
        assert note not in english
    if topic != "pricing":
        assert "(address to be confirmed)" in english
        assert "(adresse à confirmer)" in french
    for centre in faq_network:
        assert centre.spec.commune in english  # the postal address itself stays as written


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_who_may_come_states_only_what_a_source_supports(lang: str) -> None:
    """Students, interns, job seekers: no source says the centres take them, so the article
    sends them to the centre instead of promising access."""
    article = default_kb().article("eligibility", lang)
    body = article.body.lower()
    assert "{contacts}" in body
    for promise in ("ouverts à toute personne", "open to anyone", "peuvent demander une pièce",
                    "may ask for an id"):  # fmt: skip
        assert promise not in body


@pytest.mark.parametrize(
    ("lang", "day", "spelt"),
    [
        ("fr", date(2027, 1, 1), "1er janvier 2027"),
        ("fr", date(2026, 12, 24), "24 décembre 2026"),
        ("fr", date(2027, 3, 2), "2 mars 2027"),
        ("en", date(2027, 1, 1), "1 January 2027"),
    ],
)
def test_dates_are_spelt_as_the_language_writes_them(lang: str, day: date, spelt: str) -> None:
    assert spell_date(day, default_kb().strings[lang]) == spelt


def test_each_cited_article_of_law_has_its_own_link() -> None:
    """A source titled "articles L1222-9 to L1222-11" linking to the first only would send
    the reader to one article of three: each article gets its own source."""
    for article in default_kb().articles.values():
        for source in article.sources:
            assert not re.search(r"\bL\d{4}-\d+\s+(?:à|to)\s+L\d{4}", source.title), source.title
        urls = [s.url for s in article.sources if s.url]
        assert len(urls) == len(set(urls)), article.topic
