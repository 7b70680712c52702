"""Publishing an approved reply to Google Business Profile, against a local HTTP server."""
from __future__ import annotations

import pytest

from responses import workflow
from responses.intake import review_paste
from responses.models import AuditEvent, PlatformReplyStatus, ReplyState
from responses.platforms.google import GoogleBusinessPublisher
from responses.publishers import PublishError, publisher_for
from responses.workflow import WorkflowError
from tests.responses.conftest import TOKEN

pytestmark = pytest.mark.django_db

REPLY = "Thank you for your feedback. Please call us at (303) 555-0186 so we can talk privately."


@pytest.fixture
def google_review(make_review):
    return make_review(platform="google", external_id="AbCdEf-123_x")


def approved_reply(review, alice, bob):
    reply = workflow.reply_start(review=review, actor=alice, text=REPLY)
    reply = workflow.reply_submit(reply=reply, actor=alice)
    return workflow.reply_approve(reply=reply, actor=bob, expected_revision=reply.revision)


def test_the_location_google_connection_is_the_publisher(google, google_review):
    publisher = publisher_for(google_review)

    assert isinstance(publisher, GoogleBusinessPublisher)
    assert publisher.name == "google_business"


def test_it_puts_the_reply_as_googles_review_reply(platform_api, google, google_review):
    platform_api.answer(200, {"comment": REPLY, "updateTime": "2024-05-02T10:00:00Z"})

    published = GoogleBusinessPublisher(google).publish(review=google_review, text=REPLY)

    assert published.external_id == "accounts/111/locations/222/reviews/AbCdEf-123_x/reply"
    (request,) = platform_api.received
    assert (request.method, request.path) == ("PUT", "/v4/accounts/111/locations/222/reviews/AbCdEf-123_x/reply")
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert request.json() == {"comment": REPLY}


@pytest.mark.parametrize(
    "status, message",
    [
        (401, "Google Business Profile refused the access token (HTTP 401); reconnect the account."),
        (404, "Google Business Profile has no such review (HTTP 404); check the connection's settings."),
        (429, "Google Business Profile is limiting requests (HTTP 429); ReviewDesk will try again later."),
        (500, "Google Business Profile had a server error (HTTP 500); try again later."),
    ],
)
def test_refusals_become_publish_errors_without_the_reply(platform_api, google, google_review, status, message):
    platform_api.answer(status, {"error": {"message": f"bad comment: {REPLY}"}})

    with pytest.raises(PublishError) as caught:
        GoogleBusinessPublisher(google).publish(review=google_review, text=REPLY)

    assert str(caught.value) == message


def test_a_pasted_review_cannot_be_published_to_google(platform_api, google, location, alice):
    pasted = review_paste(
        location=location, actor=alice, platform="google", author_name="Kelsey P.", rating=2,
        posted_at="2024-05-01T10:00:00Z", text="Long wait.",
    )

    with pytest.raises(PublishError, match="This review was pasted, so its Google id is unknown"):
        GoogleBusinessPublisher(google).publish(review=pasted, text=REPLY)
    assert platform_api.received == []


def test_an_approved_reply_is_published_end_to_end(platform_api, google, google_review, alice, bob):
    reply = approved_reply(google_review, alice, bob)
    platform_api.answer(200, {"comment": REPLY})

    reply = workflow.reply_publish(reply=reply, actor=bob)

    assert reply.state == ReplyState.POSTED
    assert (reply.posted_via, reply.posted_by) == ("google_business", bob)
    assert reply.external_reply_id == "accounts/111/locations/222/reviews/AbCdEf-123_x/reply"
    (request,) = platform_api.received
    assert request.json() == {"comment": REPLY}
    assert AuditEvent.objects.filter(action="reply_posted", reply=reply).exists()


