"""Fetch a JSON feed's reviews as a file's worth of bytes for responses.intake (a Google source streams its pages
instead: responses.sources.services)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from responses.models import PlatformConnection
from responses.platforms.feed import feed_fetch
from responses.platforms.http import PlatformHTTPError


class ImportSourceError(Exception):
    """Reviews could not be fetched. The message is safe to show and store (no review text)."""


class ImportSourceUnavailable(ImportSourceError):
    """A failure that trying again later may fix: timeout, refused connection, HTTP 429 or 5xx."""


@dataclass(frozen=True)
class FetchedReviews:
    source_name: str  # becomes ImportRun.source_name; its extension picks the parser
    data: bytes


def reviews_fetch(*, connection: PlatformConnection) -> FetchedReviews:
    try:
        if connection.kind == PlatformConnection.Kind.JSON_FEED:
            name = PurePosixPath(urlsplit(connection.resource.strip()).path).name or "feed"
            return FetchedReviews(f"feed-{connection.pk}-{name}", feed_fetch(connection=connection))
    except PlatformHTTPError as exc:
        raise (ImportSourceUnavailable if exc.retryable else ImportSourceError)(str(exc)) from None
    raise ImportSourceError(f"ReviewDesk cannot import from a connection of kind {connection.kind!r}.")
