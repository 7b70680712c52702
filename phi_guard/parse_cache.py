"""Reply texts the guard was asked to keep, folded and parsed: the part of a check that reads neither the review
nor the reviewer's name.

Every reply is parsed a sentence at a time (since guard 2.9): the sentence rules cut it first, each sentence is
tagged and parsed on its own, and the sentences' Docs are joined. A sentence then reads the same in every reply it
appears in, and drafting composes replies from a few dozen template sentences: three drafts in four differ only in
the greeting's first name, so an import parses a greeting and takes the rest from the sentences it kept. Parsing
(spaCy's tagger and parser: most of a check) gives the same result every time, and texts come back whole too. Checks
made with `keep_parses` (an import's drafting) keep the folded text, its parse and its sentences' parses, per
process, for the most recently used texts; every check uses a kept parse when there is one. The rules, the review's
echoes, the reviewer's name, the practice's vocabulary and the classifier run on every check as before, so a verdict
made from a kept parse is the verdict made without it (tests/phi_guard/test_parse_cache.py compares them over the
labelled corpus). Live checks while someone types keep nothing: their texts do not come back.

A kept Doc is shared by every check of its text: the engine hangs its per-check data on `user_data` afresh
each time and sets token norms the same way each time, under its lock.

The same checks also keep their verdicts, under the key of everything an analysis reads (GuardEngine.analysis_key:
the exact text, the practice's profile and, of the review and the reviewer's name, only what the reply's own words
can meet). A draft checked again with an equal key (a template text without a first name, answering a review that
shares no word with it) gets the verdict kept for it; a verdict the guard could not give (an error) is never kept.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from spacy.tokens import Doc

from phi_guard.normalize import Folded, fold
from phi_guard.sentences import split

# A kept reply of ~70 tokens costs ~120 KB of the process's memory (tokens, the tok2vec tensor, Presidio's
# artifacts): ~60 MB when full. 512 texts hold nearly every draft without a first name an import repeats.
DEFAULT_CAPACITY = 512
# A kept verdict is a few findings at most (~1 KB): 8 per kept parse.
VERDICTS_PER_PARSE = 8
# A kept sentence is a fifth of a reply or less (~20 KB): 4 per kept parse.
SENTENCES_PER_PARSE = 4


def _sentence_texts(nlp, text: str) -> tuple[list[str], list[tuple[str, str]]]:
    """`text` cut where the sentence rules start a sentence (each piece with the white space after it, the first
    with any before it), and its tokens as (text, white space) for checking the join."""
    sentences = split(nlp, text)
    starts = [0, *(sentence.start_char for sentence in sentences[1:]), len(text)]
    tokens = [(token.text, token.whitespace_) for sentence in sentences for token in sentence]
    return [text[start:end] for start, end in zip(starts, starts[1:]) if end > start], tokens


class ParsedReplies:
    """fold() and parse_many() that use the texts kept so far and keep new ones when asked (least recently used
    go first beyond `capacity`; capacity 0 keeps nothing)."""

    def __init__(self, nlp_engine, language: str, capacity: int = DEFAULT_CAPACITY):
        self.nlp_engine = nlp_engine
        self.language = language
        self.capacity = capacity
        self._folded: OrderedDict[str, Folded] = OrderedDict()
        self._parsed: OrderedDict[str, object] = OrderedDict()  # folded text -> presidio NlpArtifacts
        self._verdicts: OrderedDict[tuple, object] = OrderedDict()  # analysis key -> Verdict
        self._sentences: OrderedDict[str, Doc] = OrderedDict()  # one sentence's text -> its parsed Doc
        self.hits = self.misses = 0
        self.sentence_hits = self.sentence_misses = 0
        self.verdict_hits = 0

    def verdict(self, key: tuple):
        """The verdict kept for an analysis key, or None."""
        verdict = self._verdicts.get(key)
        if verdict is not None:
            self._verdicts.move_to_end(key)
            self.verdict_hits += 1
        return verdict

    def keep_verdict(self, key: tuple, verdict) -> None:
        if not verdict.error:
            self._verdicts[key] = verdict
            while len(self._verdicts) > self.capacity * VERDICTS_PER_PARSE:
                self._verdicts.popitem(last=False)

    def _keep(self, memory: OrderedDict, key: str, value, *, capacity: int | None = None) -> None:
        memory[key] = value
        while len(memory) > (self.capacity if capacity is None else capacity):
            memory.popitem(last=False)

    def fold(self, text: str, *, keep: bool = False) -> Folded:
        folded = self._folded.get(text)
        if folded is not None:
            self._folded.move_to_end(text)
            return folded
        folded = fold(text)
        if keep:
            self._keep(self._folded, text, folded)
        return folded

    def parse_many(self, texts: Sequence[str], *, batch_size: int, keep: bool = False) -> list:
        """Presidio's NLP artifacts (the spaCy Doc in `.tokens`) for each folded text, in order. Each text is
        parsed a sentence at a time (sentence_docs): texts not kept are parsed together in one nlp.pipe pass of
        their sentences; with `keep`, each distinct text and each distinct sentence is parsed once and kept."""
        found = {}
        for text in dict.fromkeys(texts):
            if text in self._parsed:
                self._parsed.move_to_end(text)
                found[text] = self._parsed[text]
        missing = [text for text in texts if text not in found]
        if keep:
            missing = list(dict.fromkeys(missing))
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        docs = self.sentence_docs(missing, batch_size=batch_size, keep=keep)
        parsed = [self.nlp_engine._doc_to_nlp_artifact(doc, self.language) for doc in docs]
        if keep:
            for text, artifacts in zip(missing, parsed):
                found[text] = artifacts
                self._keep(self._parsed, text, artifacts)
            return [found[text] for text in texts]
        fresh = iter(parsed)
        return [found[text] if text in found else next(fresh) for text in texts]

    def sentence_docs(self, texts: Sequence[str], *, batch_size: int, keep: bool = False) -> list:
        """Each text's Doc, made of its sentences (as the sentence rules split them, each with the white space
        after it) parsed one by one and joined: a sentence is tagged and parsed the same way in every reply it
        appears in, so a template sentence is parsed once for all the drafts that use it. A text whose sentences
        joined do not give back its own tokens exactly is parsed whole."""
        nlp = self.nlp_engine.nlp[self.language]
        splits = [_sentence_texts(nlp, text) for text in texts]
        wanted = dict.fromkeys(piece for pieces, _tokens in splits for piece in pieces
                               if piece not in self._sentences)
        fresh = dict(zip(wanted, nlp.pipe(wanted, batch_size=batch_size)))
        self.sentence_misses += len(fresh)
        docs = []
        for text, (pieces, tokens) in zip(texts, splits):
            parts = []
            for piece in pieces:
                part = fresh.get(piece)
                if part is None:
                    part = self._sentences[piece]
                    self._sentences.move_to_end(piece)
                    self.sentence_hits += 1
                elif keep:
                    self._keep(self._sentences, piece, part, capacity=self.capacity * SENTENCES_PER_PARSE)
                parts.append(part)
            doc = Doc.from_docs(parts, ensure_whitespace=False) if parts else None
            if doc is None or [(token.text, token.whitespace_) for token in doc] != tokens:
                doc = nlp(text)
            docs.append(doc)
        return docs
