"""What the user wants: book, cancel, list, availability, faq, help, greeting, directory.

Cue phrases are tried in a fixed order, from the most specific to the most general, and
the slots already found (a date, a centre, a time) break the ties a person at the desk
would break: "comment annuler ?" asks how to, "annuler jeudi" does it; a question about
opening hours is a question even when it names a centre; a bare "Figeac jeudi 9h" is a
booking.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from handlers.nlu.lexicon import GRAMMAR_WORDS, words
from handlers.nlu.normalize import fold

INTENTS = (
    "book",
    "cancel",
    "list",
    "availability",
    "faq",
    "help",
    "greeting",
    "directory",
    "unknown",
)

_COMMANDS = {
    "start": "greeting",
    "bonjour": "greeting",
    "aide": "help",
    "help": "help",
    "reserver": "book",
    "book": "book",
    "annuler": "cancel",
    "cancel": "cancel",
    "mes_reservations": "list",
    "reservations": "list",
    "bookings": "list",
    "list": "list",
    "liste": "list",
    "dispo": "availability",
    "disponibilites": "availability",
    "availability": "availability",
    "faq": "faq",
    "annuaire": "directory",
    "directory": "directory",
}

_POLITE = words(
    """bonjour bonsoir salut coucou hello hi hey hola yo bjr slt cc re wesh merci beaucoup
    thanks thank you thx ty cheers au revoir bye goodbye a bientot ciao svp stp please ok
    okay d accord super parfait cool top genial great nice madame monsieur mme m bot le la
    toi vous et and tres bien there everyone all tout monde"""
)
_GREETING_WORDS = words("""bonjour bonsoir salut coucou hello hi hey hola yo bjr slt cc re wesh""")
_THANKS_WORDS = words("merci thanks thank thx ty cheers remercie remercions")
# Words that go with a thank-you and say nothing more ("merci pour tout", "thanks a lot").
_THANKS_FILLER = words(
    """a pour tout ton ta votre vos aide je vous te so much lot very mille infiniment encore
    bcp many again de for your help it"""
)
# A part of the day inside a greeting or a goodbye is no slot: "good morning", "bonne
# journée". Alone, "journée" or "morning" answers a question and carries the slot.
_GREETING_PHRASE = re.compile(r"\bgood\s(?:morning|afternoon|evening|day)\b")
_CLOSING_PHRASE = re.compile(
    r"\b(?:bonne\s(?:journee|soiree|nuit|matinee|fin\sde\sjournee|fin\sde\ssemaine"
    r"|continuation|semaine|apres\smidi|week\send|soiree)|bon\s(?:apres\smidi|week\send"
    r"|courage|dimanche|matin)|good\snight|have\sa\s(?:nice|good|great)\s(?:day|evening"
    r"|weekend|week\send)|au\srevoir|a\sbientot|a\splus|see\syou(?:\ssoon|\slater)?"
    r"|good\s?bye|bye|ciao)\b"
)


def _re(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(parts))


_HELP_ALONE = re.compile(
    r"^(?:aide|help|aide\smoi|aidez\smoi|help\sme|au\ssecours|secours|sos|menu|infos?|commandes?"
    r"|options?|besoin\sd\saide|j\sai\sbesoin\sd\saide|i\sneed\shelp|need\shelp|\?)$"
)
_HELP = _re(
    r"\bcomment\s(?:ca|cela)\s(?:marche|fonctionne)\b",
    r"\bcomment\s(?:tu|vous)\s(?:marches?|fonctionnes?|fonctionnez|marchez)\b",
    r"\bcomment\s(?:t|te|vous)\sutiliser\b",
    r"\bque\s(?:sais|peux)\stu\sfaire\b",
    r"\btu\s(?:sais|peux)\sfaire\squoi\b",
    r"\b(?:tu|vous)\s(?:sers|servez)\sa\squoi\b",
    r"\ba\squoi\s(?:tu\ssers|sers\stu|servez\svous)\b",
    r"\bqu\sest\sce\sque\s(?:tu|vous)\s(?:sais|savez|peux|pouvez)\sfaire\b",
    r"\bwhat\scan\syou\sdo\b",
    r"\bhow\sdoes\s(?:this|it)\swork\b",
    r"\bhow\sdo(?:es)?\s(?:this|it|you)\swork\b",
    r"\bmode\sd\semploi\b",
    r"\bque\s(?:puis|peux)\sje\sfaire\b",
    r"\bqu\sest\sce\sque\sje\speux\sfaire\b",
    r"\bwhat\scan\si\sdo\b",
    r"\btu\sfais\squoi\b",
    r"\bcomment\s(?:utiliser|marche|fonctionne)\s(?:ce|le|ton|votre|this|the)\s"
    r"(?:bot|robot|chatbot|assistant|service)\b",
)
# Asking for help in general; only when nothing more precise was asked.
_HELP_WEAK = _re(
    r"\b(?:peux|pouvez|pourrais|pourriez)\s(?:tu|vous)\sm\saider\b",
    r"\b(?:tu|vous)\s(?:peux|pouvez)\sm\saider\b",
    r"\bcan\syou\shelp\b",
    r"\bje\s(?:ne\s)?comprends\s(?:pas|rien)\b",
    r"\bi\sdon\s?t\sunderstand\b",
    r"\b(?:ce|le|this|the)\s(?:bot|robot|chatbot|assistant)\b",
)
# "comment réserver ?", "how do I cancel a booking?": asking how, not doing it.
_HOWTO = _re(
    r"\bcomment\s(?:est\sce\sque\s)?(?:(?:je|on|nous|puis\sje|peut\son|dois\sje|faut\sil"
    r"|fait\son\spour|faire\spour|ca\sse\spasse\spour|se\spasse)\s)?(?:m\s|me\s|s\s|se\s|l\s"
    r"|le\s|la\s|les\s|y\s)?[a-z]+(?:er|ir|re|oir|uire)\b",
    r"\bcomment\s(?:on\s|je\s)?(?:fait|fais|faire|proceder|procede)\b",
    r"\bcomment\sca\sse\spasse\b",
    r"\bhow\s(?:do|can|could|should|would)\s(?:i|we|you|one|people)\s",
    r"\bhow\sto\s",
    r"\bhow\sdoes\s(?:one|booking|cancell?ing)\b",
    r"\bquelle\sest\sla\sprocedure\b",
    r"\bprocedure\b",
)
_PRIVACY = _re(
    r"\bdonnees\b",
    r"\bdata\b",
    r"\brgpd\b",
    r"\bgdpr\b",
    r"\bvie\sprivee\b",
    r"\bprivacy\b",
    r"\bconfidentialite\b",
    r"\binformations\spersonnelles\b",
    r"\bpersonal\sinformation\b",
)
_CANCEL = _re(
    r"\bann?ul\w*",
    r"\bsupp?rim\w*",
    r"\bcancel\w*",
    r"\bdesist\w*",
    r"\bdecommand\w*",
    r"\bretir\w*\s(?:ma|mon|mes|la|le)\b",
    r"\benlev\w*\s(?:ma|mon|mes|la|le)\b",
    r"\befface\w*\s(?:ma|mon|mes|la|le)\b",
    r"\bne\s(?:pourrai|pourrais|pourra|pourrons|peux|pouvons|vais|viendrai|viendrais|viendra"
    r"|viendrons|serai|serais|sera|serons|pourrez|passerai)\s(?:[a-z]+\s)?(?:pas|plus)\b",
    r"\b(?:viendrai|viendrais|viens|viendra|viendrons|passerai)\s(?:[a-z]+\s)?pas\b",
    r"\b(?:peux|pourrai|pourrais|pourra|vais|serai|serais)\s(?:[a-z]+\s)?(?:pas|plus)"
    r"\s(?:venir|etre\sla|la|y\saller|passer|me\sdeplacer)\b",
    r"\b(?:pas|plus)\s(?:pouvoir\s)?venir\b",
    r"\bempech\w*",
    r"\bliber\w*\s(?:ma|mon|la|le|les)\b",
    r"\bplus\sbesoin\b",
    r"\bcan\s?t\s(?:come|make|attend|go|be\sthere)\b",
    r"\bcannot\s(?:come|make|attend|go|be\sthere)\b",
    r"\bwon\s?t\s(?:be\sable|come|make|need|be\scoming|be\sthere)\b",
    r"\bnot\s(?:be\sable\sto\scome|coming)\b",
    r"\bcan\sno\slonger\s(?:come|make)\b",
    r"\bno\slonger\s(?:need|coming|come)\b",
    r"\bdon\s?t\sneed\s(?:it|the|my)\b",
    r"\b(?:delete|remove|drop|release|free\sup|call\soff)\s(?:my|the|this|that)\b",
    r"\bunbook\w*",
)
_FAQ = _re(
    r"\bteletravail\w*",
    r"\bteletravaill\w*",
    r"\btelework\w*",
    r"\bremote\swork\w*",
    r"\bwork\w*\sfrom\shome\b",
    r"\bemployeur\w*",
    r"\bemployer\w*",
    r"\bpatron\b",
    r"\bboss\b",
    r"\bcontrat\b",
    r"\bcontract\b",
    r"\bavenant\b",
    r"\bcharte\b",
    r"\baccord\s(?:d\sentreprise|collectif|de\steletravail)\b",
    r"\brefus\w*",
    r"\brefuse\w*",
    r"\bdroits?\b",
    r"\brights?\b",
    r"\bentitled\b",
    r"\bfonctionnaire\w*",
    r"\bfonction\spublique\b",
    r"\bagents?\s(?:public|publics|de\sl\setat|territoria\w*|hospitalier\w*)\b",
    r"\bcivil\sservant\w*",
    r"\bpublic\ssector\b",
    r"\baccident\w*",
    r"\bassurance\b",
    r"\binsurance\b",
    r"\bindemnit\w*",
    r"\ballocation\w*",
    r"\bforfait\w*",
    r"\bfrais\b",
    r"\brembours\w*",
    r"\bexpenses?\b",
    r"\ballowances?\b",
    r"\breimburs\w*",
    r"\bprise\sen\scharge\b",
    r"\bconjoint\w*",
    r"\bepoux\b",
    r"\bepouse\b",
    r"\bspouse\w*",
    r"\bwifi\b",
    r"\bwi\sfi\b",
    r"\bfibre\b",
    r"\bfiber\b",
    r"\binternet\b",
    r"\bconnexion\b",
    r"\bimprim\w*",
    r"\bprinter\w*",
    r"\bprinting\b",
    r"\becrans?\b",
    r"\bscreens?\b",
    r"\bequipement\w*",
    r"\bequipment\b",
    r"\bmateriel\b",
    r"\bcuisine\b",
    r"\bkitchen\b",
    r"\bparking\b",
    r"\bgarer\b",
    r"\bstationn\w*",
    r"\bbus\b",
    r"\btrain\b",
    r"\bgare\b",
    r"\btransports?\b",
    r"\bacces\b",
    r"\baccessib\w*",
    r"\bpmr\b",
    r"\bhandicap\w*",
    r"\bfauteuil\b",
    r"\bwheelchair\b",
    r"\badresses?\b",
    r"\baddress\b",
    r"\bou\sse\s(?:trouve\w*|situe\w*)\b",
    r"\bou\s(?:est|sont)\b",
    r"\bc\sest\sou\b",
    r"\bwhere\s(?:is|are|s)\b",
    r"\blocated\b",
    r"\bsitue\w*",
    r"\bhoraires?\b",
    r"\bheures\sd\souverture\b",
    r"\bopening\b",
    r"\bouvert\w*",
    r"\bouverture\b",
    r"\bouvre\b",
    r"\bouvrez\b",
    r"\bouvrent\b",
    r"\bfermes?\b",
    r"\bfermee?s?\b",
    r"\bfermeture\w*",
    r"\bclosed?\b",
    r"\bopen\b",
    r"\bjours?\sferies?\b",
    r"\bcombien\s(?:ca\s|cela\s)?(?:coute\w*|fait|vaut)\b",
    r"\bc\sest\scombien\b",
    r"\bcombien\spour\b",
    r"\bprix\b",
    r"\btarif\w*",
    r"\bcout\w*",
    r"\bhow\smuch\b",
    r"\bprices?\b",
    r"\bpricing\b",
    r"\bcosts?\b",
    r"\bfees?\b",
    r"\bpayer\b",
    r"\bpayant\w*",
    r"\bgratuit\w*",
    r"\babonnement\w*",
    r"\bsubscription\w*",
    r"\beligib\w*",
    r"\bqui\speut\s(?:utiliser|venir|acceder|beneficier|reserver|s\sinscrire|travailler)\b",
    r"\bwho\scan\s(?:use|come|access|book|join|register|work)\b",
    r"\bqui\sa\sle\sdroit\b",
    r"\bindependant\w*",
    r"\bauto\s?entrepreneur\w*",
    r"\bdemandeurs?\sd\semploi\b",
    r"\bchom\w*",
    r"\bjob\sseeker\w*",
    r"\bc\sest\squoi\b",
    r"\bqu\sest\sce\squ\s(?:un|une|le|la)\b",
    r"\bqu\sest\sce\sque\s(?:le|la|les)\b",
    r"\bwhat\s(?:is|s)\s(?:a|an|the)\b",
    r"\bwhat\sare\s(?:the|your)\b",
    r"\b(?:infos?|informations?|renseignements?|details)\s(?:sur|about|on)\b",
    r"\bordinateurs?\b",
    r"\b(?:bring|apporter|prevoir)\b",
    r"\bcomputers?\b",
    r"\bcasiers?\b",
    r"\blockers?\b",
)
_DIRECTORY = _re(
    r"\bqui\s(?:fait|fais|font|sait|sais|savent|connait|connaissent|s\sy\sconnait|maitrise\w*"
    r"|pratique\w*|travaille\sdans|bosse\sdans|bosse\sen|propose|developpe|code|traduit"
    r"|pourrait\sm\saider|peut\sm\saider\s(?:a|en|pour|sur))\b",
    r"\bje\s(?:cherche|recherche)\s(?:un|une|des|quelqu\sun)\s(?!(?:bureau|bureaux|poste|postes"
    r"|place|places|salle|salles|endroit|espace|creneau|lieu|coin|table|date|jour)\b)",
    r"\bon\s(?:cherche|recherche)\s(?:un|une|des|quelqu\sun)\s(?!(?:bureau|bureaux|poste|postes"
    r"|place|places|salle|salles|endroit|espace|creneau|lieu|coin|table|date|jour)\b)",
    r"\bquelqu\sun\s(?:qui|pour|capable|de\scompetent|en|dans\sle\sreseau|fait|sait|connait"
    r"|maitrise|peut|pourrait|travaille|serait|aurait|s\sy\sconnait)\b",
    r"\bqui\s(?:est|sont)\s(?:un\s|une\s|des\s)?[a-z]+(?:eur|euse|iste|ien|ienne|ologue"
    r"|graphe|icien|icienne|ier|iere)s?\b",
    r"\b(?:connaissez|connais)\s(?:vous|tu)\s(?:un|une|des|quelqu)\b",
    r"\b(?:looking|searching)\sfor\s(?:a|an|someone|somebody|people)\s"
    r"(?!(?:desk|room|seat|place|spot|workspace|meeting|space|date|day)\b)",
    r"\b(?:anyone|anybody|someone|somebody)\s(?:who|that|doing|with|good\sat|skilled|able)\b",
    r"\b(?:need|want|find|looking\sfor)\s(?:someone|somebody|a\sperson)\s(?:to|for)\b",
    r"\b(?:is|are)\s(?:there\s)?(?:anybody|anyone|someone|somebody)\s(?:here\s|around\s"
    r"|in\sthe\snetwork\s)?(?:a|an)\s[a-z]+",
    r"\bwho\s(?:s|is|are)\s(?:good|skilled|great|experienced|an\sexpert|expert|familiar)"
    r"\s(?:at|in|with)\b",
    r"\bwho\s(?:does|do|knows|know|can\s(?:do|help|make|build|design|translate|code))\b",
    r"\bneed\s(?:a|an)\s\w+(?:er|or|ist|ian|ant)\b",
    r"\bannuaire\b.*\b(?:qui|un|une)\b",
    r"\bcompetences?\sen\b",
    r"\bqui\s(?:peut|pourrait|saurait)\s(?:me\s)?(?:faire|m\saider|developper|creer|traduire"
    r"|realiser|concevoir|reparer|installer|coder|rediger|dessiner)\b",
    # "y a-t-il un graphiste ?": a person named by a trade (agent-noun endings).
    r"\b(?:y\sa\st\sil|il\sy\sa|connaissez\svous|connais\stu|quelqu\sun\sconnait)\s"
    r"(?:un|une|des)\s[a-z]+(?:iste|eur|euse|ien|ienne|ologue|graphe|icien|icienne|ier|iere)s?\b",
    r"\bbesoin\sd\s(?:un|une)\s[a-z]+(?:eur|euse|iste|ien|ienne|ologue|graphe|icien|icienne|ier|iere)s?\b",
    r"\b(?:un|une|des)\s[a-z]+(?:iste|eur|euse|ien|ienne|ologue|graphe|icien|icienne|ier|iere)s?\s"
    r"(?:dans|sur|du|autour|around|near|in)\s(?:le\s|la\s|the\s|du\s)?(?:coin|reseau|secteur"
    r"|territoire|region|area|network)\b",
    r"\b(?:is\sthere|are\sthere|do\syou\sknow|does\sanyone\sknow)\s(?:a|an|any)\s"
    r"(?:[a-z]+\s)?[a-z]+(?:er|or|ist|ian)s?\b",
)
# The nouns of a booking, in the forms people write them.
_BOOKINGS = r"(?:reservations?|resas?|bookings?|creneaux|reserv\w*)"
_LIST = _re(
    r"\bmes\s(?:prochaines?\s)?(?:reservations?|resas?|bookings?|creneaux|reserv\w*)\b",
    r"\bma\s(?:prochaine\s)?(?:reservation|resa)\b",
    r"\bmy\s(?:upcoming\s|next\s|current\s)?(?:bookings?|reservations?)\b",
    r"\bj\sai\s(?:de\s|d\s)?reserve\w*\b",
    r"\bqu\sest\sce\sque\sj\sai\b",
    r"\bai\sje\s(?:une|des|deja)\s",
    r"\bj\sai\s(?:une|des)\s(?:reservation|resa)s?\b",
    r"\bwhat\s(?:have|did)\si\sbook\w*",
    r"\bdo\si\shave\s(?:a|any)\s(?:booking|reservation)s?\b",
    r"\bwhere\sam\si\sbooked\b",
    r"\bliste\b",
    r"\blist\b",
    r"\brecap\w*",
    r"\bmon\s(?:planning|agenda)\b",
    r"\bmy\s(?:schedule|agenda)\b",
    r"\bai\sje\s(?:bien\s)?reserve\w*",
    r"\best\sce\sque\sj\sai\s(?:bien\s)?reserve\w*",
    r"\bsuis\sje\sinscrit\w*",
    r"\b(?:am\si\sbooked|did\si\sbook|have\si\sbooked)\b",
    r"\bupcoming\s(?:bookings?|reservations?)\b",
    r"\b(?:quelles?|combien\sde)\s(?:reservations?|resas?)\b",
    r"\b(?:reservations?|resas?)\s(?:ai\sje|j\sai)\b",
    r"\b(?:which|what)\s(?:bookings?|reservations?)\b",
    r"\bwhat\s(?:i\s|i\sve\s|i\shave\s)booked\b",
    # "j'ai quoi (comme résas) ?", "qu'ai-je de prévu ?": asking what one has, not how to.
    rf"\bj\sai\squoi\b(?!\s(?:a\sfaire|faire|comme\s(?!{_BOOKINGS}\b)))",
    r"\bqu\sai\sje\s(?:de\s(?:prevu|reserve|programme)|comme\s(?:reservations?|resas?))\b",
    r"\b(?:suis\sje|je\ssuis)\sinscrit\w*\s(?:quand|ou|pour\squand)\b",
    r"\bwhat\s(?:have\si\sgot|do\si\shave|s\son\sfor\sme)\b(?!\sto\b)",
    r"\b(?:have\si\sgot|do\si\shave|is\sthere)\sanything\s(?:booked|on|planned|reserved)\b",
    r"\banything\sbooked\sfor\sme\b",
)
_AVAILABILITY = _re(
    r"\bdispo\w*",
    r"\bdisponib\w*",
    r"\blibres?\b",
    r"\bfree\b",
    r"\bavailab\w*",
    r"\bvacant\w*",
    r"\bil\sreste\b",
    r"\breste\st\sil\b",
    r"\breste\sil\b",
    r"\brestent\b",
    r"\breste\s(?:de\sla|des|encore)\b",
    r"\bde\sla\splace\b",
    r"\bdes\splaces\b",
    r"\bcomplets?\b",
    r"\bcomplete\b",
    r"\bplein\b",
    r"\boccupe\w*",
    r"\bfull\b",
    r"\bbooked\sup\b",
    r"\bany\s(?:desk|room|seat|spot|space|place)s?\b",
    r"\b(?:desk|room|seat|spot)s?\s(?:left|free|open)\b",
    r"\bis\sthere\s(?:room|space)\b",
    r"\bpeut\son\svenir\b",
)
# "combien de bureaux ?" asks the size of a centre, unless a day is named.
_HOW_MANY = _re(
    r"\bcombien\sde\s(?:places|bureaux|postes|salles)\b",
    r"\bhow\smany\s(?:desks|seats|places|spots|rooms)\b",
)
_BOOK = _re(
    r"\breserv\w*",
    r"\bresa\b",
    r"\bbook\w*",
    r"\bprendre\s(?:un|une|le|la|des)\b",
    r"\bje\s(?:voudrais|veux|souhaite|souhaiterais|aimerais|prends|prendrai|viendrai|viens"
    r"|passerai|serai|serais|compte|pense|vais)\b",
    r"\bj\s(?:aimerais|voudrais|arrive|arriverai)\b",
    r"\bil\sme\sfaut\b",
    r"\bme\sfaudrait\b",
    r"\bj\sai\sbesoin\b",
    r"\bbesoin\sd\s(?:un|une)\b",
    r"\bi\s(?:need|want|would\slike|d\slike|ll\scome|will\scome|m\scoming|am\scoming)\b",
    r"\bcan\si\s(?:get|have|come|book|reserve)\b",
    r"\bcould\si\s(?:get|have|come|book|reserve)\b",
    r"\bpuis\sje\s(?:avoir|venir|reserver|prendre)\b",
    r"\bgarde\s(?:moi|nous)\b",
    r"\bbloqu\w*",
    r"\binscri\w*",
)
_WEAK_FAQ = _re(
    r"\btelecentres?\b",
    r"\breseau\b",
    r"\bnetwork\b",
    r"\bcentres?\b",
    r"\bannuaire\b",
    r"\bcompetences?\b",
    r"\bskills?\b",
    r"\by\sa\st\sil\b",
    r"\bil\sy\sa\b",
    r"\bis\sthere\b",
    r"\bare\sthere\b",
    r"\bdo\syou\shave\b",
    r"\bavez\svous\b",
    r"\bpeut\son\b",
    r"\best\sce\squ\b",
    r"\bquel\w*\b",
    r"\bwhat\b",
    r"\bwhich\b",
)
# Asking for a person by trade: a cue ("find a", "recommend a", "il me faut un", "any")
# then a person noun. Person nouns are the directory's own vocabulary (booking_core's
# skills file: "avocat", "comptable") or words shaped like agent nouns ("plumber",
# "traducteur"), minus the things that share those endings ("printer", "clavier").
_PERSON_CUE = re.compile(
    r"\b(?P<cue>find|finding|recommend|suggest|hire|hiring|need|needs|want|seeking"
    r"|(?:looking|searching)\sfor|know\sof|trouver|recommander|conseiller|faut|faudrait"
    r"|besoin\sd|cherche|recherche|any|there\s(?:is|are)|y\sa\st\sil|il\sy\sa)"
    r"\s(?:me\s|us\s)?(?:(?P<art>an|a|une|un|des|any|some)\s)?"
    r"(?:(?:good|great|local|freelance|reliable|bon|bonne|vrai)\s)?(?P<who>[a-z]+)\b"
    # "a web designer", "a python developer": the trade may be the second word.
    r"(?:\s(?P<who2>[a-z]+)\b)?"
)
_AGENT_SHAPE = re.compile(
    r"(?:er|or|ist|ian|ant|eur|euse|iste|ien|ienne|ologue|graphe|ier|iere|trice)s?$"
)
_NOT_PEOPLE = words(
    """computer printer monitor number corner letter paper charger adapter adaptor scanner
    locker heater water answer other later earlier sooner cheaper quieter bigger larger
    smaller closer nearer better door floor elevator radiator projector restaurant plant
    timer folder order error register server router cooler poster marker counter cover
    filter user partner employer employeur ordinateur moniteur chargeur adaptateur
    projecteur videoprojecteur ascenseur radiateur ventilateur interrupteur routeur serveur
    connecteur tableur casier clavier papier fichier dossier escalier calendrier quartier
    chantier atelier courrier panier cahier sentier evier cendrier demandeur lecteur
    meeting for or per after under over other ever never rather either neither whether
    together her"""
)
_STRONG_CUES = frozenset({"find", "finding", "recommend", "suggest", "hire", "hiring", "need",
    "needs", "want", "seeking", "trouver", "recommander", "conseiller", "faut", "faudrait",
    "besoin d", "cherche", "recherche"})  # fmt: skip


@functools.cache
def _trade_words() -> frozenset[str]:
    """One-word skills and trades of the directory's vocabulary, in their singular form."""
    from booking_core.skills import vocabulary

    return frozenset(p[0] for p in vocabulary().phrases if len(p) == 1)


