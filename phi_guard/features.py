"""What the classifier reads of one sentence: its words with the particulars abstracted, and its structure.

The practice's own details become `_practice_`, the reviewer's shown first name `_reviewer_`,
numbers `_num_`, e-mails and links `_contact_`: the classifier learns "call _practice_ at
_practice_", not one practice's phone number. Structure comes from the dependency parse: for every
word that points at the reviewer ("you", "your", "u", "ur", their name, "this patient", "usted",
"tu"), its role and the word it hangs on (`_nsubj:remember_`, `_poss:prescription_`), whether the
clause is conditional or a question, the main verb's tense; and which rules fired in it.

And where the sentence stands in the reply (`in_reply`): first, last or in the middle, the structure of
the sentence before it ("Sorry about the wait." then "Hope it settles down soon."), and how many of its
words the review itself used (`_echo_`, at most three): repeating the reviewer's words back is how many
disclosures start, and acknowledging them is how many safe replies start.

Beside each sentence the classifier reads the review's words (`review_features`), in a block of its own.
"""
from __future__ import annotations

from phi_guard.lexicon import echo_key

REVIEWER_WORDS = frozenset({
    "you", "your", "yours", "yourself", "yourselves", "u", "ur", "ya", "y'all", "yall",
    "usted", "ustedes", "tu", "tú", "tus", "su", "sus", "te", "ti", "contigo", "vos", "le", "les",
})
THIRD_PERSON = frozenset({"patient", "client", "reviewer", "individual", "person", "customer", "author",
                          "paciente", "cliente", "persona"})
CONDITIONAL = frozenset({"if", "whoever", "anyone", "anybody", "everyone", "any", "si", "cualquier", "quien",
                         "todos", "todo"})


GREETINGS = frozenset({"hi", "hey", "hello", "dear", "thanks", "thank", "thx", "ty", "tysm", "cheers", "congrats",
                       "hola", "gracias", "querida", "querido", "estimada", "estimado", "yay", "aw", "aww", "ayyy",
                       "ay", "oh", "ha", "haha", "wow", "welcome", "bienvenida", "bienvenido", "sorry"})


def _vocative(token, sentence) -> bool:
    """The reviewer's name used to address them: at a sentence edge next to punctuation, or after a greeting."""
    position = token.i - sentence.start
    before = token.nbor(-1) if token.i > sentence.start else None
    after = token.nbor(1) if token.i + 1 < sentence.end else None
    if before is not None and before.lower_ in GREETINGS:
        return True
    if position == 0 and (after is None or after.is_punct or after.pos_ not in ("VERB", "AUX")):
        return True  # "lucas thx!!", "Kendra, ..." -- but not "Lucas was seen"
    return after is None or (after.is_punct and (token.i + 2 >= sentence.end or before is None or before.is_punct))


def _overlaps(start: int, end: int, spans) -> bool:
    return any(s < end and start < e for s, e in spans)


MAX_ECHOES = 3


def sentence_features(sentence, *, allowed, first_name: str, rule_types, language: str,
                      review_terms: frozenset[str] = frozenset()) -> str:
    """One space-separated string of feature tokens for `sentence` (a spaCy Span)."""
    words: list[str] = []
    echoes = 0
    structure: list[str] = [f"_lang:{language}_"]
    for token in sentence:
        if token.is_space:
            continue
        start = token.idx
        if _overlaps(start, start + len(token.text), allowed):
            if not words or words[-1] != "_practice_":
                words.append("_practice_")
            continue
        lower = token.lower_
        if first_name and lower == first_name and _vocative(token, sentence):
            continue  # "Harvey, ..." / "Thanks Harvey!": addressing the reviewer by their shown name is fine
        if first_name and lower == first_name:
            word = "_reviewer_"
        elif token.like_email or token.like_url:
            word = "_contact_"
        elif token.like_num or any(char.isdigit() for char in lower):
            word = "_num_"
        else:
            word = lower
        words.append(word)
        if review_terms and token.is_alpha and echo_key(lower) in review_terms:
            echoes += 1
        points_at_reviewer = word == "_reviewer_" or lower in REVIEWER_WORDS or (
            lower in THIRD_PERSON and any(child.lower_ in ("this", "the", "este", "esta", "el", "la")
                                         for child in token.children))
        if points_at_reviewer and language == "en":
            head = token.head.lemma_.lower() if token.head is not token else "root"
            structure.append(f"_{token.dep_}:{head}_")
            if token.dep_ == "poss":
                structure.append("_poss_")
        if lower in CONDITIONAL:
            structure.append("_conditional_")
    if language == "en" and sentence.root is not None:
        root = sentence.root
        structure.append(f"_root:{root.lemma_.lower()}_")
        structure.append(f"_tense:{root.tag_}_")
    length = sum(not t.is_punct and not t.is_space for t in sentence)
    structure.append("_len:short_" if length <= 4 else "_len:mid_" if length <= 12 else "_len:long_")
    if sentence.text.rstrip().endswith("?"):
        structure.append("_question_")
    structure.extend(f"_rule:{entity_type.lower()}_" for entity_type in sorted(set(rule_types)))
    structure.extend(["_echo_"] * min(echoes, MAX_ECHOES))
    return " ".join(words + structure)


def review_features(review_words) -> str:
    """What the classifier reads of the review: its words, once each, in a fixed order ("?" kept: a question from
    somebody who has not visited), or `_empty_` for a rating without text. The same "So glad you're happy with
    it!" follows a review about the lobby's coffee and one about a treatment; the policy is what a reply says
    beyond its review, and the review tells the classifier what the reply is answering."""
    words = sorted({word for word in review_words if word.isalpha() or word == "?"})
    return " ".join(words) if words else "_empty_"


def in_reply(features: list[str]) -> list[str]:
    """Each sentence's features with where it stands in the reply and the structure of the sentence before it."""
    placed = []
    for index, own in enumerate(features):
        # A reply of one sentence gets no place: the training batches hold many one-sentence probes, mostly
        # unsafe, and "alone" would learn that bias rather than anything about replies.
        extra = []
        if len(features) > 1:
            extra.append("_first_" if index == 0 else "_last_" if index == len(features) - 1 else "_middle_")
        if index:
            extra.extend(f"_prev{token}" for token in features[index - 1].split()
                         if token.startswith("_") and ":" in token and not token.startswith(("_lang:", "_prev")))
        placed.append(f"{own} {' '.join(extra)}")
    return placed
