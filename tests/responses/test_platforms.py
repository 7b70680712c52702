"""Platform clients against a local HTTP server (never the internet): Google Business Profile and JSON feeds.
"""
from __future__ import annotations

import pytest

from responses.models import PlatformConnection
from responses.platforms.google import google_reviews_list
from responses.platforms.http import PlatformHTTPError
from responses.platforms.sources import ImportSourceError, ImportSourceUnavailable, reviews_fetch
from responses.sources.services import source_import
from responses.sources.tokens import token_encrypt
from tests.responses.conftest import TOKEN

pytestmark = pytest.mark.django_db

def google_review(review_id, *, stars="FIVE", comment="Lovely staff.", name="Kelsey P.", day=1, edited_day=None):
    """Google's Review object; `edited_day`: the reviewer edited it that day (its updateTime moves on)."""
    return {
        "name": f"accounts/111/locations/222/reviews/{review_id}",
        "reviewId": review_id,
        "reviewer": {"displayName": name},
        "starRating": stars,
        "comment": comment,
        "createTime": f"2024-05-{day:02d}T10:00:00.5Z",
        "updateTime": f"2024-05-{edited_day or day:02d}T10:00:00.5Z",
    }


# --- Google Business Profile: listing reviews ------------------------------------------------------


def test_it_lists_reviews_with_the_bearer_token(platform_api, google):
    platform_api.answer(200, {"reviews": [google_review("r1")], "averageRating": 5, "totalReviewCount": 1})

    reviews = google_reviews_list(connection=google)

    assert [r["reviewId"] for r in reviews] == ["r1"]
    (request,) = platform_api.received
    assert (request.method, request.path) == ("GET", "/v4/accounts/111/locations/222/reviews")
    assert request.query == {"pageSize": ["50"]}
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_it_follows_next_page_tokens(platform_api, google):
    platform_api.answer(200, {"reviews": [google_review("r1"), google_review("r2")], "nextPageToken": "p2"})
    platform_api.answer(200, {"reviews": [google_review("r3")], "nextPageToken": "p3"})
    platform_api.answer(200, {"reviews": [google_review("r4")]})

    reviews = google_reviews_list(connection=google)

    assert [r["reviewId"] for r in reviews] == ["r1", "r2", "r3", "r4"]
    assert [r.query.get("pageToken") for r in platform_api.received] == [None, ["p2"], ["p3"]]


def test_a_location_without_reviews_is_an_empty_list(platform_api, google):
    platform_api.answer(200, {})

    assert google_reviews_list(connection=google) == []


def test_a_page_token_that_repeats_stops_the_loop(platform_api, google):
    platform_api.answer(200, {"reviews": [], "nextPageToken": "same"})
    platform_api.answer(200, {"reviews": [], "nextPageToken": "same"})

    with pytest.raises(PlatformHTTPError, match="sent the same page twice"):
        google_reviews_list(connection=google)


def test_a_malformed_resource_is_refused_before_any_request(platform_api, google):
    google.resource = "locations/222"

    with pytest.raises(PlatformHTTPError, match="accounts/ACCOUNT_ID/locations/LOCATION_ID"):
        google_reviews_list(connection=google)
    assert platform_api.received == []


@pytest.mark.parametrize(
    "status, body, message, retryable",
    [
        (401, {"error": {"code": 401, "status": "UNAUTHENTICATED"}},
         "Google Business Profile refused the access token (HTTP 401 UNAUTHENTICATED); reconnect the account.",
         False),
        (403, {"error": {"code": 403, "status": "PERMISSION_DENIED", "message": "secret detail"}},
         "Google Business Profile denied access (HTTP 403 PERMISSION_DENIED); "
         "check the connected account's access to this location.", False),
        (404, b"not json at all",
         "Google Business Profile has no such location (HTTP 404); check the connection's settings.", False),
        (429, {}, "Google Business Profile is limiting requests (HTTP 429); ReviewDesk will try again later.", True),
        (503, {}, "Google Business Profile had a server error (HTTP 503); try again later.", True),
    ],
)
def test_http_errors_become_clear_messages(platform_api, google, status, body, message, retryable):
    platform_api.answer(status, body)

    with pytest.raises(PlatformHTTPError) as caught:
        google_reviews_list(connection=google)

    assert (str(caught.value), caught.value.retryable, caught.value.status) == (message, retryable, status)


def test_a_platform_that_does_not_answer_in_time_times_out(platform_api, google, settings):
    settings.PLATFORM_HTTP_TIMEOUT = 1
    platform_api.answer(200, {}, delay=1.6)

    with pytest.raises(PlatformHTTPError) as caught:
        google_reviews_list(connection=google)

    assert str(caught.value) == "Google Business Profile did not answer within 1 seconds."
    assert caught.value.retryable


def test_a_platform_that_is_down_is_retryable(google, settings):
    settings.GOOGLE_BUSINESS_API_URL = "http://127.0.0.1:9/v4"  # the discard port: nothing listens

    with pytest.raises(PlatformHTTPError) as caught:
        google_reviews_list(connection=google)

    assert str(caught.value).startswith("Could not reach Google Business Profile (")
    assert caught.value.retryable


def test_an_answer_that_is_not_json_is_reported(platform_api, google):
    platform_api.answer(200, b"<html>captive portal</html>")

    with pytest.raises(PlatformHTTPError, match="answered with something that is not JSON"):
        google_reviews_list(connection=google)


# --- fetching for the import (a Google source streams its pages: responses.sources) ---------------------------------------------------------------------


def test_fetch_errors_say_whether_to_try_again(platform_api, google):
    platform_api.answer(503, {})
    with pytest.raises(ImportSourceUnavailable):
        source_import(source=google)

    platform_api.answer(401, {})
    with pytest.raises(ImportSourceError) as caught:
        source_import(source=google)
    assert not isinstance(caught.value, ImportSourceUnavailable)


def test_a_json_feed_is_fetched_with_its_token(platform_api, location):
    feed = PlatformConnection.objects.create(
        location=location, platform="yelp", kind=PlatformConnection.Kind.JSON_FEED,
        resource=f"{platform_api.url}/exports/reviews.jsonl?since=2024", secret_encrypted=token_encrypt("feed-token"),
    )
    platform_api.answer(200, b'{"rating": 5, "posted_at": "2024-05-01"}\n')

    fetched = reviews_fetch(connection=feed)

    assert fetched.source_name == f"feed-{feed.pk}-reviews.jsonl"
    assert fetched.data == b'{"rating": 5, "posted_at": "2024-05-01"}\n'
    (request,) = platform_api.received
    assert (request.path, request.query, request.headers["Authorization"]) == (
        "/exports/reviews.jsonl", {"since": ["2024"]}, "Bearer feed-token"
    )


def test_a_feed_may_not_point_at_a_local_file(location):
    feed = PlatformConnection.objects.create(
        location=location, platform="yelp", kind=PlatformConnection.Kind.JSON_FEED, resource="file:///etc/passwd",
    )

    with pytest.raises(ImportSourceError, match="must start with https://"):
        reviews_fetch(connection=feed)
