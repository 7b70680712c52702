"""The pull-back window: publishing through a platform waits, can be pulled back, and re-checks the guard at send."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from responses import workflow
from responses.compliance.models import PendingPublish
from responses.compliance.pullback import (
    pending_publish_pull_back,
    pending_publish_send,
    pending_publish_send_due,
    reply_publish_request,
)
from responses.models import ReplyState
from tests.responses.compliance.conftest import REPLY

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(make_review, alice, bob):
    review = make_review(platform="google", external_id="AbCdEf-123_x")
    reply = workflow.reply_start(review=review, actor=alice, text=REPLY)
    reply = workflow.reply_submit(reply=reply, actor=alice)
    return workflow.reply_approve(reply=reply, actor=bob, expected_revision=reply.revision)


def _after_window(pending):
    return pending.send_after + timedelta(seconds=1)


def test_publishing_waits_out_the_window_then_sends(platform_api, google, approved, bob, settings):
    settings.PUBLISH_PULLBACK_MINUTES = 5

    reply = reply_publish_request(reply=approved, actor=bob, expected_revision=approved.revision)

    assert reply.state == ReplyState.APPROVED and platform_api.received == []
    pending = PendingPublish.objects.get()
    assert timedelta(minutes=4) < pending.send_after - timezone.now() <= timedelta(minutes=5)
    assert pending_publish_send_due() == 0  # not yet

    pending = pending_publish_send(pending=pending, now=_after_window(pending))

    assert pending.status == "sent"
    (request,) = platform_api.received
    assert request.method == "PUT" and request.json() == {"comment": REPLY}
    reply.refresh_from_db()
    assert reply.state == ReplyState.POSTED


def test_a_pulled_back_reply_is_never_sent(platform_api, google, approved, bob, settings, client):
    settings.PUBLISH_PULLBACK_MINUTES = 5
    client.force_login(bob)
    client.post(f"/reviews/{approved.review_id}/reply/publish", {"expected_revision": approved.revision})
    assert "Pull back" in client.get("/approvals").content.decode()

    client.post(f"/reviews/{approved.review_id}/reply/pull-back")
    pending = PendingPublish.objects.get()
    pending_publish_send(pending=pending, now=_after_window(pending))

    pending.refresh_from_db()
    assert pending.status == "pulled_back" and platform_api.received == []
    approved.refresh_from_db()
    assert approved.state == ReplyState.APPROVED


def test_the_guard_rechecks_the_text_at_send_time(platform_api, google, approved, bob, settings,
                                                  glowmax_is_a_treatment):
    settings.PUBLISH_PULLBACK_MINUTES = 5
    reply_publish_request(reply=approved, actor=bob, expected_revision=approved.revision)
    glowmax_is_a_treatment()  # the vocabulary changed during the window

    pending = PendingPublish.objects.get()
    pending = pending_publish_send(pending=pending, now=_after_window(pending))

    assert pending.status == "failed" and "PHI guard blocked" in pending.failure_reason
    assert platform_api.received == []


def test_an_edit_during_the_window_cancels_the_send(platform_api, google, approved, alice, bob, settings):
    settings.PUBLISH_PULLBACK_MINUTES = 5
    reply_publish_request(reply=approved, actor=bob, expected_revision=approved.revision)
    workflow.reply_save_text(reply=approved, actor=alice, text=REPLY + " Thanks!", expected_revision=approved.revision)

    pending = PendingPublish.objects.get()
    pending = pending_publish_send(pending=pending, now=_after_window(pending))

    assert pending.status == "failed" and platform_api.received == []


def test_a_window_of_zero_sends_at_once(platform_api, google, approved, bob, settings):
    settings.PUBLISH_PULLBACK_MINUTES = 0

    reply = reply_publish_request(reply=approved, actor=bob, expected_revision=approved.revision)

    assert reply.state == ReplyState.POSTED and len(platform_api.received) == 1
    assert not PendingPublish.objects.exists()


def test_it_refuses_to_pull_back_what_was_already_sent(platform_api, google, approved, bob, settings):
    settings.PUBLISH_PULLBACK_MINUTES = 5
    reply_publish_request(reply=approved, actor=bob, expected_revision=approved.revision)
    pending = PendingPublish.objects.get()
    pending_publish_send(pending=pending, now=_after_window(pending))

    with pytest.raises(workflow.TransitionNotAllowed, match="Too late"):
        pending_publish_pull_back(pending=pending, actor=bob)


def test_it_refuses_to_schedule_twice(platform_api, google, approved, bob, settings):
    settings.PUBLISH_PULLBACK_MINUTES = 5
    reply_publish_request(reply=approved, actor=bob, expected_revision=approved.revision)

    with pytest.raises(workflow.TransitionNotAllowed, match="already waiting"):
        reply_publish_request(reply=approved, actor=bob, expected_revision=approved.revision)
