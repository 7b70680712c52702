"""The safe rewrite keeps the acknowledgement, drops what discloses, and passes the guard itself."""
import json

from phi_guard.service import guard_check, guard_rewrite


def test_it_rewrites_a_blocked_reply_into_one_that_passes(willow_pine):
    text = "Harper, we're so sorry! Swelling in the lips peaks around day two, and yours should calm down soon."

    rewrite = guard_rewrite(text, practice=willow_pine, reviewer_name="Harper")

    assert rewrite.startswith("Harper, we're so sorry!")
    assert "(303) 555-0186" in rewrite and "lips" not in rewrite
    assert guard_check(rewrite, practice=willow_pine, reviewer_name="Harper").ok


def test_it_uses_the_private_channel_given(willow_pine):
    channel = "Please ask for Hannah Cho at frontdesk@willowpine.example."

    rewrite = guard_rewrite("Kelsey, your 9:15 ran late.", practice=willow_pine, private_channel=channel)

    assert rewrite.endswith(channel)


def test_a_safe_reply_comes_back_unchanged(willow_pine):
    text = "Thanks so much, Kwame!"

    assert guard_rewrite(text, practice=willow_pine, reviewer_name="Kwame") == text


def test_every_unsafe_dev_reply_has_a_rewrite_that_passes(corpus_dir, willow_pine):
    examples = [json.loads(line) for line in (corpus_dir / "guard_dev.jsonl").read_text().splitlines() if line.strip()]
    unsafe = [e for e in examples if e["label"] == "unsafe"]

    for example in unsafe:
        rewrite = guard_rewrite(example["text"], practice=willow_pine, review=example["review"],
                                reviewer_name=example["reviewer_name"])
        verdict = guard_check(rewrite, practice=willow_pine, review=example["review"],
                              reviewer_name=example["reviewer_name"])
        assert verdict.ok, (example["id"], rewrite, [f.to_dict() for f in verdict.findings])
