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


def test_the_rewrite_leaves_no_placeholder_and_offers_the_channel_once(willow_pine):
    text = (
        "Thank you for the review, Dana. Your filler on the left cheek will settle within two weeks. "
        "We can also redo your lips for free next Tuesday."
    )

    rewrite = guard_rewrite(text, practice=willow_pine, reviewer_name="Dana R.", private_channel="(303) 555-0186")

    assert "<" not in rewrite and ">" not in rewrite
    assert rewrite.startswith("Thank you for the review, Dana.")
    assert rewrite.count("555-0186") == 1
    assert rewrite.endswith("please contact us at (303) 555-0186.")


def test_a_kept_sentence_with_the_practice_s_contact_is_not_repeated(willow_pine):
    text = "Sorry, Lee. Your Botox bruise will fade. Please call Renee at (303) 555-0186."

    rewrite = guard_rewrite(text, practice=willow_pine, reviewer_name="Lee", private_channel="(303) 555-0186")

    assert rewrite == "Sorry, Lee. Please call Renee at (303) 555-0186."


def test_no_dev_rewrite_carries_a_placeholder_or_a_doubled_channel(corpus_dir, willow_pine):
    examples = [json.loads(line) for line in (corpus_dir / "guard_dev.jsonl").read_text().splitlines() if line.strip()]
    for example in examples:
        if example["label"] != "unsafe":
            continue
        rewrite = guard_rewrite(example["text"], practice=willow_pine, review=example["review"],
                                reviewer_name=example["reviewer_name"])
        assert "UNSAFE_SENTENCE" not in rewrite, example["id"]
        assert rewrite.count("555-0186") <= 1, (example["id"], rewrite)


def test_the_rewrite_keeps_paragraphs_blank_lines_and_the_signature(willow_pine):
    text = ("Hi Dana,\n\nThank you for taking the time to write. Your filler on the left cheek will settle "
            "within two weeks.\n\nWe want every guest to feel heard, and we read every review.\n\n"
            "Warmly,\nRenee Okafor, Office Manager")

    rewrite = guard_rewrite(text, practice=willow_pine, reviewer_name="Dana R.")

    assert rewrite == ("Hi Dana,\n\nThank you for taking the time to write.\n\n"
                       "We want every guest to feel heard, and we read every review. We'd like to help directly, "
                       "so please contact us at (303) 555-0186 or frontdesk@willowpine.example.\n\n"
                       "Warmly,\nRenee Okafor, Office Manager")
    assert guard_check(rewrite, practice=willow_pine, reviewer_name="Dana R.").ok


def test_a_paragraph_that_was_only_a_disclosure_leaves_no_gap(willow_pine):
    text = "Thanks for writing, Dana.\n\nYour filler will settle soon.\n\n— Renee"

    rewrite = guard_rewrite(text, practice=willow_pine, reviewer_name="Dana R.")

    assert "\n\n\n" not in rewrite and "filler" not in rewrite
    assert rewrite.startswith("Thanks for writing, Dana.") and rewrite.endswith("\n\n— Renee")


def test_a_disclosure_on_the_line_after_the_signature_goes_and_the_signature_stays(willow_pine):
    text = ("Thank you for writing, Dana. Please call us at (303) 555-0186.\n\n— The Willow & Pine team\n"
            "PS: sorry the filler on your left side left a lump; come back Tuesday and we'll dissolve it.")

    rewrite = guard_rewrite(text, practice=willow_pine, reviewer_name="Dana R.")

    assert rewrite == "Thank you for writing, Dana. Please call us at (303) 555-0186.\n\n— The Willow & Pine team"
    assert guard_check(rewrite, practice=willow_pine, reviewer_name="Dana R.").ok


def test_a_sentence_blocked_for_what_came_before_it_stays_once_that_sentence_is_gone(willow_pine):
    """The classifier reads a sentence after the one before it: "Please call us" after a sentence about the
    reviewer's treatment can score as a disclosure. The sentence with the rule's findings goes first, and the rest
    stays if the reply then passes."""
    text = ("Kelsey, we're sorry the Botox left bruising on your forehead.\n\n"
            "Please call us at (303) 555-0186.\n\n— The Willow & Pine team")
    review = "The wait was long and nobody told me why."

    rewrite = guard_rewrite(text, practice=willow_pine, review=review, reviewer_name="Kelsey P.")

    assert rewrite == ("Thank you for your feedback, Kelsey. Please call us at (303) 555-0186.\n\n"
                       "— The Willow & Pine team")
    assert guard_check(rewrite, practice=willow_pine, review=review, reviewer_name="Kelsey P.").ok


def test_when_only_the_signature_is_left_the_thanks_and_the_invitation_go_above_it(willow_pine):
    text = "Kelsey, your Botox bruising will fade in a week.\n\n— Renee"

    rewrite = guard_rewrite(text, practice=willow_pine, reviewer_name="Kelsey P.")

    assert rewrite == ("Thank you for your feedback, Kelsey. We'd like to help directly, so please contact us at "
                       "(303) 555-0186 or frontdesk@willowpine.example.\n\n— Renee")
    assert guard_check(rewrite, practice=willow_pine, reviewer_name="Kelsey P.").ok
