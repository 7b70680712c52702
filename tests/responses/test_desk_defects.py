"""Everyday situations that used to end in a dead end: sent back replies, approving an edit, the Back button,
closing without a reply, an expired session while typing, the menu's count, friendly error pages."""
from __future__ import annotations

import pytest
from django.urls import reverse

from responses import workflow
from responses.models import AuditEvent, Reply, ReplyState
from responses.practice import services

pytestmark = pytest.mark.django_db

SAFE = (
    "Thank you for sharing your feedback, Kelsey. We're sorry to hear this and would like to learn more. "
    "Please call us at (303) 555-0186 so we can talk privately."
)
EDITED = SAFE + "\n\n— The Willow & Pine team"
UNSAFE = "Kelsey, we're sorry your Botox left you with bruising on your forehead."
HTMX = {"HTTP_HX_REQUEST": "true"}


def as_user(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def pending(review, alice):
    reply = workflow.reply_start(review=review, actor=alice, text=SAFE)
    return workflow.reply_submit(reply=reply, actor=alice)


@pytest.fixture
def sent_back(pending, bob):
    return workflow.reply_reject(reply=pending, actor=bob, comment="Please sign it.", expected_revision=pending.revision)


def test_a_rejected_reply_shows_as_sent_back_in_the_inbox_and_on_the_review_page(client, alice, sent_back):
    as_user(client, alice)
    assert "Sent back" in client.get(reverse("inbox")).content.decode()
    page = client.get(reverse("review_detail", args=[sent_back.review_id])).content.decode()
    assert 'badge--sent_back">Sent back' in page


def test_the_history_keeps_each_rejection_comment_the_approval_and_the_posting(client, alice, bob, sent_back):
    reply = workflow.reply_save_text(reply=sent_back, actor=alice, text=EDITED, expected_revision=sent_back.revision)
    reply = workflow.reply_submit(reply=reply, actor=alice)
    reply = workflow.reply_approve(reply=reply, actor=bob, expected_revision=reply.revision)
    workflow.reply_mark_posted(reply=reply, actor=bob)
    page = as_user(client, alice).get(reverse("review_detail", args=[reply.review_id])).content.decode()
    history = page[page.index("Version history"):]
    for step in ("Sent back", "“Please sign it.”", "Approved", "Posted", "Submitted for approval"):
        assert step in history
    assert history.index("Posted") < history.index("Approved") < history.index("Sent back")  # newest first
    assert "bob" in history and "alice" in history


def test_approving_with_an_unsaved_edit_saves_it_and_approves_the_new_text(client, bob, pending):
    response = as_user(client, bob).post(reverse("reply_save_and_approve", args=[pending.review_id]),
                                         {"text": EDITED, "expected_revision": pending.revision}, **HTMX)
    assert response.status_code == 200
    reply = Reply.objects.get(pk=pending.pk)
    assert reply.state == ReplyState.APPROVED
    assert reply.approved_version == reply.current_version and reply.text == EDITED
    assert reply.current_version.author == bob


def test_approving_an_edit_the_guard_blocks_approves_nothing(client, bob, pending):
    as_user(client, bob).post(reverse("reply_save_and_approve", args=[pending.review_id]),
                              {"text": UNSAFE, "expected_revision": pending.revision}, **HTMX)
    reply = Reply.objects.get(pk=pending.pk)
    assert reply.state == ReplyState.DRAFTING and reply.approved_version is None


def test_alice_cannot_save_and_approve(client, alice, pending):
    response = as_user(client, alice).post(reverse("reply_save_and_approve", args=[pending.review_id]),
                                           {"text": EDITED, "expected_revision": pending.revision})
    assert response.status_code == 403
    assert Reply.objects.get(pk=pending.pk).state == ReplyState.AWAITING_APPROVAL


def test_the_review_page_approve_button_sits_in_the_editor(client, bob, pending):
    page = as_user(client, bob).get(reverse("review_detail", args=[pending.review_id])).content.decode()
    assert reverse("reply_save_and_approve", args=[pending.review_id]) in page
    assert f'action="{reverse("reply_approve", args=[pending.review_id])}"' not in page


def test_the_review_page_is_never_served_from_the_browsers_cache(client, alice, review):
    response = as_user(client, alice).get(reverse("review_detail", args=[review.pk]))
    assert "no-store" in response["Cache-Control"]


def test_a_posted_review_offers_no_close_without_a_reply(client, bob, pending):
    reply = workflow.reply_approve(reply=pending, actor=bob, expected_revision=pending.revision)
    workflow.reply_mark_posted(reply=reply, actor=bob)
    page = as_user(client, bob).get(reverse("review_detail", args=[pending.review_id])).content.decode()
    assert reverse("review_close", args=[pending.review_id]) not in page


def test_the_close_reason_has_no_default(client, alice, review):
    page = as_user(client, alice).get(reverse("review_detail", args=[review.pk])).content.decode()
    assert '<option value="" selected>Choose a reason…</option>' in page
    client.post(reverse("review_close", args=[review.pk]), {})
    review.refresh_from_db()
    assert not review.is_closed


@pytest.mark.parametrize("reason", ["no_reply_needed", "handled_privately"])
def test_the_front_desk_cannot_close_a_low_rated_review_without_a_reply(client, alice, review, reason):
    as_user(client, alice).post(reverse("review_close", args=[review.pk]), {"reason": reason})
    review.refresh_from_db()
    assert not review.is_closed and review.rating == 2
    assert not AuditEvent.objects.filter(action="review_closed").exists()


def test_the_front_desk_may_close_low_rated_spam_and_a_manager_any_reason(client, alice, bob, make_review):
    spam, quiet = make_review(rating=1), make_review(rating=1)
    as_user(client, alice).post(reverse("review_close", args=[spam.pk]), {"reason": "spam"})
    as_user(client, bob).post(reverse("review_close", args=[quiet.pk]), {"reason": "handled_privately"})
    spam.refresh_from_db()
    quiet.refresh_from_db()
    assert spam.is_closed and quiet.is_closed and quiet.closed_by == bob
    assert AuditEvent.objects.filter(action="review_closed", details__close_reason="handled_privately",
                                     actor=bob).exists()


def test_an_htmx_request_after_the_session_expired_is_redirected_to_the_login_with_next(client, review):
    page = reverse("review_detail", args=[review.pk])
    response = client.post(reverse("reply_check", args=[review.pk]), {"text": "typed"},
                           HTTP_HX_CURRENT_URL=f"http://testserver{page}", **HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/accounts/login/?next={page}"
    assert b"password" not in response.content


def test_a_plain_request_without_a_session_still_gets_the_login_redirect(client, review):
    response = client.get(reverse("review_detail", args=[review.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


def test_the_menu_counts_the_replies_waiting_for_approval(client, bob, alice, pending):
    assert '<span class="nav-count" aria-label="1 awaiting approval">1</span>' in as_user(
        client, bob).get(reverse("inbox")).content.decode()
    assert "nav-count" not in as_user(client, alice).get(reverse("inbox")).content.decode()


def test_not_found_and_forbidden_pages_keep_the_layout_and_menu(client, alice, settings):
    settings.DEBUG = False
    as_user(client, alice)
    missing = client.get("/reviews/999999")
    assert missing.status_code == 404 and b"Page not found" in missing.content and b'aria-label="Main"' in missing.content
    forbidden = client.get(reverse("approval_queue"))
    assert forbidden.status_code == 403 and b"You can't do that here" in forbidden.content
    assert b'aria-label="Main"' in forbidden.content


def test_the_favicon_is_served_without_a_login(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith(".svg")


def test_the_inbox_uses_the_practices_response_target_and_marks_escalations(client, bob, practice, make_review):
    make_review("I want a refund for this wait.", posted_days_ago=5)
    services.practice_settings_update(practice=practice, actor=bob, response_target_days=10,
                                      escalation_keywords="refund")
    page = as_user(client, bob).get(reverse("inbox")).content.decode()
    assert "within 10 days" in page and '<span class="badge badge--escalated">Escalated</span>' in page
    assert "Unanswered for 5 days" not in page
