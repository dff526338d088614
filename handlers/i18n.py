"""Every sentence in its reader's language, from gettext catalogs under ``locales/``.

French is the source language (msgids are French); ``en`` is a full catalog. There is no
process-wide ``_``: the dialogue builds :class:`Msg` values and the router renders each
with the catalog of the person it answers, so two chats in two languages never mix.
Catalogs are read from the ``.po`` files and compiled in memory by Babel at start-up, so
a fresh checkout needs no build step and a stale ``.mo`` can never be served.
"""

from __future__ import annotations

import functools
import io
import os
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import holidays
from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

SOURCE = "fr"
SUPPORTED = ("fr", "en")
DOMAIN = "messages"


def locales_dir() -> Path:
    configured = os.environ.get("TELECENTRE_LOCALES")
    return Path(configured) if configured else Path(__file__).resolve().parents[1] / "locales"


@dataclass(frozen=True)
class Msg:
    """A sentence to translate later, with its parameters (dates, times, other Msgs)."""

    msgid: str
    params: tuple[tuple[str, Any], ...] = ()
    plural: str | None = None
    n: int | None = None


@dataclass(frozen=True)
class Lines:
    """Items shown one per line, each rendered in the reader's language."""

    items: tuple[Any, ...]


@dataclass(frozen=True)
class DayMonth:
    """A date without its weekday: « 11 décembre »."""

    day: date


@dataclass(frozen=True)
class Weekday:
    """The weekday of a date alone: « vendredi »."""

    day: date


@dataclass(frozen=True)
class HolidayName:
    """A public holiday, named in the reader's language (the core only knows the date)."""

    day: date
    country: str
    subdivision: str | None = None


@functools.cache
def _holidays(country: str, subdivision: str | None, year: int, lang: str) -> Any:
    wanted = "en_US" if lang == "en" else lang
    calendar = holidays.country_holidays(country, subdiv=subdivision, years=year)
    if wanted in getattr(calendar, "supported_languages", ()):
        calendar = holidays.country_holidays(
            country, subdiv=subdivision, years=year, language=wanted
        )
    return calendar


# A Msg kept in a dialogue state (JSON) to be said again later, e.g. a question's choices.
def encode(item: Any) -> Any:
    """A Msg (with its dates, times and nested Msgs) as plain JSON."""
    if isinstance(item, Msg):
        return {
            "$msg": item.msgid,
            "params": [[k, encode(v)] for k, v in item.params],
            "plural": item.plural,
            "n": item.n,
        }
    if isinstance(item, Lines):
        return {"$lines": [encode(v) for v in item.items]}
    if isinstance(item, DayMonth | Weekday):
        return {"$" + type(item).__name__: item.day.isoformat()}
    if isinstance(item, HolidayName):
        return {"$holiday": item.day.isoformat(), "country": item.country, "sub": item.subdivision}
    if isinstance(item, datetime):
        return {"$datetime": item.isoformat()}
    if isinstance(item, date):
        return {"$date": item.isoformat()}
    if isinstance(item, time):
        return {"$time": item.isoformat()}
    if isinstance(item, list | tuple):
        return [encode(v) for v in item]
    return item


def decode(data: Any) -> Any:
    """The inverse of :func:`encode`."""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if "$msg" in data:
        params = tuple((str(k), decode(v)) for k, v in data.get("params", []))
        return Msg(str(data["$msg"]), params, data.get("plural"), data.get("n"))
    if "$lines" in data:
        return Lines(tuple(decode(v) for v in data["$lines"]))
    if "$holiday" in data:
        return HolidayName(date.fromisoformat(data["$holiday"]), data["country"], data.get("sub"))
    if "$DayMonth" in data:
        return DayMonth(date.fromisoformat(data["$DayMonth"]))
    if "$Weekday" in data:
        return Weekday(date.fromisoformat(data["$Weekday"]))
    if "$datetime" in data:
        return datetime.fromisoformat(data["$datetime"])
    if "$date" in data:
        return date.fromisoformat(data["$date"])
    if "$time" in data:
        return time.fromisoformat(data["$time"])
    return data


