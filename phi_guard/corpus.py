"""Labelled batches of replies (tests/phi_guard/data/batches/<batch>/): reading them and turning them into
training sentences. Which batches train and which are held out is data/splits.json, not code."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from phi_guard.profile import PracticeProfile

DATA_DIR = Path(__file__).resolve().parent.parent / "tests" / "phi_guard" / "data"


@dataclass(frozen=True)
class Batch:
    name: str
    practice: PracticeProfile
    examples: tuple[dict, ...]


def splits(data_dir: Path = DATA_DIR) -> dict[str, list[str]]:
    """{"train": [...], "heldout": [...], ...}: batch names per split."""
    return json.loads((data_dir / "splits.json").read_text(encoding="utf-8"))["splits"]


def load_batch(name: str, data_dir: Path = DATA_DIR) -> Batch:
    folder = data_dir / "batches" / name
    practice = PracticeProfile.from_json_file(folder / "practice.json")
    lines = (folder / "replies.jsonl").read_text(encoding="utf-8").splitlines()
    return Batch(name=name, practice=practice, examples=tuple(json.loads(line) for line in lines if line.strip()))


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
