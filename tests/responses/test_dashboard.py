"""The dashboard an owner reads: filters per location and platform, months with their year, axes, spam out of
the negative topics, disclosures prevented counted once per reply stopped on its way out, the response-time
trend and the share of negative reviews answered within the practice's target."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from responses import workflow
from responses.models import AuditEvent, Location, PlatformReplyStatus, Reply
from responses.practice import services
from responses.selectors import DashboardFilters, dashboard_numbers
from tests.responses.timeline import approved_back_then

pytestmark = pytest.mark.django_db
SAFE = ("Thank you for sharing your feedback, Kelsey. We're sorry to hear this and would like to learn more. "
        "Please call us at (303) 555-0186 so we can talk privately.")


def posted_reply(review, alice, bob, *, hours_after: float):
    reply = workflow.reply_start(review=review, actor=alice, text=SAFE)
    reply = workflow.reply_submit(reply=reply, actor=alice)
    reply = workflow.reply_approve(reply=reply, actor=bob, expected_revision=reply.revision)
    posted_at = review.posted_at + timedelta(hours=hours_after)
    # The reviews here were posted days ago: their replies were approved before they went out, not today.
    reply = approved_back_then(reply, min(reply.approved_at, posted_at))
    return workflow.reply_mark_posted(reply=reply, actor=bob, posted_at=posted_at)


def test_it_filters_by_location_and_platform(client, bob, practice, location, make_review):
    other = Location.objects.create(practice=practice, name="Cherry Creek")
    make_review(rating=1, topics=["wait_time"])
    make_review(rating=2, topics=["cleanliness"], location=other, platform="yelp")
    everything = dashboard_numbers(practice=practice)
    creek = dashboard_numbers(practice=practice, filters=DashboardFilters(location_id=other.pk))
    yelp = dashboard_numbers(practice=practice, filters=DashboardFilters(platform="yelp"))
    assert dict(everything.negative_topics) == {"Wait time": 1, "Cleanliness": 1}
    assert dict(creek.negative_topics) == {"Cleanliness": 1} == dict(yelp.negative_topics)
    client.force_login(bob)
    page = client.get(reverse("dashboard"), {"location": other.pk}).content.decode()
    assert "Cleanliness" in page and "Wait time" not in page


def test_charlie_cannot_filter_on_willow_and_pines_location(client, charlie, location, make_review):
    make_review(rating=1, topics=["wait_time"])
    client.force_login(charlie)
    page = client.get(reverse("dashboard"), {"location": location.pk}).content.decode()
    assert "Wait time" not in page


def test_spam_stays_out_of_the_negative_topics(practice, make_review):
    make_review(rating=1, topics=["spam_or_fake"])
    make_review(rating=1, topics=["billing_pricing"])
    assert dict(dashboard_numbers(practice=practice).negative_topics) == {"Billing or pricing": 1}


def test_disclosures_prevented_counts_replies_stopped_on_the_way_out_once(practice, review, alice):
    reply = workflow.reply_start(review=review, actor=alice, text="Kelsey, we're sorry your Botox left bruising.")
    for _ in range(2):
        with pytest.raises(workflow.GuardBlocked):
            workflow.reply_submit(reply=Reply.objects.get(pk=reply.pk), actor=alice)
    numbers = dashboard_numbers(practice=practice)
    assert numbers.blocked_refusals == 1  # one reply, refused twice
    assert numbers.blocked_versions == 1  # the blocked draft itself is not a disclosure prevented
    assert AuditEvent.objects.filter(action="submit_refused").count() == 2


def test_it_shares_negative_reviews_answered_within_the_target(bob, alice, practice, make_review):
    services.practice_settings_update(practice=practice, actor=bob, response_target_days=2, escalation_keywords="")
    quick, slow = make_review(rating=1, posted_days_ago=10), make_review(rating=2, posted_days_ago=10)
    make_review(rating=1, posted_days_ago=9)  # never answered
    make_review(rating=1, posted_days_ago=1)  # still inside the target: not judged yet
    make_review(rating=1, posted_days_ago=8, topics=["spam_or_fake"])  # spam is not judged
    posted_reply(quick, alice, bob, hours_after=20)
    posted_reply(slow, alice, bob, hours_after=24 * 5)
    numbers = dashboard_numbers(practice=practice)
    assert (numbers.negative_in_target, numbers.negative_total) == (1, 3)


def test_a_reply_the_platform_rejected_does_not_count_as_answered_in_time(bob, alice, practice, make_review):
    services.practice_settings_update(practice=practice, actor=bob, response_target_days=2, escalation_keywords="")
    review = make_review(rating=1, posted_days_ago=10)
    reply = posted_reply(review, alice, bob, hours_after=20)
    assert dashboard_numbers(practice=practice).negative_in_target == 1

    Reply.objects.filter(pk=reply.pk).update(platform_status=PlatformReplyStatus.REJECTED)

    numbers = dashboard_numbers(practice=practice)
    assert (numbers.negative_in_target, numbers.negative_total) == (0, 1)
    assert numbers.responses_counted[30] == 0 and numbers.median_response_hours[30] is None


def test_the_trend_has_months_with_their_year_and_the_response_time(client, bob, alice, practice, make_review):
    review = make_review(rating=2, posted_days_ago=3)
    posted_reply(review, alice, bob, hours_after=6)
    numbers = dashboard_numbers(practice=practice)
    this_month = numbers.rating_trend[-1]
    assert this_month.median_response_hours == pytest.approx(6, abs=0.1) or \
        numbers.rating_trend[-2].median_response_hours == pytest.approx(6, abs=0.1)
    client.force_login(bob)
    page = client.get(reverse("dashboard")).content.decode()
    assert timezone.localtime().strftime("%b %Y") in page
    assert "<title>" in page and "Show the numbers" in page and "6.0 h" in page
