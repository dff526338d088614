"""Tell French from English when the user has not chosen a language, and say how sure.

A message to a booking bot is short and full of names and numbers, so a general
language identifier has little to go on; counting each language's function words and
booking vocabulary is both cheaper and more reliable here. Some words settle the
question alone ("merci", "hello", "oui", "yes", "demain", a weekday): they weigh two.
The detection is *sure* only when the evidence is at least two and twice the other
language's: a reply language should not switch on "bookings" inside an SQL injection,
on "ok", an emoji or a place name. In text that looks like code (``;``, ``=``, ``<``,
a lone ``*``, ``--``), common English words are keywords, not language ("SELECT ... FROM ...
WHERE"): only the words that settle it alone and accents count there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.nlu.lexicon import MONTHS_EN, MONTHS_FR, WEEKDAYS_EN, WEEKDAYS_FR, words

SUPPORTED = ("fr", "en")

_FR = words(
    """je j tu il elle nous vous ils le la les l un une des du de d au aux et est suis sont
    ce cet cette ces mon ma mes ton ta tes pour avec dans sur pas ne qu que qui quoi ou
    bonjour salut bonsoir merci svp stp reserver reservation reservations resa
    annuler annule bureau bureaux poste place salle demain aujourd hui matin apres midi
    aprem journee lundi mardi mercredi jeudi vendredi samedi dimanche prochain prochaine
    semaine jour jours combien comment voudrais veux peux peut faut reste libre libres
    dispo disponible personnes aide oui non moi ai quel quelle quels quelles janvier
    fevrier mars avril mai juin juillet aout septembre octobre novembre decembre chaque
    tous toutes jusqu partir heures entre cherche votre notre leur ici pres autour quelqu
    annuaire competence competences personne aussi mais tres bon bonne connais"""
)
_EN = words(
    """i im you your the an is are am was to for at in of and or this that these my
    hello hi hey thanks thank please book booking bookings cancel desk desks room rooms
    tomorrow today tonight morning afternoon evening next monday tuesday wednesday
    thursday friday saturday sunday week day days what how where when who can could would
    like need want any free available show list there it do does don t get have from
    until with people colleague colleagues every each january february march april may
    june july august september october november december help meeting around nearby near
    here good local directory skill skills search we our us be will just also not one all
    some about so leave"""
)
# Words that say the language on their own: greetings, yes and no, thanks, the pronoun
# of the first person, the calendar's own words, the verbs of asking for someone or
# something ("find a plumber", "je cherche un comptable") and the pronouns that answer
# "which one?" ("celle de Figeac"), which no word of the other language folds to.
_STRONG = {
    "fr": words(
        """bonjour bonsoir salut coucou merci oui ouais non stp svp je voudrais demain
        aujourd matin matinee aprem journee semaine prochain prochaine cherche cherchons
        recherche chercher trouver besoin faut faudrait rejoindre connait connaissez celle
        celles celui ceux"""
    )
    | frozenset(WEEKDAYS_FR)
    | frozenset(MONTHS_FR),
    "en": words(
        """hi hello hey thanks thank thx yes yeah yep no nope please tomorrow today
        tonight morning afternoon evening week next find need want looking searching
        recommend hire join anyone someone somebody"""
    )
    | frozenset(WEEKDAYS_EN)
    | frozenset(MONTHS_EN),
}
_WORDS = {"fr": _FR | _STRONG["fr"], "en": _EN | _STRONG["en"]}
# A lone star is SQL's; stars hugging a word are chat emphasis ("**urgent**").
_CODE = re.compile(r"[;=<>{}`|\\$]|--|(?<!\S)\*(?!\S)")


@dataclass(frozen=True, slots=True)
class Detected:
    language: str
    sure: bool


def detect(folded: str, accents: int, default: str = "fr", raw: str = "") -> Detected:
    """``fr`` or ``en`` (``default``, the network's language, when nothing tips it).

    ``raw`` is the message before folding, which removed the signs that tell code apart.
    """
    score = {"fr": 2 * min(accents, 3), "en": 0}
    weak = 0 if _CODE.search(raw) else 1
    for word in folded.split(" "):
        if len(word) < 2 and word != "i":
            continue
        for lang in SUPPORTED:
            if word in _STRONG[lang]:
                score[lang] += 2
            elif word in _WORDS[lang]:
                score[lang] += weak
    fr, en = score["fr"], score["en"]
    if fr == en:
        return Detected(default if default in SUPPORTED else "fr", False)
    lang, top, other = ("fr", fr, en) if fr > en else ("en", en, fr)
    return Detected(lang, top >= 2 and top >= 2 * other)
