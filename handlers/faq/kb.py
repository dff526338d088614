"""The knowledge base as data: one Markdown file per topic and language, TOML front matter.

Articles are edited by people who check the law, not by programmers, so they live in
plain files under version control (``articles/``, described in its README) and are
validated strictly when loaded: an unknown key, a missing source or an unknown
placeholder is reported with the file's name instead of showing up later in a chat.
"""

from __future__ import annotations

import string
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from handlers.faq.text import LANGS, Lexicon

Topic = Literal[
    "network",
    "locations",
    "pricing",
    "opening_hours",
    "equipment",
    "booking_howto",
    "eligibility",
    "telework_rights",
    "public_sector",
    "work_accident",
    "allowance",
    "spouse_employment",
    "skills_directory",
    "privacy",
    "access",
]
TOPICS: tuple[str, ...] = get_args(Topic)
Lang = Literal["fr", "en"]
# Per-centre facts rendered from the network file at answer time, never written in articles.
Facts = Literal["locations", "pricing", "opening_hours", "equipment", "access"]
FACT_KINDS: tuple[Facts, ...] = ("locations", "pricing", "opening_hours", "equipment", "access")
# What an article body may refer to; the values come from the network file.
BODY_FIELDS = frozenset(
    {
        "network",
        "centres",
        "count",
        "structures",
        "contacts",
        "example",
        "inactive_years",
        "conversation_days",
    }
)
FRONT = "+++"


class KnowledgeBaseError(ValueError):
    """Article files that cannot be used, with every problem named by file."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    """Where a reader checks the article. Official pages carry their address; the network
    file (prices, hours, addresses) has none, and the answer then adds the centre's contact.
    """

    title: str = Field(min_length=3)
    url: str | None = Field(default=None, pattern=r"^(https://|mailto:)\S+$")


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


class Article(_Strict):
    topic: Topic
    lang: Lang
    title: str = Field(min_length=3)
    checked: date
    keywords: list[str] = Field(min_length=3)
    sources: list[Source] = Field(min_length=1)
    facts: Facts | None = None
    body: str = Field(min_length=40)

    @field_validator("body")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        try:
            unknown = placeholders(value) - BODY_FIELDS
        except ValueError as exc:
            raise ValueError(f"bad placeholder: {exc}") from exc
        if unknown:
            raise ValueError(
                f"unknown placeholder {sorted(unknown)[0]!r}; use {sorted(BODY_FIELDS)}"
            )
        return value


class Strings(_Strict):
    """The sentences the FAQ builds around articles, per language (``strings.toml``)."""

    locale: str  # for plural rules (Babel)
    fallback: str
    fallback_no_contact: str
    contact: str
    sources: str
    source: str
    checked: str
    date: str
    first_day: str = ""  # how the first of a month is written ("1er" in French)
    months: list[str] = Field(min_length=12, max_length=12)
    # A period of time by CLDR plural category ("one", "other"): "{n} an", "{n} ans".
    years: dict[str, str]
    days: dict[str, str]
    weekdays: list[str] = Field(min_length=7, max_length=7)
    list_sep: str
    list_and: str
    periods: dict[Literal["morning", "afternoon"], str]
    equipment: dict[str, str]
    # Words of the network file (written in its language) translated for this one.
    config_terms: dict[str, str] = {}
    heading_all: dict[Facts, str]
    facts: dict[Facts, str]
    rooms: str
    room: str
    schedule_day: str
    schedule_half: str
    closures: str
    closure_range: str
    closure_day: str
    holidays: str
    pricing_note: str
    no_prices: str
    no_equipment: str
    map: str


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    articles: dict[tuple[str, str], Article]
    strings: dict[str, Strings]
    lexicon: Lexicon

    def article(self, topic: str, lang: str) -> Article:
        return self.articles[(topic, lang)]


def split_front_matter(text: str) -> tuple[str, str]:
    """``+++`` TOML ``+++`` then the body, the convention of static site generators."""
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    if not lines or lines[0].strip() != FRONT:
        raise ValueError("must start with a '+++' line opening the TOML front matter")
    for end in range(1, len(lines)):
        if lines[end].strip() == FRONT:
            return "".join(lines[1:end]), "".join(lines[end + 1 :]).strip()
    raise ValueError("the front matter is not closed by a '+++' line")


def parse_article(text: str, name: str) -> Article:
    front, body = split_front_matter(text)
    meta: dict[str, Any] = tomllib.loads(front)
    article = Article.model_validate({**meta, "body": body})
    expected = f"{article.topic}.{article.lang}.md"
    if name != expected:
        raise ValueError(f"topic and lang say {expected!r}, the file is named {name!r}")
    return article


def _errors(exc: ValidationError) -> list[str]:
    return [f"{'.'.join(map(str, e['loc'])) or '(file)'}: {e['msg']}" for e in exc.errors()]


def load_kb(folder: Traversable | Path | None = None) -> KnowledgeBase:
    """Read and validate every article, the sentences and the lexicon of a folder."""
    root: Traversable = folder if folder is not None else _default_folder()
    problems: list[str] = []
    articles: dict[tuple[str, str], Article] = {}
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".md") or entry.name == "README.md":
            continue
        try:
            article = parse_article(entry.read_text("utf-8"), entry.name)
        except ValidationError as exc:
            problems.extend(f"{entry.name}: {p}" for p in _errors(exc))
            continue
        except (ValueError, tomllib.TOMLDecodeError) as exc:
            problems.append(f"{entry.name}: {exc}")
            continue
        articles[(article.topic, article.lang)] = article
    problems.extend(
        f"missing article {topic}.{lang}.md"
        for topic in TOPICS
        for lang in LANGS
        if (topic, lang) not in articles
    )
    strings: dict[str, Strings] = {}
    try:
        raw = tomllib.loads(root.joinpath("strings.toml").read_text("utf-8"))
        for lang in LANGS:
            strings[lang] = Strings.model_validate(raw.get(lang))
    except ValidationError as exc:
        problems.extend(f"strings.toml: {p}" for p in _errors(exc))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        problems.append(f"strings.toml: {exc}")
    lexicon = Lexicon.build({}, [], {})
    try:
        lex = tomllib.loads(root.joinpath("lexicon.toml").read_text("utf-8"))
        lexicon = Lexicon.build(
            lex["stopwords"],
            lex["where"]["fr_next"],
            lex["synonyms"],
            lex["domain"]["words"],
            lex["domain"]["topic"],
            lex["region"],
            lex["region"].get("topic", ""),
        )
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError) as exc:
        problems.append(f"lexicon.toml: {exc!r}")
    if problems:
        raise KnowledgeBaseError(problems)
    return KnowledgeBase(articles, strings, lexicon)


def _default_folder() -> Traversable:
    return resources.files("handlers.faq").joinpath("articles")


@cache
def default_kb() -> KnowledgeBase:
    """The shipped articles, read once per process."""
    return load_kb()