def _person_wanted(text: str) -> bool:
    from booking_core.skills import singular

    for m in _PERSON_CUE.finditer(text):
        cue, art = m.group("cue"), m.group("art")
        strong = cue.startswith(("looking", "searching")) or cue in _STRONG_CUES
        if m.group("who") in GRAMMAR_WORDS:
            continue  # "a desk for a colleague": a thing to book, whatever follows
        for who in (m.group("who"), m.group("who2")):
            if not who or who in _NOT_PEOPLE or singular(who) in _NOT_PEOPLE:
                continue
            if _AGENT_SHAPE.search(who) and (art or cue == "any"):
                return True
            if strong and art in ("a", "an", "un", "une") and singular(who) in _trade_words():
                return True
    return False


# Asking for a person by name ("je cherche Bob Martin", "looking for Alice"): a verb of
# searching, then a capitalised word or two, read on the message as typed (folding loses
# the capitals). What the name may be instead (a weekday, a centre) is checked apart.
_TITLED = r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'\u2019]+(?:-[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'\u2019]+)*"
_NAME_SOUGHT = re.compile(
    r"(?i:\b(?:cherche|cherches|cherchons|chercher|recherche|rechercher|trouver|contacter"
    r"|(?:looking|searching|search|look)\sfor|find|contact))\s+"
    r"(?:(?:M\.?|Mme|Mlle|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|[Mm]onsieur|[Mm]adame)\s+)?"
    rf"(?P<name>{_TITLED}(?:\s+{_TITLED})?)(?![\w-])"
)


