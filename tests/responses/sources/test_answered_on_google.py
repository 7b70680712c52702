"""A review answered directly on Google while the desk still holds an unposted reply for it: the review is answered
there, so the platform's reply is stored as posted (guard-checked) and the desk's draft is superseded, never posted
over it. A reply we posted and someone later replaced on Google takes Google's text, checked by the guard."""
from __future__ import annotations

from datetime import timedelta

import pytest

from responses import workflow
from responses.compliance.models import PendingPublish
from responses.compliance.pullback import pending_publish_send, reply_publish_request
from responses.models import AuditEvent, PlatformReplyStatus, Reply, ReplyState
from responses.sources.services import source_import
from tests.responses.test_platforms import google_review

pytestmark = pytest.mark.django_db

REVIEW = "Lovely staff, easy parking."
OURS = "Thank you for the kind words, and for taking the time to write."
ON_GOOGLE = "Thank you so much for sharing this, and for the kind words about our team. The Willow & Pine team"
DISCLOSING = "Glad your Botox in the forehead went well, Kelsey, see you at your next appointment!"
SUPERSEDED = "Answered directly on Google; this draft was not posted."


def listed(owner_reply=None, *, state=None, update_time="2024-05-02T10:00:00Z"):
    review = google_review("r1", comment=REVIEW)
    if owner_reply is not None:
        review["reviewReply"] = {"comment": owner_reply, "updateTime": update_time}
        if state:
            review["reviewReply"]["reviewReplyState"] = state
    return review


def run_with(google, platform_api, review):
    platform_api.answer(200, {"reviews": [review]})
    return source_import(source=google)


@pytest.fixture
def drafted(google, platform_api):
    """The nightly import drafted a reply to r1 (nobody answered it on Google yet)."""
    run_with(google, platform_api, listed())
    return Reply.objects.select_related("review", "current_version").get(review__external_id="r1")


def _advance(reply, bob, to_state):
    if to_state in (ReplyState.AWAITING_APPROVAL, ReplyState.APPROVED):
        reply = workflow.reply_submit(reply=reply, actor=bob)
    if to_state == ReplyState.APPROVED:
        reply = workflow.reply_approve(reply=reply, actor=bob, expected_revision=reply.revision)
    return reply


def _no_patient_text(events):
    for event in events:
        assert REVIEW not in str(event.details) and ON_GOOGLE not in str(event.details)
        assert DISCLOSING not in str(event.details)


@pytest.mark.parametrize("state", [ReplyState.DRAFTING, ReplyState.AWAITING_APPROVAL, ReplyState.APPROVED])
def test_a_reply_written_on_google_supersedes_the_desks_unposted_reply(google, platform_api, drafted, bob, state):
    draft = _advance(drafted, bob, state)

    run_with(google, platform_api, listed(ON_GOOGLE))

    reply = Reply.objects.select_related("current_version", "superseded_version").get(pk=draft.pk)
    assert (reply.state, reply.posted_via) == (ReplyState.POSTED, "google (outside ReviewDesk)")
    assert reply.current_version.text == ON_GOOGLE
    assert reply.approved_version_id == reply.current_version_id
    assert reply.current_version.verdict_matches_text and not reply.current_version.blocked
    assert reply.superseded_at is not None
    assert reply.superseded_version.text == drafted.current_version.text  # the draft stays in the history
    assert reply.posted_by is None and reply.approved_by is None
    event = AuditEvent.objects.get(action="reply_superseded_on_platform", reply=reply)
    assert (event.from_state, event.to_state) == (state, ReplyState.POSTED)
    assert event.details["superseded_version"] == reply.superseded_version.number
    assert AuditEvent.objects.filter(action="external_reply_imported", reply=reply, verdict_blocked=False).exists()
    _no_patient_text(AuditEvent.objects.filter(reply=reply))


def test_a_reply_written_on_google_that_the_guard_blocks_is_flagged_and_still_supersedes(
    google, platform_api, drafted
):
    run_with(google, platform_api, listed(DISCLOSING))

    reply = Reply.objects.select_related("current_version").get(pk=drafted.pk)
    assert reply.state == ReplyState.POSTED and reply.superseded_at is not None
    assert reply.current_version.text == DISCLOSING and reply.current_version.blocked
    assert AuditEvent.objects.filter(action="external_reply_blocked", reply=reply, verdict_blocked=True).exists()
    _no_patient_text(AuditEvent.objects.filter(reply=reply))


def test_posting_the_superseded_draft_is_refused_with_the_reason(google, platform_api, drafted, bob):
    approved = _advance(drafted, bob, ReplyState.APPROVED)  # the manager's page, read before the import
    run_with(google, platform_api, listed(ON_GOOGLE))
    requests = len(platform_api.received)

    with pytest.raises(workflow.TransitionNotAllowed, match=SUPERSEDED):
        workflow.reply_publish(reply=approved, actor=bob)
    with pytest.raises(workflow.TransitionNotAllowed, match=SUPERSEDED):
        workflow.reply_mark_posted(reply=approved, actor=bob)

    assert len(platform_api.received) == requests  # nothing was PUT over Google's reply
    assert Reply.objects.get(pk=approved.pk).current_version.text == ON_GOOGLE


