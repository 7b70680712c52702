"""Google Business Profile API (v4): list a location's reviews, and publish a reply.

- reviews: GET {GOOGLE_BUSINESS_API_URL}/accounts/A/locations/L/reviews?pageSize=50&pageToken=...
- reply:   PUT {GOOGLE_BUSINESS_API_URL}/accounts/A/locations/L/reviews/R/reply  {"comment": text}
  (accounts.locations.reviews.updateReply: creates or replaces the reply, so a retry is safe); Google answers
  with the ReviewReply, whose moderation state (reviewReplyState, policyViolation) is kept at once.
"""
from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator
from urllib.parse import quote, urlencode

from django.conf import settings

from responses.intake.files import google_reply_moderation
from responses.intake.rows import is_generated_external_id
from responses.models import PlatformConnection, Review
from responses.platforms.http import PlatformHTTPError, http_request, json_request
from responses.publishers import Publication, PublishError
from responses.sources.google_oauth import GoogleGrantError, google_access_token

logger = logging.getLogger(__name__)

SERVICE = "Google Business Profile"
PAGE_SIZE = 50  # the API's maximum
MAX_PAGES = 400  # 20,000 reviews: far beyond any one clinic; stops a runaway page loop
_RESOURCE = re.compile(r"^accounts/[^/\s?#]+/locations/[^/\s?#]+$")


def _location_url(connection: PlatformConnection) -> str:
    resource = connection.resource.strip().strip("/")
    if not _RESOURCE.match(resource):
        raise PlatformHTTPError(
            f"The {SERVICE} connection must name a location as accounts/ACCOUNT_ID/locations/LOCATION_ID."
        )
    return f"{settings.GOOGLE_BUSINESS_API_URL.rstrip('/')}/{resource}"


def _access_token(connection: PlatformConnection) -> str:
    try:
        return google_access_token(connection=connection)
    except GoogleGrantError as exc:
        raise PlatformHTTPError(str(exc), retryable=exc.retryable) from None


def _get_with_backoff(url: str, *, token: str) -> object:
    """GET a page; a 429 or 5xx (or a timeout) is asked again after 1, 2, 4... x PLATFORM_RETRY_SECONDS,
    at most PLATFORM_RETRY_ATTEMPTS times in all, then the last error is raised."""
    attempts = settings.PLATFORM_RETRY_ATTEMPTS
    for attempt in range(attempts):
        try:
            return json_request("GET", url, service=SERVICE, what="location", token=token)
        except PlatformHTTPError as exc:
            if not exc.retryable or attempt == attempts - 1:
                raise
            logger.info("Google answered HTTP %s; asking again (attempt %d)", exc.status, attempt + 2)
            time.sleep(settings.PLATFORM_RETRY_SECONDS * 2**attempt)
    raise AssertionError("unreachable")


def google_review_pages(*, connection: PlatformConnection) -> Iterator[tuple[list[dict], int | None]]:
    """The location's reviews a page at a time: (Google's Review objects, Google's count of all the location's
    reviews when it gives one), following nextPageToken; each page is asked again on 429/5xx with bounded
    backoff. Raises PlatformHTTPError (before the first page when the grant or the location is refused)."""
    url = f"{_location_url(connection)}/reviews"
    token = _access_token(connection)
    page_token = ""
    seen_tokens = set()
    for _ in range(MAX_PAGES):
        query = {"pageSize": PAGE_SIZE} | ({"pageToken": page_token} if page_token else {})
        page = _get_with_backoff(f"{url}?{urlencode(query)}", token=token)
        if not isinstance(page, dict) or not isinstance(page.get("reviews", []), list):
            raise PlatformHTTPError(f"{SERVICE} answered with an unexpected shape (no list of reviews).")
        total = page.get("totalReviewCount")
        yield page.get("reviews", []), total if isinstance(total, int) and not isinstance(total, bool) else None
        page_token = page.get("nextPageToken") or ""
        if not page_token:
            return
        if page_token in seen_tokens:
            raise PlatformHTTPError(f"{SERVICE} sent the same page twice; the import was stopped.")
        seen_tokens.add(page_token)
    logger.warning("connection %s: stopped after %d pages of Google reviews", connection.pk, MAX_PAGES)


def google_reviews_list(*, connection: PlatformConnection) -> list[dict]:
    """All reviews of the connection's location, as Google's Review objects, following nextPageToken."""
    return [review for reviews, _total in google_review_pages(connection=connection) for review in reviews]


class GoogleBusinessPublisher:
    """Posts an approved reply with accounts.locations.reviews.updateReply."""

    name = "google_business"

    def __init__(self, connection: PlatformConnection):
        self.connection = connection

    def publish(self, *, review: Review, text: str) -> Publication:
        """PUT the reply; return its resource name (Google gives replies no id of their own) and the moderation
        state Google's answer reports (pending, live, rejected with its policy word, or "" when it says none)."""
        if is_generated_external_id(review.external_id):
            raise PublishError(
                "This review was pasted, so its Google id is unknown; import it from Google, "
                "or post the reply by hand and mark it posted."
            )
        try:
            url = f"{_location_url(self.connection)}/reviews/{quote(review.external_id, safe='')}/reply"
            answer = http_request(
                "PUT", url, service=SERVICE, what="review", token=_access_token(self.connection),
                body={"comment": text},
            )
        except PlatformHTTPError as exc:
            logger.warning("review %s: publishing to Google failed (HTTP %s)", review.pk, exc.status)
            raise PublishError(str(exc)) from None
        status, reason = google_reply_moderation(_json_or_none(answer))
        logger.info("review %s: reply published to Google (state %s)", review.pk, status or "not reported")
        return Publication(
            external_id=f"{self.connection.resource.strip().strip('/')}/reviews/{review.external_id}/reply",
            platform_status=status, platform_reason=reason,
        )


def _json_or_none(payload: bytes):
    """Google's answer to a reply it took, or None: the reply is on Google whatever the body says, so an answer
    that is not JSON means only that the moderation state is not reported."""
    try:
        return json.loads(payload)
    except ValueError:
        return None


def google_reply_delete(*, connection: PlatformConnection, review: Review) -> None:
    """Delete the practice's reply to a review (accounts.locations.reviews.deleteReply); a reply already gone
    (HTTP 404) counts as deleted. Raises PlatformHTTPError on any other refusal."""
    if is_generated_external_id(review.external_id):
        raise PlatformHTTPError(f"This review was pasted, so its {SERVICE} id is unknown; remove the reply by hand.")
    url = f"{_location_url(connection)}/reviews/{quote(review.external_id, safe='')}/reply"
    try:
        json_request("DELETE", url, service=SERVICE, what="review reply", token=_access_token(connection))
    except PlatformHTTPError as exc:
        if exc.status != 404:
            logger.warning("review %s: deleting the Google reply failed (HTTP %s)", review.pk, exc.status)
            raise
    logger.info("review %s: reply deleted on Google", review.pk)
