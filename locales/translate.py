"""Fill English msgstrs from a small table: `python locales/translate.py` after `make locales`.

New sentences are few at a time; this keeps their translation reviewable in one place.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).parent / "en" / "LC_MESSAGES" / "messages.po"

EN: dict[str, str | tuple[str, str]] = {
    "C'est fait : vos données sont effacées et {n} réservation à venir est annulée. Au revoir !": (
        "Done: your data is erased and {n} upcoming booking was cancelled. Goodbye!",
        "Done: your data is erased and {n} upcoming bookings were cancelled. Goodbye!",
    ),
    "Effacer toutes vos données ? Vos réservations à venir seront annulées et cela ne peut "
    "pas être défait.": "Erase all your data? Your upcoming bookings will be cancelled and "
    "this cannot be undone.",
    "Oui, tout effacer": "Yes, erase everything",
    "Voici tout ce que je garde sur vous :": "Here is everything I keep about you:",
    # Directory (handlers/dialogue.py, handlers/notify.py)
    "Cherchez une compétence, par exemple « qui fait du graphisme ? » ou /annuaire traduction. "
    "Pour apparaître dans l'annuaire : /annuaire rejoindre ; pour en sortir : /annuaire "
    "quitter.": 'Search for a skill, e.g. "who does graphic design?" or /annuaire '
    "translation. To appear in the directory: /annuaire rejoindre; to leave it: /annuaire "
    "quitter.",
    "Contacter {name}": "Contact {name}",
    "Je ne connais pas ce télécentre dans le réseau.": (
        "I don't know that telecentre in the network."
    ),
    "Je n'ai pas reconnu de date. Pour quel jour ?": "I didn't recognise a date. For which day?",
    "Votre fiche dans l'annuaire :{lines}\n/annuaire publier métier, /annuaire masquer "
    "commune, /annuaire métier graphiste… ; /annuaire quitter pour tout effacer.": (
        "Your directory entry:{lines}\n/annuaire publier métier, /annuaire masquer commune, "
        "/annuaire métier graphic designer…; /annuaire quitter to erase it all."
    ),
    "Vous n'êtes pas dans l'annuaire : /annuaire rejoindre.": (
        "You are not in the directory: /annuaire rejoindre."
    ),
    "commune": "commune",
    "compétences": "skills",
    "contact": "contact",
    "masqué": "hidden",
    "métier": "job",
    "nom": "name",
    "ouvert à": "open to",
    "publié": "published",
    "télécentre habituel": "usual telecentre",
    "{field} : {value} ({shown})": "{field}: {value} ({shown})",
    "C'est noté : les responsables du réseau le verront dans leur point du jour.": (
        "Noted: the network's managers will see it in their daily digest."
    ),
    "C'est retiré.": "Removed.",
    "Votre conjoint cherche un emploi ici ? Écrivez « /annuaire conjoint » suivi du métier et "
    "de la zone, par exemple « /annuaire conjoint infirmière, Figeac » ; seuls les "
    "responsables du réseau le verront. « /annuaire conjoint non » pour le retirer.": (
        'Is your partner looking for work here? Write "/annuaire conjoint" followed by the '
        'job and the area, e.g. "/annuaire conjoint nurse, Figeac"; only the network\'s '
        'managers will see it. "/annuaire conjoint non" to remove it.'
    ),
    "Activez d'abord « qui est là » avec /presence oui : vous serez visible vous aussi.": (
        'First turn on "who is here" with /presence oui: you will be visible too.'
    ),
    "Aujourd'hui avec vous :{lines}": "With you today:{lines}",
    "C'est noté : les autres personnes présentes et le responsable du télécentre peuvent "
    "voir votre nom.": "Noted: the other people there and the telecentre's manager can see "
    "your name.",
    "C'est noté : votre nom n'est plus montré.": "Noted: your name is no longer shown.",
    "Cette commande est réservée aux responsables des télécentres. Pour voir qui d'autre est "
    "là : /quiestla.": "This command is for the telecentres' managers only. To see who else "
    "is here: /quiestla.",
    "Vous n'avez pas de réservation aujourd'hui.": "You have no booking today.",
    "personne d'autre de visible": "nobody else visible",
    "{centre} : {names}": "{centre}: {names}",
    "« Qui est là » montre votre nom aux autres personnes présentes le même jour au même "
    "télécentre et à son responsable, et le leur à vous, si elles l'ont activé aussi. "
    "/presence oui pour l'activer, /presence non pour l'arrêter, /quiestla pour voir.": '"Who '
    'is here" shows your name to the other people at the same telecentre on the same day and '
    "to its manager, and theirs to "
    "you, if they turned it on too. /presence oui to turn it on, /presence non to stop, "
    "/quiestla to see.",
    "Conjoints cherchant un emploi :{items}": "Partners looking for work:{items}",
    "Compétences cherchées sans personne pour les offrir :{items}": (
        "Skills searched for that nobody offers:{items}"
    ),
    "Je publie dans l'annuaire : {name}, {skills}. Votre identifiant de messagerie n'est "
    "jamais montré : les contacts passent par moi. D'accord ?": "I'll publish in the "
    "directory: {name}, {skills}. Your chat id is never shown: contacts go through me. "
    "All right?",
    "L'annuaire est facultatif et vous en sortez quand vous voulez (/annuaire quitter). "
    "Quelles compétences proposez-vous ? Par exemple « graphisme, traduction anglais ».": (
        "The directory is optional and you can leave it whenever you like (/annuaire "
        'quitter). Which skills do you offer? For example "graphic design, English '
        'translation".'
    ),
    "Message transmis. La personne vous répondra si elle le souhaite.": (
        "Message passed on. The person will answer if they wish."
    ),
    "Oui, publier": "Yes, publish",
    "Personne ne propose encore cette compétence dans l'annuaire. Je le note pour le "
    "réseau.": "Nobody offers this skill in the directory yet. I'm noting it for the network.",
    "Quel message dois-je transmettre ? Il partira avec votre identifiant de messagerie.": (
        "What message shall I pass on? It will go with your chat id."
    ),
    "Quelqu'un": "Someone",
    "Quelqu'un vous écrit via l'annuaire : « {message} » Pour répondre : {handle}.": (
        'Someone writes to you through the directory: "{message}" To answer: {handle}.'
    ),
    "Sous quel nom voulez-vous apparaître ?": "Under which name do you want to appear?",
    "Suivants": "Next",
    "Vous n'êtes plus dans l'annuaire.": "You are no longer in the directory.",
    "Vous êtes dans l'annuaire. Merci !": "You are in the directory. Thank you!",
    "{name} : {skills}": "{name}: {skills}",
    "{n} personne trouvée :": ("{n} person found:", "{n} people found:"),
    "Annuler": "Cancel",
    "Aujourd'hui : {what}. Signalez votre arrivée sur place.": (
        "Today: {what}. Tell me when you arrive."
    ),
    "Bienvenue ! Arrivée enregistrée :{what}": "Welcome! Arrival recorded:{what}",
    "Bonne nouvelle : une place s'est libérée et elle est à vous :{what}": (
        "Good news: a place came free and it is yours:{what}"
    ),
    "Je ne trouve pas de réservation en cours pour vous aujourd'hui.": (
        "I find no booking of yours under way today."
    ),
    "Je suis arrivé(e)": "I'm here",
    "Je viens": "I'm coming",
    "Parfait, à bientôt au télécentre !": "Perfect, see you at the telecentre!",
    "Rappel : vous avez réservé {what}.": "Reminder: you booked {what}.",
    "Cette commande est réservée aux responsables des télécentres.": (
        "This command is for the telecentres' managers only."
    ),
    "Vos réservations à venir, à ajouter à votre agenda :": (
        "Your upcoming bookings, to add to your calendar:"
    ),
    "Votre arrivée n'a pas été signalée à temps : la réservation {what} a été libérée pour "
    "d'autres personnes.": "Your arrival was not signalled in time: the booking {what} was "
    "released for others.",
    # Managers' digests, weekly chart and impact report (handlers/digest.py, charts.py)
    "Aujourd'hui, {day}": "Today, {day}",
    "Bilan de la semaine du {first} au {last}": "Week from {first} to {last}",
    "Demain, {day}": "Tomorrow, {day}",
    "Ensemble du réseau": "Whole network",
    "Impact de {centre} du {first} au {last}": "Impact of {centre} from {first} to {last}",
    "Impact du réseau du {first} au {last}": "Impact of the network from {first} to {last}",
    "Occupation des bureaux par centre et par jour, semaine du {day}": (
        "Desk occupancy per centre and day, week of {day}"
    ),
    "Pas encore de journée au télécentre comptée : l'impact viendra avec la première.": (
        "No day at a telecentre counted yet: the impact comes with the first one."
    ),
    "Point du {day}": "Digest for {day}",
    "Prochaine ouverture, {day}": "Next opening, {day}",
    "Tendance des dernières semaines :": "Trend over the last weeks:",
    "Total": "Total",
    "Un déplacement évité est un aller-retour domicile-travail par personne et par jour de "
    "présence ; sa longueur est deux fois le trajet habituel déclaré moins la distance "
    "déclarée du domicile au télécentre (jamais moins de zéro).": (
        "A trip avoided is one home-to-work round trip per person and day present; its "
        "length is twice the usual commute the person declared, less the declared distance "
        "from home to the telecentre (never below zero)."
    ),
    "Vous avez évité {n} déplacement : {km} km, {hours} h de trajet et {co2} kg CO2e.": (
        "You avoided {n} trip: {km} km, {hours} h of travel and {co2} kg CO2e.",
        "You avoided {n} trips: {km} km, {hours} h of travel and {co2} kg CO2e.",
    ),
    "Vous avez évité {n} déplacement. Indiquez votre trajet domicile-travail habituel pour "
    "que je compte les kilomètres et le CO2.": (
        "You avoided {n} trip. Tell me your usual commute so that I count the kilometres "
        "and the CO2.",
        "You avoided {n} trips. Tell me your usual commute so that I count the kilometres "
        "and the CO2.",
    ),
    "aucun jour d'ouverture cette semaine": "no opening day this week",
    "bureaux occupés (%)": "desks occupied (%)",
    "dont {n} déplacement sans trajet déclaré, compté sans kilomètres": (
        "including {n} trip without a declared commute, counted without kilometres",
        "including {n} trips without a declared commute, counted without kilometres",
    ),
    "qui vient : {names}": "coming: {names}",
    "semaine du {day} : fermé": "week of {day}: closed",
    "semaine du {day} : {rate} %": "week of {day}: {rate}%",
    "toute la période": "whole period",
    "{co2} kg CO2e": "{co2} kg CO2e",
    "{day} : {rate} %": "{day}: {rate}%",
    "{factor} kg CO2e par km ({source})": "{factor} kg CO2e per km ({source})",
    "{hours} h de trajet": "{hours} h of travel",
    "{km} km": "{km} km",
    "{label} : fermé": "{label}: closed",
    "{label} : {n} demi-journée de bureau réservée sur {total} ({rate} %)": (
        "{label}: {n} desk half-day booked of {total} ({rate}%)",
        "{label}: {n} desk half-days booked of {total} ({rate}%)",
    ),
    "{month} : {figures}": "{month}: {figures}",
    "{n} bureau réservé sur {total} ({rate} %)": (
        "{n} desk booked of {total} ({rate}%)",
        "{n} desks booked of {total} ({rate}%)",
    ),
    "{n} demi-journée de bureau occupée sur {total} ({rate} %)": (
        "{n} desk half-day occupied of {total} ({rate}%)",
        "{n} desk half-days occupied of {total} ({rate}%)",
    ),
    "{n} déplacement évité": ("{n} trip avoided", "{n} trips avoided"),
    "{n} libre": ("{n} free", "{n} free"),
    "{n} personne": ("{n} person", "{n} people"),
    "{n} personne en attente": ("{n} person waiting", "{n} people waiting"),
    "{n} réservation de salle de réunion": (
        "{n} meeting room booking",
        "{n} meeting room bookings",
    ),
    "{n} réservation honorée": ("{n} booking attended", "{n} bookings attended"),
    "{period} : {details}": "{period}: {details}",
    "{speed} km/h en moyenne ({source})": "{speed} km/h on average ({source})",
    # Outbox, reminders, digests and impact (fix-outbox)
    "Rappel : vous avez réservé :{what}": "Reminder: you booked:{what}",
    "Aujourd'hui :{what}\nSignalez votre arrivée sur place.": (
        "Today:{what}\nTell me when you arrive."
    ),
    "{n} venue confirmée": ("{n} confirmed coming", "{n} confirmed coming"),
    "Le {day}": "On {day}",
    "Le lendemain, {day}": "The day after, {day}",
    "Point du {today} sur le {day}": "Digest of {today} for {day}",
    "Non venus {day} : non suivi (l'arrivée n'est pas signalée dans ce centre)": (
        "No-shows {day}: not tracked (arrivals are not signalled at this centre)"
    ),
    "Non venus {day} : {n} réservation sans arrivée signalée": (
        "No-shows {day}: {n} booking with no arrival signalled",
        "No-shows {day}: {n} bookings with no arrival signalled",
    ),
    "Non venus : non suivi (l'arrivée n'est pas signalée dans ce centre)": (
        "No-shows: not tracked (arrivals are not signalled at this centre)"
    ),
    "{n} réservation sans arrivée signalée": (
        "{n} booking with no arrival signalled",
        "{n} bookings with no arrival signalled",
    ),
    "dont {n} déplacement sans distance déclarée jusqu'au télécentre, compté comme si le "
    "télécentre était à la porte": (
        "including {n} trip without a declared distance to the telecentre, counted as if "
        "the telecentre were next door",
        "including {n} trips without a declared distance to the telecentre, counted as if "
        "the telecentre were next door",
    ),
}


def main() -> None:
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in EN:
            message.string = EN[key]
    with PO.open("wb") as handle:
        write_po(handle, catalog, omit_header=True, width=76)


if __name__ == "__main__":
    main()
