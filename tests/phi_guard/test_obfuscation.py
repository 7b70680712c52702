"""What is checked is what a reader sees: obfuscated disclosures stay blocked, and stored text is normalised."""
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phi_guard.normalize import fold, stored_form

BLOCKED = [
    "We are so glad your Botox went well.",
    "Kelsey, your filler should settle in two weeks.",
    "Sorry the laser left you with a burn, Kelsey.",
]
WORDS = ("Botox", "filler", "laser", "burn")
CYRILLIC = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "B": "В", "T": "Т", "y": "у"}
SWAPS = {"o": "0", "i": "1", "e": "3", "a": "4", "s": "5"}


def _inside(word: str, insert: str, position: int) -> str:
    position = 1 + position % (len(word) - 1)
    return word[:position] + insert + word[position:]


def _full_width(word: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in word)


def _entity(word: str, position: int) -> str:
    position = position % len(word)
    return word[:position] + f"&#{ord(word[position])};" + word[position + 1:]


def _combining(word: str, position: int) -> str:
    return _inside(word, "\u0301", position)


OBFUSCATIONS = {
    "zero-width space": lambda w, p: _inside(w, "\u200b", p),
    "soft hyphen": lambda w, p: _inside(w, "\u00ad", p),
    "word joiner": lambda w, p: _inside(w, "\u2060", p),
    "full-width letters": lambda w, p: _full_width(w),
    "Cyrillic look-alikes": lambda w, p: "".join(CYRILLIC.get(c, c) for c in w),
    "spaced letters": lambda w, p: " ".join(w),
    "dotted letters": lambda w, p: ".".join(w),
    "digits for letters": lambda w, p: w[0] + "".join(SWAPS.get(c, c) for c in w[1:]),
    "an HTML entity": _entity,
    "a combining accent": _combining,
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sentence=st.sampled_from(BLOCKED), how=st.lists(st.sampled_from(sorted(OBFUSCATIONS)), min_size=1, max_size=2),
       position=st.integers(min_value=0, max_value=50))
def test_a_blocked_sentence_stays_blocked_however_it_is_obfuscated(check, sentence, how, position):
    obfuscated = sentence
    for word in WORDS:
        if word in obfuscated:
            disguised = word
            for name in how:
                disguised = OBFUSCATIONS[name](disguised, position)
            obfuscated = obfuscated.replace(word, disguised)

    verdict = check(obfuscated, reviewer_name="Kelsey P.")

    assert verdict.blocked, (how, obfuscated)
    for finding in verdict.findings:  # findings point at what the author typed
        assert obfuscated[finding.start:finding.end] == finding.text


def test_folding_undoes_each_obfuscation_of_a_word():
    for name, obfuscate in OBFUSCATIONS.items():
        assert "botox" in fold(f"your {obfuscate('Botox', 2)}").text.lower(), name


def test_folding_leaves_contact_details_times_and_addresses_readable():
    text = "Call (303) 555-0186, Unit 3B, 9:30 AM, or write to frontdesk@willowpine.example."

    assert fold(text).text == text


def test_stored_text_loses_invisible_characters_but_keeps_emoji_sequences():
    assert stored_form("Bo\u200btox\u00ad ok") == "Botox ok"
    assert stored_form("\uff22\uff4f\uff54\uff4f\uff58") == "Botox"
    assert stored_form("Thanks 👩\u200d⚕️") == "Thanks 👩\u200d⚕️"
    assert unicodedata.is_normalized("NFKC", stored_form("ﬁne ½"))
