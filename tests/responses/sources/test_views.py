"""The Imports page, source actions, Google sign-in, and the escalation badge, filter, advice and de-escalation."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from responses.escalation.models import Escalation
from responses.intake import reviews_import
from responses.models import AuditEvent, PlatformConnection, Review
from responses.sources.tokens import token_decrypt

pytestmark = pytest.mark.django_db

CSV = (
    "external_id,author_name,rating,text,posted_at\n"
    "g-1,Kelsey P.,5,Friendly team and easy booking.,2024-05-01\n"
    "g-2,Ana R.,1,My attorney will hear about this.,2024-05-03\n"
)


@pytest.fixture
def imported(location):
    return reviews_import(location=location, actor=None, filename="r.csv", data=CSV.encode(),
                          default_platform="google")


@pytest.fixture
def feed(location):
    return PlatformConnection.objects.create(
        location=location, platform="yelp", kind=PlatformConnection.Kind.JSON_FEED,
        resource="https://feeds.example/reviews.json", last_error="The review feed answered HTTP 500.",
    )


def test_the_imports_page_shows_sources_and_runs_with_counts(client, bob, feed, imported):
    client.force_login(bob)

    page = client.get("/imports")

    assert page.status_code == 200
    body = page.content.decode()
    assert "The review feed answered HTTP 500." in body
    assert "Run now" in body and "Pause" in body
    assert "r.csv" in body


def test_the_imports_page_lets_its_connect_google_form_redirect_to_google_and_nowhere_else(client, bob, settings):
    # The Content-Security-Policy's form-action would otherwise block the POST's redirect to the consent page.
    settings.GOOGLE_OAUTH_AUTHORIZE_URL = "https://accounts.google.com/o/oauth2/v2/auth"
    client.force_login(bob)

    header = client.get("/imports").headers["Content-Security-Policy"]
    policy = dict(part.strip().split(" ", 1) for part in header.split(";"))

    assert policy["form-action"].split() == ["'self'", "https://accounts.google.com"]
    other = client.get("/").headers["Content-Security-Policy"]
    assert "accounts.google.com" not in other


def test_front_desk_sees_the_page_but_not_the_source_actions(client, alice, feed):
    client.force_login(alice)

    page = client.get("/imports")

    assert page.status_code == 200
    assert b"Run now" not in page.content and b"Add a source" not in page.content
    assert client.post(f"/sources/{feed.pk}/pause", {"paused": "1"}).status_code == 403
    assert PlatformConnection.objects.get().import_enabled


def test_another_practice_cannot_touch_a_source(client, charlie, feed):
    client.force_login(charlie)

    assert client.post(f"/sources/{feed.pk}/run").status_code == 403
    assert client.post(f"/sources/{feed.pk}/token", {"token": "x"}).status_code == 403


def test_a_manager_adds_a_feed_and_its_token_is_never_shown_back(client, bob, location):
    client.force_login(bob)

    response = client.post("/sources/add", {
        "location": location.pk, "kind": "json_feed", "platform": "yelp",
        "resource": "https://feeds.example/r.json", "token": "super-secret-token",
    })

    assert response.status_code == 302
    source = PlatformConnection.objects.get()
    assert token_decrypt(source.secret_encrypted) == "super-secret-token"
    page = client.get("/imports").content.decode()
    assert "super-secret-token" not in page and source.secret_encrypted not in page
    assert "Token stored (encrypted)" in page


def test_a_refused_source_is_shown_with_the_reason(client, bob, location):
    client.force_login(bob)

    response = client.post("/sources/add", {
        "location": location.pk, "kind": "json_feed", "platform": "yelp", "resource": "file:///etc/passwd",
    })

    assert response.status_code == 400
    assert b"A feed is an https:// address." in response.content
    assert not PlatformConnection.objects.exists()


def test_pause_and_run_now(client, bob, feed, celery_eager, monkeypatch, django_capture_on_commit_callbacks):
    ran = []
    monkeypatch.setattr("responses.tasks.source_import", lambda source, **_options: ran.append(source.pk) or [])
    client.force_login(bob)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/sources/{feed.pk}/run")
    client.post(f"/sources/{feed.pk}/pause", {"paused": "1"})
    with django_capture_on_commit_callbacks(execute=True) as queued:
        client.post(f"/sources/{feed.pk}/run")

    assert ran == [feed.pk] and queued == []  # the second run was refused: paused
    assert PlatformConnection.objects.get().import_enabled is False


def test_google_sign_in_stores_the_refresh_token_encrypted(client, bob, google, token_endpoint):
    google.secret_encrypted = ""
    google.save()
    token_endpoint.codes["the-code"] = "1//fresh-refresh"
    client.force_login(bob)

    to_google = client.post(f"/sources/{google.pk}/google/connect")
    query = parse_qs(urlsplit(to_google["Location"]).query)
    assert query["access_type"] == ["offline"] and query["client_id"] == ["reviewdesk-test.apps.example"]
    assert query["code_challenge_method"] == ["S256"]
    back = client.get("/sources/google/callback", {"state": query["state"][0], "code": "the-code"})

    assert back.status_code == 302
    (form, _headers), = token_endpoint.requests
    assert len(form["code_verifier"]) >= 43  # PKCE: the code is useless without the session's verifier
    google.refresh_from_db()
    assert token_decrypt(google.secret_encrypted) == "1//fresh-refresh"


def test_a_google_callback_with_a_forged_state_is_refused(client, bob, google, token_endpoint):
    token_endpoint.codes["the-code"] = "1//attacker"
    client.force_login(bob)
    client.post(f"/sources/{google.pk}/google/connect")

    client.get("/sources/google/callback", {"state": "forged", "code": "the-code"})

    google.refresh_from_db()
    assert token_decrypt(google.secret_encrypted) != "1//attacker"
    assert token_endpoint.requests == []


def test_escalated_reviews_have_a_badge_a_filter_and_advice(client, alice, imported):
    client.force_login(alice)
    escalated = Review.objects.get(external_id="g-2")

    listing = client.get("/", {"status": "escalated"}).content.decode()
    page = client.get(f"/reviews/{escalated.pk}").content.decode()

    assert "Escalated" in listing and f"/reviews/{escalated.pk}" in listing
    assert f"/reviews/{Review.objects.get(external_id='g-1').pk}\"" not in listing
    assert "Do not reply publicly before speaking to counsel" in page
    assert "De-escalate</button>" not in page  # front desk cannot


def test_a_manager_de_escalates_with_an_audited_reason(client, bob, alice, imported):
    escalated = Review.objects.get(external_id="g-2")
    client.force_login(alice)
    assert client.post(f"/reviews/{escalated.pk}/deescalate", {"reason": "not_a_threat"}).status_code == 403

    client.force_login(bob)
    client.post(f"/reviews/{escalated.pk}/deescalate", {"reason": "not_a_threat"})

    escalation = Escalation.objects.get(review=escalated)
    assert (escalation.is_active, escalation.cleared_by, escalation.cleared_reason) == (False, bob, "not_a_threat")
    event = AuditEvent.objects.get(action="review_deescalated")
    assert (event.actor, event.details) == (bob, {"deescalation_reason": "not_a_threat"})


def test_the_runs_region_follows_a_queued_run_until_it_finishes(client, bob, feed, monkeypatch):
    monkeypatch.setattr("responses.tasks.import_reviews_from_connection.delay", lambda pk: None)  # no worker yet
    client.force_login(bob)
    assert b'hx-trigger="every 2s"' not in client.get("/imports").content

    client.post(f"/sources/{feed.pk}/run")

    assert b'hx-trigger="every 2s"' in client.get("/imports").content
    region = client.get("/imports", headers={"HX-Request": "true"})
    assert region.content.strip().startswith(b'<section id="import-runs"')


def test_escalated_reviews_come_first_in_the_inbox(client, alice, imported, make_review):
    older_negative = make_review("The wait was long.", rating=1, posted_days_ago=2000)  # first, but for escalation
    client.force_login(alice)

    listing = client.get("/").content.decode()

    first = Review.objects.get(external_id="g-2").pk
    other = older_negative.pk
    assert listing.index(f"/reviews/{first}") < listing.index(f"/reviews/{other}")
