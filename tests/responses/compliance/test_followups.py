"""Private follow-up (overdue in the inbox, then resolved) and suspected fake reviews (reported on the platform)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from responses.compliance.followups import (
    FollowUpError,
    fake_review_mark,
    fake_review_status_set,
    follow_up_attempt_record,
    follow_up_list_overdue,
    follow_up_numbers,
    follow_up_start,
)
from responses.models import AuditEvent

pytestmark = pytest.mark.django_db

NOTE = "Wants a refund for the second session"


def test_a_follow_up_goes_overdue_then_is_resolved_privately(client, review, practice, alice):
    yesterday = timezone.localdate() - timedelta(days=1)
    follow_up = follow_up_start(review=review, actor=alice, channel="phone", next_due_on=yesterday, notes=NOTE)
    client.force_login(alice)

    assert list(follow_up_list_overdue(practice=practice)) == [follow_up]
    inbox = client.get("/").content.decode()
    assert "1 private follow-up overdue" in inbox and f"review #{review.pk}" in inbox

    follow_up = follow_up_attempt_record(follow_up=follow_up, actor=alice, channel="phone", outcome="no_answer",
                                         next_due_on=timezone.localdate() + timedelta(days=2))
    assert follow_up.status == "open" and not follow_up_list_overdue(practice=practice)
    follow_up = follow_up_attempt_record(follow_up=follow_up, actor=alice, channel="email", outcome="resolved")

    assert follow_up.status == "resolved" and follow_up.resolved_at is not None
    assert [a.outcome for a in follow_up.attempts.all()] == ["no_answer", "resolved"]
    numbers = follow_up_numbers(practice=practice)
    assert (numbers.negative_reviews, numbers.resolved_privately, numbers.resolved_share) == (1, 1, 100)
    assert "1 private follow-up overdue" not in client.get("/").content.decode()


def test_follow_up_notes_stay_out_of_the_audit_trail(review, alice):
    follow_up = follow_up_start(review=review, actor=alice, channel="phone", notes=NOTE)
    follow_up_attempt_record(follow_up=follow_up, actor=alice, channel="phone", outcome="refund_offered",
                             next_due_on=timezone.localdate())

    events = AuditEvent.objects.filter(action__startswith="follow_up")
    assert events.count() == 2
    assert all(NOTE not in str(details) for details in events.values_list("details", flat=True))


def test_no_further_attempt_closes_the_follow_up_unresolved(review, alice):
    follow_up = follow_up_start(review=review, actor=alice, channel="email")

    follow_up = follow_up_attempt_record(follow_up=follow_up, actor=alice, channel="email", outcome="declined")

    assert follow_up.status == "closed"
    with pytest.raises(FollowUpError, match="finished"):
        follow_up_attempt_record(follow_up=follow_up, actor=alice, channel="email", outcome="resolved")


def test_it_refuses_a_second_follow_up_or_an_unknown_channel(review, alice):
    with pytest.raises(FollowUpError, match="how you will contact"):
        follow_up_start(review=review, actor=alice, channel="carrier pigeon")
    follow_up_start(review=review, actor=alice, channel="phone")
    with pytest.raises(FollowUpError, match="already being tracked"):
        follow_up_start(review=review, actor=alice, channel="email")


def test_staff_track_a_follow_up_from_the_review_page(client, review, alice):
    client.force_login(alice)

    client.post(f"/reviews/{review.pk}/follow-up", {"channel": "phone", "notes": NOTE})
    client.post(f"/reviews/{review.pk}/follow-up/attempt", {"channel": "phone", "outcome": "resolved"})

    page = client.get(f"/reviews/{review.pk}").content.decode()
    assert "Resolved privately" in page and NOTE in page


def test_a_fake_review_is_marked_with_an_internal_reason_and_reported(client, make_review, alice):
    review = make_review("Worst place ever, never go", rating=1, platform="yelp")
    report = fake_review_mark(review=review, actor=alice, reason="No booking under that name; competitor's town")
    client.force_login(alice)

    page = client.get(f"/reviews/{review.pk}").content.decode()
    assert "Yelp for Business" in page and "never writes or posts reviews" in page

    report = fake_review_status_set(report=report, actor=alice, status="reported")
    assert report.reported_at is not None
    report = fake_review_status_set(report=report, actor=alice, status="removed")
    assert report.status == "removed"
    details = AuditEvent.objects.filter(action__startswith="fake_review").values_list("details", flat=True)
    assert [d["status"] for d in details.order_by("at", "id")] == ["suspected", "reported", "removed"]
    assert all("competitor" not in str(d) for d in details)


def test_it_refuses_a_fake_review_mark_without_a_reason(review, alice):
    with pytest.raises(FollowUpError, match="why you suspect"):
        fake_review_mark(review=review, actor=alice, reason="  ")


def test_another_practice_cannot_mark_our_reviews(client, review, charlie):
    client.force_login(charlie)

    assert client.post(f"/reviews/{review.pk}/fake", {"reason": "x"}).status_code == 404
    assert client.post(f"/reviews/{review.pk}/follow-up", {"channel": "phone"}).status_code == 404
