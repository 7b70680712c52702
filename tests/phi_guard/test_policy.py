"""Each policy category, blocked and not, in words other than the dev set's."""
import pytest


# (reply, review, reviewer display name, category the guard must report)
def test_it_blocks_a_reply_that_names_the_treatment(check):
    verdict = check("Kelsey, your lip filler should settle in a week.")

    assert {"clinical_detail", "patient_status"} <= set(verdict.categories)
    assert any(f.text.lower() == "lip filler" for f in verdict.findings)


def test_it_tolerates_case_plurals_and_misspellings(check, analyze):
    for reply in ("BOTOX can feel tight at first.", "Fillers can migrate.", "Bottox takes time.", "Dysprot wears off."):
        analysis = analyze(reply)
        assert {f.entity_type for f in analysis.rule_findings} & {"TREATMENT", "BRAND"}, reply
    for reply in ("Your BOTOX can feel tight at first.", "Your fillers can migrate.", "Your Bottox takes time.",
                  "Your Dysprot wears off."):
        assert check(reply).blocked, reply


def test_generic_words_are_fine_until_tied_to_the_reviewer(check):
    assert check("All injections here are performed by licensed nurses.").ok
    assert check("We hope your injections went smoothly.").blocked
    assert check("Everyone's results are different, and we explain that at every consultation.").ok
    assert check("We're thrilled with your results!").blocked


@pytest.mark.xfail(strict=True, reason="known false block of guard 2.2 to 2.4 and of 2.6 to 2.17 (2.5 passed it; 2.17 scores it 0.82, above the "
                   "sentence encoder's gate, and blocks at 0.475; 2.15 on 140 batches scored it 0.82, blocked at 0.4; on 126, 0.86 at 0.425; 2.14 scored 0.87, blocked "
                   "at 0.4): alone, this "
                   "general sentence scores near the block threshold ('results', 'vary from'); it passes inside a reply "
                   "with an invitation to call")
def test_a_lone_general_sentence_about_results_is_fine(check):
    assert check("Results vary from person to person.").ok


def test_it_reports_each_finding_with_a_span_and_an_explanation(check):
    text = "Kelsey, we searched our files and found nothing."
    verdict = check(text)

    finding = verdict.findings[0]
    assert finding.category == "records_denial"
    assert text[finding.start:finding.end] == finding.text
    assert "private channel" in finding.explanation
    assert finding.text not in finding.explanation
    assert set(finding.to_dict()) == {"category", "entity_type", "start", "end", "text", "score", "explanation"}
    assert verdict.to_dict()["blocked"] is True and len(verdict.text_sha256) == 64


def test_a_practice_can_add_its_own_clinical_terms(check, analyze, willow_pine):
    from dataclasses import replace

    extended = replace(willow_pine, vocabulary={"TREATMENT": ("glow-up ritual",)})
    reply = "We love the Glow-Up Ritual too."

    assert analyze(reply).rule_findings == ()
    verdict = check(reply, practice=extended)
    assert verdict.blocked
    assert [(f.entity_type, f.text) for f in verdict.findings] == [("TREATMENT", "Glow-Up Ritual")]
