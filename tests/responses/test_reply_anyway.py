"""A review flagged as likely spam (a link, markup, a competitor's promo code) is not a dead end: staff choose
what the reply answers and reply anyway; the choice is audited. Any review's detected topic can be changed."""
from __future__ import annotations

import pytest
from django.urls import reverse

from responses import workflow
from responses.drafting import detect_topics
from responses.models import AuditEvent, Reply, Review

pytestmark = pytest.mark.django_db
COMPETITOR = ("Honestly skip this place. Glow Lab down the street is way better, use code GLOW20 for 20% off "
              "your first facial!")


@pytest.mark.parametrize("text", [COMPETITOR, "Meh. Try Radiance Skin instead, promo code SAVE15 gets you a discount."])
def test_a_competitors_promotion_is_recognised_as_likely_spam(text):
    assert detect_topics(text, 1) == ["spam_or_fake"]


def test_a_discount_the_practice_gave_is_not_spam():
    assert detect_topics("They gave me a discount code for next time, which was nice, but the wait was long.", 3) \
        != ["spam_or_fake"]


def test_starting_a_reply_to_spam_is_refused_with_the_way_out(alice, make_review):
    review = make_review(COMPETITOR, rating=1, topics=["spam_or_fake"])
    with pytest.raises(workflow.WorkflowError, match="reply anyway"):
        workflow.reply_start(review=review, actor=alice)


def test_alice_replies_anyway_and_the_choice_is_audited(client, alice, make_review, location):
    review = make_review(COMPETITOR, rating=1, topics=["spam_or_fake"])
    client.force_login(alice)
    page = client.get(reverse("review_detail", args=[review.pk])).content.decode()
    assert "Reply anyway" in page
    response = client.post(reverse("reply_start", args=[review.pk]), {"topic": "bad_outcome"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    reply = Reply.objects.get(review=review)
    assert reply.text and not reply.current_version.blocked
    review.refresh_from_db()
    assert review.topics[0] == "bad_outcome" and "spam_or_fake" not in review.topics
    event = AuditEvent.objects.get(action="review_topic_changed")
    assert (event.actor, event.from_state, event.to_state) == (alice, "spam_or_fake", "bad_outcome")


def test_staff_change_the_topic_of_a_review_the_detector_misread(alice, make_review, location):
    review = make_review("The wait was long and nobody told me why.", rating=2, topics=["wait_time"])
    reply = workflow.reply_start(review=review, actor=alice, topic="communication")
    assert Review.objects.get(pk=review.pk).topics == ["communication", "wait_time"]
    assert reply.current_version.source == "template"


@pytest.mark.parametrize("topic", ["spam_or_fake", "not_a_topic"])
def test_it_refuses_a_chosen_topic_that_cannot_be_answered(alice, make_review, topic):
    review = make_review(COMPETITOR, rating=1, topics=["spam_or_fake"])
    with pytest.raises(workflow.WorkflowError):
        workflow.reply_start(review=review, actor=alice, topic=topic)
    assert not Reply.objects.filter(review=review).exists()
    assert not AuditEvent.objects.filter(action="review_topic_changed").exists()


def test_charlie_cannot_reply_anyway_to_willow_and_pines_review(client, charlie, make_review):
    review = make_review(COMPETITOR, rating=1, topics=["spam_or_fake"])
    client.force_login(charlie)
    assert client.post(reverse("reply_start", args=[review.pk]), {"topic": "bad_outcome"}).status_code == 404
    assert not Reply.objects.filter(review=review).exists()
