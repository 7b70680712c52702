"""The compliance record of a reply: who did what and when, the exact posted text's hash, the guard that judged it."""
from __future__ import annotations

import pytest

from responses import workflow
from responses.compliance.models import ReplyPosting
from responses.compliance.records import reply_compliance_record
from responses.models import text_sha256
from tests.responses.compliance.conftest import REPLY

pytestmark = pytest.mark.django_db

BLOCKED = "We're so glad your Botox appointment went well, see you at your follow-up visit!"


def test_posting_a_reply_keeps_the_exact_text_hash_and_the_guard_that_passed_it(review, post_reply, bob):
    reply = post_reply(review)

    (posting,) = ReplyPosting.objects.filter(reply=reply)
    assert posting.text_sha256 == text_sha256(REPLY) == reply.approved_version.text_sha256
    assert posting.version == reply.approved_version
    assert posting.posted_by == bob and posting.posted_via == "manual"
    assert posting.verdict["blocked"] is False
    assert set(posting.guard_version) == {"engine", "model", "classifier", "encoder", "vocabulary", "practice"}


def test_the_record_lists_every_step_with_refusals_and_rejections(review, alice, bob):
    reply = workflow.reply_start(review=review, actor=alice, text=BLOCKED)
    with pytest.raises(workflow.GuardBlocked):
        workflow.reply_submit(reply=reply, actor=alice)
    reply = workflow.reply_save_text(reply=reply, actor=alice, text=REPLY, expected_revision=reply.revision)
    reply = workflow.reply_submit(reply=reply, actor=alice)
    reply = workflow.reply_reject(reply=reply, actor=bob, comment="Add our signature")
    reply = workflow.reply_submit(reply=reply, actor=alice)
    reply = workflow.reply_approve(reply=reply, actor=bob, expected_revision=reply.revision)
    reply = workflow.reply_mark_posted(reply=reply, actor=bob)

    record = reply_compliance_record(reply=reply)

    assert [(s.what, s.by) for s in record["steps"]] == [
        ("drafted", "alice"), ("refused by the guard at submit", "alice"), ("edited", "alice"),
        ("submitted", "alice"), ("rejected", "bob"), ("submitted", "alice"), ("approved", "bob"), ("posted", "bob"),
    ]
    assert len(record["refusals"]) == 1 and record["refusals"][0].finding_count >= 1
    assert len(record["rejections"]) == 1
    assert [p.text_sha256 for p in record["postings"]] == [text_sha256(REPLY)]


def test_a_manager_sees_the_record_on_the_review_page(client, review, post_reply, bob):
    post_reply(review)
    client.force_login(bob)

    page = client.get(f"/reviews/{review.pk}").content.decode()

    assert "Compliance record" in page
    assert text_sha256(REPLY) in page


def test_the_front_desk_does_not_see_the_record(client, review, post_reply, alice):
    post_reply(review)
    client.force_login(alice)

    page = client.get(f"/reviews/{review.pk}").content.decode()

    assert "Compliance record" not in page
    assert "Private follow-up" in page


def test_the_record_beside_the_editor_follows_every_action_made_in_it(client, review, alice, bob):
    from django.urls import reverse

    reply = workflow.reply_start(review=review, actor=alice, text=REPLY)
    reply = workflow.reply_submit(reply=reply, actor=alice)
    client.force_login(bob)
    assert 'id="compliance-record-slot"' in client.get(f"/reviews/{review.pk}").content.decode()

    response = client.post(reverse("reply_save_and_approve", args=[review.pk]),
                           {"text": REPLY, "expected_revision": reply.revision}, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    slot = body[body.index('<div id="compliance-record-slot" hx-swap-oob="true">'):]
    assert "<strong>approved</strong> by bob" in slot


def test_the_front_desk_gets_no_record_with_its_editor(client, review, alice):
    from django.urls import reverse

    reply = workflow.reply_start(review=review, actor=alice, text=REPLY)
    client.force_login(alice)

    response = client.post(reverse("reply_submit", args=[review.pk]), {"expected_revision": reply.revision},
                           HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200 and "Compliance record" not in body
