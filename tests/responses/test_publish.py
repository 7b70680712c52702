"""Publishing an approved reply to Google Business Profile, against a local HTTP server."""
from __future__ import annotations

import pytest

from responses import workflow
from responses.intake import review_paste
from responses.models import AuditEvent, ReplyState
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

    reply_name = GoogleBusinessPublisher(google).publish(review=google_review, text=REPLY)

    assert reply_name == "accounts/111/locations/222/reviews/AbCdEf-123_x/reply"
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
