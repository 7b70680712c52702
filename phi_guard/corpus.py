"""Labelled batches of replies (tests/phi_guard/data/batches/<batch>/): reading them and turning them into
training sentences. Which batches train and which are held out is data/splits.json, not code."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

from phi_guard.profile import PracticeProfile, read_profile_json
from phi_guard.recognizers import ContactDetailRecognizer

DATA_DIR = Path(__file__).resolve().parent.parent / "tests" / "phi_guard" / "data"


@dataclass(frozen=True)
class Batch:
    name: str
    practice: PracticeProfile
    examples: tuple[dict, ...]


def splits(data_dir: Path = DATA_DIR) -> dict[str, list[str]]:
    """{"train": [...], "heldout": [...], ...}: batch names per split."""
    return json.loads((data_dir / "splits.json").read_text(encoding="utf-8"))["splits"]


# The writing brief's stand-in for a rating left without words ("(5 stars, no text)"): the desk stores such a review
# with empty text, so the guard must read it as empty too.
_RATING_ONLY = re.compile(r"\(\s*\d\s*(?:stars?|estrellas?)\s*,?\s*(?:no text|sin texto|sin comentarios?)\s*\)", re.IGNORECASE)


def review_of(example: dict) -> str:
    """The review an example answers, as the desk would hold it."""
    review = (example.get("review") or "").strip()
    return "" if _RATING_ONLY.fullmatch(review) else review


# The practice's own lines that a batch's practice.json states outside the profile's fields: writers listed a
# Spanish line, a billing office or a patient-relations line under keys of their own ("spanish_line",
# {"billing": {"phone": ...}}, "other_contacts": [...]) or inside the hours. A practice enters those lines in its
# settings (a location, a contact); read here, they are the practice's own, as they would be on the desk. They are
# found with the patterns the guard reads phones and e-mails in replies with.
_CONTACT_PATTERNS = (ContactDetailRecognizer.PHONE, ContactDetailRecognizer.EMAIL)


def stated_contacts(data: object) -> list[str]:
    """Every phone number and e-mail address written anywhere in a practice.json, in the order written."""
    if isinstance(data, dict):
        return [found for value in data.values() for found in stated_contacts(value)]
    if isinstance(data, list):
        return [found for value in data for found in stated_contacts(value)]
    if isinstance(data, str):
        return [match.group() for pattern in _CONTACT_PATTERNS for match in pattern.finditer(data)]
    return []


def practice_of(data: object) -> PracticeProfile:
    """A batch's practice: its profile, with every line and address its practice.json states as its own."""
    profile = PracticeProfile.from_dict(data)
    known = {profile.phone, profile.email, *profile.contacts}
    extra = tuple(dict.fromkeys(c for c in stated_contacts(data) if c not in known))
    return replace(profile, contacts=profile.contacts + extra) if extra else profile


def load_batch(name: str, data_dir: Path = DATA_DIR) -> Batch:
    folder = data_dir / "batches" / name
    practice = practice_of(read_profile_json(folder / "practice.json"))
    lines = (folder / "replies.jsonl").read_text(encoding="utf-8").splitlines()
    examples = (json.loads(line) for line in lines if line.strip())
    return Batch(name=name, practice=practice, examples=tuple({**e, "review": review_of(e)} for e in examples))


def load_split(split: str, data_dir: Path = DATA_DIR) -> list[Batch]:
    return [load_batch(name, data_dir) for name in splits(data_dir)[split]]


def unsafe_ranges(example: dict) -> list[tuple[int, int]]:
    """Where the labelled spans sit in the text."""
    text, ranges = example["text"], []
    for span in example.get("spans") or ():
        start = text.find(span)
        if start >= 0:
            ranges.append((start, start + len(span)))
    return ranges


def sentence_labels(example: dict, sentences) -> list[bool | None]:
    """Per sentence: True (holds a labelled span of an unsafe reply), False (a sentence of a safe reply),
    None (not used for training: the rest of an unsafe reply, and every sentence of a borderline one)."""
    if example.get("borderline"):
        return [None] * len(sentences)
    if example.get("label") != "unsafe":
        return [False] * len(sentences)
    ranges = unsafe_ranges(example)
    if not ranges:
        return [True] * len(sentences) if len(sentences) == 1 else [None] * len(sentences)
    return [True if any(s < view.end and view.start < e for s, e in ranges) else None for view in sentences]
