"""Platform tokens are encrypted at rest with keys from the environment, and can be rotated."""
from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from responses.models import PlatformConnection
from responses.sources.tokens import TokenUndecryptable, token_decrypt, token_encrypt

pytestmark = pytest.mark.django_db

OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def _feed(location, token):
    return PlatformConnection.objects.create(
        location=location, platform="yelp", kind=PlatformConnection.Kind.JSON_FEED,
        resource="https://feeds.example/reviews.json", secret_encrypted=token_encrypt(token),
    )


def test_a_token_is_never_stored_in_clear_text(location):
    source = _feed(location, "feed-token-123")

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_encrypted FROM responses_platformconnection WHERE id = %s", [source.pk])
        (stored,) = cursor.fetchone()
    assert "feed-token-123" not in stored
    assert token_decrypt(stored) == "feed-token-123"


def test_a_token_encrypted_with_an_old_key_still_reads_after_a_new_key_is_put_first(settings):
    settings.TOKEN_ENCRYPTION_KEYS = [OLD_KEY]
    stored = token_encrypt("refresh-me")

    settings.TOKEN_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]

    assert token_decrypt(stored) == "refresh-me"


def test_rotation_re_encrypts_every_token_so_the_old_key_can_go(location, settings):
    settings.TOKEN_ENCRYPTION_KEYS = [OLD_KEY]
    source = _feed(location, "feed-token-123")
    settings.TOKEN_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]

    call_command("source_tokens_rotate")

    settings.TOKEN_ENCRYPTION_KEYS = [NEW_KEY]
    source.refresh_from_db()
    assert token_decrypt(source.secret_encrypted) == "feed-token-123"


def test_it_refuses_to_read_a_token_without_its_key(settings):
    settings.TOKEN_ENCRYPTION_KEYS = [OLD_KEY]
    stored = token_encrypt("refresh-me")
    settings.TOKEN_ENCRYPTION_KEYS = [NEW_KEY]

    with pytest.raises(TokenUndecryptable) as caught:
        token_decrypt(stored)
    assert "refresh-me" not in str(caught.value)


def test_the_admin_never_shows_a_token(location, admin_client):
    source = _feed(location, "feed-token-123")

    page = admin_client.get(f"/admin/responses/platformconnection/{source.pk}/change/")

    assert page.status_code == 200
    assert b"feed-token-123" not in page.content
    assert source.secret_encrypted.encode() not in page.content
