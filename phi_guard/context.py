"""What the guard knows besides the reply: the practice (allow-list) and the review it answers."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlsplit

from phi_guard import lexicon
from phi_guard.features import review_features
from phi_guard.lexicon import echo_key
from phi_guard.normalize import fold
from phi_guard.profile import PracticeProfile

TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof",
                    "don", "doña", "dona", "sr", "sra", "srta", "dra", "lic", "ing", "profe"})
_SENTENCE_END = re.compile(r"[.!?]\s*$")


def _name_words(name: str) -> list[str]:
    return [word for word in re.findall(r"[A-Za-z][A-Za-z'\-]*\.?", name)]


def _is_initial(word: str) -> bool:
    return word.endswith(".") and len(word) <= 3 or len(word.strip(".")) <= 1


_HANDLE = re.compile(r"[_@\d]|^[^A-Z]*$")
# Platform badges shown before a name ("Local Guide Shawn" on Google, "Yelp Elite Jordan M.").
_BADGE = re.compile(r"^\s*(?:local guide|verified(?: patient| customer| reviewer)?|(?:yelp )?elite(?: '?\d+)?)\s+",
                    re.IGNORECASE)
_DESCRIPTIVE = re.compile(r"\s(?:in|from|of|at|the)\s", re.IGNORECASE)
_ASIDE = re.compile(r"\([^)]*\)")  # "Dr. Hughes (GP)": an aside, not part of the name


def _first_and_surnames(display_name: str, english_words: frozenset[str]) -> tuple[str, list[str]]:
    """The first name a reviewer shows, and the surnames among their display name (a surname used in a reply
    is their full name). A handle ("coldfeet_jen"), a description ("Concerned in Columbus", "Heights Neighbor",
    "Louisville Senior Center", "Local Guide Shawn"), a household ("The Reyes Family"), two people ("Lucia y
    Beto") or a compound first name ("Juan Carlos", "Carol Jean") shows none. Leading everyday words before a
    name describe the person: "Grumpy Gus" and "Big Mike" show the first names Gus and Mike, "Abuela Chela" shows Chela."""
    display_name = _ASIDE.sub(" ", _BADGE.sub("", display_name))
    people = [part for part in re.split(r"\s+(?:and|y|e|&|\+)\s+|\s*[,/]\s*", display_name) if part.strip()]
    raw_words = _name_words(people[0] if people else "")
    plain = [w.strip(".") for w in raw_words if w.strip(".").lower() not in TITLES and not _is_initial(w)]
    if not plain:
        return "", []
    given, described = lexicon.given_names(), lexicon.display_words()

    def everyday(word: str) -> bool:
        return word.lower() in english_words or word.lower() in described

    def named(word: str) -> bool:
        return word.lower() in given

    while len(plain) > 1 and everyday(plain[0]) and not named(plain[0]) and any(
            named(w) or not everyday(w) for w in plain[1:]):
        plain = plain[1:]
    first_name = plain[0].lower()
    if (len(people) > 1 or _HANDLE.search(display_name) or _DESCRIPTIVE.search(display_name)
            or len(plain) > 3 or any(w.lower() in described for w in plain)):
        return first_name, []
    if not any(named(w) for w in plain) and any(everyday(w) for w in plain):
        return first_name, []  # no name anywhere in it, and everyday words: a description
    surnames = [w for w in plain[1:] if not _second_given_name(w.lower())]
    return first_name, surnames


def _second_given_name(word: str) -> bool:
    """A given name after the first that is not also a common surname: "Jean" in "Carol Jean", "Fernando" in
    "Luis Fernando", "Bob" in "Jim Bob Harrell"; "Thomas" in "Kendra Thomas" is a surname."""
    return word in lexicon.second_given_names() or (
        word in lexicon.given_names() and word not in lexicon.common_surnames())


@dataclass(frozen=True)
class PracticeContext:
    """Allow-list derived from a practice profile, computed once per profile."""

    allow_pattern: re.Pattern | None
    phone_digits: frozenset[str]
    emails: frozenset[str]
    domains: frozenset[str]
    name_parts: frozenset[str]  # lower-case words of the practice name, staff names and roles

    @classmethod
    def build(cls, practice: PracticeProfile) -> PracticeContext:
        own = [practice.phone, practice.email, practice.address, *practice.contacts]
        # "a garage north of 415 Larimer St": the street line alone is still the practice's address
        street_line = practice.address.split(",", 1)[0] if practice.address else ""
        phrases = [practice.name, practice.website, street_line, *own]
        name_parts = set()
        for member in practice.staff:
            words = [w.strip(".") for w in _name_words(member.name)]
            plain = [w for w in words if w.lower() not in TITLES]
            phrases += [member.name, member.role, " ".join(plain)]
            if plain:
                phrases += [f"Dr. {plain[-1]}", f"Dr {plain[-1]}"] if any(w.lower() == "dr" for w in words) else []
                phrases += plain
            for word in [*words, *_name_words(fold(member.name).text)]:
                name_parts.update(part.lower().strip(".") for part in [word, *word.split("-")] if part)
            name_parts.update(w.lower() for w in _name_words(member.role))
        name_parts.update(w.lower().strip(".") for w in _name_words(practice.name))
        name_parts.update(w.lower().strip(".") for w in _name_words(practice.address))
        # The reply is read folded (phi_guard.normalize): "Sofía" must match the folded "Sofia" too.
        phrases = [variant for p in phrases if p for variant in (p, fold(p).text)]
        phrases = sorted({p.strip() for p in phrases if p and p.strip()}, key=len, reverse=True)
        pattern = None
        if phrases:
            pattern = re.compile("|".join(rf"(?<!\w){re.escape(p)}(?!\w)" for p in phrases), re.IGNORECASE)
        emails = {c.lower() for c in own if c and "@" in c}
        domains = {email.rsplit("@", 1)[-1] for email in emails}
        if practice.website:
            host = urlsplit(practice.website if "//" in practice.website else f"//{practice.website}").hostname or ""
            domains.update({host, host.removeprefix("www.")} - {""})
        # Phone numbers are the contacts without letters (addresses and e-mails have them).
        phones = {re.sub(r"\D", "", c)[-10:] for c in own if c and not re.search(r"[^\W\d_]|@", c)}
        return cls(
            allow_pattern=pattern,
            phone_digits=frozenset(d for d in phones if len(d) >= 7),
            emails=frozenset(emails),
            domains=frozenset(domains),
            name_parts=frozenset(name_parts),
        )

    def allowed_spans(self, text: str) -> list[tuple[int, int]]:
        if self.allow_pattern is None:
            return []
        return [match.span() for match in self.allow_pattern.finditer(text)]


@dataclass(frozen=True)
class ReplyContext:
    """Per-reply context: the practice, the reviewer's display name and the review's words."""

    KEY = "phi_guard_context"

    practice: PracticeContext
    first_name: str
    surname_pattern: re.Pattern | None
    known_name_parts: frozenset[str]
    review_terms: frozenset[str]
    review_names: frozenset[str]
    review_words: frozenset[str] = frozenset()  # every word of the review, lower-cased
    display_letters: str = ""  # the display name's letters, lower-cased ("thatguymarcus")
    display_names: frozenset[str] = frozenset()  # the display name's words of two letters or more, lower-cased
    # The letters it abbreviates a name to, by where they stand: after a name it shows ("Courtney B.": "b") or before
    # one ("B. Novak": "b").
    initials_after: frozenset[str] = frozenset()
    initials_before: frozenset[str] = frozenset()
    review_text: str = ""  # the review as the guard read it (folded): what the sentence encoder reads of it

    @staticmethod
    def echo_key(word: str) -> str:
        return echo_key(word)

    @cached_property
    def classifier_review(self) -> str:
        """What the classifier reads of the review (features.review_features), worked out once per reply."""
        return review_features(self.review_words)

    @classmethod
    def build(cls, *, practice: PracticeContext, reviewer_name: str, review_tokens, generic: frozenset[str],
              stop_words: frozenset[str], clinical_keys: frozenset[str],
              english_words: frozenset[str] = frozenset()) -> ReplyContext:
        first_name, surnames = _first_and_surnames(reviewer_name or "", english_words)
        surname_pattern = None
        if surnames:
            surname_pattern = re.compile("|".join(rf"(?<!\w){re.escape(s)}(?!\w)" for s in surnames), re.IGNORECASE)
        words = re.findall(r"[A-Za-z]+", reviewer_name or "")
        display_parts = {w.lower() for w in words}
        initials_after = {w.lower() for before, w in zip(words, words[1:]) if len(w) == 1 and len(before) > 1}
        initials_before = {w.lower() for w, after in zip(words, words[1:]) if len(w) == 1 and len(after) > 1}
        known = set(practice.name_parts) | display_parts
        display_keys = {echo_key(part) for part in display_parts}
        terms, names, review_words = set(), set(), set()
        previous = ""
        for token in review_tokens:
            text = token.text
            review_words.add(text.lower())
            key = echo_key(text)
            sentence_start = not previous or bool(_SENTENCE_END.search(previous))
            previous = text
            if not token.is_alpha or len(key) < 4 or key in generic or text.lower() in stop_words:
                continue
            if text.lower() in known or key in practice.name_parts or key in display_keys:
                continue
            if text[0].isupper() and not text.isupper() and not sentence_start and key not in clinical_keys:
                names.add(key)
            else:
                terms.add(key)
        return cls(practice=practice, first_name=first_name, surname_pattern=surname_pattern,
                   known_name_parts=frozenset(known), review_terms=frozenset(terms), review_names=frozenset(names),
                   review_words=frozenset(review_words), display_letters="".join(words).lower(),
                   display_names=frozenset(part for part in display_parts if len(part) > 1),
                   initials_after=frozenset(initials_after), initials_before=frozenset(initials_before),
                   review_text=review_tokens.text)
