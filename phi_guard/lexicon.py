"""The guard's word lists (data files in phi_guard/vocabulary/) and the spelling tolerance around them.

Pure Python: no spaCy here, so the lists can be inspected and tested cheaply.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

VOCABULARY_DIR = Path(__file__).resolve().parent / "vocabulary"

# Entity lists: a term from one of these in a reply is a clinical_detail finding.
CLINICAL_FILES = {
    "TREATMENT": "treatments.txt",
    "BRAND": "brands.txt",
    "BODY_AREA": "body_areas.txt",
    "SYMPTOM": "symptoms.txt",
    "MEDICATION": "medications.txt",
    "CONDITION": "conditions.txt",
    "DOSAGE": "doses.txt",
    "CLINICAL_RECORD": "clinical_records.txt",
}
# Words that only matter inside a construction ("your appointment", "the session").
CONSTRUCTION_FILES = {
    "CARE_EVENT": "care_events.txt",
    "CARE_GENERAL": "care_general.txt",
}
PRACTICE_VOCABULARY_TYPES = frozenset(CLINICAL_FILES) | frozenset(CONSTRUCTION_FILES)

_WORD_EDGE = re.compile(r"^[^\w]+|[^\w]+$")


def norm_key(word: str) -> str:
    """Lower-case, strip edge punctuation and a plural ending: "Bruises" -> "bruise", "lips" -> "lip"."""
    word = _WORD_EDGE.sub("", word.lower().replace("\u2019", "'"))
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) <= 3:
        return word
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith(("xes", "ches", "shes", "zes")):
        return word[:-2]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def echo_key(word: str) -> str:
    """A looser key for matching a review word to a reply word: "migrated" ~ "migrate", "peeling" ~ "peel"."""
    key = norm_key(word)
    for suffix in ("ing", "ed", "e"):
        if key.endswith(suffix) and len(key) - len(suffix) >= 4:
            return key[: -len(suffix)]
    return key


def _read_lines(name: str) -> list[str]:
    lines = []
    for raw in (VOCABULARY_DIR / name).read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


@cache
def terms(name: str) -> tuple[str, ...]:
    """The terms of one list file, one per line, lower-cased."""
    return tuple(dict.fromkeys(line.lower() for line in _read_lines(name)))


@cache
def keys(name: str) -> frozenset[str]:
    """The normalised single-word keys of a list file (multi-word terms keep their spaces)."""
    return frozenset(" ".join(norm_key(part) for part in term.split()) for term in terms(name))


@cache
def generic_words() -> frozenset[str]:
    """Everyday words that are never a clinical echo of the review."""
    words = set()
    for line in _read_lines("generic_words.txt"):
        words.update(echo_key(word) for word in line.split())
    return frozenset(words)


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion, substitution or adjacent swap."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
        return len(diffs) == 1 or (len(diffs) == 2 and diffs[1] == diffs[0] + 1
                                   and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]])
    shorter, longer = sorted((a, b), key=len)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


@dataclass(frozen=True)
class FuzzyIndex:
    """Finds the vocabulary word within one edit (insert, delete, substitute, swap) of a token.

    Symmetric-delete lookup: O(len(word)) per token, no scan over the vocabulary.
    Only long words take part; short words have too many honest neighbours ("peel"/"feel").
    """

    exact: Mapping[str, str]
    by_delete: Mapping[str, str]
    min_length: int = 6

    @classmethod
    def build(cls, words: Iterable[str], *, min_length: int = 6) -> FuzzyIndex:
        exact: dict[str, str] = {}
        by_delete: dict[str, str] = {}
        for word in words:
            if len(word) < min_length or " " in word:
                continue
            exact[word] = word
            for variant in _deletes(word):
                by_delete.setdefault(variant, word)
        return cls(exact=exact, by_delete=by_delete, min_length=min_length)

    def lookup(self, word: str) -> str | None:
        if len(word) < self.min_length:
            return None
        if word in self.exact:
            return word
        if word in self.by_delete:  # the token lost a letter
            return self.by_delete[word]
        for variant in _deletes(word):
            if variant in self.exact:  # the token gained a letter
                return self.exact[variant]
            match = self.by_delete.get(variant)  # substitution or swap
            if match and match[0] == word[0] and within_one_edit(word, match):
                return match
        return None


@cache
def vocabulary_revision(*extra: Path) -> str:
    """A short digest of every word list (and `extra` generated lists): part of the guard's version, so a
    list change is a new guard."""
    import hashlib

    digest = hashlib.sha256()
    for path in [*sorted(VOCABULARY_DIR.glob("*.txt")), *extra]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()[:12]


@cache
def second_given_names() -> frozenset[str]:
    """Given names that follow another in a compound first name (see second_given_names.txt)."""
    return frozenset(terms("second_given_names.txt"))


@cache
def common_surnames() -> frozenset[str]:
    """Given names that are also common surnames (see common_surnames.txt): "Thomas" in "Kendra Thomas"."""
    return frozenset(terms("common_surnames.txt"))


@cache
def surnames() -> frozenset[str]:
    """The commonest US surnames (see surnames.txt), dictionary words among them ("Brown", "Grant")."""
    return frozenset(terms("surnames.txt"))


@cache
def given_names() -> frozenset[str]:
    """First names (see given_names.txt): which word of a display name is a name, not a description."""
    return frozenset(terms("given_names.txt")) | second_given_names()


@cache
def display_words() -> frozenset[str]:
    """Words that make a display name a description rather than a person's name when they are in it: relatives
    and households ("Abuela Chela", "The Reyes Family") and Spanish function words ("Usuario de Google")."""
    from spacy.lang.es.stop_words import STOP_WORDS

    return frozenset(terms("family.txt")) | frozenset({"family", "familia", "household"}) | frozenset(STOP_WORDS)
