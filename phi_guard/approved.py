"""The practice's approved sentences: its template library, slots and all.

A template says "Thanks, {first_name}! Please call us at {phone}." The guard compares shapes,
not strings: the reviewer's first name drops out, the practice's own details and every other
`{slot}` become one SLOT, punctuation and case do not count. A reply sentence with the shape
of an approved sentence is the practice's own wording: the classifier does not overrule it
(the rules still read it). In strict mode every other sentence is refused, and the closest
approved sentences are offered instead.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from phi_guard.normalize import fold

SLOT = "_slot_"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_SLOT_WORD = "slotmarker"
_JOINED_SLOTS = re.compile(rf"{SLOT}(?: (?:or|and|at|on|y|o|a|en|/|-|—) {SLOT})+")


def _shape(words: Iterable[str]) -> str:
    return _JOINED_SLOTS.sub(SLOT, " ".join(words)).strip()


def sentence_shape(sentence, *, allowed: list[tuple[int, int]], first_name: str) -> str:
    """The shape of a reply sentence (a spaCy Span); `allowed` are the practice's own details in the text."""
    words: list[str] = []
    for token in sentence:
        if token.is_punct or token.is_space or not token.text.strip():
            continue
        if any(start < token.idx + len(token.text) and token.idx < end for start, end in allowed):
            if not words or words[-1] != SLOT:
                words.append(SLOT)
            continue
        lower = token.lower_  # the reply was folded before it was parsed
        if first_name and lower == first_name:
            continue
        words.append(lower)
    return _shape(words)


@dataclass(frozen=True)
class ApprovedSentences:
    shapes: dict[str, str]  # shape -> the approved sentence as the practice wrote it (slots shown as {name})

    @classmethod
    def build(cls, texts: Iterable[str], split: Callable[[str], list]) -> ApprovedSentences:
        """`split(text)` gives the sentences of a text as spaCy Spans (the engine's tokenizer + sentencizer)."""
        shapes: dict[str, str] = {}
        for text in texts:
            marked = _PLACEHOLDER.sub(lambda m: "" if m.group(1) == "first_name" else f" {_SLOT_WORD} ", text)
            for sentence in split(fold(marked).text):
                words = []
                for token in sentence:
                    if token.is_punct or token.is_space or not token.text.strip():
                        continue
                    word = token.lower_
                    words.append(SLOT if word == _SLOT_WORD else word)
                shape = _shape(words)
                if shape:
                    display = re.sub(rf"\s*{_SLOT_WORD}\s*", " {…} ", sentence.text).strip()
                    shapes.setdefault(shape, re.sub(r"\s{2,}", " ", display))
        return cls(shapes=shapes)

    def __contains__(self, shape: str) -> bool:
        # A sentence that is nothing but the practice's own details (a signature, a phone line) is its own.
        return not shape or shape == SLOT or shape in self.shapes

    def closest(self, shape: str, limit: int = 2) -> list[str]:
        matches = difflib.get_close_matches(shape, list(self.shapes), n=limit, cutoff=0.3)
        return [self.shapes[match] for match in matches]
