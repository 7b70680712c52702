"""Reviews in: the paste form and the row rules every input shares.

Bad input gets a clear reason and loses nothing; reasons never quote the review.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from responses.intake import MAX_TEXT_LENGTH, RowInvalid, review_paste
from responses.intake.rows import generated_external_id, is_generated_external_id, row_validate
from responses.models import AuditEvent, Review

pytestmark = pytest.mark.django_db

SECRET = "Fillerdissolve"  # a word that must never appear in a reason, a log line or an audit event


def paste(location, actor, **fields):
    values = {
        "platform": "google",
        "author_name": "Kelsey P.",
        "rating": 2,
        "posted_at": "2024-05-01T10:30:00Z",
        "text": "The wait was long and nobody told me why.",
    } | fields
    return review_paste(location=location, actor=actor, **values)


def row(**fields):
    values = {"platform": "google", "rating": 4, "text": "Nice place.", "posted_at": "2024-05-01T10:30:00Z"}
    return row_validate(values | fields)


def reason_of(**fields) -> dict:
    with pytest.raises(RowInvalid) as caught:
        row(**fields)
    return caught.value.message_dict


# --- the paste form -------------------------------------------------------------------------------


def test_it_stores_a_pasted_review_with_a_generated_id(location, alice):
    review = paste(location, alice)

    assert review.location == location
    assert (review.platform, review.author_name, review.rating) == ("google", "Kelsey P.", 2)
    assert review.posted_at == datetime(2024, 5, 1, 10, 30, tzinfo=ZoneInfo("UTC"))
    assert is_generated_external_id(review.external_id)
    event = AuditEvent.objects.get(action="review_pasted")
    assert (event.actor, event.review, event.practice) == (alice, review, location.practice)
    assert event.details == {"created": 1}


def test_pasting_the_same_review_twice_stores_it_once(location, alice, bob):
    first = paste(location, alice)
    again = paste(location, bob, platform="Google", author_name="  Kelsey   P. ", posted_at="2024-05-01T04:30:00-06:00")

    assert again.pk == first.pk
    assert Review.objects.count() == 1
    assert AuditEvent.objects.filter(action="review_pasted").values_list("details", flat=True)[0] == {"created": 0}


def test_a_different_text_by_the_same_author_is_another_review(location, alice):
    paste(location, alice)
    paste(location, alice, text="Actually, the second visit was fine.")

    assert Review.objects.count() == 2


def test_it_refuses_a_paste_into_another_practices_location(location, charlie):
    with pytest.raises(PermissionDenied):
        paste(location, charlie)
    assert not Review.objects.exists()


def test_it_refuses_a_paste_by_someone_without_a_role(location, django_user_model):
    mallory = django_user_model.objects.create_user(username="mallory", password="not-a-real-password-123")

    with pytest.raises(PermissionDenied):
        paste(location, mallory)


def test_a_bad_paste_reports_every_field_and_stores_nothing(location, alice):
    future = timezone.now() + timedelta(days=3)

    with pytest.raises(RowInvalid) as caught:
        paste(location, alice, rating=7, posted_at=future, platform="myspace", text=SECRET)

    problems = caught.value.message_dict
    assert problems["rating"] == ["rating must be 1-5, got 7"]
    assert problems["posted_at"][0].startswith("posted_at is in the future")
    assert problems["platform"] == ["platform must be one of google, yelp, facebook, realself, healthgrades, other"]
    assert SECRET not in caught.value.reason
    assert not Review.objects.exists()


def test_paste_accepts_a_datetime_from_a_form(location, alice):
    moment = timezone.now() - timedelta(hours=2)

    review = paste(location, alice, posted_at=moment)

    assert review.posted_at == moment


# --- the rules every input shares -----------------------------------------------------------------


def test_a_rating_without_text_is_a_review():
    assert row(text="", rating=5).text == ""
    assert row(text="   ", rating="FIVE").rating == 5


def test_no_rating_and_no_text_is_refused():
    assert reason_of(text="", rating="") == {"text": ["a review needs a rating or a text (both are empty)"]}


def test_text_of_exactly_the_limit_is_kept_whole():
    text = "a" * MAX_TEXT_LENGTH

    assert row(text=text).text == text


def test_longer_text_is_refused_not_truncated():
    assert reason_of(text="b" * (MAX_TEXT_LENGTH + 1)) == {"text": ["text is 20,001 characters; the limit is 20,000"]}


def test_html_and_script_tags_are_kept_as_plain_text():
    text = '<script>alert("x")</script><b>Rude</b> staff &amp; <img src=x onerror=alert(1)>'

    assert row(text=text).text == text


def test_emoji_are_kept():
    assert row(text="Loved it 😍👍🏽 ✨").text == "Loved it 😍👍🏽 ✨"


def test_characters_a_database_cannot_store_are_replaced_not_fatal():
    cleaned = row(text="nul\x00here and a lone \ud83d surrogate").text

    assert cleaned.startswith("nulhere and a lone ")
    assert "\x00" not in cleaned and "\ud83d" not in cleaned
    cleaned.encode("utf-8")  # storable


@pytest.mark.parametrize(
    "value, rating",
    [(5, 5), ("5", 5), (" 3 ", 3), ("4.0", 4), (1.0, 1), ("FIVE", 5), ("two", 2), ("STAR_RATING_FOUR", 4),
     ("", None), (None, None), ("STAR_RATING_UNSPECIFIED", None)],
)
def test_ratings_are_read_from_numbers_and_googles_words(value, rating):
    assert row(rating=value).rating == rating


@pytest.mark.parametrize(
    "value, reason",
    [
        (7, "rating must be 1-5, got 7"),
        ("0", "rating must be 1-5, got 0"),
        (-1, "rating must be 1-5, got -1"),
        ("4.5", "rating must be a whole number 1-5, got 4.5"),
        ("five stars!", "rating must be a whole number 1-5 or empty (got a non-numeric value)"),
        (True, "rating must be a whole number 1-5 or empty"),
    ],
)
def test_wrong_ratings_are_refused_with_a_reason(value, reason):
    assert reason_of(rating=value) == {"rating": [reason]}


def test_a_rating_cell_holding_review_text_is_not_quoted_back():
    assert SECRET not in str(reason_of(rating=f"{SECRET} was awful"))


def test_dates_in_the_future_are_refused_but_clock_skew_is_tolerated():
    soon = timezone.now() + timedelta(minutes=2)
    later = timezone.now() + timedelta(days=1)

    assert row(posted_at=soon.isoformat()).posted_at == soon
    assert reason_of(posted_at=later.isoformat())["posted_at"][0].startswith("posted_at is in the future (")


def test_a_naive_time_is_the_practices_time_zone(settings):
    settings.TIME_ZONE = "America/Denver"

    posted = row(posted_at="2024-01-15 09:00").posted_at

    assert posted == datetime(2024, 1, 15, 16, 0, tzinfo=ZoneInfo("UTC"))


@pytest.mark.parametrize("value", ["2024-05-01", "2024-05-01T10:30:00.123456789Z", "2024-05-01T10:30:00+02:00"])
def test_iso_8601_variants_are_accepted(value):
    assert row(posted_at=value).posted_at.year == 2024


@pytest.mark.parametrize("value", ["", "yesterday", "05/01/2024", SECRET])
def test_a_missing_or_unreadable_date_is_refused(value):
    problem = reason_of(posted_at=value)["posted_at"][0]

    assert problem in ("posted_at is missing", "posted_at must be an ISO-8601 date/time such as 2024-03-01T14:30:00Z")


@pytest.mark.parametrize("value", ["google", "Google", "GOOGLE", " yelp ", "RealSelf", "HEALTHGRADES"])
def test_platform_names_in_any_case_are_accepted(value):
    assert row(platform=value).platform == value.strip().lower()


def test_a_missing_platform_takes_the_default_or_is_refused():
    assert row_validate({"rating": 5, "posted_at": "2024-05-01"}, default_platform="yelp").platform == "yelp"
    assert reason_of(platform="") == {"platform": ["platform is missing"]}


def test_author_names_are_trimmed_and_limited():
    assert row(author_name="  Kelsey \n  P. ").author_name == "Kelsey P."
    assert len(row(author_name="x" * 500).author_name) == 200


def test_an_overlong_external_id_is_refused():
    assert reason_of(external_id="x" * 301) == {"external_id": ["external_id is longer than 300 characters"]}


def test_generated_ids_depend_on_the_review_not_on_how_its_time_was_written():
    denver = datetime(2024, 5, 1, 4, 30, tzinfo=ZoneInfo("America/Denver"))
    utc = denver.astimezone(ZoneInfo("UTC"))

    one = generated_external_id(platform="google", author_name="Kelsey P.", posted_at=denver, text="Hi")
    same = generated_external_id(platform="google", author_name="kelsey p.", posted_at=utc, text="Hi")
    other = generated_external_id(platform="yelp", author_name="Kelsey P.", posted_at=utc, text="Hi")

    assert one == same != other
    assert is_generated_external_id(one) and not is_generated_external_id("ChdDSUhNMG9nS0VJQ0FnSUNH")


# --- found in QA: absurd values must be refused with a reason, never crash the import ----------------

@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan"), "inf", "Infinity", "-inf", "nan", "1e999"])
def test_infinite_or_not_a_number_ratings_are_refused_with_a_reason(value):
    problem = reason_of(rating=value)["rating"][0]

    assert problem.startswith("rating must be")


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00", "1899-12-31T10:00:00Z"])
def test_dates_before_online_reviews_existed_are_refused_with_a_reason(value):
    problem = reason_of(posted_at=value)["posted_at"][0]

    assert problem.startswith("posted_at is before 2000")