def person_sought(text: str, place_words: frozenset[str]) -> bool:
    """Whether the message, as typed, asks for someone by name (a directory search)."""
    for m in _NAME_SOUGHT.finditer(text):
        folded = fold(m.group("name")).text.split()
        if folded and not any(w in GRAMMAR_WORDS or w in place_words for w in folded):
            return True
    return False


_WORD = re.compile(r"[a-z]{2,}")
# Small talk around a greeting ("bonjour, comment allez-vous ?") is still a greeting.
_SMALL_TALK = re.compile(
    r"\b(?:comment\s(?:allez\svous|vas\stu|ca\sva|tu\svas|va)|ca\sva|how\sare\syou"
    r"|how\s(?:s|is)\sit\sgoing|what\s?s\sup|quoi\sde\sneuf)\b"
)


@dataclass(frozen=True, slots=True)
class Slots:
    """What the other extractors found, as the intent rules need to see it."""

    centre: bool
    date: bool
    time: bool
    recurrence: bool
    count: bool
    resource: bool
    period: bool


# Asking to change a booking: its verbs, but not "se déplacer" (to travel), "déplacement",
# "d'avance" or an English "move" that is a relocation ("moving to Figeac").
CHANGE = re.compile(
    r"\b(?<!me\s)(?<!se\s)(?<!te\s)(?<!nous\s)(?<!vous\s)(?:deplac|decal|modifi|repouss)"
    r"(?:er|e|es|ez|erais|erai|ons)\b|\bmodification\b"
    r"|\b(?:report|chang|avanc)(?:er|ez|erais|erai)\b|\b(?:reporte|change)\s(?:ma|mon|la|le|les|mes)\b"
    r"|\b(?:move|moving|shift|switch|change|changing)\s(?:my|the|it|this|that|our|a|me)\b"
    r"|\breschedul\w*"
)


