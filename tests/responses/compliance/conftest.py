"""Replies that went all the way to the public, for the compliance stories."""
from __future__ import annotations

import pytest

from responses import workflow
from responses.models import GuardTerm

REPLY = "Thank you for your feedback about the Glowmax. Please call us at (303) 555-0186."


@pytest.fixture
def post_reply(alice, bob):
    """Draft (alice), submit, approve (bob) and mark posted: the normal flow, guard at every step."""
    def post(review, text=REPLY):
        reply = workflow.reply_start(review=review, actor=alice, text=text)
        reply = workflow.reply_submit(reply=reply, actor=alice)
        reply = workflow.reply_approve(reply=reply, actor=bob, expected_revision=reply.revision)
        return workflow.reply_mark_posted(reply=reply, actor=bob)

    return post


@pytest.fixture
def glowmax_is_a_treatment(practice):
    """The vocabulary change that makes REPLY a disclosure: Glowmax is one of the practice's treatments."""
    def add():
        return GuardTerm.objects.create(practice=practice, entity_type="TREATMENT", term="Glowmax")

    return add
