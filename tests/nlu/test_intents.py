"""What the user wants, in French and English, with the slots that come with it.

Reference: Thursday 3 December 2026. Questions *about* booking or cancelling are FAQ;
a booking verb with a date does it.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.nlu.conftest import Understand, check

THU = "2026-12-03T10:00"

INTENTS: list[tuple[str, str | None, dict[str, Any]]] = [
    # cancel
    (
        "je peux pas venir demain finalement, annule",
        "fr",
        {"intent": "cancel", "date": "2026-12-04"},
    ),
    (
        "j'ai un empêchement vendredi à Figeac",
        "fr",
        {"intent": "cancel", "centre": "figeac", "date": "2026-12-04"},
    ),
    ("Supprime ma réservation du 15/12 stp", "fr", {"intent": "cancel", "date": "2026-12-15"}),
    ("annuler le bureau de jeudi prochain à Figeac", "fr", {"intent": "cancel"}),
    ("je ne viendrai pas mardi", "fr", {"intent": "cancel", "date": "2026-12-08"}),
    ("Je ne viendrai finalement pas lundi", "fr", {"intent": "cancel", "date": "2026-12-07"}),
    ("finalement je ne serai pas là demain", "fr", {"intent": "cancel", "date": "2026-12-04"}),
    ("anuler demain", "fr", {"intent": "cancel", "date": "2026-12-04"}),
    ("I can't make it tomorrow, please cancel", "en", {"intent": "cancel", "date": "2026-12-04"}),
    (
        "cancel my desk in Aurillac on the 14th",
        "en",
        {"intent": "cancel", "centre": "aurillac", "date": "2026-12-14"},
    ),
    ("I won't be coming on Monday", "en", {"intent": "cancel", "date": "2026-12-07"}),
    # list
    ("quelles sont mes réservations ?", "fr", {"intent": "list"}),
    ("mes prochaines réservations à Figeac", "fr", {"intent": "list", "centre": "figeac"}),
    ("ai-je une réservation demain ?", "fr", {"intent": "list", "date": "2026-12-04"}),
    ("Ai-je réservé pour demain ?", "fr", {"intent": "list", "date": "2026-12-04"}),
    ("qu'est-ce que j'ai de prévu cette semaine ?", "fr", {"intent": "list"}),
    ("what have I booked?", "en", {"intent": "list"}),
    ("list my reservations", "en", {"intent": "list"}),
    ("do I have any bookings next week?", "en", {"intent": "list"}),
    ("Quelles réservations ai-je cette semaine ?", "fr", {"intent": "list"}),
    ("What bookings do I have?", "en", {"intent": "list"}),
    ("show me what I have booked", "en", {"intent": "list"}),
    # list, without "mes": "j'ai quoi", "qu'ai-je", "what have I got"
    ("j'ai quoi comme résas ?", "fr", {"intent": "list"}),
    ("j'ai quoi en ce moment ?", "fr", {"intent": "list"}),
    ("j'ai quoi comme réservations en ce moment ?", "fr", {"intent": "list"}),
    ("bon, j'ai quoi lundi ?", "fr", {"intent": "list", "date": "2026-12-07"}),
    ("qu'ai-je de réservé ?", "fr", {"intent": "list"}),
    ("je suis inscrit pour quand ?", "fr", {"intent": "list"}),
    ("what have I got on next week?", "en", {"intent": "list"}),
    ("do I have anything booked?", "en", {"intent": "list"}),
    # ... but what one has *there* or *to do* is still a question
    ("j'ai quoi comme matériel sur place ?", "fr", {"intent": "faq"}),
    ("j'ai quoi comme options pour venir en bus ?", "fr", {"intent": "faq"}),
    ("what do I have to bring?", "en", {"intent": "faq"}),
    # availability
    (
        "il reste des places à Figeac lundi ?",
        "fr",
        {"intent": "availability", "centre": "figeac", "date": "2026-12-07"},
    ),
    ("Montmurat c'est complet demain ?", "fr", {"intent": "availability", "centre": "montmurat"}),
    ("il y a de la place demain à Figeac ?", "fr", {"intent": "availability"}),
    ("C'est plein à Aurillac lundi ?", "fr", {"intent": "availability"}),
    (
        "Figeac est-il libre lundi matin ?",
        "fr",
        {"intent": "availability", "period": "morning"},
    ),
    (
        "places disponibles à Aurillac la semaine prochaine ?",
        "fr",
        {"intent": "availability", "date": "2026-12-07", "end_date": "2026-12-13"},
    ),
    ("combien de places libres à Figeac demain ?", "fr", {"intent": "availability"}),
    ("any desks left at Aurillac tomorrow?", "en", {"intent": "availability"}),
    (
        "is a meeting room available in Figeac on Friday afternoon?",
        "en",
        {"intent": "availability", "resource": "meeting_room", "period": "afternoon"},
    ),
    ("are there free seats at Montmurat on the 10th?", "en", {"intent": "availability"}),
    # faq
    ("c'est combien la demi-journée ?", "fr", {"intent": "faq"}),
    ("quels sont les tarifs ?", "fr", {"intent": "faq"}),
    ("Tarifs Figeac ?", "fr", {"intent": "faq", "centre": "figeac"}),
    ("Le télécentre de Figeac est ouvert le samedi ?", "fr", {"intent": "faq", "centre": "figeac"}),
    ("où se trouve le télécentre d'Aurillac ?", "fr", {"intent": "faq", "centre": "aurillac"}),
    ("y a-t-il le wifi à Montmurat ?", "fr", {"intent": "faq", "centre": "montmurat"}),
    ("y a-t-il un ordinateur à Figeac ?", "fr", {"intent": "faq"}),
    ("comment annuler une réservation ?", "fr", {"intent": "faq"}),
    ("je suis fonctionnaire, puis-je télétravailler ?", "fr", {"intent": "faq"}),
    ("mon patron est d'accord, il faut un avenant au contrat ?", "fr", {"intent": "faq"}),
    ("accident sur le trajet du télécentre, je suis couvert ?", "fr", {"intent": "faq"}),
    ("qui paie les frais quand je travaille au télécentre ?", "fr", {"intent": "faq"}),
    ("mon conjoint cherche du travail dans le coin", "fr", {"intent": "faq"}),
    ("comment rejoindre l'annuaire des télétravailleurs ?", "fr", {"intent": "faq"}),
    ("supprimer mes données", "fr", {"intent": "faq"}),
    ("Je voudrais des infos sur le télécentre de Figeac", "fr", {"intent": "faq"}),
    ("Est-ce qu'Aurillac est ouvert le 24 décembre ?", "fr", {"intent": "faq"}),
    ("c'est quoi le réseau ?", "fr", {"intent": "faq"}),
    ("combien de bureaux y a-t-il à Figeac ?", "fr", {"intent": "faq", "centre": "figeac"}),
    ("Est-ce que je peux venir avec mon chien ?", "fr", {"intent": "faq"}),
    ("What do I need to bring?", "en", {"intent": "faq"}),
    ("How much does a day cost?", "en", {"intent": "faq"}),
    ("what are the opening hours in Decazeville?", "en", {"intent": "faq"}),
    ("Is there parking at Figeac?", "en", {"intent": "faq", "centre": "figeac"}),
    ("How can I book a desk?", "en", {"intent": "faq"}),
    ("what do you do with my data?", "en", {"intent": "faq"}),
    ("how do I get to the Decazeville centre by bus?", "en", {"intent": "faq"}),
    ("who can use the telecentres?", "en", {"intent": "faq"}),
    ("is the Aurillac centre accessible by wheelchair?", "en", {"intent": "faq"}),
    # help
    ("help", "en", {"intent": "help"}),
    ("/help", "en", {"intent": "help"}),
    ("menu", "fr", {"intent": "help"}),
    ("What can you do?", "en", {"intent": "help"}),
    ("que sais-tu faire ?", "fr", {"intent": "help"}),
    ("Que puis-je faire avec ce bot ?", "fr", {"intent": "help"}),
    ("comment ça fonctionne ce bot ?", "fr", {"intent": "help"}),
    ("tu peux m'aider ?", "fr", {"intent": "help"}),
    ("au secours", "fr", {"intent": "help"}),
    ("Comment utiliser ce bot ?", "fr", {"intent": "help"}),
    # greeting
    ("Salut !", "fr", {"intent": "greeting"}),
    ("Bonsoir", "fr", {"intent": "greeting"}),
    ("hello 👋", "en", {"intent": "greeting"}),
    ("/start", "fr", {"intent": "greeting"}),
    ("Good morning!", "en", {"intent": "greeting", "period": None}),
    ("Bonjour, comment allez-vous ?", "fr", {"intent": "greeting"}),
    ("Hey there", "en", {"intent": "greeting"}),
    ("bonne soirée", "fr", {"intent": "greeting", "period": None, "politeness": "bye"}),
    ("goodbye!", "en", {"intent": "greeting", "politeness": "bye"}),
    ("Bonjour", "fr", {"intent": "greeting", "politeness": None}),
    ("Good afternoon", "en", {"intent": "greeting", "period": None}),
    ("bon après-midi !", "fr", {"intent": "greeting", "period": None}),
    # a thank-you has no intent of its own: the politeness key says it
    ("merci beaucoup", "fr", {"intent": "unknown", "politeness": "thanks"}),
    ("Merci !", "fr", {"intent": "unknown", "politeness": "thanks"}),
    ("parfait, merci pour tout", "fr", {"intent": "unknown", "politeness": "thanks"}),
    ("merci, bonne journée", "fr", {"intent": "unknown", "politeness": "thanks"}),
    ("thanks a lot!", "en", {"intent": "unknown", "politeness": "thanks"}),
    ("thank you 🙏", "en", {"intent": "unknown", "politeness": "thanks"}),
    ("cheers", "en", {"intent": "unknown", "politeness": "thanks"}),
    ("merci, et un bureau à Figeac demain", "fr", {"intent": "book", "politeness": None}),
    # one word answering "which part of the day?" carries the slot, never a greeting
    ("journée", "fr", {"intent": "book", "period": "day"}),
    ("la matinée", "fr", {"intent": "book", "period": "morning"}),
    ("aprem", "fr", {"intent": "book", "period": "afternoon"}),
    ("afternoon", "en", {"intent": "book", "period": "afternoon"}),
    ("morning please", "en", {"intent": "book", "period": "morning"}),
    ("hello, the whole day", "en", {"intent": "book", "period": "day"}),
    # directory
    ("quelqu'un qui fait de la compta ?", "fr", {"intent": "directory"}),
    ("je recherche une graphiste", "fr", {"intent": "directory"}),
    ("qui s'y connaît en comptabilité ?", "fr", {"intent": "directory"}),
    ("connaissez-vous un photographe dans le réseau ?", "fr", {"intent": "directory"}),
    ("Qui peut faire un logo ?", "fr", {"intent": "directory"}),
    ("Y a-t-il un graphiste dans le réseau ?", "fr", {"intent": "directory"}),
    ("je cherche quelqu'un pour refaire mon site web", "fr", {"intent": "directory"}),
    ("I'm looking for a web developer", "en", {"intent": "directory"}),
    ("who does video editing around here?", "en", {"intent": "directory"}),
    ("I need a translator for German", "en", {"intent": "directory"}),
    ("anyone who knows WordPress?", "en", {"intent": "directory"}),
    ("Quelqu'un fait de la traduction dans le réseau ?", "fr", {"intent": "directory"}),
    ("Qui est développeur web ici ?", "fr", {"intent": "directory"}),
    ("Un plombier dans le coin ?", "fr", {"intent": "directory"}),
    ("Besoin d'un développeur", "fr", {"intent": "directory"}),
    # directory: a person asked for by trade, after "find", "recommend", "any", "il me faut"
    ("find a translator", "en", {"intent": "directory"}),
    ("could you find me an illustrator?", "en", {"intent": "directory"}),
    ("can anyone recommend a lawyer?", "en", {"intent": "directory"}),
    ("any electricians around?", "en", {"intent": "directory"}),
    ("hiring a copywriter for a week", "en", {"intent": "directory"}),
    ("we need somebody to translate a brochure", "en", {"intent": "directory"}),
    ("is anyone here a photographer?", "en", {"intent": "directory"}),
    ("who is good with Excel?", "en", {"intent": "directory"}),
    ("je voudrais trouver une traductrice", "fr", {"intent": "directory"}),
    ("il me faudrait un avocat", "fr", {"intent": "directory"}),
    ("could you suggest a good graphic designer?", "en", {"intent": "directory"}),
    ("we want a freelance video editor", "en", {"intent": "directory"}),
    ("I need a desk for a colleague", "en", {"intent": "book"}),
    ("I need a room for a trainer on Monday", "en", {"intent": "book"}),
    ("il me faut un poste informatique demain", "fr", {"intent": "book"}),
    # directory: a person asked for by name, capitalised as typed
    ("je cherche Claire Fabre", "fr", {"intent": "directory"}),
    ("Je recherche Mme Vidal", "fr", {"intent": "directory"}),
    ("je voudrais contacter Jean-Luc Bories", "fr", {"intent": "directory"}),
    ("cherche Sylvie", "fr", {"intent": "directory"}),
    ("I'm looking for Tom Baker", "en", {"intent": "directory"}),
    ("I need to find Marie Lopez", "en", {"intent": "directory"}),
    ("je cherche Claire Fabre à Figeac", "fr", {"intent": "directory", "centre": "figeac"}),
    # ... not a centre, a day, nor a name with a booking around it
    ("Je cherche Chrysalis", "fr", {"intent": "book", "centre": "decazeville"}),
    ("je cherche la Maison de l'Emploi", "fr", {"intent": "book", "centre": "figeac"}),
    ("je cherche Lundi", "fr", {"intent": "book"}),
    ("je cherche un bureau pour Claire Fabre demain", "fr", {"intent": "book"}),
    ("je cherche claire fabre", "fr", {"intent": "unknown"}),  # no capitals: just words
    ("comment contacter France Travail ?", "fr", {"intent": "faq"}),
    # ... while things and places stay what they were
    ("find a desk at Figeac on Monday", "en", {"intent": "book", "centre": "figeac"}),
    ("I need a room for 4 people tomorrow", "en", {"intent": "book", "count": 4}),
    ("il me faut un clavier", "fr", {"intent": "book"}),
    ("any printer at Figeac?", "en", {"intent": "faq"}),
    # unknown
    ("qsdfqsdf", "fr", {"intent": "unknown"}),
    ("🙂🙂🙂", "fr", {"intent": "unknown"}),
    ("!!!!", "fr", {"intent": "unknown"}),
    ("", "fr", {"intent": "unknown"}),
    ("lorem ipsum dolor sit amet", None, {"intent": "unknown"}),
]


@pytest.mark.parametrize(("text", "lang", "expected"), INTENTS, ids=[c[0] for c in INTENTS])
def test_intents(
    understand: Understand, text: str, lang: str | None, expected: dict[str, Any]
) -> None:
    check(understand(text, THU, lang), expected)