def is_polite(word: str) -> bool:
    """A word of politeness only ("svp", "merci", "ok"), which changes no slot."""
    return word in _POLITE


def politeness(text: str) -> str | None:
    """``thanks`` or ``bye`` for a message that is only a thank-you or a goodbye, else None.

    The contract has no intent for them; the dialogue answers "de rien" or "au revoir"
    from this key (a thank-you is intent ``unknown``, a goodbye ``greeting``).
    """
    plain = text.replace("\x00", " ")
    closing = _CLOSING_PHRASE.search(plain) is not None
    tokens = [w for w in _CLOSING_PHRASE.sub(" ", _GREETING_PHRASE.sub(" ", plain)).split() if w]
    if any(w in _THANKS_WORDS for w in tokens) and all(
        w in _POLITE or w in _THANKS_FILLER for w in tokens
    ):
        return "thanks"
    if closing and all(w in _POLITE for w in tokens):
        return "bye"
    return None


def classify(text: str, question: bool, command: str | None, slots: Slots) -> str:
    """One intent name from ``INTENTS`` for a folded message whose centre is masked."""
    if command is not None:
        mapped = _COMMANDS.get(command)
        if mapped is not None:
            return mapped
    greeting_free = _GREETING_PHRASE.sub(" ", _SMALL_TALK.sub(" ", text.replace("\x00", " ")))
    closing = _CLOSING_PHRASE.search(greeting_free) is not None
    tokens = [w for w in _CLOSING_PHRASE.sub(" ", greeting_free).split(" ") if w]
    small_talk = _SMALL_TALK.search(text) is not None or _GREETING_PHRASE.search(text) is not None
    if not tokens and not slots.centre:
        return "greeting" if small_talk or closing else "unknown"
    rest = [w for w in tokens if w not in _POLITE]
    if politeness(text) == "thanks" and not slots.centre:
        return "unknown"  # no intent of its own: the ``politeness`` key says it
    greeted = small_talk or closing or any(w in _GREETING_WORDS for w in tokens)
    if not rest and not slots.centre and greeted:
        return "greeting"
    core = " ".join(rest)
    when = slots.date or slots.time or slots.recurrence
    if _HELP_ALONE.match(core) or (_HELP.search(text) and not when and not slots.centre):
        return "help"
    if _HOWTO.search(text) and not when:
        return "faq"
    if _PRIVACY.search(text):
        return "faq"
    if _CANCEL.search(text):
        return "cancel"
    booking = _BOOK.search(text) is not None
    how_many = _HOW_MANY.search(text) is not None
    if how_many and not when:
        return "faq"
    available = how_many or _AVAILABILITY.search(text) is not None
    if _FAQ.search(text) and not ((booking or available) and when):
        return "faq"
    if _DIRECTORY.search(text) or _person_wanted(text):
        return "directory"
    if _LIST.search(text):
        return "list"
    if available and not booking:
        return "availability"
    if booking or slots.centre or when or slots.count or slots.resource:
        return "book"
    if _HELP_WEAK.search(text):
        return "help"
    if _WEAK_FAQ.search(text) or (question and len(_WORD.findall(core)) >= 3):
        return "faq"
    if slots.period:
        return "book"
    if _HELP_WEAK.search(text):
        return "help"
    return "unknown"
