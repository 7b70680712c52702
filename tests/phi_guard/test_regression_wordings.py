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


# Safe wordings the current classifier blocks, each with why: a regression reported, not hidden. (None since 2.11:
# b00_regression-223, "We're so glad you're happy with our team.", blocked by 2.7 to 2.10 at 0.62-0.86, passes once the
# classifier reads the review it answers; alone, with no review, 2.11 still scores it 0.78.)
KNOWN_FALSE_BLOCKS: dict[str, str] = {}


def _safe(example):
    reason = KNOWN_FALSE_BLOCKS.get(example["id"])
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(example, id=example["id"], marks=marks)


@pytest.mark.parametrize("example", [_safe(e) for e in SAFE])
def test_it_lets_a_known_safe_wording_through(check, example):
    verdict = check(example["text"], review=example["review"], reviewer_name=example["reviewer_name"],
                    practice=REGRESSION.practice)

    assert verdict.ok, (example["text"], [f.to_dict() for f in verdict.findings])
