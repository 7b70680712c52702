"""A JSON feed: any URL that answers with the JSON or JSONL shapes the file import accepts."""
from __future__ import annotations

from responses.models import PlatformConnection
from responses.platforms.http import PlatformHTTPError, http_request
from responses.sources.tokens import TokenUndecryptable, token_decrypt

SERVICE = "The review feed"


def feed_fetch(*, connection: PlatformConnection) -> bytes:
    """The feed's body, as bytes (decoded and parsed by responses.intake like an uploaded file)."""
    try:
        token = token_decrypt(connection.secret_encrypted)
    except TokenUndecryptable as exc:
        raise PlatformHTTPError(str(exc)) from None
    return http_request("GET", connection.resource.strip(), service=SERVICE, what="feed", token=token)
