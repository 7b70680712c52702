"""Scoring the guard on a labelled corpus (the guard_dev.jsonl schema)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from phi_guard.verdict import CATEGORIES, Verdict


@dataclass
class Score:
    unsafe: int = 0
    caught: int = 0
    safe: int = 0
    false_blocks: int = 0
    borderline: int = 0
    per_category: dict[str, list[int]] = field(default_factory=lambda: {c: [0, 0, 0] for c in CATEGORIES})
    misses: list[tuple[str, tuple[str, ...], str]] = field(default_factory=list)
    false_positives: list[tuple[str, tuple[str, ...], str]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.caught / self.unsafe if self.unsafe else 1.0

    @property
    def false_block_rate(self) -> float:
        return self.false_blocks / self.safe if self.safe else 0.0


def score(examples: Sequence[dict], verdicts: Sequence[Verdict]) -> Score:
    """Recall on unsafe, false-block rate on safe; borderline examples are counted but not scored.

    per_category[c] = [labelled unsafe with c, of those blocked, of those with a finding in c].
    """
    result = Score()
    for example, verdict in zip(examples, verdicts):
        if example.get("borderline"):
            result.borderline += 1
            continue
        categories = tuple(example.get("categories") or ())
        if example.get("label") == "unsafe":
            result.unsafe += 1
            result.caught += verdict.blocked
            if not verdict.blocked:
                result.misses.append((str(example.get("id")), categories, example.get("text", "")))
            for category in categories:
                counts = result.per_category.setdefault(category, [0, 0, 0])
                counts[0] += 1
                counts[1] += verdict.blocked
                counts[2] += category in verdict.categories
        else:
            result.safe += 1
            result.false_blocks += verdict.blocked
            if verdict.blocked:
                result.false_positives.append((str(example.get("id")), verdict.categories, example.get("text", "")))
    return result
