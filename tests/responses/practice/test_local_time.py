"""Times as the practice lives them: a location's time zone (else the practice's) for the times the desk shows and
reads, for "past the response target" and the inbox's "posted in the last 7 / 30 days" (calendar days, local
midnight to local midnight, right across DST changes) and for the dashboard's months."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from responses import workflow
from responses.intake import reviews_import
from responses.models import Location, Review
from responses.practice import services
from responses.practice.local_time import local_days_start, response_deadline
from responses.selectors import DashboardFilters, InboxFilters, dashboard_numbers, inbox_row, review_list_for_inbox
from responses.sources.digest import practice_digest_counts
from tests.responses.timeline import approved_back_then

DENVER, NEW_YORK, BERLIN = ZoneInfo("America/Denver"), ZoneInfo("America/New_York"), ZoneInfo("Europe/Berlin")
SAFE = "Thank you for your feedback. Please call us at (303) 555-0186 so we can talk privately."


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(zone, *args) -> datetime:
    return datetime(*args, tzinfo=zone)


# ---------------------------------------------------------------- the rule, without the database

@pytest.mark.parametrize("posted, deadline", [
    (local(DENVER, 2026, 1, 5, 23, 30), local(DENVER, 2026, 1, 8)),  # late Monday: due by the end of Wednesday
    (local(DENVER, 2026, 1, 6, 0, 30), local(DENVER, 2026, 1, 9)),   # just after midnight: a whole day more
    (local(DENVER, 2026, 3, 6, 12), utc(2026, 3, 9, 6)),   # spring forward on the 8th: midnight is 06:00 UTC, not 07:00
    (local(DENVER, 2026, 10, 30, 12), utc(2026, 11, 2, 7)),  # fall back on November 1st: midnight is 07:00 UTC again
])
def test_a_two_day_target_ends_at_the_local_midnight_after_the_second_day(posted, deadline):
    assert response_deadline(posted, zone=DENVER, target_days=2) == deadline


def test_the_same_instant_is_a_different_local_day_in_another_time_zone():
    posted = utc(2026, 1, 6, 5, 30)  # Monday 10:30 pm in Denver, Tuesday 12:30 am in New York
    assert response_deadline(posted, zone=DENVER, target_days=2) == utc(2026, 1, 8, 7)
    assert response_deadline(posted, zone=NEW_YORK, target_days=2) == utc(2026, 1, 9, 5)


def test_the_inbox_cutoff_and_the_deadline_agree_at_every_hour_around_a_dst_change():
    posted_times = [utc(2026, 3, 5) + timedelta(minutes=37 * n) for n in range(200)]
    for now in [utc(2026, 3, 8) + timedelta(hours=h) for h in range(0, 96, 1)]:
        # The inbox's cutoff (posted_before_target_q): the start of the last N + 1 local days.
        cutoff = local_days_start(now, zone=DENVER, days=1 + 1)
        for posted in posted_times:
            overdue = now >= response_deadline(posted, zone=DENVER, target_days=1)
            assert (posted < cutoff) == overdue, (posted, now)


# ---------------------------------------------------------------- the desk

@pytest.fixture
def new_york(practice):
    return Location.objects.create(practice=practice, name="Upper West Side", phone="(212) 555-0147",
                                   time_zone="America/New_York")


@pytest.fixture
def denver(location):
    Location.objects.filter(pk=location.pk).update(time_zone="America/Denver")
    location.refresh_from_db()
    return location


def review_at(make_review, where, posted_at, **fields):
    review = make_review(location=where, **fields)
    Review.objects.filter(pk=review.pk).update(posted_at=posted_at)
    review.refresh_from_db()
    return review


@pytest.mark.django_db
def test_overdue_is_counted_in_each_locations_own_days(practice, denver, new_york, make_review):
    posted = utc(2026, 1, 6, 5, 30)  # Monday night in Denver, already Tuesday in New York
    in_denver = review_at(make_review, denver, posted)
    in_new_york = review_at(make_review, new_york, posted)
    now = utc(2026, 1, 8, 7, 30)  # 12:30 am Thursday in Denver, 2:30 am Thursday in New York

    overdue = review_list_for_inbox(practice=practice, filters=InboxFilters(age="overdue"), now=now)

    assert list(overdue) == [in_denver]
    denver_row = inbox_row(in_denver, now=now, target_days=2, zone=DENVER)
    new_york_row = inbox_row(in_new_york, now=now, target_days=2, zone=NEW_YORK)
    assert (denver_row.age_days, denver_row.overdue_days) == (3, 3)
    assert (new_york_row.age_days, new_york_row.overdue_days) == (2, None)
    assert practice_digest_counts(practice=practice, since=now - timedelta(days=1), now=now)["overdue"] == 1


@pytest.mark.django_db
def test_a_minute_before_local_midnight_it_is_not_overdue_yet(practice, denver, make_review):
    review = review_at(make_review, denver, local(DENVER, 2026, 1, 5, 23, 30))
    for now, overdue in [(local(DENVER, 2026, 1, 7, 23, 59), False), (local(DENVER, 2026, 1, 8, 0, 0), True)]:
        listed = review_list_for_inbox(practice=practice, filters=InboxFilters(age="overdue"), now=now)
        assert (review in listed) == overdue, now
        assert (inbox_row(review, now=now, target_days=2, zone=DENVER).overdue_days is not None) == overdue


def posted_filter(practice, age, now) -> set[Review]:
    return set(review_list_for_inbox(practice=practice, filters=InboxFilters(age=age), now=now))


@pytest.mark.django_db
def test_last_7_days_starts_at_local_midnight_six_days_ago(practice, denver, make_review):
    late_on_the_8th = review_at(make_review, denver, local(DENVER, 2026, 1, 8, 23, 59))
    early_on_the_9th = review_at(make_review, denver, local(DENVER, 2026, 1, 9, 0, 1))
    now = local(DENVER, 2026, 1, 15, 9, 0)  # Thursday morning: the last 7 days are Friday the 9th to today

    assert posted_filter(practice, "7d", now) == {early_on_the_9th}
    assert posted_filter(practice, "30d", now) == {late_on_the_8th, early_on_the_9th}


@pytest.mark.django_db
def test_last_30_days_starts_at_local_midnight_29_days_ago_and_older_is_everything_before(
        practice, denver, make_review):
    late_on_new_years_day = review_at(make_review, denver, local(DENVER, 2026, 1, 1, 23, 59))
    early_on_the_2nd = review_at(make_review, denver, local(DENVER, 2026, 1, 2, 0, 1))
    now = local(DENVER, 2026, 1, 31, 9, 0)  # the last 30 days are January 2nd to today

    assert posted_filter(practice, "30d", now) == {early_on_the_2nd}
    assert posted_filter(practice, "older", now) == {late_on_new_years_day}


@pytest.mark.parametrize("before, after, now", [
    # Spring forward on March 8th: the window's first midnight is MST (07:00 UTC), today's is MDT (06:00 UTC).
    (local(DENVER, 2026, 3, 4, 23, 59), local(DENVER, 2026, 3, 5, 0, 1), local(DENVER, 2026, 3, 11, 9, 0)),
    # Fall back on November 1st: the window's first midnight is MDT (06:00 UTC), today's is MST (07:00 UTC).
    (local(DENVER, 2026, 10, 28, 23, 59), local(DENVER, 2026, 10, 29, 0, 1), local(DENVER, 2026, 11, 4, 9, 0)),
])
@pytest.mark.django_db
def test_last_7_days_starts_at_local_midnight_across_a_dst_change(practice, denver, make_review, before, after, now):
    reviews = {moment: review_at(make_review, denver, moment) for moment in (before, after)}

    assert posted_filter(practice, "7d", now) == {reviews[after]}


@pytest.mark.django_db
def test_the_same_instant_is_in_the_last_7_days_in_new_york_but_not_in_denver(
        practice, denver, new_york, make_review):
    posted = utc(2026, 1, 9, 5, 30)  # Thursday 10:30 pm in Denver, already Friday 12:30 am in New York
    in_denver = review_at(make_review, denver, posted)
    in_new_york = review_at(make_review, new_york, posted)
    now = utc(2026, 1, 15, 17)  # Thursday morning in both: the last 7 days began on Friday, local midnight

    assert posted_filter(practice, "7d", now) == {in_new_york}
    assert posted_filter(practice, "30d", now) == {in_denver, in_new_york}


@pytest.mark.django_db
def test_a_location_without_its_own_time_zone_counts_the_practices_days(practice, location, bob, make_review):
    services.practice_settings_update(practice=practice, actor=bob, response_target_days=2, escalation_keywords="",
                                      time_zone="America/Los_Angeles")
    los_angeles = ZoneInfo("America/Los_Angeles")
    # 11:59 pm on the 8th in Los Angeles is already the 9th in Denver, the desk's TIME_ZONE.
    late_on_the_8th = review_at(make_review, location, local(los_angeles, 2026, 1, 8, 23, 59))
    early_on_the_9th = review_at(make_review, location, local(los_angeles, 2026, 1, 9, 0, 1))
    now = local(los_angeles, 2026, 1, 15, 9, 0)

    assert posted_filter(practice, "7d", now) == {early_on_the_9th}
    assert posted_filter(practice, "older", local(los_angeles, 2026, 2, 7, 9, 0)) == {late_on_the_8th}


@pytest.mark.django_db
def test_the_dashboard_counts_a_review_in_the_month_it_was_posted_where_it_was_posted(practice, denver, make_review):
    berlin = Location.objects.create(practice=practice, name="Mitte", time_zone="Europe/Berlin")
    instant = local(DENVER, 2026, 3, 31, 23, 30)  # March in Denver; April 1st in UTC and in Berlin
    review_at(make_review, denver, instant, rating=2)
    review_at(make_review, berlin, instant, rating=4)

    numbers = dashboard_numbers(practice=practice, now=utc(2026, 4, 15, 12))
    only_denver = dashboard_numbers(practice=practice, now=utc(2026, 4, 15, 12),
                                    filters=DashboardFilters(location_id=denver.pk))

    march, april = numbers.rating_trend[-2], numbers.rating_trend[-1]
    assert (march.month.isoformat(), march.count, march.average) == ("2026-03-01", 1, 2)
    assert (april.month.isoformat(), april.count, april.average) == ("2026-04-01", 1, 4)
    assert [m.count for m in only_denver.rating_trend[-2:]] == [1, 0]


@pytest.mark.django_db
def test_answered_within_the_target_means_by_the_end_of_the_local_day(practice, denver, alice, bob, make_review):
    late_night = review_at(make_review, denver, local(DENVER, 2026, 1, 5, 23, 30), rating=1)
    morning = review_at(make_review, denver, local(DENVER, 2026, 1, 5, 10, 0), rating=1)
    for review, posted_at in [(late_night, local(DENVER, 2026, 1, 7, 23, 50)),  # 48 h 20 min later: in time
                              (morning, local(DENVER, 2026, 1, 8, 0, 10))]:  # 62 h later, but on day 3: late
        reply = workflow.reply_start(review=review, actor=alice, text=SAFE)
        reply = workflow.reply_submit(reply=reply, actor=alice)
        reply = workflow.reply_approve(reply=reply, actor=bob, expected_revision=reply.revision)
        reply = approved_back_then(reply, posted_at)
        workflow.reply_mark_posted(reply=reply, actor=bob, posted_at=posted_at)

    numbers = dashboard_numbers(practice=practice, now=utc(2026, 1, 20))

    assert (numbers.negative_total, numbers.negative_in_target) == (2, 1)


@pytest.mark.django_db
def test_the_review_page_shows_times_in_the_locations_time_zone_else_the_practices(
        client, alice, bob, practice, location, new_york, make_review):
    services.practice_settings_update(practice=practice, actor=bob, response_target_days=2, escalation_keywords="",
                                      time_zone="America/Los_Angeles")
    client.force_login(alice)
    for where, shown in [(new_york, "10:30 AM EST"), (location, "7:30 AM PST")]:
        review = review_at(make_review, where, utc(2026, 1, 5, 15, 30))
        page = client.get(reverse("review_detail", args=[review.pk])).content.decode()
        assert f"Jan 5, 2026, {shown}" in page, shown


@pytest.mark.django_db
def test_the_inbox_the_review_page_and_the_approvals_queue_give_the_same_age(
        client, alice, bob, new_york, make_review):
    """Half past eleven at night, two New York days ago: 24 to 48 hours, which a clock would call "1 day"."""
    today = datetime.now(NEW_YORK).date()
    posted = local(NEW_YORK, today.year, today.month, today.day) - timedelta(days=1, minutes=30)
    review = review_at(make_review, new_york, posted, rating=2)
    reply = workflow.reply_submit(reply=workflow.reply_start(review=review, actor=alice, text=SAFE), actor=alice)
    assert reply.state == "awaiting_approval"
    client.force_login(bob)

    pages = {name: client.get(reverse(name, args=args)).content.decode()
             for name, args in [("inbox", ()), ("review_detail", (review.pk,)), ("approval_queue", ())]}

    for name, page in pages.items():
        assert "2 days ago" in page, name
        assert "1 day" not in page, name


@pytest.mark.django_db
def test_a_pasted_reviews_time_is_the_locations_wall_clock(client, alice, new_york):
    client.force_login(alice)
    client.post(reverse("review_new"), {"location": new_york.pk, "platform": "google", "author_name": "Kelsey P.",
                                        "rating": "2", "posted_at": "2026-01-05T09:00", "text": "The wait was long."})
    assert Review.objects.get(location=new_york).posted_at == utc(2026, 1, 5, 14)


@pytest.mark.django_db
def test_the_paste_forms_default_time_is_never_in_the_future_for_any_location(client, alice, practice, new_york):
    Location.objects.create(practice=practice, name="Venice Beach", time_zone="America/Los_Angeles")
    client.force_login(alice)

    form = client.get(reverse("review_new")).context["form"]
    shown = datetime.strptime(form.initial["posted_at"], "%Y-%m-%dT%H:%M")

    los_angeles_now = datetime.now(ZoneInfo("America/Los_Angeles")).replace(tzinfo=None)
    assert abs((los_angeles_now - shown).total_seconds()) < 120  # the clock furthest behind
    for where in practice.locations.all():
        response = client.post(reverse("review_new"), {
            "location": where.pk, "platform": "google", "author_name": "Kelsey P.", "rating": "2",
            "posted_at": form.initial["posted_at"], "text": f"The wait at {where.name} was long."})
        assert response.status_code == 302, where.name


@pytest.mark.django_db
def test_an_imported_time_without_an_offset_is_the_locations_wall_clock(new_york):
    data = ("external_id,author_name,rating,text,posted_at\n"
            "n-1,Kelsey P.,2,The wait was long.,2026-01-05T09:00:00\n"
            "n-2,Marco D.,2,The wait was long too.,2026-01-05T09:00:00Z\n")
    reviews_import(location=new_york, actor=None, filename="ny.csv", data=data.encode(), default_platform="google")
    assert Review.objects.get(external_id="n-1").posted_at == utc(2026, 1, 5, 14)
    assert Review.objects.get(external_id="n-2").posted_at == utc(2026, 1, 5, 9)


@pytest.mark.django_db
def test_marking_a_reply_posted_reads_the_locations_wall_clock(client, alice, bob, new_york, make_review):
    review = review_at(make_review, new_york, utc(2026, 1, 5, 15, 30))
    reply = workflow.reply_submit(reply=workflow.reply_start(review=review, actor=alice, text=SAFE), actor=alice)
    reply = workflow.reply_approve(reply=reply, actor=bob, expected_revision=reply.revision)
    reply = approved_back_then(reply, utc(2026, 1, 6, 13))
    client.force_login(bob)
    queue = client.get(reverse("approval_queue")).content.decode()

    client.post(reverse("reply_mark_posted", args=[review.pk]),
                {"posted_at": "2026-01-06T09:00", "expected_revision": reply.revision})

    assert "America/New_York time" in queue
    reply.refresh_from_db()
    assert reply.posted_at == utc(2026, 1, 6, 14)


@pytest.mark.django_db
def test_it_refuses_a_practice_time_zone_that_does_not_exist(client, bob, practice):
    client.force_login(bob)
    response = client.post(reverse("practice_settings_save"), {
        "response_target_days": "2", "draft_languages": ["en"], "default_language": "en", "time_zone": "Mars/Olympus"})
    assert response.status_code == 400
    assert services.practice_settings_get(practice=practice).time_zone == ""
