"""Reply texts the guard was asked to keep, folded and parsed: the part of a check that reads neither the review
nor the reviewer's name.

Drafting composes replies from a few dozen template blocks, so an import checks the same reply text again and
again, and parsing it (spaCy's tagger and parser: most of a check) gives the same result every time.
Checks made with `keep_parses` (an import's drafting) keep the folded text and its parse, per process, for the
most recently used texts; every check uses a kept parse when there is one. The rules, the review's echoes, the
reviewer's name, the practice's vocabulary and the classifier run on every check as before, so a verdict made
from a kept parse is the verdict made without it (tests/phi_guard/test_parse_cache.py compares them over the
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

from phi_guard.normalize import Folded, fold

# A kept reply of ~70 tokens costs ~120 KB of the process's memory (tokens, the tok2vec tensor, Presidio's
# artifacts): ~60 MB when full. 512 texts hold nearly every draft without a first name an import repeats.
DEFAULT_CAPACITY = 512
# A kept verdict is a few findings at most (~1 KB): 8 per kept parse.
VERDICTS_PER_PARSE = 8


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
        self.hits = self.misses = 0
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

    def _keep(self, memory: OrderedDict, key: str, value) -> None:
        memory[key] = value
        while len(memory) > self.capacity:
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
        """Presidio's NLP artifacts (the spaCy Doc in `.tokens`) for each folded text, in order. Texts not kept
        are parsed together in one nlp.pipe pass (as the engine always did), each distinct text once when `keep`."""
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
        parsed = [artifacts for _, artifacts in self.nlp_engine.process_batch(missing, self.language,
                                                                               batch_size=batch_size)]
        if keep:
            for text, artifacts in zip(missing, parsed):
                found[text] = artifacts
                self._keep(self._parsed, text, artifacts)
            return [found[text] for text in texts]
        fresh = iter(parsed)
        return [found[text] if text in found else next(fresh) for text in texts]
