"""Which language each sentence of a reply is in, so the guard never passes what it cannot read.

English and Spanish are read. A sentence confidently in another language, or a reply written
mostly in a script other than Latin, is refused (fail closed). Short sentences and names
say too little to tell, and take the language of the rest of the reply. So does a short sentence of a
Spanish reply that the detector reads as Portuguese or Italian without a letter Spanish never writes: on
a few words the detector confuses these close languages ("Escríbanos a … y un gerente le responderá" read
as Portuguese), and the reply as a whole tells which it is: the folded reply, or, when that reads as a sibling or
cannot tell, the reply as written, whose accents tell Spanish apart. Everything else is told from the folded
text, so accents sprinkled over English never make it Spanish.
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
# English function words: a sentence made of enough of them is English, however short, whatever its names.
_ENGLISH = frozenset("""
a an and are as at be been but by can could did do for from had has have i if in is it its me my no not of on
or our please so thank thanks that the their them they this to us was we were what will with would you your
""".split())
ENGLISH_SHARE = 0.25
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


def sentence_language(text: str) -> str | None:
    """ISO code of the sentence's language, or None when it is too short or too mixed to tell."""
    words = _telling_words(text)
    if words and sum(word.lower() in _ENGLISH for word in words) / len(words) >= ENGLISH_SHARE:
        return "en"
    if len(words) < MIN_WORDS:
        return None
    values = _detector().compute_language_confidence_values(" ".join(words))
    if not values or values[0].value < CONFIDENT:
        return None
    return values[0].language.iso_code_639_1.name.lower()


def reply_language(folded: str, written: str) -> str | None:
    """The language of a whole reply: sentence_language of its folded text, except that a reply the folded text
    reads as a close sibling of Spanish, or cannot tell, and whose text as written (accents and all) reads as
    Spanish, is Spanish. Only Spanish gains from the accents: English never turns Spanish here."""
    code = sentence_language(folded)
    if code is None or code in SIBLINGS["es"]:
        marks = set(written.lower())
        if sentence_language(written) == "es" or (
                code is not None and OWN_MARKS["es"] & marks and not SIBLINGS["es"][code] & marks):
            return "es"
    return code


def within_reply(languages: list[str | None], sentences: list[str], reply: str | None) -> list[str | None]:
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
            if OWN_MARKS[reply] & written or sentence_language(text) == reply:
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
