"""The desk in the browser, one endpoint at a time: who may see and do what, htmx regions, happy paths.

alice works the front desk, bob manages Willow & Pine, charlie manages another practice.
"""
from __future__ import annotations

import re
from datetime import timedelta
from html import escape

import pytest
from django.urls import reverse
from django.utils import timezone

from responses import workflow
from responses.models import AuditEvent, ImportRun, Reply, ReplyState, ReplyVersion, Review, TemplateBlock
from tests.responses.timeline import approved_back_then

pytestmark = pytest.mark.django_db

SAFE = (
    "Thank you for sharing your feedback, Kelsey. We're sorry to hear this and would like to learn more. "
    "Please call us at (303) 555-0186 so we can talk privately."
)
UNSAFE = "Kelsey, we're sorry your Botox left you with bruising on your forehead."
HTMX = {"HTTP_HX_REQUEST": "true"}

REVIEW_GETS = ["review_detail"]
REVIEW_POSTS = [
    "review_note", "review_close", "review_reopen", "reply_start", "reply_check", "reply_save", "reply_rewrite",
    "reply_submit", "reply_approve", "reply_reject", "reply_mark_posted", "reply_publish",
]
PAGES = ["inbox", "approval_queue", "dashboard", "review_new", "review_import", "template_block_list",
         "template_block_new"]


