"""Google reviews every owner reply before showing it (reviewReplyState) and may reject it: the import reads the
state of each posted reply, and a rejected one is shown on the review page and in the inbox, and counted in the
digest, since the review is unanswered in public."""
from __future__ import annotations

import pytest
from django.core import mail

from responses import workflow
from responses.models import AuditEvent, PlatformReplyStatus, Reply, ReplyState, ReplyVersion
from responses.sources.digest import practice_digest_send
from responses.sources.services import source_import
from tests.responses.test_platforms import google_review

pytestmark = pytest.mark.django_db

OUR_REPLY = "Thank you for the kind words, and for taking the time to write."


def answered(state=None, *, violation=None, review_id="r1", comment=OUR_REPLY):
    review = google_review(review_id, comment="Lovely staff, easy parking.")
    review["reviewReply"] = {"comment": comment, "updateTime": "2024-05-02T10:00:00Z"}
    if state:
        review["reviewReply"]["reviewReplyState"] = state
    if violation:
        review["reviewReply"]["policyViolation"] = violation
    return review


def run_with(google, platform_api, *reviews):
    platform_api.answer(200, {"reviews": list(reviews)})
    return source_import(source=google)


@pytest.fixture
def rejected(google, platform_api):
    run_with(google, platform_api, answered("REJECTED", violation="PERSONAL_INFORMATION"))
    return Reply.objects.select_related("review").get(review__external_id="r1")


def test_a_reply_google_rejected_is_stored_as_rejected_with_its_policy_word(rejected):
    assert rejected.state == ReplyState.POSTED
    assert (rejected.platform_status, rejected.platform_status_reason) == ("rejected", "PERSONAL_INFORMATION")
    event = AuditEvent.objects.get(action="reply_rejected_by_platform", reply=rejected)
    assert event.details["platform_status"] == "rejected"
    assert event.details["platform_reason"] == "PERSONAL_INFORMATION"
    assert OUR_REPLY not in str(event.details)


def test_the_state_is_read_on_every_run_even_when_the_review_was_not_edited(google, platform_api):
    run_with(google, platform_api, answered("PENDING"))
    reply = Reply.objects.get(review__external_id="r1")
    assert reply.platform_status == PlatformReplyStatus.PENDING

    run_with(google, platform_api, answered("APPROVED"))

    reply.refresh_from_db()
    assert reply.platform_status == PlatformReplyStatus.LIVE
    assert AuditEvent.objects.filter(action="reply_platform_status", reply=reply).count() == 2


def test_an_unchanged_state_is_not_written_or_audited_again(google, platform_api, rejected):
    run_with(google, platform_api, answered("REJECTED", violation="PERSONAL_INFORMATION"))

    assert AuditEvent.objects.filter(action="reply_rejected_by_platform").count() == 1


def test_a_reply_posted_through_reviewdesk_takes_googles_moderation(google, platform_api, make_review, bob):
    review = make_review(external_id="r1", rating=5, text="Lovely staff, easy parking.", location=google.location)
    reply = workflow.reply_start(review=review, actor=bob, text=OUR_REPLY)
    reply = workflow.reply_submit(reply=reply, actor=bob)
    reply = workflow.reply_approve(reply=reply, actor=bob, expected_revision=reply.revision)
    platform_api.answer(200, {})  # Google's answer to the PUT of the reply
    workflow.reply_publish(reply=reply, actor=bob)

    run_with(google, platform_api, answered("REJECTED", violation=["OFF_TOPIC"]))

    reply.refresh_from_db()
    assert (reply.posted_via, reply.platform_status, reply.platform_status_reason) == (
        "google_business", "rejected", "OFF_TOPIC")


@pytest.mark.parametrize(
    "reply_fields, expected",
    [
        ({"reviewReplyState": "SOMETHING_NEW"}, ("", "")),  # a word Google adds later is not guessed
        ({"state": "ACTIVE"}, ("live", "")),
        ({"reviewReplyState": "REJECTED", "policyViolation": {"type": "SPAM", "note": "free text from Google"}},
         ("rejected", "SPAM")),
        ({"reviewReplyState": "REJECTED", "policyViolation": "it mentions a patient's visit"}, ("rejected", "")),
    ],
)
def test_only_known_states_and_policy_words_are_kept(google, platform_api, reply_fields, expected):
    review = answered()
    review["reviewReply"].update(reply_fields)

    run_with(google, platform_api, review)

    reply = Reply.objects.get(review__external_id="r1")
    assert (reply.platform_status, reply.platform_status_reason) == expected


def test_the_review_page_says_google_rejected_the_reply_and_why(client, alice, rejected):
    client.force_login(alice)

    body = client.get(f"/reviews/{rejected.review_id}").content.decode()

    assert "Rejected by Google" in body
    assert "policy: personal information" in body
    assert "It is not public" in body
    assert "Write a new reply" not in body  # a manager's decision
    assert "A manager can write a new one." in body


def test_a_manager_rewrites_a_rejected_reply_through_approval_again(client, bob, rejected):
    client.force_login(bob)
    assert "Write a new reply" in client.get(f"/reviews/{rejected.review_id}").content.decode()

    client.post(f"/reviews/{rejected.review_id}/reply/replace-rejected")

    reply = Reply.objects.get(pk=rejected.pk)
    assert (reply.state, reply.platform_status, reply.posted_at) == (ReplyState.DRAFTING, "", None)
    assert reply.current_version.text == OUR_REPLY
    assert reply.current_version.source == ReplyVersion.Source.EDIT
    assert AuditEvent.objects.filter(action="reply_replacement_started", reply=reply, actor=bob).exists()


def test_it_refuses_to_rewrite_a_reply_google_did_not_reject(client, bob, google, platform_api):
    run_with(google, platform_api, answered("APPROVED"))
    reply = Reply.objects.get(review__external_id="r1")
    client.force_login(bob)

    client.post(f"/reviews/{reply.review_id}/reply/replace-rejected")

    reply.refresh_from_db()
    assert reply.state == ReplyState.POSTED


def test_it_refuses_the_front_desk_a_rewrite_of_a_rejected_reply(client, alice, rejected):
    client.force_login(alice)

    response = client.post(f"/reviews/{rejected.review_id}/reply/replace-rejected")

    assert response.status_code == 403
    assert Reply.objects.get(pk=rejected.pk).state == ReplyState.POSTED


def test_the_inbox_puts_a_rejected_reply_first_with_a_badge_and_a_filter(client, alice, google, platform_api):
    run_with(google, platform_api, answered("APPROVED", review_id="live"), answered("REJECTED", review_id="gone"))
    client.force_login(alice)

    body = client.get("/").content.decode()
    filtered = client.get("/?status=rejected_on_platform").content.decode()

    assert "Reply rejected by Google" in body
    assert body.index("Reply rejected by Google") < body.index("badge--posted")
    rejected_id = Reply.objects.get(review__external_id="gone").review_id
    live_id = Reply.objects.get(review__external_id="live").review_id
    assert f"/reviews/{rejected_id}" in filtered and f"/reviews/{live_id}" not in filtered


def test_the_digest_counts_replies_google_rejected_since_the_last_one(bob, practice, rejected):
    bob.email = "bob@willowpine.example"
    bob.save()

    practice_digest_send(practice=practice)

    (message,) = mail.outbox
    assert "Posted replies the platform rejected (not public): 1" in message.body
    assert "/?status=rejected_on_platform" in message.body
    assert message.subject.endswith(", 1 replies rejected")
    assert OUR_REPLY not in message.body
    assert AuditEvent.objects.get(action="digest_sent").details["rejected_on_platform"] == 1
