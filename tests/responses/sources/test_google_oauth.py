"""Google over OAuth 2.0 against a local fake token endpoint and a fake Business Profile API."""
from __future__ import annotations

import pytest

from responses.models import AuditEvent, Reply, ReplyState, Review
from responses.platforms.sources import ImportSourceError
from responses.sources.google_oauth import GrantRevoked, google_access_token, google_grant_complete
from responses.sources.services import source_import
from responses.sources.tokens import token_decrypt
from tests.responses.conftest import REFRESH_TOKEN, TOKEN
from tests.responses.test_platforms import google_review

pytestmark = pytest.mark.django_db


def test_it_trades_the_stored_refresh_token_for_an_access_token(google, token_endpoint):
    assert google_access_token(connection=google) == TOKEN

    (form, headers) = token_endpoint.requests[0]
    assert (form["grant_type"], form["refresh_token"]) == ("refresh_token", REFRESH_TOKEN)


def test_consent_stores_the_refresh_token_encrypted(google, token_endpoint):
    google.secret_encrypted = ""
    token_endpoint.codes["code-from-google"] = "1//new-refresh"

    google_grant_complete(connection=google, code="code-from-google", redirect_uri="http://testserver/cb",
                          code_verifier="v" * 64)

    google.refresh_from_db()
    assert "1//new-refresh" not in google.secret_encrypted
    assert token_decrypt(google.secret_encrypted) == "1//new-refresh"


def test_a_revoked_grant_is_reported_on_the_source_and_not_retried(google, token_endpoint, platform_api):
    token_endpoint.refresh_tokens.clear()  # the account removed ReviewDesk's access

    with pytest.raises(ImportSourceError) as caught:
        source_import(source=google)

    assert "revoked or expired" in str(caught.value)
    google.refresh_from_db()
    assert google.last_error == "Google no longer accepts this source's sign-in (revoked or expired); reconnect it."
    assert platform_api.received == []


def test_a_source_never_connected_says_so(google):
    google.secret_encrypted = ""

    with pytest.raises(GrantRevoked, match="not connected yet"):
        google_access_token(connection=google)


def test_new_reviews_from_all_pages_arrive_drafted(google, platform_api):
    platform_api.answer(200, {"reviews": [google_review("r1", comment="Lovely staff, easy parking.")],
                              "nextPageToken": "p2"})
    platform_api.answer(200, {"reviews": [google_review("r2", comment="Quick and friendly booking.", day=2)]})

    (run,) = source_import(source=google)

    assert (run.created_count, run.drafted_count) == (2, 2)
    assert [r.headers["Authorization"] for r in platform_api.received] == [f"Bearer {TOKEN}"] * 2
    google.refresh_from_db()
    assert google.last_success_at is not None and google.last_error == ""


def test_a_page_answered_with_5xx_is_asked_again_with_bounded_backoff(google, platform_api, settings):
    settings.PLATFORM_RETRY_ATTEMPTS = 3
    platform_api.answer(503, {})
    platform_api.answer(429, {})
    platform_api.answer(200, {"reviews": [google_review("r1")]})

    (run,) = source_import(source=google)

    assert run.created_count == 1
    assert len(platform_api.received) == 3


def test_a_source_failing_with_5xx_gives_up_after_the_bound_and_says_why(google, platform_api, settings):
    settings.PLATFORM_RETRY_ATTEMPTS = 3
    for _ in range(5):
        platform_api.answer(500, {})

    with pytest.raises(ImportSourceError):
        source_import(source=google)

    assert len(platform_api.received) == 3
    google.refresh_from_db()
    assert google.last_error == "Google Business Profile had a server error (HTTP 500); try again later."


def test_an_existing_owner_reply_is_imported_as_posted_and_guard_checked(google, platform_api):
    answered = google_review("r1", comment="Great facial, thank you!")
    answered["reviewReply"] = {"comment": "Thank you for the kind words!", "updateTime": "2024-05-02T10:00:00Z"}
    platform_api.answer(200, {"reviews": [answered]})

    (run,) = source_import(source=google)

    reply = Reply.objects.select_related("current_version").get(review__external_id="r1")
    assert reply.state == ReplyState.POSTED
    assert reply.posted_via == "google (outside ReviewDesk)"
    assert reply.current_version.verdict_matches_text and not reply.current_version.blocked
    assert run.drafted_count == 0
    assert AuditEvent.objects.filter(action="external_reply_imported", reply=reply).exists()


def test_an_existing_owner_reply_the_guard_blocks_is_flagged_for_the_manager(google, platform_api):
    answered = google_review("r1", comment="Botox was fine.")
    answered["reviewReply"] = {"comment": "Glad your Botox in the forehead went well, Kelsey, see you at your "
                                          "next appointment!"}
    platform_api.answer(200, {"reviews": [answered]})

    source_import(source=google)

    reply = Reply.objects.select_related("current_version").get(review__external_id="r1")
    assert reply.current_version.blocked
    assert AuditEvent.objects.filter(action="external_reply_blocked", reply=reply, verdict_blocked=True).exists()


def test_a_review_google_no_longer_lists_is_closed_as_deleted(google, platform_api):
    platform_api.answer(200, {"reviews": [google_review("r1"), google_review("r2", day=2)]})
    source_import(source=google)
    platform_api.answer(200, {"reviews": [google_review("r1")]})

    source_import(source=google)

    gone = Review.objects.get(external_id="r2")
    assert gone.is_closed and gone.closed_reason == "Deleted on the platform"
    assert not Review.objects.get(external_id="r1").is_closed


def test_a_token_endpoint_outage_is_retryable(google, token_endpoint, platform_api):
    from responses.platforms.sources import ImportSourceUnavailable

    token_endpoint.failures.append(503)

    with pytest.raises(ImportSourceUnavailable):
        source_import(source=google)
    assert platform_api.received == []
