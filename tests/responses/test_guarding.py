"""The practice's own data shapes what the guard allows and what it knows."""
import pytest

from responses.guarding import practice_profile, verdict_for_reply_text
from responses.models import GuardTerm, Location

pytestmark = pytest.mark.django_db


def test_a_term_the_manager_adds_is_blocked_from_then_on(practice, review):
    text = "Kelsey, thank you. Our new Glowmatrix sessions are worth a look for you."
    GuardTerm.objects.create(practice=practice, entity_type="TREATMENT", term="Glowmatrix")
    verdict = verdict_for_reply_text(review=review, text=text)
    assert verdict.blocked
    assert any(f.text.lower() == "glowmatrix" for f in verdict.findings)


def test_a_second_location_s_contact_details_are_the_practice_s_own(practice, review):
    Location.objects.create(practice=practice, name="Cherry Creek", phone="(303) 555-0177", email="creek@willowpine.example")
    text = "Thank you for your feedback. Please reach our team at (303) 555-0177 or creek@willowpine.example."
    assert verdict_for_reply_text(review=review, text=text).blocked is False
    assert "(303) 555-0177" in practice_profile(practice).contacts
    named = "Thank you for your feedback. Our Cherry Creek team would like to hear more at (303) 555-0177."
    assert verdict_for_reply_text(review=review, text=named).blocked is False


def test_a_vocabulary_the_guard_cannot_use_blocks_everything_with_a_reason(practice, review):
    # Written around the form's choices, as a raw import might.
    GuardTerm.objects.create(practice=practice, entity_type="NOT_A_TYPE", term="whatever")
    verdict = verdict_for_reply_text(review=review, text="Thank you for your feedback.")
    assert verdict.blocked and "practice profile is invalid" in verdict.error


def test_the_safe_rewrite_changes_nothing_when_the_guard_cannot_run(practice, review):
    from responses.guarding import safe_rewrite_for

    GuardTerm.objects.create(practice=practice, entity_type="NOT_A_TYPE", term="whatever")
    text = "Kelsey, your Botox bruise will fade."
    assert safe_rewrite_for(review=review, text=text) == text
    assert verdict_for_reply_text(review=review, text=text).blocked
