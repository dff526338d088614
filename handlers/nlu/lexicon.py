"""Word tables of the grammar, in the folded form (lower case, no accents).

They describe the *language*, never the territory: place names come from the network
file only. Every regex alternation is built from these tables, longest word first, so
that ``mars`` wins over ``mar`` and ``jeudis`` is read as a plural.
"""

from __future__ import annotations

from collections.abc import Iterable

WEEKDAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

WEEKDAYS_FR = {
    "lundi": 0,
    "mardi": 1,
    "mercredi": 2,
    "jeudi": 3,
    "vendredi": 4,
    "samedi": 5,
    "dimanche": 6,
}
WEEKDAYS_EN = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
# Short English forms; "mon", "sat", "sun" are left out: French "mon", English nouns.
WEEKDAYS_EN_SHORT = {"tues": 1, "tue": 1, "weds": 2, "wed": 2, "thurs": 3, "thur": 3, "thu": 3}
WEEKDAYS_EN_SHORT_ONLY_EN = {"tue", "wed", "thu", "thur", "fri"}
WEEKDAYS: dict[str, int] = {**WEEKDAYS_FR, **WEEKDAYS_EN, **WEEKDAYS_EN_SHORT, "fri": 4}

MONTHS_FR = {
    "janvier": 1,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
}
MONTHS_EN = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}
# Abbreviations are only trusted next to a day number ("8 dec", "jan 4").
MONTHS_ABBR = {
    "janv": 1,
    "jan": 1,
    "fevr": 2,
    "fev": 2,
    "feb": 2,
    "mar": 3,
    "avr": 4,
    "apr": 4,
    "juil": 7,
    "jul": 7,
    "jun": 6,
    "aug": 8,
    "sept": 9,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
MONTHS_FULL: dict[str, int] = {**MONTHS_FR, **MONTHS_EN}
MONTHS: dict[str, int] = {**MONTHS_FULL, **MONTHS_ABBR}
MONTH_LANG: dict[str, str] = {
    **{w: "fr" for w in MONTHS_FR},
    **{w: "en" for w in MONTHS_EN},
    **{w: "fr" for w in ("janv", "fevr", "fev", "avr", "juil", "sept")},
    **{w: "en" for w in ("jan", "feb", "mar", "apr", "jul", "jun", "aug", "sep", "oct", "nov")},
    "dec": "fr",
}

NUMBERS_FR = {
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "treize": 13,
    "quatorze": 14,
    "quinze": 15,
    "seize": 16,
    "vingt": 20,
    "trente": 30,
}
NUMBERS_EN = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
}
# "a"/"an" are English articles, but "a" is also French "à" once accents are gone, so
# they are only accepted by English-only patterns.
NUMBERS: dict[str, int] = {**NUMBERS_FR, **NUMBERS_EN}

# Words the date grammar knows; a near miss of one of them is corrected before parsing
# ("mecredi", "tommorow"). Short or ambiguous words are left out on purpose ("mai",
# "mars", "march", "may": too close to ordinary words).
CORRECTABLE: tuple[str, ...] = (
    *WEEKDAYS_FR,
    *WEEKDAYS_EN,
    "janvier",
    "fevrier",
    "avril",
    "juillet",
    "septembre",
    "octobre",
    "novembre",
    "decembre",
    "january",
    "february",
    "april",
    "august",
    "september",
    "october",
    "november",
    "december",
    "demain",
    "aujourdhui",
    "tomorrow",
    "today",
    "prochain",
    "prochaine",
    "semaine",
)

# Forms that must not be "corrected" towards a neighbour (plurals, genders).
KNOWN_FORMS: frozenset[str] = frozenset(
    [
        *CORRECTABLE,
        *(w + "s" for w in (*WEEKDAYS_FR, *WEEKDAYS_EN)),
        "semaines",
        "prochains",
        "prochaines",
        "todays",
        "demande",
        "demander",
        "domain",
        "domaine",
        "monde",
        "mondes",
        "lundy",
    ]
)

# Vocabulary of the grammar itself, never taken for a misspelt place name.
GRAMMAR_WORDS: frozenset[str] = frozenset(
    [
        *WEEKDAYS,
        *(w + "s" for w in WEEKDAYS),
        *MONTHS,
        *NUMBERS,
        *KNOWN_FORMS,
        "aujourd",
        "hui",
        "apres",
        "midi",
        "matin",
        "matinee",
        "aprem",
        "journee",
        "soir",
        "morning",
        "afternoon",
        "evening",
        "reserver",
        "reserve",
        "reservation",
        "reservations",
        "annuler",
        "annule",
        "cancel",
        "bureau",
        "bureaux",
        "poste",
        "postes",
        "place",
        "places",
        "salle",
        "salles",
        "desk",
        "desks",
        "room",
        "rooms",
        "book",
        "booking",
        "bookings",
        "pour",
        "avec",
        "dans",
        "entre",
        "jusqu",
        "partir",
        "heure",
        "heures",
        "jours",
        "jour",
        "semaine",
        "mois",
        "reunion",
        "visio",
        "personnes",
        "people",
        "demi",
        "bonjour",
        "merci",
        "libre",
        "libres",
        "dispo",
        "voudrais",
        "besoin",
        "there",
        "where",
        "which",
        "would",
        "could",
        "should",
    ]
)


def words(text: str) -> frozenset[str]:
    """A word set written as one readable string."""
    return frozenset(text.split())


def alternation(words: Iterable[str]) -> str:
    """A regex alternation that tries longer words first (no backtracking surprises)."""
    return "|".join(sorted(set(words), key=lambda w: (-len(w), w)))
