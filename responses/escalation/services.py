"""Escalate reviews as they arrive; a manager de-escalates with a reason (audited, the reason's code only)."""
from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from responses.audit import audit_record
from responses.escalation.models import Escalation
from responses.escalation.rules import escalation_reason_for
from responses.models import Practice, ReplyState, Review
from responses.practice.selectors import practice_settings_for
from responses.roles import practice_for, require_permission

logger = logging.getLogger(__name__)

ADVICE = (
    "This review mentions legal or regulatory action, self-harm, a safety emergency, a complication with a "
    "low rating, or one of the practice's escalation keywords. Do not reply publicly before speaking to counsel "
    "(and, for a safety concern, before reaching the reviewer privately)."
)


def practice_escalation_keywords(practice: Practice | int) -> list[str]:
    """The practice's own escalation keywords (the built-in list applies to every practice)."""
    if isinstance(practice, int):
        practice = Practice(pk=practice)
    return practice_settings_for(practice).keyword_list


def review_escalate_if_needed(*, review: Review, keywords: list[str] | None = None,
                              new: bool = False) -> tuple[Escalation | None, bool]:
    """Escalate `review` when the built-in list or the practice's `keywords` (read when not given) call for it;
    once: a de-escalated review stays de-escalated. `new`: the review was created just now (nothing to look up).
    Every way a review enters the desk (paste, file import, review sources) calls this as it stores the review.
    Returns the active escalation (or None) and whether it was made just now."""
    if not new:
        existing = Escalation.objects.filter(review=review).first()
        if existing is not None:
            return (existing if existing.is_active else None), False
    if keywords is None:
        keywords = practice_escalation_keywords(review.location.practice_id)
    reason = escalation_reason_for(text=review.text, rating=review.rating, topics=review.topics, keywords=keywords)
    if reason is None:
        return None, False
    escalation, created = Escalation.objects.get_or_create(review=review, defaults={"reason": reason})
    if created:
        audit_record(action="review_escalated", review=review, escalation_reason=str(reason))
        logger.info("review %s escalated (%s)", review.pk, reason)
    return escalation, created


def review_is_escalated(review: Review) -> bool:
    return Escalation.objects.filter(review=review, cleared_at__isnull=True).exists()


def reviews_escalate_open(*, practice: Practice) -> int:
    """Escalate the practice's open, unanswered reviews that its keywords (or the built-in list) now call for:
    after the manager adds a keyword, the reviews already waiting are treated like the ones still to come.
    A review once de-escalated is left alone. Returns how many were escalated."""
    keywords = practice_escalation_keywords(practice)
    open_reviews = (
        Review.objects.filter(location__practice=practice, closed_at__isnull=True, escalation__isnull=True)
        .exclude(reply__state=ReplyState.POSTED)
        .select_related("location")
    )
    escalated = 0
    for review in open_reviews.iterator(chunk_size=500):
        escalated += int(review_escalate_if_needed(review=review, keywords=keywords, new=True)[1])
    return escalated


@transaction.atomic
def review_deescalate(*, review: Review, actor, reason: str) -> Escalation:
    """Clear the review's escalation; `reason` is one of Escalation.ClearReason. Managers only."""
    require_permission(actor, "approve_reply")
    if practice_for(actor).pk != review.location.practice_id:
        raise PermissionDenied("This review belongs to another practice.")
    if reason not in Escalation.ClearReason.values:
        raise ValueError("Choose why the review no longer needs escalation.")
    escalation = Escalation.objects.select_for_update().filter(review=review, cleared_at__isnull=True).first()
    if escalation is None:
        raise ValueError("This review is not escalated.")
    escalation.cleared_at = timezone.now()
    escalation.cleared_by = actor
    escalation.cleared_reason = reason
    escalation.save(update_fields=["cleared_at", "cleared_by", "cleared_reason"])
    audit_record(action="review_deescalated", actor=actor, review=review, deescalation_reason=reason)
    return escalation
