"""The manager adds, pauses and runs sources; front desk and other practices cannot."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from responses.models import AuditEvent, PlatformConnection
from responses.sources.services import source_create, source_pause, source_run_now, source_token_set
from responses.sources.tokens import token_decrypt

pytestmark = pytest.mark.django_db


def test_a_manager_adds_a_feed_whose_token_is_stored_encrypted(location, bob):
    source = source_create(actor=bob, location=location, kind="json_feed", platform="yelp",
                           resource="https://feeds.example/r.json", token="s3cret-feed-token")

    assert "s3cret" not in source.secret_encrypted
    assert token_decrypt(source.secret_encrypted) == "s3cret-feed-token"
    event = AuditEvent.objects.get(action="source_added")
    assert event.details == {"connection": source.pk, "kind": "json_feed"}


def test_it_refuses_front_desk_and_other_practices(location, alice, charlie):
    for actor in (alice, charlie):
        with pytest.raises(PermissionDenied):
            source_create(actor=actor, location=location, kind="json_feed", platform="yelp",
                          resource="https://feeds.example/r.json")
    assert not PlatformConnection.objects.exists()


@pytest.mark.parametrize("kind, resource", [
    ("google_business", "locations/222"),
    ("json_feed", "file:///etc/passwd"),
    ("json_feed", "ftp://feeds.example/x"),
    ("carrier_pigeon", "x"),
])
def test_it_refuses_a_malformed_source(location, bob, kind, resource):
    with pytest.raises(ValidationError):
        source_create(actor=bob, location=location, kind=kind, platform="google", resource=resource)


def test_it_refuses_a_second_source_of_the_same_kind(location, bob):
    source_create(actor=bob, location=location, kind="google_business", platform="google",
                  resource="accounts/1/locations/2")
    with pytest.raises(ValidationError, match="already has"):
        source_create(actor=bob, location=location, kind="google_business", platform="google",
                      resource="accounts/1/locations/3")


def test_a_paused_source_cannot_be_run_now(location, bob, celery_eager):
    source = source_create(actor=bob, location=location, kind="json_feed", platform="yelp",
                           resource="https://feeds.example/r.json")
    source_pause(actor=bob, source=source, paused=True)

    with pytest.raises(ValidationError, match="paused"):
        source_run_now(actor=bob, source=source)
    assert PlatformConnection.objects.get().import_enabled is False


def test_replacing_a_token_is_audited_without_the_token(location, bob):
    source = source_create(actor=bob, location=location, kind="json_feed", platform="yelp",
                           resource="https://feeds.example/r.json")

    source_token_set(actor=bob, source=source, token="new-token-value")

    event = AuditEvent.objects.get(action="source_token_set")
    assert "new-token-value" not in str(event.details)
    assert token_decrypt(PlatformConnection.objects.get().secret_encrypted) == "new-token-value"
