"""The practice's approved wording: trusted over the classifier, and in strict mode the only wording allowed."""
from dataclasses import replace

TEMPLATES = (
    "Thank you for your feedback, {first_name}.",
    "We'd like to talk this over with you one-on-one. You can reach us at {phone} or {email}.",
    "{signature}",
)


def test_an_approved_sentence_is_not_overruled_by_the_classifier(check, willow_pine):
    practice = replace(willow_pine, approved=TEMPLATES)
    reply = ("Thank you for your feedback, Kelsey. We'd like to talk this over with you one-on-one. "
             "You can reach us at (303) 555-0186 or frontdesk@willowpine.example.")

    assert check(reply, practice=practice).ok


def test_rules_still_read_approved_wording(check, willow_pine):
    practice = replace(willow_pine, approved=("Your {treatment} went well.",))

    assert check("Your Botox went well.", practice=practice).blocked


def test_strict_mode_refuses_any_sentence_outside_the_templates_and_offers_the_closest(check, willow_pine):
    practice = replace(willow_pine, approved=TEMPLATES, strict=True)

    verdict = check("Thank you for your feedback, Kelsey. We'd love to talk this over with you one on one!",
                    practice=practice)

    assert verdict.blocked
    [finding] = verdict.findings
    assert finding.category == "not_approved"
    assert finding.text == "We'd love to talk this over with you one on one!"
    assert "We'd like to talk this over with you one-on-one." in finding.explanation


def test_strict_mode_passes_a_reply_made_of_approved_sentences_and_the_practice_s_details(check, willow_pine):
    practice = replace(willow_pine, approved=TEMPLATES, strict=True)
    reply = ("Thank you for your feedback, Kelsey.\n\nWe'd like to talk this over with you one-on-one. "
             "You can reach us at (303) 555-0186 or frontdesk@willowpine.example.\n\nWillow & Pine Medspa")

    assert check(reply, practice=practice).ok


def test_strict_mode_is_part_of_the_profile_s_identity(willow_pine):
    assert replace(willow_pine, strict=True).cache_key != willow_pine.cache_key
    assert replace(willow_pine, approved=TEMPLATES).cache_key != willow_pine.cache_key
