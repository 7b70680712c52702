"""Which language each sentence of a reply is in, so the guard never passes what it cannot read.

English and Spanish are read. A sentence confidently in another language, or a reply written
mostly in a script other than Latin, is refused (fail closed). Short sentences and names
say too little to tell, and take the language of the rest of the reply. So does a short sentence of a
Spanish reply that the detector reads as Portuguese or Italian without a letter Spanish never writes: on
a few words the detector confuses these close languages ("Escríbanos a … y un gerente le responderá" read
as Portuguese), and the reply as a whole tells which it is: the folded reply, or, when that reads as a sibling or
cannot tell, the reply as written, whose accents tell Spanish apart. Everything else is told from the folded
text, so accents sprinkled over English never make it Spanish.

Two readings come before the detector's, because on a few informal words it reads English as Dutch or French
("brynn omg ur gonna make me cry", "vibes r immaculate, we don't miss") and Spanish as Portuguese ("Este comentario
parece ser publicidad y ya lo reportamos."): a sentence whose words are mostly English dictionary words is English,
and a sentence read as a close language that holds a word only Spanish writes among the two ("y", "los", "usted"),
and none of that language's own letters, is Spanish. Neither reading can make a reply in another language pass: it
takes words of English or Spanish to turn a sentence into them.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

READ = ("en", "es")
NAMES = {"en": "English", "es": "Spanish", "pt": "Portuguese", "de": "German", "fr": "French", "it": "Italian",
         "nl": "Dutch"}
CONFIDENT = 0.9
MIN_WORDS = 6
# Languages the detector confuses with a read language on a short sentence, and the letters that language
# writes and the read one never does ("ã", "ç": Portuguese, never Spanish). A sentence of fewer than
# SIBLING_WORDS words read as a sibling, in a reply read as a whole as the read language and without such a
# letter, is taken to be in the reply's language.
SIBLINGS = {"es": {"pt": frozenset("ãõçâêô"), "it": frozenset("ìòè")}}
SIBLING_WORDS = 12
# Marks only Spanish writes among the languages told apart here: a sentence read as a sibling that has one of them
# and none of the sibling's own letters is Spanish, however long ("¡Gracias por avisar! La clínica está en …").
OWN_MARKS = {"es": frozenset("¡¿ñ")}
# Function words Spanish writes and the language the detector mistakes it for does not, and that language's own
# letters. A sentence read as that language, holding one of these words and none of its letters, is Spanish:
# "y", "los", "el", "muy" are not Portuguese, Italian, French or Dutch words. Unlike SIBLINGS, a sentence without
# such a word keeps the detector's reading, however short.
OWN_WORDS = {"es": {
    "pt": frozenset("el los las y muy usted ustedes gracias hola del una con pero su sus esto hay lo es".split()),
    "it": frozenset("el los las y muy usted ustedes gracias hola esto hay es".split()),
    "fr": frozenset("el los muy usted ustedes gracias hola esto hay del una pero".split()),
    "nl": frozenset("el los las y muy usted ustedes gracias hola esto hay del una con pero su sus es".split()),
}}
_SPANISH = frozenset().union(*OWN_WORDS["es"].values())
_SPANISH_ONLY = frozenset.intersection(*OWN_WORDS["es"].values())
FOREIGN_LETTERS = {"pt": frozenset("ãõçâêô"), "it": frozenset("ìòèù"), "fr": frozenset("àèùâêîôûëïçœ"),
                   "nl": frozenset("ë")}
_FOREIGN = frozenset().union(*FOREIGN_LETTERS.values())
# English function words, and the chat forms and contractions only English writes ("u", "thx", "don't"; the
# detector has seldom seen them): a sentence made of enough of them is English, however short, whatever its names.
_ENGLISH = frozenset("""
a an and are as at be been but by can could did do for from had has have i if in is it its me my no not of on
or our please so thank thanks that the their them they this to us was we were what will with would you your
u ur thx ty tysm omg lol gonna wanna gotta y'all yall it's don't can't won't we're you're i'm im we'll you'll that's
there's let's pls hi hey
""".split())
ENGLISH_SHARE = 0.25
# A sentence of at least DICTIONARY_WORDS words, at least this share of them English dictionary words (the spaCy
# model's lemma index, `dictionary` below), is English: "We accept most major commercial plans" read as French.
DICTIONARY_SHARE = 0.6
DICTIONARY_WORDS = 3
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_NON_WORDS = re.compile(r"\S+@\S+|(?:https?://|www\.)\S+|\S+\.(?:com|org|net|example)\S*", re.IGNORECASE)


@lru_cache(maxsize=1)
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    languages = [Language.ENGLISH, Language.SPANISH, Language.PORTUGUESE, Language.GERMAN, Language.FRENCH,
                 Language.ITALIAN, Language.DUTCH]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def load() -> None:
    """Build the detector now (at engine start) rather than on the first reply."""
    _detector()


def non_latin_share(text: str) -> float:
    letters = [char for char in text if char.isalpha()]
    if not letters:
        return 0.0
    other = sum(not unicodedata.name(char, "LATIN").startswith("LATIN") for char in letters)
    return other / len(letters)


def _telling_words(text: str) -> list[str]:
    words = []
    for index, match in enumerate(_WORD.finditer(_NON_WORDS.sub(" ", text))):
        word = match.group()
        # Names and other capitalised words mid-sentence say nothing about the language.
        if index and word[0].isupper():
            continue
        words.append(word)
    return words


def _lowered(words: list[str]) -> list[str]:
    return [word.lower().replace("’", "'") for word in words]


def _function_words(lowered: list[str]) -> tuple[int, int]:
    """How many of the (_lowered) words are English function words or chat forms, and how many are words only
    Spanish writes."""
    return sum(word in _ENGLISH for word in lowered), sum(word in _SPANISH for word in lowered)


def _english_share(lowered: list[str], dictionary: frozenset[str]) -> float:
    """The share of the (_lowered) words that are English: function words and chat forms, and dictionary words of
    four letters or more (the dictionary also lists "el", "con" and "la" as abbreviations and notes)."""
    known = sum(word in _ENGLISH or (len(word) > 3 and (
        word in dictionary or (word.endswith("s") and word[:-1] in dictionary))) for word in lowered)
    return known / len(lowered)


def sentence_language(text: str, dictionary: frozenset[str] = frozenset()) -> str | None:
    """ISO code of the sentence's language, or None when it is too short or too mixed to tell. `dictionary`: English
    words (the engine passes its lexicon's)."""
    words = _telling_words(text)
    lowered = _lowered(words)
    english, spanish = _function_words(lowered)
    if words and english > spanish and english / len(words) >= ENGLISH_SHARE:
        return "en"  # "Gracias for taking the time!", "El Paso is open Fridays …"
    if (dictionary and not spanish and len(words) >= DICTIONARY_WORDS
            and _english_share(lowered, dictionary) >= DICTIONARY_SHARE):
        return "en"
    if len(words) < MIN_WORDS:
        return None
    values = _detector().compute_language_confidence_values(" ".join(words))
    if not values or values[0].value < CONFIDENT:
        return None
    return values[0].language.iso_code_639_1.name.lower()


def _holds_spanish_words(text: str, code: str | None) -> bool:
    """`text`, read as `code`, holds a word only Spanish writes of the two and none of `code`'s own letters; read as
    nothing (too short or too mixed to tell), a word none of the others writes and none of their letters."""
    if code is None:
        words, letters = _SPANISH_ONLY, _FOREIGN
    elif code in OWN_WORDS["es"]:
        words, letters = OWN_WORDS["es"][code], FOREIGN_LETTERS[code]
    else:
        return False
    if letters & set(text.lower()):
        return False
    lowered = _lowered(_telling_words(text))
    own = sum(word in words for word in lowered)
    # Undecided, it must also hold more of them than English function words: "Gracias for the love" stays open.
    return own > 0 and (code is not None or own > _function_words(lowered)[0])


def spanish_words(languages: list[str | None], sentences: list[str]) -> list[str | None]:
    """The sentences' languages, where a sentence read as a language the detector mistakes Spanish for, that holds
    a word only Spanish writes of the two and none of that language's letters (OWN_WORDS), is Spanish; so is one
    the detector cannot tell ("Pedro, usted nunca ha sido cliente de …", 0.87 Portuguese) that holds a word
    none of those languages writes."""
    return ["es" if _holds_spanish_words(text, code) else code for code, text in zip(languages, sentences)]


def reply_language(folded: str, written: str, dictionary: frozenset[str] = frozenset(),
                   sentences: list[str | None] | None = None) -> str | None:
    """The language of a whole reply: sentence_language of its folded text, except that a reply the folded text
    reads as a close sibling of Spanish, or cannot tell, and whose text as written (accents and all) reads as
    Spanish, is Spanish. Only Spanish gains from the accents: English never turns Spanish here. A reply read as a
    language Spanish is mistaken for, holding Spanish's own words and none of that language's letters, is Spanish
    too when its sentences (`sentences`: their languages) read as English or Spanish, some as Spanish."""
    code = sentence_language(folded, dictionary)
    if code is None or code in SIBLINGS["es"]:
        marks = set(written.lower())
        if sentence_language(written, dictionary) == "es" or (
                code is not None and OWN_MARKS["es"] & marks and not SIBLINGS["es"][code] & marks):
            return "es"
    if (sentences and "es" in sentences and all(c is None or c in READ for c in sentences)
            and _holds_spanish_words(written, code)):
        return "es"
    return code


def within_reply(languages: list[str | None], sentences: list[str], reply: str | None,
                 dictionary: frozenset[str] = frozenset()) -> list[str | None]:
    """The sentences' languages (sentence_language of each sentence's folded text), where a sentence read as a close
    sibling of the reply's own language (`reply`: reply_language), without the sibling's own letters, takes the
    reply's language when it has a mark only that language writes (OWN_MARKS) or reads as it as written, and is
    left undecided when short; `sentences` are the same sentences as written, whose letters tell a sibling apart
    (see SIBLINGS)."""
    siblings = SIBLINGS.get(reply or "", {})
    if not siblings:
        return languages
    decided = []
    for code, text in zip(languages, sentences):
        letters = siblings.get(code or "")
        written = set(text.lower())
        if letters is not None and not letters & written:
            if OWN_MARKS[reply] & written or sentence_language(text, dictionary) == reply:
                code = reply  # its own marks, or its accents read as written, tell the reply's language
            elif len(_telling_words(text)) < SIBLING_WORDS:
                code = None
        decided.append(code)
    return decided


def unreadable_reason(text: str, languages: list[str | None]) -> str:
    """Why the guard refuses to judge this reply ("" when it can read it)."""
    if non_latin_share(text) > 0.3:
        return "The PHI guard cannot read this script; write the reply in English or Spanish."
    foreign = [code for code in languages if code and code not in READ]
    if foreign:
        name = NAMES.get(foreign[0], foreign[0])
        return f"The PHI guard cannot read {name}; write the reply in English or Spanish."
    return ""


def resolve(languages: list[str | None], whole: str | None = None) -> list[str]:
    """Fill the sentences too short to tell with the reply's main readable language: that of most sentences that
    tell, else that of the reply as a whole (`whole`), else English."""
    known = [code for code in languages if code in READ]
    main = max(READ, key=known.count) if known else whole if whole in READ else "en"
    return [code if code in READ else main for code in languages]