def as_user(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def draft(review, alice):
    return workflow.reply_start(review=review, actor=alice, text=SAFE)


@pytest.fixture
def pending(draft, alice):
    return workflow.reply_submit(reply=draft, actor=alice)


@pytest.fixture
def approved(pending, bob):
    return workflow.reply_approve(reply=pending, actor=bob, expected_revision=pending.revision)


def is_region(response, marker: str) -> bool:
    body = response.content.decode()
    return marker in body and "<html" not in body and "<nav" not in body.split(marker)[0]


# --- access -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", PAGES)
def test_anonymous_users_are_sent_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", REVIEW_GETS + REVIEW_POSTS)
def test_anonymous_users_cannot_touch_a_review(client, review, name):
    response = client.post(reverse(name, args=[review.pk])) if name in REVIEW_POSTS else client.get(
        reverse(name, args=[review.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", REVIEW_GETS + REVIEW_POSTS)
def test_charlie_gets_404_for_another_practices_review(client, approved, charlie, name):
    as_user(client, charlie)
    url = reverse(name, args=[approved.review_id])
    response = client.post(url, {"text": SAFE, "expected_revision": approved.revision, "comment": "x",
                                 "reason": "spam"}) if name in REVIEW_POSTS else client.get(url)
    assert response.status_code == 404
    approved.refresh_from_db()
    assert approved.state == ReplyState.APPROVED
    assert not Review.objects.get(pk=approved.review_id).is_closed


def test_a_user_without_a_practice_is_refused(client, django_user_model):
    outsider = django_user_model.objects.create_user(username="dana", password="not-a-real-password-123")
    assert as_user(client, outsider).get(reverse("inbox")).status_code == 403


@pytest.mark.parametrize("name", ["approval_queue", "template_block_list", "template_block_new"])
def test_alice_cannot_open_manager_pages(client, alice, name):
    assert as_user(client, alice).get(reverse(name)).status_code == 403


def test_nav_shows_only_the_pages_the_role_may_use(client, alice, bob):
    body = as_user(client, alice).get(reverse("inbox")).content.decode()
    assert reverse("review_new") in body and reverse("dashboard") in body
    assert reverse("approval_queue") not in body and reverse("template_block_list") not in body
    body = as_user(client, bob).get(reverse("inbox")).content.decode()
    assert reverse("approval_queue") in body and reverse("template_block_list") in body


def test_login_page_still_works(client, alice):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "alice", "password": "not-a-real-password-123"})
    assert response.status_code == 302 and response["Location"] == reverse("inbox")


# --- inbox ------------------------------------------------------------------------------------

def test_inbox_puts_old_unanswered_negative_reviews_first(client, alice, make_review, bob):
    happy = make_review("Lovely staff!", rating=5, posted_days_ago=9)
    newer_bad = make_review("Rude at the desk.", rating=2, posted_days_ago=1)
    older_bad = make_review("Waited an hour.", rating=1, posted_days_ago=6)
    answered = make_review("Billing was confusing.", rating=1, posted_days_ago=20)
    workflow.reply_submit(reply=workflow.reply_start(review=answered, actor=alice, text=SAFE), actor=alice)
    body = as_user(client, alice).get(reverse("inbox")).content.decode()
    positions = [body.index(reverse("review_detail", args=[r.pk]) + '"') for r in (older_bad, newer_bad, happy, answered)]
    assert positions == sorted(positions)


def test_inbox_shows_the_unanswered_badge_past_the_target(client, alice, make_review, settings):
    settings.RESPONSE_TARGET_DAYS = 2
    make_review("Waited an hour.", posted_days_ago=5)
    make_review("Rude at the desk.", posted_days_ago=1)
    body = as_user(client, alice).get(reverse("inbox")).content.decode()
    assert body.count("Unanswered for") == 1
    assert "Unanswered for 5 days" in body


def test_inbox_filter_with_htmx_returns_only_the_results_region(client, alice, make_review):
    make_review("Waited an hour.", rating=1)
    make_review("Lovely staff!", rating=5)
    response = as_user(client, alice).get(reverse("inbox"), {"rating": "5"}, **HTMX)
    assert response.status_code == 200
    assert is_region(response, 'id="results"')
    body = response.content.decode()
    assert "Lovely staff!" in body and "Waited an hour." not in body
    assert "HX-Request" in response["Vary"]


def test_inbox_filters_by_status_platform_topic_age_and_search(client, alice, bob, make_review, draft):
    yelp = make_review("Front desk was rude to me", platform="yelp", topics=["staff_attitude"], posted_days_ago=40)
    recent = make_review("Sparkling clean rooms", rating=5, topics=["cleanliness"], posted_days_ago=2)
    workflow.reply_submit(reply=draft, actor=alice)
    as_user(client, alice)

    def shown(**params):
        body = client.get(reverse("inbox"), params, **HTMX).content.decode()
        return {r.pk for r in (yelp, recent, draft.review) if reverse("review_detail", args=[r.pk]) + '"' in body}

    assert shown(status="awaiting_approval") == {draft.review.pk}
    assert shown(status="unanswered") == {yelp.pk, recent.pk}
    assert shown(platform="yelp") == {yelp.pk}
    assert shown(topic="cleanliness") == {recent.pk}
    assert shown(age="older") == {yelp.pk}
    assert shown(age="7d") == {recent.pk, draft.review.pk}
    assert shown(q="sparkling") == {recent.pk}
    assert shown(rating="not-a-number") == {yelp.pk, recent.pk, draft.review.pk}  # a bad value is ignored


def test_inbox_paginates(client, alice, make_review):
    for i in range(30):
        make_review(f"Review number {i}")
    as_user(client, alice)
    first = client.get(reverse("inbox")).content.decode()
    second = client.get(reverse("inbox"), {"page": 2}, **HTMX).content.decode()
    assert "page 1 of 2" in first and "page 2 of 2" in second
    assert second.count('class="review-row ') == 5


def test_inbox_lists_only_the_users_practice(client, charlie, review):
    body = as_user(client, charlie).get(reverse("inbox")).content.decode()
    assert reverse("review_detail", args=[review.pk]) not in body


# --- review page ------------------------------------------------------------------------------

def test_review_page_escapes_the_review_and_marks_words_not_to_repeat(client, alice, make_review):
    review = make_review("My Botox left bruising on my forehead. <script>alert('x')</script>")
    body = as_user(client, alice).get(reverse("review_detail", args=[review.pk])).content.decode()
    assert "<script>alert" not in body
    assert "&lt;/script&gt;" in body or "&lt;/<mark" in body
    assert '<mark class="finding finding--clinical_detail"' in body
    assert "Do not repeat" in body
    assert "Start reply" in body


def test_review_page_shows_the_reply_history_and_the_managers_comment(client, alice, bob, pending):
    workflow.reply_reject(reply=pending, actor=bob, comment="Warmer opening, please.")
    body = as_user(client, alice).get(reverse("review_detail", args=[pending.review_id])).content.decode()
    assert "Warmer opening, please." in body
    assert "Version history (1)" in body
    assert "Passed guard" in body


def test_review_page_shows_the_stale_badge(client, alice, draft):
    Reply.objects.filter(pk=draft.pk).update(stale=True)
    body = as_user(client, alice).get(reverse("review_detail", args=[draft.review_id])).content.decode()
    assert "Review changed since drafting" in body


def test_starting_a_reply_drafts_from_templates(client, alice, review):
    response = as_user(client, alice).post(reverse("reply_start", args=[review.pk]), **HTMX)
    assert response.status_code == 200
    assert is_region(response, 'id="reply-editor"')
    reply = Reply.objects.get(review=review)
    assert reply.current_version.source == ReplyVersion.Source.TEMPLATE
    assert not reply.current_version.blocked


def test_starting_a_reply_without_htmx_redirects_to_the_review(client, alice, review):
    response = as_user(client, alice).post(reverse("reply_start", args=[review.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("review_detail", args=[review.pk])


def test_live_check_marks_clinical_detail_and_disables_submit(client, alice, draft):
    response = as_user(client, alice).post(reverse("reply_check", args=[draft.review_id]), {"text": UNSAFE}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="guard-status"' in body and "<html" not in body and 'id="reply-editor"' not in body
    assert '<mark class="finding finding--clinical_detail"' in body and ">Botox<" in body
    assert "Apply safe rewrite" in body
    assert 'id="submit-for-approval"' in body
    submit = body[body.index('id="submit-for-approval"'):]
    assert "disabled" in submit[: submit.index(">")]
    assert 'hx-swap-oob="innerHTML"' in body  # the short announcement for screen readers
    draft.refresh_from_db()
    assert draft.text == SAFE  # checking saves nothing


def test_live_check_says_which_language_the_guard_cannot_read(client, alice, draft):
    reply = "Muito obrigada pela sua avaliação, ficamos muito felizes que tenha gostado do atendimento!"

    body = as_user(client, alice).post(reverse("reply_check", args=[draft.review_id]), {"text": reply},
                                       **HTMX).content.decode()

    assert "cannot read Portuguese" in body and "English or Spanish" in body
    submit = body[body.index('id="submit-for-approval"'):]
    assert "disabled" in submit[: submit.index(">")]


def test_live_check_enables_submit_for_a_clean_text(client, alice, draft):
    body = as_user(client, alice).post(reverse("reply_check", args=[draft.review_id]), {"text": SAFE},
                                       **HTMX).content.decode()
    assert "No PHI found" in body
    submit = body[body.index('id="submit-for-approval"'):]
    assert "disabled" not in submit[: submit.index(">")]


def test_live_check_escapes_the_draft(client, alice, draft):
    body = as_user(client, alice).post(reverse("reply_check", args=[draft.review_id]),
                                       {"text": "<img src=x onerror=alert(1)> Botox"}, **HTMX).content.decode()
    assert "<img" not in body and "&lt;img" in body


def test_saving_a_draft_keeps_a_new_version(client, alice, draft):
    text = SAFE + " We appreciate you."
    response = as_user(client, alice).post(reverse("reply_save", args=[draft.review_id]),
                                           {"text": text, "expected_revision": draft.revision}, **HTMX)
    assert is_region(response, 'id="reply-editor"')
    draft.refresh_from_db()
    assert draft.text == text and draft.versions.count() == 2


def test_a_stale_save_is_refused_and_overwrites_nothing(client, alice, bob, draft):
    seen = draft.revision  # alice opened the editor at this revision
    theirs = SAFE + " (Bob's edit.)"
    workflow.reply_save_text(reply=draft, actor=bob, text=theirs, expected_revision=seen)
    response = as_user(client, alice).post(
        reverse("reply_save", args=[draft.review_id]), {"text": SAFE + " Mine.", "expected_revision": seen}, **HTMX)
    body = response.content.decode()
    assert "Someone else changed this reply" in body
    assert escape(SAFE + " Mine.") in body  # alice's text stays in the editor
    draft.refresh_from_db()
    assert draft.text == theirs


def test_a_stale_save_without_htmx_shows_the_page_with_the_text_kept(client, alice, bob, draft):
    seen = draft.revision
    workflow.reply_save_text(reply=draft, actor=bob, text=SAFE + " Bob.", expected_revision=seen)
    response = as_user(client, alice).post(
        reverse("reply_save", args=[draft.review_id]), {"text": SAFE + " Mine.", "expected_revision": seen})
    assert response.status_code == 200
    assert "Someone else changed this reply" in response.content.decode()


def test_saving_again_after_a_stale_refusal_is_refused_again(client, alice, bob, draft):
    """The refused editor must not quietly adopt bob's revision: a second click would overwrite
    bob's text with alice's without her ever having seen it."""
    seen = draft.revision
    theirs = SAFE + " (Bob's edit.)"
    workflow.reply_save_text(reply=draft, actor=bob, text=theirs, expected_revision=seen)
    as_user(client, alice)
    url = reverse("reply_save", args=[draft.review_id])
    body = client.post(url, {"text": SAFE + " Mine.", "expected_revision": seen}, **HTMX).content.decode()
    offered = int(re.search(r'name="expected_revision" value="(\d+)"', body).group(1))

    body = client.post(url, {"text": SAFE + " Mine.", "expected_revision": offered}, **HTMX).content.decode()

    assert "Someone else changed this reply" in body
    draft.refresh_from_db()
    assert draft.text == theirs


def test_an_over_long_reply_is_refused_with_the_limit_and_the_text_kept(client, alice, draft):
    typed = "Thanks for writing. " * 200 + "x"  # 4,001 characters
    response = as_user(client, alice).post(reverse("reply_save", args=[draft.review_id]),
                                           {"text": typed, "expected_revision": draft.revision}, **HTMX)
    body = response.content.decode()
    assert "at most 4000 characters" in body
    assert "form was incomplete" not in body
    assert escape(typed) in body  # what alice typed stays in the editor
    draft.refresh_from_db()
    assert draft.versions.count() == 1


def test_a_reply_at_the_limit_is_saved_although_the_browser_sends_crlf_line_breaks(client, alice, draft):
    text = ("Thank you for your feedback.\n" * 200)[:3999] + "x"  # 4,000 characters with LF
    assert len(text) == workflow.MAX_REPLY_LENGTH
    as_user(client, alice).post(reverse("reply_save", args=[draft.review_id]),
                                {"text": text.replace("\n", "\r\n"), "expected_revision": draft.revision}, **HTMX)
    draft.refresh_from_db()
    assert draft.text == text


def test_apply_safe_rewrite_saves_the_typed_text_then_the_rewrite(client, alice, draft):
    response = as_user(client, alice).post(reverse("reply_rewrite", args=[draft.review_id]),
                                           {"text": UNSAFE, "expected_revision": draft.revision}, **HTMX)
    assert is_region(response, 'id="reply-editor"')
    draft.refresh_from_db()
    sources = list(draft.versions.order_by("number").values_list("source", "blocked"))
    assert sources[1] == (ReplyVersion.Source.EDIT, True)
    assert sources[2][0] == ReplyVersion.Source.REWRITE
    assert "Botox" not in draft.text


def test_submit_saves_the_typed_text_and_sends_it_to_the_manager(client, alice, draft):
    text = SAFE + " Thank you again."
    as_user(client, alice).post(reverse("reply_submit", args=[draft.review_id]),
                                {"text": text, "expected_revision": draft.revision}, **HTMX)
    draft.refresh_from_db()
    assert draft.state == ReplyState.AWAITING_APPROVAL and draft.text == text


def test_a_submit_confirms_on_the_review_page_that_the_reply_went_for_approval(client, alice, draft):
    body = as_user(client, alice).post(reverse("reply_submit", args=[draft.review_id]),
                                       {"text": SAFE, "expected_revision": draft.revision}, **HTMX).content.decode()
    assert 'role="status"' in body and "Sent for approval" in body


def test_a_submit_without_htmx_confirms_after_the_redirect(client, alice, draft):
    response = as_user(client, alice).post(reverse("reply_submit", args=[draft.review_id]),
                                           {"text": SAFE, "expected_revision": draft.revision}, follow=True)
    assert response.redirect_chain and "Sent for approval" in response.content.decode()


def test_a_refused_submit_or_a_plain_save_confirms_nothing(client, alice, draft):
    as_user(client, alice)
    refused = client.post(reverse("reply_submit", args=[draft.review_id]),
                          {"text": UNSAFE, "expected_revision": draft.revision}, **HTMX).content.decode()
    draft.refresh_from_db()
    saved = client.post(reverse("reply_save", args=[draft.review_id]),
                        {"text": SAFE, "expected_revision": draft.revision}, **HTMX).content.decode()
    assert "Sent for approval" not in refused and "Sent for approval" not in saved
    assert "PHI guard blocked" in refused


def test_submit_is_refused_when_the_guard_blocks(client, alice, draft):
    body = as_user(client, alice).post(reverse("reply_submit", args=[draft.review_id]),
                                       {"text": UNSAFE, "expected_revision": draft.revision}, **HTMX).content.decode()
    assert "PHI guard blocked" in body
    draft.refresh_from_db()
    assert draft.state == ReplyState.DRAFTING
    assert draft.current_version.blocked  # the typed text was kept as a (blocked) version
    assert AuditEvent.objects.filter(action="submit_refused", reply=draft).exists()


def test_an_incomplete_editor_form_changes_nothing(client, alice, draft):
    body = as_user(client, alice).post(reverse("reply_save", args=[draft.review_id]), {"text": "x"},
                                       **HTMX).content.decode()
    assert "form was incomplete" in body
    draft.refresh_from_db()
    assert draft.versions.count() == 1


def test_the_internal_note_is_saved(client, alice, review):
    as_user(client, alice).post(reverse("review_note", args=[review.pk]), {"internal_note": "Called her back."})
    review.refresh_from_db()
    assert review.internal_note == "Called her back."


def test_closing_and_reopening_a_review(client, alice, review):
    as_user(client, alice)
    client.post(reverse("review_close", args=[review.pk]), {"reason": "spam"})
    review.refresh_from_db()
    assert review.closed_reason == "spam"
    assert "Spam or fake review" in client.get(reverse("review_detail", args=[review.pk])).content.decode()
    client.post(reverse("review_reopen", args=[review.pk]))
    review.refresh_from_db()
    assert not review.is_closed


def test_closing_needs_a_known_reason(client, alice, review):
    as_user(client, alice).post(reverse("review_close", args=[review.pk]), {"reason": "bored"})
    review.refresh_from_db()
    assert not review.is_closed


# --- approvals --------------------------------------------------------------------------------

def test_bob_sees_pending_replies_beside_their_reviews(client, bob, pending):
    body = as_user(client, bob).get(reverse("approval_queue")).content.decode()
    assert pending.review.text in body and "Approve" in body and "Reject with a comment" in body


def test_alice_has_no_approve_button_and_a_forged_approval_is_refused(client, alice, pending):
    as_user(client, alice)
    body = client.get(reverse("review_detail", args=[pending.review_id])).content.decode()
    assert reverse("reply_approve", args=[pending.review_id]) not in body
    response = client.post(reverse("reply_approve", args=[pending.review_id]),
                           {"expected_revision": pending.revision}, **HTMX)
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.state == ReplyState.AWAITING_APPROVAL


@pytest.mark.parametrize("name", ["reply_reject", "reply_mark_posted", "reply_publish"])
def test_alice_is_refused_every_manager_action(client, alice, approved, name):
    response = as_user(client, alice).post(reverse(name, args=[approved.review_id]),
                                           {"expected_revision": approved.revision, "comment": "no"})
    assert response.status_code == 403
    approved.refresh_from_db()
    assert approved.state == ReplyState.APPROVED


def test_bob_approves_from_the_queue_and_gets_the_item_back(client, bob, pending):
    response = as_user(client, bob).post(reverse("reply_approve", args=[pending.review_id]),
                                         {"expected_revision": pending.revision}, **HTMX)
    assert is_region(response, 'class="queue-item card"')
    body = response.content.decode()
    assert "Copy reply text" in body and "Mark as posted" in body
    pending.refresh_from_db()
    assert pending.state == ReplyState.APPROVED


def test_approving_without_htmx_goes_back_to_the_review(client, bob, pending):
    back = reverse("review_detail", args=[pending.review_id])
    response = as_user(client, bob).post(reverse("reply_approve", args=[pending.review_id]),
                                         {"expected_revision": pending.revision, "next": back})
    assert response.status_code == 302 and response["Location"] == back


def test_approving_a_changed_reply_is_refused(client, alice, bob, pending):
    seen = pending.revision  # what bob's queue showed
    workflow.reply_save_text(reply=pending, actor=alice, text=SAFE + " More.", expected_revision=seen)
    body = as_user(client, bob).post(reverse("reply_approve", args=[pending.review_id]),
                                     {"expected_revision": seen}, **HTMX).content.decode()
    assert "Someone else changed this reply" in body


def blocked_behind_the_queue(reply):
    """The text the manager reads turns unsafe after submit (as a vocabulary change or a raw fix might)."""
    reply.current_version.text = UNSAFE
    reply.current_version.save()
    return reply


def test_a_blocked_approval_tells_bob_on_the_card_why_and_what_to_do_next(client, bob, pending):
    blocked_behind_the_queue(pending)
    response = as_user(client, bob).post(reverse("reply_approve", args=[pending.review_id]),
                                         {"expected_revision": pending.revision}, **HTMX)
    assert is_region(response, 'class="queue-item card"')
    body = response.content.decode()
    assert "The PHI guard blocked this reply at approval" in body  # why
    assert "Open the review to see the highlighted parts" in body and "send it back to drafting" in body  # next step
    assert f'href="{reverse("review_detail", args=[pending.review_id])}" class="btn' in body
    assert "Send back to drafting" in body  # the reject form is right there on the card
    pending.refresh_from_db()
    assert pending.state == ReplyState.AWAITING_APPROVAL


def test_a_blocked_approval_without_htmx_says_the_next_step_in_the_message(client, bob, pending):
    blocked_behind_the_queue(pending)
    response = as_user(client, bob).post(reverse("reply_approve", args=[pending.review_id]),
                                         {"expected_revision": pending.revision}, follow=True)
    body = response.content.decode()
    assert "blocked this reply at approval" in body and "Open the review to see the highlighted parts" in body


def test_a_stale_approval_tells_bob_to_reload_the_queue(client, alice, bob, pending):
    seen = pending.revision
    workflow.reply_save_text(reply=pending, actor=alice, text=SAFE + " More.", expected_revision=seen)
    body = as_user(client, bob).post(reverse("reply_approve", args=[pending.review_id]),
                                     {"expected_revision": seen}, **HTMX).content.decode()
    assert "Reload this page to read the latest version" in body
    assert f'href="{reverse("approval_queue")}"' in body


def test_a_successful_approval_shows_no_next_step(client, bob, pending):
    body = as_user(client, bob).post(reverse("reply_approve", args=[pending.review_id]),
                                     {"expected_revision": pending.revision}, **HTMX).content.decode()
    assert 'role="alert"' not in body and "Nothing was approved" not in body


def test_an_approval_without_the_revision_bob_read_is_refused_clearly(client, bob, pending):
    body = as_user(client, bob).post(reverse("reply_approve", args=[pending.review_id]), {}, **HTMX).content.decode()
    assert "Nothing was approved" in body and "Reload the page" in body
    pending.refresh_from_db()
    assert pending.state == ReplyState.AWAITING_APPROVAL


def test_reject_needs_a_comment(client, bob, pending):
    body = as_user(client, bob).post(reverse("reply_reject", args=[pending.review_id]),
                                     {"expected_revision": pending.revision, "comment": ""}, **HTMX).content.decode()
    assert 'role="alert"' in body
    pending.refresh_from_db()
    assert pending.state == ReplyState.AWAITING_APPROVAL


def test_bob_rejects_with_a_comment(client, bob, pending):
    body = as_user(client, bob).post(reverse("reply_reject", args=[pending.review_id]),
                                     {"expected_revision": pending.revision, "comment": "Too formal."},
                                     **HTMX).content.decode()
    assert "Sent back to drafting" in body
    pending.refresh_from_db()
    assert pending.state == ReplyState.DRAFTING and pending.rejection_comment == "Too formal."


def mark_posted_as(client, user, reply, posted) -> str:
    """`user` marks `reply` posted at `posted` (local time, to the minute, as the form sends it): the page's body."""
    return as_user(client, user).post(
        reverse("reply_mark_posted", args=[reply.review_id]),
        {"expected_revision": reply.revision, "posted_at": posted.strftime("%Y-%m-%dT%H:%M")}, **HTMX,
    ).content.decode()


def test_bob_marks_an_approved_reply_posted_with_its_time(client, bob, approved):
    approved_back_then(approved, timezone.now() - timedelta(hours=3))
    posted = timezone.localtime() - timedelta(hours=2)
    body = mark_posted_as(client, bob, approved, posted)
    assert "Posted" in body
    approved.refresh_from_db()
    assert approved.state == ReplyState.POSTED
    assert abs((approved.posted_at - posted).total_seconds()) < 60


def test_a_posting_time_before_the_approval_is_refused_with_a_reason(client, bob, approved):
    posted = timezone.localtime(approved.approved_at) - timedelta(hours=1)
    body = mark_posted_as(client, bob, approved, posted)
    assert "cannot be before the reply was approved" in body
    approved.refresh_from_db()
    assert approved.state == ReplyState.APPROVED


def test_post_without_a_publisher_says_so(client, bob, approved):
    body = as_user(client, bob).post(reverse("reply_publish", args=[approved.review_id]),
                                     {"expected_revision": approved.revision}, **HTMX).content.decode()
    assert "No platform publisher" in body
    approved.refresh_from_db()
    assert approved.state == ReplyState.APPROVED


def test_manager_actions_on_a_review_without_a_reply_are_404(client, bob, review):
    assert as_user(client, bob).post(reverse("reply_approve", args=[review.pk])).status_code == 404


# --- intake -----------------------------------------------------------------------------------

def paste_data(location, **overrides):
    data = {"location": location.pk, "platform": "google", "author_name": "Jamie R.", "rating": "2",
            "posted_at": (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "text": "Waited forty minutes past my time and nobody said sorry."}
    data.update(overrides)
    return data


def test_pasting_a_review_opens_it(client, alice, location):
    response = as_user(client, alice).post(reverse("review_new"), paste_data(location))
    review = Review.objects.get(author_name="Jamie R.")
    assert response.status_code == 302 and response["Location"] == reverse("review_detail", args=[review.pk])


@pytest.mark.parametrize(("field", "value", "message"), [
    ("rating", "9", "Select a valid choice"),
    ("posted_at", "2999-01-01T10:00", "cannot be posted in the future"),
    ("posted_at", "yesterday", "Enter a valid date/time"),
])
def test_pasting_an_invalid_review_explains_why(client, alice, location, field, value, message):
    response = as_user(client, alice).post(reverse("review_new"), paste_data(location, **{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Review.objects.exists()


def test_pasting_an_empty_review_needs_text_or_rating(client, alice, location):
    response = as_user(client, alice).post(reverse("review_new"), paste_data(location, rating="", text=" "))
    assert response.status_code == 400 and "rating, or both" in response.content.decode()


def test_pasting_a_too_long_review_shows_the_services_reason(client, alice, location):
    response = as_user(client, alice).post(reverse("review_new"), paste_data(location, text="a" * 25_000))
    assert response.status_code == 400 and "the limit is" in response.content.decode()


def test_charlie_cannot_paste_into_bobs_location(client, charlie, location):
    response = as_user(client, charlie).post(reverse("review_new"), paste_data(location))
    assert response.status_code == 400  # not one of charlie's locations
    assert not Review.objects.exists()


CSV = (
    "platform,external_id,author_name,rating,text,posted_at\n"
    "google,g-1,Ana B.,2,Waited an hour,2024-03-01T14:30:00Z\n"
    "google,g-2,Ben C.,7,Too many stars,2024-03-02T14:30:00Z\n"
)


def test_importing_a_file_shows_a_per_row_report(client, alice, location):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("reviews.csv", CSV.encode(), content_type="text/csv")
    response = as_user(client, alice).post(reverse("review_import"), {"location": location.pk, "file": upload})
    run = ImportRun.objects.get()
    assert response["Location"] == reverse("import_run_detail", args=[run.pk])
    body = client.get(response["Location"]).content.decode()
    assert "Done" in body and "rating must be 1-5" in body
    assert 'hx-trigger="every 1s"' not in body


def test_a_running_import_polls_its_report_region(client, alice, location):
    run = ImportRun.objects.create(location=location, source_name="big.jsonl", total_rows=400, processed_rows=100)
    response = as_user(client, alice).get(reverse("import_run_detail", args=[run.pk]), **HTMX)
    assert is_region(response, 'id="import-report"')
    body = response.content.decode()
    assert 'hx-trigger="every 1s"' in body and "100 of 400 rows" in body


def test_the_import_report_counts_rejected_rows_that_are_not_listed(client, alice, location):
    errors = [{"line": n, "reason": "rating must be 1-5, got 9"} for n in range(2, 5)]
    errors += [{"line": 0, "reason": "2,500 more rejected rows are not listed.", "more": 2500}]
    run = ImportRun.objects.create(location=location, source_name="big.csv", status=ImportRun.Status.DONE,
                                   total_rows=3000, processed_rows=3000, errors=errors)
    body = as_user(client, alice).get(reverse("import_run_detail", args=[run.pk])).content.decode()
    assert "<dt>Rejected rows</dt><dd>2503</dd>" in body
    assert "<td>0</td>" not in body  # the summary is not a row of the table
    assert "2,500 more rejected rows are not listed." in body


def test_charlie_cannot_see_bobs_import(client, charlie, location):
    run = ImportRun.objects.create(location=location, source_name="x.csv")
    assert as_user(client, charlie).get(reverse("import_run_detail", args=[run.pk])).status_code == 404


# --- dashboard --------------------------------------------------------------------------------

def test_dashboard_shows_the_practices_numbers_as_svg(client, bob, alice, make_review, approved):
    workflow.reply_mark_posted(reply=approved, actor=bob)
    make_review("The front desk was rude.", rating=1, topics=["staff_attitude"])
    AuditEvent.objects.create(practice=bob.membership.practice, action="submit_refused", verdict_blocked=True)
    body = as_user(client, alice).get(reverse("dashboard")).content.decode()
    assert body.count("<svg") == 4  # open by status, negative topics, time to respond, rating trend
    assert "Staff attitude" in body
    assert "PHI disclosures prevented" in body
    assert "1 reply posted" in body


def test_dashboard_is_empty_but_fine_for_a_new_practice(client, charlie):
    assert as_user(client, charlie).get(reverse("dashboard")).status_code == 200


# --- template blocks --------------------------------------------------------------------------

BLOCK = {"kind": "resolve", "topic": "", "text": "Please reach us at {channel} so we can make this right.",
         "active": "on"}


def test_bob_adds_and_edits_a_template_block(client, bob):
    as_user(client, bob)
    response = client.post(reverse("template_block_new"), BLOCK)
    assert response.status_code == 302
    block = TemplateBlock.objects.get(text=BLOCK["text"])
    assert response["Location"] == reverse("template_block_list") + "?kind=resolve"
    assert BLOCK["text"] in client.get(response["Location"]).content.decode()
    assert BLOCK["text"] not in client.get(reverse("template_block_list")).content.decode()  # acknowledge tab
    client.post(reverse("template_block_edit", args=[block.pk]), {**BLOCK, "text": "Call us at {channel}."})
    block.refresh_from_db()
    assert block.text == "Call us at {channel}."


def test_a_block_the_guard_blocks_is_refused_with_the_reason(client, bob):
    response = as_user(client, bob).post(reverse("template_block_new"), {
        **BLOCK, "text": "Sorry your Botox left bruising; call {channel} for a free touch-up."})
    assert response.status_code == 400
    assert "PHI guard blocks" in response.content.decode()
    assert not TemplateBlock.objects.filter(text__contains="Botox").exists()


def test_alice_cannot_save_a_template_block(client, alice):
    assert as_user(client, alice).post(reverse("template_block_new"), BLOCK).status_code == 403
    assert not TemplateBlock.objects.exists()


def test_charlie_cannot_edit_bobs_block(client, bob, charlie, practice):
    block = TemplateBlock.objects.create(practice=practice, kind="resolve", text="Call us at {channel}.")
    assert as_user(client, charlie).get(reverse("template_block_edit", args=[block.pk])).status_code == 404


def test_the_import_page_offers_a_platform_for_exports_that_name_none(client, alice, location):
    from django.core.files.uploadedfile import SimpleUploadedFile

    export = "review_id,author,stars,review,date\ny-1,Ana B.,2,Waited an hour,2024-03-01T14:30:00Z\n"
    upload = SimpleUploadedFile("yelp.csv", export.encode(), content_type="text/csv")
    response = as_user(client, alice).post(
        reverse("review_import"), {"location": location.pk, "file": upload, "default_platform": "yelp"}
    )
    assert response.status_code == 302
    assert Review.objects.get().platform == "yelp"


def test_markup_in_a_review_is_not_offered_as_words_not_to_repeat(client, alice, make_review):
    import re

    review = make_review("Great staff <script>alert(1)</script><img src=x onerror=alert(2)> but my Botox bruised.")
    body = as_user(client, alice).get(reverse("review_detail", args=[review.pk])).content.decode()
    chips = re.findall(r'<li class="chip chip--danger">(.*?)</li>', body)
    assert "Botox" in chips
    assert not [chip for chip in chips if "script" in chip or "alert" in chip or "img" in chip], chips
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body  # the review itself is shown, escaped


def test_the_review_page_still_opens_when_the_guard_cannot_use_the_practice_vocabulary(
    client, alice, practice, make_review
):
    from responses.models import GuardTerm

    GuardTerm.objects.create(practice=practice, entity_type="NOT_A_TYPE", term="whatever")  # as a raw import might
    review = make_review("My Botox bruised.")
    response = as_user(client, alice).get(reverse("review_detail", args=[review.pk]))
    assert response.status_code == 200


def test_a_deeply_nested_json_upload_shows_a_failed_report_not_a_server_error(client, alice, location):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("reviews.json", b"[" * 100_000, content_type="application/json")
    response = as_user(client, alice).post(reverse("review_import"), {"location": location.pk, "file": upload})
    run = ImportRun.objects.get()
    assert response.status_code == 302 and run.status == ImportRun.Status.FAILED
    body = client.get(response["Location"]).content.decode()
    assert "nested too deeply" in body
