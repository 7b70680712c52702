"""Replies the platform already shows for imported reviews: the practice's own reply posted outside ReviewDesk
(stored as posted, guard-checked), and what the platform's moderation made of a posted reply (Google reviews
every owner reply before showing it, and may reject it: a rejected reply is not public).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from responses.models import Platform, Reply, Review
from responses.workflow import reply_platform_status_record, reply_record_external

if TYPE_CHECKING:
    from responses.intake.rows import OwnerReply


def platform_replies_record(*, replies: list[tuple[int, OwnerReply]]) -> None:
    """For each (review id, the reply the platform shows): a review without a reply in ReviewDesk gets it as
    posted outside ReviewDesk; a posted reply takes the platform's moderation status when it reports one.
    Called inside the import's batch transaction, before drafting, so an answered review gets no draft."""
    if not replies:
        return
    review_ids = {review_id for review_id, _shown in replies}
    existing = {reply.review_id: reply for reply in Reply.objects.filter(review_id__in=review_ids)}
    reviews = Review.objects.in_bulk(review_ids - existing.keys())
    for review_id, shown in replies:
        reply = existing.get(review_id)
        if reply is None and review_id in reviews:
            review = reviews[review_id]
            via = "google (outside ReviewDesk)" if review.platform == Platform.GOOGLE else "outside ReviewDesk"
            reply = reply_record_external(review=review, text=shown.text,
                                          posted_at=shown.posted_at or timezone.now(), posted_via=via)
            if reply is not None:
                existing[review_id] = reply
        if reply is not None and shown.status:
            reply_platform_status_record(reply=reply, status=shown.status, reason=shown.reason)