def t(msgid: str, **params: Any) -> Msg:
    """Mark a sentence for translation (extracted by ``pybabel extract -k t``)."""
    return Msg(msgid, tuple(params.items()))


def tn(singular: str, plural: str, n: int, **params: Any) -> Msg:
    """Mark a sentence with a plural form (``pybabel extract -k tn:1,2``)."""
    return Msg(singular, tuple({"n": n, **params}.items()), plural, n)


def _compile(po_path: Path, locale: str) -> NullTranslations:
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=locale, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


class Catalogs:
    """The translations of every supported language, loaded once."""

    def __init__(self, folder: Path | None = None) -> None:
        folder = folder or locales_dir()
        self._translations: dict[str, NullTranslations] = {}
        for lang in SUPPORTED:
            po = folder / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
            if po.exists():
                self._translations[lang] = _compile(po, lang)
            elif lang == SOURCE:
                self._translations[lang] = NullTranslations()
            else:
                raise FileNotFoundError(f"missing catalog {po}")
        self._locales = {lang: Locale.parse(lang) for lang in SUPPORTED}

    def language(self, wanted: str | None) -> str:
        return wanted if wanted in SUPPORTED else SOURCE

    def render(self, item: Msg | str, lang: str, today: date | None = None) -> str:
        """The sentence in ``lang``; dates outside ``today``'s year say their year."""
        if isinstance(item, str):
            return item
        lang = self.language(lang)
        tr = self._translations[lang]
        if item.plural is not None and item.n is not None:
            pattern = tr.ngettext(item.msgid, item.plural, item.n)
        else:
            pattern = tr.gettext(item.msgid)
        values = {key: self._value(value, lang, today) for key, value in item.params}
        said = pattern.format(**values) if values else pattern
        return _elide(said) if lang == "fr" else said

    def _value(self, value: Any, lang: str, today: date | None) -> str:
        locale = self._locales[lang]
        if isinstance(value, Msg):
            return self.render(value, lang, today)
        if isinstance(value, Lines):
            return "".join("\n• " + self._value(item, lang, today) for item in value.items)
        if isinstance(value, HolidayName):
            found = _holidays(value.country, value.subdivision, value.day.year, lang)
            return str(found.get(value.day) or format_date(value.day, "d MMMM", locale=locale))
        if isinstance(value, DayMonth):
            pattern = "d'er' MMMM" if lang == "fr" and value.day.day == 1 else "d MMMM"
            return format_date(value.day, pattern, locale=locale)
        if isinstance(value, Weekday):
            return format_date(value.day, "EEEE", locale=locale)
        if isinstance(value, datetime):
            return format_datetime(value, "EEEE d MMMM HH:mm", locale=locale)
        if isinstance(value, date):
            return format_day(value, lang, today)
        if isinstance(value, time):
            return format_time(value, "HH:mm", locale=locale)
        if isinstance(value, float):
            return format_decimal(value, locale=locale)
        if isinstance(value, list | tuple):
            return ", ".join(self._value(v, lang, today) for v in value)
        return str(value)


# « de Aurillac » is « d'Aurillac »: the name comes from the territory file, after « de ».
_BEFORE_A_VOWEL = re.compile(r"\b([Dd])e (?=[AEIOUYÀÂÉÈÊËÎÏÔÛÙ])")


def _elide(text: str) -> str:
    return _BEFORE_A_VOWEL.sub(r"\1'", text)


def format_day(day: date, lang: str, today: date | None = None) -> str:
    """« jeudi 10 décembre », « vendredi 1er janvier 2027 »: the year only when it differs."""
    pattern = "EEEE d MMMM" if today is None or day.year == today.year else "EEEE d MMMM y"
    if lang == "fr" and day.day == 1:
        pattern = pattern.replace(" d ", " d'er' ")
    return format_date(day, pattern, locale=Locale.parse(lang))
