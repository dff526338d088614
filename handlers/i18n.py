"""Every sentence in its reader's language, from gettext catalogs under ``locales/``.

French is the source language (msgids are French); ``en`` is a full catalog. There is no
process-wide ``_``: the dialogue builds :class:`Msg` values and the router renders each
with the catalog of the person it answers, so two chats in two languages never mix.
Catalogs are read from the ``.po`` files and compiled in memory by Babel at start-up, so
a fresh checkout needs no build step and a stale ``.mo`` can never be served.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_time
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

    def render(self, item: Msg | str, lang: str) -> str:
        if isinstance(item, str):
            return item
        lang = self.language(lang)
        tr = self._translations[lang]
        if item.plural is not None and item.n is not None:
            pattern = tr.ngettext(item.msgid, item.plural, item.n)
        else:
            pattern = tr.gettext(item.msgid)
        values = {key: self._value(value, lang) for key, value in item.params}
        return pattern.format(**values) if values else pattern

    def _value(self, value: Any, lang: str) -> str:
        locale = self._locales[lang]
        if isinstance(value, Msg):
            return self.render(value, lang)
        if isinstance(value, Lines):
            return "".join("\n• " + self._value(item, lang) for item in value.items)
        if isinstance(value, date):
            return format_date(value, "EEEE d MMMM", locale=locale)
        if isinstance(value, time):
            return format_time(value, "HH:mm", locale=locale)
        if isinstance(value, float):
            return format_decimal(value, locale=locale)
        if isinstance(value, list | tuple):
            return ", ".join(self._value(v, lang) for v in value)
        return str(value)
