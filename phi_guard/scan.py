"""One pass over a parsed reply: where the vocabulary occurs, sentence by sentence.

The recognizers (phi_guard.recognizers) read a ReplyScan instead of re-matching the
text each; the engine builds it once per reply and hangs it on the Doc.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from phi_guard import lexicon
from phi_guard.lexicon import FuzzyIndex, norm_key

SCAN_KEY = "phi_guard_scan"

# Construction word lists: label -> file.
CONSTRUCTION_LISTS = {
    "CARE_EVENT": "care_events.txt",
    "CARE_GENERAL": "care_general.txt",
    "FAMILY": "family.txt",
    "RECORD": "record_nouns.txt",
    "REMEDY_ACTION": "remedy_actions.txt",
    "FREE": "free_phrases.txt",
    "CLIENT": "client_nouns.txt",
    "PERSONAL_DETAIL": "personal_details.txt",
    "LOCUS": "locus_nouns.txt",
    "FACILITY": "facility_nouns.txt",
}
SECOND_PERSON = frozenset({"you", "your", "yours", "yourself", "ya", "u"})
NEGATIONS = frozenset({"no", "not", "n't", "never", "nothing", "nobody", "none", "nowhere", "cannot"})


def set_norms(doc: Doc) -> Doc:
    """Token NORM = lower-cased, singular form, so PhraseMatcher(attr="NORM") ignores case and plurals."""
    for token in doc:
        token.norm_ = norm_key(token.text) or token.lower_
    return doc


@dataclass(frozen=True)
class PracticeTerms:
    """Extra terms a practice added, as (label, term) pairs."""

    pairs: tuple[tuple[str, str], ...] = ()


class Lexicon:
    """Phrase matchers over every list, built once per engine from the vocabulary files."""

    def __init__(self, nlp, conditions: tuple[str, ...] = ()):
        self.nlp = nlp
        self.matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        self.clinical_labels = frozenset(lexicon.CLINICAL_FILES)
        for label, name in {**lexicon.CLINICAL_FILES, **CONSTRUCTION_LISTS}.items():
            self.matcher.add(label, [self.pattern(term) for term in lexicon.terms(name)])
        # Diagnoses from ICD-10-CM (phi_guard.icd): exact words only, no spelling tolerance for the long tail.
        if conditions:
            self.matcher.add("CONDITION", [self.pattern(term) for term in conditions])
        single_words = {}
        for label, name in lexicon.CLINICAL_FILES.items():
            for term in lexicon.terms(name):
                if " " not in term and "-" not in term:
                    single_words.setdefault(norm_key(term), label)
        self.fuzzy_labels = single_words
        self.fuzzy = FuzzyIndex.build(single_words)
        self.generic = lexicon.generic_words()
        self.lookup_verbs = frozenset(lexicon.terms("lookup_verbs.txt"))
        self.invitation_verbs = frozenset(lexicon.terms("invitation_verbs.txt"))
        self.dose_units = lexicon.keys("dosage_units.txt")
        self.stop_words = frozenset(nlp.Defaults.stop_words)
        self.english_words = _dictionary_words(nlp)
        self.given_names = lexicon.given_names()
        self.surnames = lexicon.surnames()

    def pattern(self, term: str) -> Doc:
        return set_norms(self.nlp.make_doc(term))

    def practice_matcher(self, terms: PracticeTerms) -> PhraseMatcher | None:
        if not terms.pairs:
            return None
        matcher = PhraseMatcher(self.nlp.vocab, attr="NORM")
        for label, term in terms.pairs:
            matcher.add(label, [self.pattern(term)])
        return matcher


def _dictionary_words(nlp) -> frozenset[str]:
    """English words known to the model's lemmatizer tables (WordNet-derived); empty if it has none."""
    try:
        index = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    except (KeyError, ValueError):
        return frozenset()
    return frozenset(word for words in index.values() for word in words)


@dataclass
class ReplyScan:
    """Spans (token start, end) per label, plus per-sentence facts the constructions need."""

    doc: Doc
    lex: Lexicon
    spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    # Where the practice's own vocabulary matched (token spans): those words the classifier may not overrule.
    practice_spans: list[tuple[int, int]] = field(default_factory=list)

    @classmethod
    def build(cls, doc: Doc, lex: Lexicon, practice_matcher: PhraseMatcher | None = None) -> ReplyScan:
        set_norms(doc)
        scan = cls(doc=doc, lex=lex)
        found = set()
        for matcher in (lex.matcher, practice_matcher):
            if matcher is None:
                continue
            for match_id, start, end in matcher(doc):
                label = doc.vocab.strings[match_id]
                found.add((label, start, end))
                if matcher is practice_matcher:
                    scan.practice_spans.append((start, end))
        for token in doc:
            key = token.norm_
            if (token.is_alpha and key not in lex.generic and token.lemma_.lower() not in lex.english_words
                    and token.pos_ in ("NOUN", "PROPN", "ADJ", "X", "VERB")):
                match = lex.fuzzy.lookup(key)
                if match is not None:
                    found.add((lex.fuzzy_labels[match], token.i, token.i + 1))
            # "20 units", "0.5ml", "2 syringes"
            if token.like_num and token.i + 1 < len(doc) and doc[token.i + 1].norm_ in lex.dose_units:
                found.add(("DOSAGE", token.i, token.i + 2))
            elif re.fullmatch(r"\d+(?:\.\d+)?(?:u|ml|cc|mg|mcg|iu)", token.lower_):
                found.add(("DOSAGE", token.i, token.i + 1))
        for label, start, end in sorted(found, key=lambda item: (item[1], -item[2])):
            scan.spans.setdefault(label, []).append((start, end))
        return scan

    def get(self, label: str) -> list[tuple[int, int]]:
        return self.spans.get(label, [])

    @cached_property
    def sentence_of(self) -> list[int]:
        """Sentence index of every token."""
        index = []
        for number, sentence in enumerate(self.doc.sents):
            index.extend([number] * len(sentence))
        return index

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        return [(sentence.start, sentence.end) for sentence in self.doc.sents]

    def sentence_tokens(self, token_index: int):
        start, end = self.sentences[self.sentence_of[token_index]]
        return self.doc[start:end]

    def _sentence_flags(self, test) -> list[bool]:
        return [any(test(token) for token in self.doc[start:end]) for start, end in self.sentences]

    @cached_property
    def second_person(self) -> list[bool]:
        return self._sentence_flags(lambda token: token.lower_ in SECOND_PERSON)

    @cached_property
    def past_tense(self) -> list[bool]:
        return self._sentence_flags(lambda token: token.tag_ in ("VBD", "VBN"))

    @cached_property
    def negated(self) -> list[bool]:
        return self._sentence_flags(lambda token: token.lower_ in NEGATIONS)

    def in_sentence(self, label: str, sentence: int) -> list[tuple[int, int]]:
        start, end = self.sentences[sentence]
        return [(s, e) for s, e in self.get(label) if start <= s < end]

    @cached_property
    def clinical(self) -> list[tuple[str, int, int]]:
        """Every clinical vocabulary hit as (label, start, end), longest first at each start."""
        hits = []
        for label in lexicon.CLINICAL_FILES:
            hits.extend((label, start, end) for start, end in self.get(label))
        return sorted(hits, key=lambda item: (item[1], -item[2]))

    def char_span(self, start: int, end: int) -> tuple[int, int]:
        span = self.doc[start:end]
        return span.start_char, span.end_char
