"""A JSON feed: any URL that answers with the JSON or JSONL shapes the file import accepts."""
from __future__ import annotations

from responses.models import PlatformConnection
from responses.platforms.http import http_request

SERVICE = "The review feed"


def feed_fetch(*, connection: PlatformConnection) -> bytes:
    """The feed's body, as bytes (decoded and parsed by responses.intake like an uploaded file)."""
    return http_request(
        "GET", connection.resource.strip(), service=SERVICE, what="feed", token=connection.access_token
    )
