"""Replies the platform already shows for imported reviews: the practice's own reply posted outside ReviewDesk
(stored as posted, guard-checked), a reply written on the platform while ReviewDesk still held an unposted draft
(the draft is superseded), a posted reply whose text the platform now shows differently, and what the platform's
moderation made of a posted reply (Google reviews every owner reply before showing it, and may reject it: a
rejected reply is not public).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from responses.models import Platform, PlatformReplyStatus, Reply, ReplyState, Review
from responses.workflow import (
    reply_external_text,
    reply_platform_status_record,
    reply_record_external,
    reply_record_platform_change,
    reply_supersede_by_platform,
)

if TYPE_CHECKING:
    from responses.intake.rows import OwnerReply


def _posted_via(review: Review) -> str:
    return "google (outside ReviewDesk)" if review.platform == Platform.GOOGLE else "outside ReviewDesk"


def _reply_reconcile(*, reply: Reply, shown: OwnerReply) -> Reply:
    """Make the review's reply in ReviewDesk agree with the one the platform shows (see the module's docstring)."""
    via = _posted_via(reply.review)
    if reply.state != ReplyState.POSTED:
        if shown.status == PlatformReplyStatus.REJECTED:
            return reply  # a rejected reply answers nobody in public: the draft here is still wanted
        return reply_supersede_by_platform(reply=reply, text=shown.text, posted_via=via,
                                           posted_at=shown.posted_at or timezone.now()) or reply
    if reply.text != reply_external_text(shown.text):
        return reply_record_platform_change(reply=reply, text=shown.text, posted_via=via) or reply
    return reply


def platform_replies_record(*, replies: list[tuple[int, OwnerReply]]) -> None:
    """For each (review id, the reply the platform shows): a review without a reply in ReviewDesk gets it as
    posted outside ReviewDesk; an unposted reply here is superseded by it; a posted reply takes its text when
    the platform shows another, and the platform's moderation status when it reports one. Called inside the
    import's batch transaction, before drafting, so an answered review gets no draft."""
    if not replies:
        return
    review_ids = {review_id for review_id, _shown in replies}
    existing = {
        reply.review_id: reply
        for reply in Reply.objects.filter(review_id__in=review_ids).select_related("current_version", "review")
    }
    reviews = Review.objects.in_bulk(review_ids - existing.keys())
    for review_id, shown in replies:
        reply = existing.get(review_id)
        if reply is not None:
            reply = existing[review_id] = _reply_reconcile(reply=reply, shown=shown)
        elif review_id in reviews:
            review = reviews[review_id]
            reply = reply_record_external(review=review, text=shown.text, posted_via=_posted_via(review),
                                          posted_at=shown.posted_at or timezone.now())
            if reply is not None:
                existing[review_id] = reply
        if reply is not None and shown.status:
            reply_platform_status_record(reply=reply, status=shown.status, reason=shown.reason)
