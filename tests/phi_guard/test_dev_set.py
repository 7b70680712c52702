"""Regression: the shared development set, borderline excluded.

The v1 rules were tuned on it (1.000 recall, 0.000 false blocks); the v2 classifier never trains on it.
v2 measured 63/64 recall and 3/45 false blocks here, 2.2 on 20 batches 2/45, on 30 batches 4/45, 2.3 64/64 and
3/45. 2.4 (34 training batches) measures 64/64 and 5/45: two replies announcing a fix to the practice's booking
page and website now score as confirming a visit, while on the 1,600 held-out replies of b18-b41 it catches 763
of 781 unsafe replies (2.3: 756) and blocks 154 of 762 safe ones (2.3: 164); tests/phi_guard/data/README.md.
Retrained on 37 batches, 2.4 measures 64/64 and
3/45 again, and so does 2.5; 2.6 on 58 batches, 2.7 on 64 and 70, and 2.8 on 70 measure 63/64 and 3/45, 2.9 on 70 64/64 and 3/45. Each item here is 2.2 points and moves with every retraining, so the floor stays 5/45; it
stops a slide. Held-out numbers come
from `phi_eval --split heldout`, not from this set."""
import json

from phi_guard.evaluation import score
from phi_guard.profile import PracticeProfile
from phi_guard.service import GuardInput, guard_check_many


def test_it_meets_the_recall_and_false_block_targets_on_the_dev_set(corpus_dir):
    practice = PracticeProfile.from_json_file(corpus_dir / "practice.json")
    examples = [json.loads(line) for line in (corpus_dir / "guard_dev.jsonl").read_text().splitlines() if line.strip()]

    verdicts = guard_check_many([GuardInput(e["text"], e["review"], e["reviewer_name"]) for e in examples],
                                practice=practice)
    result = score(examples, verdicts)

    assert result.recall >= 0.98, result.misses
    assert result.false_block_rate <= 0.12, result.false_positives
    assert not any(v.error for v in verdicts)


def test_batch_and_single_checks_agree(corpus_dir, check):
    examples = [json.loads(line) for line in (corpus_dir / "guard_dev.jsonl").read_text().splitlines()][:20]
    practice = PracticeProfile.from_json_file(corpus_dir / "practice.json")

    batch = guard_check_many([GuardInput(e["text"], e["review"], e["reviewer_name"]) for e in examples],
                             practice=practice)

    for example, verdict in zip(examples, batch):
        single = check(example["text"], review=example["review"], reviewer_name=example["reviewer_name"],
                       practice=practice)
        assert single.findings == verdict.findings
