"""The practice's own guard vocabulary: bob (manager) adds and removes terms, and the guard follows.

alice works the front desk, bob manages Willow & Pine, charlie manages another practice.
"""
from __future__ import annotations

import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from responses.guarding import verdict_for_reply_text
from responses.models import AuditEvent, GuardTerm
from responses.vocabulary import guard_term_add, guard_term_remove
from responses.workflow import WorkflowError

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
# A general sentence about the practice ("We love the Glowmatrix" reads as praise of what the reviewer had)
REPLY = "Kelsey, thank you. Our new Glowmatrix arrives this spring."


def as_user(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def glowmatrix(practice, bob):
    return guard_term_add(practice=practice, actor=bob, entity_type="TREATMENT", term="Glowmatrix")


def only_the_region(response) -> bool:
    body = response.content.decode()
    return 'id="terms"' in body and "<html" not in body and "<nav" not in body


# --- adding ------------------------------------------------------------------------------------

def test_bob_adds_a_term_and_a_reply_containing_it_is_blocked(client, bob, practice, make_review):
    review = make_review()
    assert verdict_for_reply_text(review=review, text=REPLY).blocked is False

    response = as_user(client, bob).post(reverse("guard_term_add"), {"entity_type": "TREATMENT",
                                                                     "term": "  Glowmatrix "})

    assert response.status_code == 302 and response["Location"] == reverse("guard_vocabulary")
    term = GuardTerm.objects.get(practice=practice)
    assert (term.entity_type, term.term) == ("TREATMENT", "Glowmatrix")
    verdict = verdict_for_reply_text(review=review, text=REPLY)
    assert verdict.blocked
    assert any(f.text.lower() == "glowmatrix" for f in verdict.findings)
    page = client.get(reverse("guard_vocabulary"))
    assert "Added “Glowmatrix” under Treatment." in page.content.decode()
    assert "Glowmatrix" in page.content.decode()


def test_adding_a_term_is_audited_without_the_term(bob, practice, glowmatrix):
    event = AuditEvent.objects.get(action="guard_term_added")
    assert event.actor == bob and event.practice_id == practice.pk
    assert event.details == {"guard_term": {"id": glowmatrix.pk, "entity_type": "TREATMENT"}}


def test_it_refuses_a_duplicate_whatever_the_case_or_type(client, bob, glowmatrix):
    response = as_user(client, bob).post(reverse("guard_term_add"), {"entity_type": "BRAND", "term": "GLOWMATRIX"})

    assert response.status_code == 400
    body = response.content.decode()
    assert "This term is already in the vocabulary, under Treatment." in body
    assert 'value="GLOWMATRIX"' in body  # what bob typed is kept
    assert GuardTerm.objects.count() == 1
    assert AuditEvent.objects.filter(action="guard_term_added").count() == 1


def test_it_refuses_an_unknown_type(client, bob):
    response = as_user(client, bob).post(reverse("guard_term_add"), {"entity_type": "NOT_A_TYPE",
                                                                     "term": "Glowmatrix"})

    assert response.status_code == 400
    assert "Choose one of the guard&#x27;s vocabulary types." in response.content.decode()
    assert not GuardTerm.objects.exists()


@pytest.mark.parametrize("term, message", [
    ("x", "A term is 2 to 120 characters long."),
    ("   ", "A term is 2 to 120 characters long."),
    ("g" * 121, "A term is 2 to 120 characters long."),
    ("glow<b>matrix", "A term may hold only letters, digits, spaces, hyphens and apostrophes."),
    ("glow_matrix", "A term may hold only letters, digits, spaces, hyphens and apostrophes."),
    ("--", "A term may hold only letters, digits, spaces, hyphens and apostrophes."),
])
def test_it_refuses_a_malformed_term(practice, bob, term, message):
    with pytest.raises(WorkflowError, match=message):
        guard_term_add(practice=practice, actor=bob, entity_type="TREATMENT", term=term)
    assert not GuardTerm.objects.exists()


@pytest.mark.parametrize("term", ["Lumi's", "O’Neil peel", "Jeuveau-Plus", "Sérum 3"])
def test_it_accepts_letters_digits_hyphens_apostrophes_and_collapses_spaces(practice, bob, term):
    added = guard_term_add(practice=practice, actor=bob, entity_type="BRAND", term=f" {term.replace(' ', '   ')} ")
    assert added.term == term


# --- removing ----------------------------------------------------------------------------------

def test_bob_removes_a_term_and_the_guard_lets_the_reply_through(client, bob, practice, glowmatrix, make_review):
    review = make_review()
    assert verdict_for_reply_text(review=review, text=REPLY).blocked

    response = as_user(client, bob).post(reverse("guard_term_remove", args=[glowmatrix.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("guard_vocabulary")
    assert not GuardTerm.objects.exists()
    assert verdict_for_reply_text(review=review, text=REPLY).blocked is False
    event = AuditEvent.objects.get(action="guard_term_removed")
    assert event.actor == bob and event.practice_id == practice.pk
    assert event.details == {"guard_term": {"id": glowmatrix.pk, "entity_type": "TREATMENT"}}


def test_removing_a_term_that_is_already_gone_is_refused_with_a_message(practice, bob, glowmatrix):
    guard_term_remove(practice=practice, actor=bob, term_id=glowmatrix.pk)
    with pytest.raises(WorkflowError, match="no longer in the vocabulary"):
        guard_term_remove(practice=practice, actor=bob, term_id=glowmatrix.pk)
    assert AuditEvent.objects.filter(action="guard_term_removed").count() == 1


# --- who may ------------------------------------------------------------------------------------

def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("guard_vocabulary"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_alice_gets_403_and_nothing_changes(client, alice, glowmatrix):
    as_user(client, alice)
    assert client.get(reverse("guard_vocabulary")).status_code == 403
    assert client.post(reverse("guard_term_add"), {"entity_type": "BRAND", "term": "Lumiglow"}).status_code == 403
    assert client.post(reverse("guard_term_remove", args=[glowmatrix.pk])).status_code == 403
    assert list(GuardTerm.objects.values_list("term", flat=True)) == ["Glowmatrix"]
    assert not AuditEvent.objects.filter(actor=alice).exclude(action="login").exists()


def test_the_front_desk_cannot_add_through_the_service_either(practice, alice):
    with pytest.raises(PermissionDenied):
        guard_term_add(practice=practice, actor=alice, entity_type="BRAND", term="Lumiglow")
    assert not GuardTerm.objects.exists()


def test_charlie_gets_404_for_bobs_term_and_never_sees_it(client, charlie, glowmatrix):
    as_user(client, charlie)
    assert client.post(reverse("guard_term_remove", args=[glowmatrix.pk])).status_code == 404
    assert GuardTerm.objects.filter(pk=glowmatrix.pk).exists()
    page = client.get(reverse("guard_vocabulary"))
    assert page.status_code == 200 and "Glowmatrix" not in page.content.decode()


def test_charlie_cannot_change_another_practices_vocabulary_through_the_service(practice, charlie, glowmatrix):
    with pytest.raises(PermissionDenied):
        guard_term_add(practice=practice, actor=charlie, entity_type="BRAND", term="Lumiglow")
    with pytest.raises(PermissionDenied):
        guard_term_remove(practice=practice, actor=charlie, term_id=glowmatrix.pk)
    assert list(GuardTerm.objects.values_list("term", flat=True)) == ["Glowmatrix"]


def test_the_nav_links_the_page_for_managers_only(client, alice, bob):
    link = f'href="{reverse("guard_vocabulary")}"'
    assert link in as_user(client, bob).get(reverse("inbox")).content.decode()
    assert link not in as_user(client, alice).get(reverse("inbox")).content.decode()


# --- the page and its htmx region ---------------------------------------------------------------

def test_the_page_lists_terms_grouped_by_type_with_the_explanation(client, bob, practice, glowmatrix):
    guard_term_add(practice=practice, actor=bob, entity_type="BRAND", term="Lumiglow")
    guard_term_add(practice=practice, actor=bob, entity_type="TREATMENT", term="aquapeel")

    body = as_user(client, bob).get(reverse("guard_vocabulary")).content.decode()

    assert "any reply that contains them is blocked" in body
    assert body.index(">Brand <") < body.index("Lumiglow") < body.index(">Treatment <")
    assert body.index(">Treatment <") < body.index("aquapeel") < body.index("Glowmatrix")
    assert f'action="{reverse("guard_term_remove", args=[glowmatrix.pk])}"' in body
    assert 'aria-label="Remove Glowmatrix from Treatment"' in body


def test_adding_with_htmx_returns_only_the_terms_region(client, bob, practice):
    response = as_user(client, bob).post(reverse("guard_term_add"), {"entity_type": "TREATMENT",
                                                                     "term": "Glowmatrix"}, **HTMX)

    assert response.status_code == 200 and only_the_region(response)
    body = response.content.decode()
    assert "Added “Glowmatrix” under Treatment." in body
    assert 'value=""' in body  # the field is empty for the next term, the type stays chosen
    assert '<option value="TREATMENT" selected>' in body
    assert GuardTerm.objects.filter(practice=practice, term="Glowmatrix").exists()


def test_a_refusal_with_htmx_shows_the_message_in_the_region(client, bob, glowmatrix):
    response = as_user(client, bob).post(reverse("guard_term_add"), {"entity_type": "TREATMENT",
                                                                     "term": "glowmatrix"}, **HTMX)

    # 200, so htmx swaps the region in and the manager sees why.
    assert response.status_code == 200 and only_the_region(response)
    assert 'role="alert"' in response.content.decode()
    assert "already in the vocabulary" in response.content.decode()


def test_removing_with_htmx_returns_only_the_terms_region(client, bob, glowmatrix):
    response = as_user(client, bob).post(reverse("guard_term_remove", args=[glowmatrix.pk]), **HTMX)

    assert response.status_code == 200 and only_the_region(response)
    assert "Removed “Glowmatrix” from Treatment." in response.content.decode()
    assert "No terms yet." in response.content.decode()


def test_the_page_without_htmx_is_whole(client, bob):
    response = as_user(client, bob).get(reverse("guard_vocabulary"))
    assert "<html" in response.content.decode() and 'id="terms"' in response.content.decode()
    assert "HX-Request" in response["Vary"]


def test_terms_stay_out_of_the_logs(client, bob, glowmatrix, caplog):
    caplog.set_level(logging.DEBUG)
    as_user(client, bob)
    client.post(reverse("guard_term_add"), {"entity_type": "BRAND", "term": "Lumiglow"})
    client.post(reverse("guard_term_add"), {"entity_type": "BRAND", "term": "lumiglow"})
    client.post(reverse("guard_term_remove", args=[glowmatrix.pk]), **HTMX)
    assert "lumiglow" not in caplog.text.lower() and "glowmatrix" not in caplog.text.lower()


# --- strict mode ---------------------------------------------------------------------------------

def test_bob_turns_strict_mode_on_and_only_template_sentences_pass(client, bob, practice, make_review):
    from responses.drafting import template_blocks_seed

    template_blocks_seed(practice=practice)
    review = make_review()
    assert verdict_for_reply_text(review=review, text=REPLY).ok

    response = as_user(client, bob).post(reverse("guard_strict_mode"), {"strict": "on"})

    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.guard_strict_mode is True
    verdict = verdict_for_reply_text(review=review, text=REPLY)
    assert verdict.blocked and {f.category for f in verdict.findings} == {"not_approved"}
    event = AuditEvent.objects.get(action="guard_strict_mode_changed")
    assert event.details["strict"] is True and event.actor == bob
    assert "Strict mode" in client.get(reverse("guard_vocabulary")).content.decode()


def test_bob_turns_strict_mode_off_again(client, bob, practice):
    practice.guard_strict_mode = True
    practice.save()

    as_user(client, bob).post(reverse("guard_strict_mode"), {})

    practice.refresh_from_db()
    assert practice.guard_strict_mode is False


def test_alice_cannot_turn_strict_mode_on(client, alice, practice):
    response = as_user(client, alice).post(reverse("guard_strict_mode"), {"strict": "on"})

    assert response.status_code == 403
    practice.refresh_from_db()
    assert practice.guard_strict_mode is False