def test_a_publication_waiting_out_its_window_is_not_sent_over_googles_reply(
    google, platform_api, drafted, bob, settings
):
    settings.PUBLISH_PULLBACK_MINUTES = 5
    approved = _advance(drafted, bob, ReplyState.APPROVED)
    reply_publish_request(reply=approved, actor=bob, expected_revision=approved.revision)
    run_with(google, platform_api, listed(ON_GOOGLE))
    requests = len(platform_api.received)

    pending = PendingPublish.objects.get()
    pending = pending_publish_send(pending=pending, now=pending.send_after + timedelta(seconds=1))

    assert (pending.status, pending.failure_reason) == ("failed", SUPERSEDED)
    assert len(platform_api.received) == requests


def test_the_review_page_says_the_review_was_answered_on_google(client, alice, google, platform_api, drafted):
    run_with(google, platform_api, listed(ON_GOOGLE))
    client.force_login(alice)

    body = client.get(f"/reviews/{drafted.review_id}").content.decode()

    assert SUPERSEDED in body
    assert "Not posted" in body  # the draft's version in the history
    assert "Submit for approval" not in body


def test_a_reply_google_rejected_does_not_supersede_the_draft(google, platform_api, drafted):
    run_with(google, platform_api, listed(ON_GOOGLE, state="REJECTED"))  # not public: the review is unanswered

    reply = Reply.objects.get(pk=drafted.pk)
    assert (reply.state, reply.superseded_at) == (ReplyState.DRAFTING, None)
    assert not AuditEvent.objects.filter(action="reply_superseded_on_platform").exists()


def test_our_own_earlier_text_still_listed_does_not_supersede_its_rewrite(google, platform_api, bob):
    run_with(google, platform_api, listed(OURS, state="REJECTED"))
    rejected = Reply.objects.get(review__external_id="r1")
    rewrite = workflow.reply_replace_after_platform_rejection(reply=rejected, actor=bob)

    run_with(google, platform_api, listed(OURS))  # Google still lists the rejected text, without its state

    reply = Reply.objects.get(pk=rewrite.pk)
    assert (reply.state, reply.superseded_at) == (ReplyState.DRAFTING, None)


# --- a reply we posted, replaced on Google ----------------------------------------------------------------


@pytest.fixture
def posted(google, platform_api, drafted, bob):
    approved = workflow.reply_save_text(reply=drafted, actor=bob, text=OURS, expected_revision=drafted.revision)
    approved = _advance(approved, bob, ReplyState.APPROVED)
    platform_api.answer(200, {"comment": OURS, "reviewReplyState": "APPROVED"})
    return workflow.reply_publish(reply=approved, actor=bob)


def test_a_posted_reply_replaced_on_google_takes_googles_text(google, platform_api, posted):
    run_with(google, platform_api, listed(ON_GOOGLE, state="PENDING"))

    reply = Reply.objects.select_related("current_version").get(pk=posted.pk)
    assert reply.state == ReplyState.POSTED
    assert reply.current_version.text == ON_GOOGLE and reply.approved_version_id == reply.current_version_id
    assert reply.current_version.verdict_matches_text and not reply.current_version.blocked
    assert reply.posted_at == posted.posted_at  # first answered then
    assert (reply.posted_via, reply.posted_by) == ("google (outside ReviewDesk)", None)
    assert reply.platform_status == PlatformReplyStatus.PENDING  # Google's word on the new text, not the old
    assert reply.superseded_at is None
    assert AuditEvent.objects.filter(action="external_reply_changed", reply=reply, verdict_blocked=False).exists()
    _no_patient_text(AuditEvent.objects.filter(reply=reply))


def test_a_replacement_on_google_without_a_state_drops_the_old_texts_state(google, platform_api, posted):
    assert Reply.objects.get(pk=posted.pk).platform_status == PlatformReplyStatus.LIVE

    run_with(google, platform_api, listed(ON_GOOGLE))

    assert Reply.objects.get(pk=posted.pk).platform_status == PlatformReplyStatus.UNKNOWN


def test_a_replacement_on_google_that_the_guard_blocks_is_flagged(google, platform_api, posted):
    run_with(google, platform_api, listed(DISCLOSING))

    reply = Reply.objects.select_related("current_version").get(pk=posted.pk)
    assert reply.current_version.text == DISCLOSING and reply.current_version.blocked
    assert AuditEvent.objects.filter(action="external_reply_blocked", reply=reply, verdict_blocked=True).exists()
    _no_patient_text(AuditEvent.objects.filter(reply=reply))


def test_the_same_text_listed_again_changes_nothing(google, platform_api, posted):
    versions = posted.versions.count()

    run_with(google, platform_api, listed(OURS + "  \r\n"))  # only white space differs

    reply = Reply.objects.get(pk=posted.pk)
    assert (reply.versions.count(), reply.posted_via) == (versions, "google_business")
    assert not AuditEvent.objects.filter(action="external_reply_changed").exists()