def test_a_refused_publish_leaves_the_reply_approved(platform_api, google, google_review, alice, bob):
    reply = approved_reply(google_review, alice, bob)
    platform_api.answer(403, {"error": {"status": "PERMISSION_DENIED"}})

    with pytest.raises(WorkflowError, match=r"denied access \(HTTP 403 PERMISSION_DENIED\)"):
        workflow.reply_publish(reply=reply, actor=bob)

    reply.refresh_from_db()
    assert reply.state == ReplyState.APPROVED
    assert AuditEvent.objects.filter(action="reply_post_failed", reply=reply).exists()


# --- Google's moderation of the reply, read from its answer to the PUT ----------------------------------


def google_answer(**moderation):
    """Google's answer to updateReply: the ReviewReply it stored, with the moderation fields it reports."""
    return {"comment": REPLY, "updateTime": "2024-05-02T10:00:00Z"} | moderation


@pytest.mark.parametrize(
    "answer, expected",
    [
        (google_answer(reviewReplyState="PENDING"), ("pending", "")),
        (google_answer(reviewReplyState="APPROVED"), ("live", "")),
        (google_answer(reviewReplyState="REJECTED", policyViolation="PERSONAL_INFORMATION"),
         ("rejected", "PERSONAL_INFORMATION")),
    ],
)
def test_the_moderation_state_in_googles_answer_is_stored_at_once(platform_api, google, google_review, alice, bob,
                                                                  answer, expected):
    reply = approved_reply(google_review, alice, bob)
    platform_api.answer(200, answer)

    reply = workflow.reply_publish(reply=reply, actor=bob)

    reply.refresh_from_db()
    assert reply.state == ReplyState.POSTED
    assert (reply.platform_status, reply.platform_status_reason) == expected
    assert reply.platform_status_at is not None


def test_a_rejection_in_googles_answer_is_audited_with_the_policy_word_only(platform_api, google, google_review,
                                                                            alice, bob):
    reply = approved_reply(google_review, alice, bob)
    platform_api.answer(200, google_answer(reviewReplyState="REJECTED", policyViolation=["OFF_TOPIC"]))

    workflow.reply_publish(reply=reply, actor=bob)

    event = AuditEvent.objects.get(action="reply_rejected_by_platform", reply=reply)
    assert (event.details["platform_status"], event.details["platform_reason"]) == ("rejected", "OFF_TOPIC")
    assert REPLY not in str(event.details)


@pytest.mark.parametrize(
    "answer",
    [
        {},  # Google said nothing about moderation
        google_answer(),  # the reply without a state (older API versions)
        google_answer(reviewReplyState="SOMETHING_NEW"),  # a word Google adds later is not guessed
        google_answer(reviewReplyState=["APPROVED"]),  # not a word at all
        b"<html>not JSON</html>",  # the reply is on Google all the same
        b"",
    ],
    ids=["empty-object", "no-state", "unknown-state", "odd-shape", "not-json", "no-body"],
)
def test_an_unknown_or_missing_state_is_not_reported_and_never_live(platform_api, google, google_review, alice, bob,
                                                                     answer):
    reply = approved_reply(google_review, alice, bob)
    platform_api.answer(200, answer)

    reply = workflow.reply_publish(reply=reply, actor=bob)

    reply.refresh_from_db()
    assert reply.state == ReplyState.POSTED
    assert (reply.platform_status, reply.platform_status_reason) == (PlatformReplyStatus.UNKNOWN, "")
    assert not AuditEvent.objects.filter(action__in=["reply_platform_status", "reply_rejected_by_platform"]).exists()


def test_the_review_page_says_the_reply_is_pending_on_google_right_after_publishing(
    platform_api, google, google_review, alice, bob, client
):
    reply = approved_reply(google_review, alice, bob)
    platform_api.answer(200, google_answer(reviewReplyState="PENDING"))
    workflow.reply_publish(reply=reply, actor=bob)
    client.force_login(alice)

    body = client.get(f"/reviews/{google_review.pk}").content.decode()

    assert "Pending on Google" in body
    assert "Live on Google" not in body
