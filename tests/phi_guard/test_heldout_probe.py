"""Regression on the first probe (tests/phi_guard/data/batches/b00_probe), borderline excluded.

The probe was written to the corpus policy in wordings the dev set does not use (British
spellings, typos, indirect references such as "the gentleman you brought along"). It was held
out once; the v1 rules were then tuned on it and it now trains the classifier, so it is a
regression test, not a measurement (held-out numbers come from `phi_eval --split heldout`).
"""
import json
from pathlib import Path

from phi_guard.evaluation import score
from phi_guard.service import GuardInput, guard_check_many

PROBE = Path(__file__).resolve().parent / "data" / "batches" / "b00_probe" / "replies.jsonl"


def test_it_still_meets_the_recall_and_false_block_targets_on_the_first_probe(willow_pine):
    examples = [json.loads(line) for line in PROBE.read_text(encoding="utf-8").splitlines() if line.strip()]

    verdicts = guard_check_many([GuardInput(e["text"], e["review"], e["reviewer_name"]) for e in examples],
                                practice=willow_pine)
    result = score(examples, verdicts)

    assert result.unsafe >= 50 and result.safe >= 50
    assert result.recall >= 0.98, result.misses
    assert result.false_block_rate <= 0.05, result.false_positives
    assert not any(v.error for v in verdicts)


def test_every_probe_span_is_in_its_text():
    for line in PROBE.read_text(encoding="utf-8").splitlines():
        example = json.loads(line)
        assert all(span in example["text"] for span in example["spans"]), example["id"]
