"""Publishers post an approved reply to a review platform.

The manual publisher is the default (the manager copies the text and marks it
posted, see workflow.reply_mark_posted); a location's PlatformConnection with
publish_enabled selects an API publisher for reviews of that platform.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from responses.models import PlatformConnection, Review


class PublishError(Exception):
    """The platform refused or could not be reached. The message is safe to show (no reply text)."""


@dataclass(frozen=True)
class Publication:
    """What the platform answered when it took a reply: its id for the reply, and what its moderation made of
    it (a PlatformReplyStatus value and policy word; "" when the platform does not say)."""

    external_id: str = ""
    platform_status: str = ""
    platform_reason: str = ""


class Publisher(Protocol):
    name: str

    def publish(self, *, review: Review, text: str) -> Publication:
        """Post `text` as the reply to `review`."""


def publisher_for(review: Review) -> Publisher | None:
    connection = (
        PlatformConnection.objects.filter(location=review.location, platform=review.platform, publish_enabled=True)
        .order_by("pk")
        .first()
    )
    if connection is None:
        return None
    if connection.kind == PlatformConnection.Kind.GOOGLE_BUSINESS:
        from responses.platforms.google import GoogleBusinessPublisher

        return GoogleBusinessPublisher(connection)
    return None
