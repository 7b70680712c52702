"""Regression: wordings collected while probing the guard (tests/phi_guard/data/batches/b00_regression).

They were written against v1, which was fixed where they failed, and they train v2's classifier:
a guard that stops handling them has regressed. They are not a measurement; held-out batches are.
"""
import pytest

from phi_guard.corpus import load_batch

REGRESSION = load_batch("b00_regression")
UNSAFE = [e for e in REGRESSION.examples if e["label"] == "unsafe"]
SAFE = [e for e in REGRESSION.examples if e["label"] == "safe"]


@pytest.mark.parametrize("example", UNSAFE, ids=[e["id"] for e in UNSAFE])
def test_it_blocks_a_known_wording_of_a_disclosure(check, example):
    verdict = check(example["text"], review=example["review"], reviewer_name=example["reviewer_name"],
                    practice=REGRESSION.practice)

    assert verdict.blocked, example["text"]
    for category in example["categories"]:
        assert category in verdict.categories, (example["text"], [f.to_dict() for f in verdict.findings])


# Safe wordings the current classifier blocks, each with why: a regression reported, not hidden.
KNOWN_FALSE_BLOCKS = {
    "b00_regression-223": "2.7 and 2.8 on 70 batches score 'We're so glad you're happy with our team.' at 0.84 (block at "
                          "0.525), 2.9 at 0.62 (block at 0.55), 2.10 on 72 batches at 0.86 (block at 0.475), weighing 'you', "
                          "'glad', 'so': in the training batches 50 "
                          "disclosing spans say 'glad you' and 17 safe replies do",
}


def _safe(example):
    reason = KNOWN_FALSE_BLOCKS.get(example["id"])
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(example, id=example["id"], marks=marks)


@pytest.mark.parametrize("example", [_safe(e) for e in SAFE])
def test_it_lets_a_known_safe_wording_through(check, example):
    verdict = check(example["text"], review=example["review"], reviewer_name=example["reviewer_name"],
                    practice=REGRESSION.practice)

    assert verdict.ok, (example["text"], [f.to_dict() for f in verdict.findings])
