"""Escalate reviews as they arrive; a manager de-escalates with a reason (audited, the reason's code only)."""
from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from responses.audit import audit_record
from responses.escalation.models import Escalation
from responses.escalation.rules import escalation_reason_for
from responses.models import Review
from responses.roles import practice_for, require_permission

logger = logging.getLogger(__name__)

ADVICE = (
    "This review mentions legal or regulatory action, self-harm, a safety emergency, or a complication with a "
    "low rating. Do not reply publicly before speaking to counsel (and, for a safety concern, before reaching "
    "the reviewer privately)."
)


def review_escalate_if_needed(*, review: Review) -> tuple[Escalation | None, bool]:
    """Escalate `review` when its words call for it (once: a de-escalated review stays de-escalated).
    Returns the active escalation (or None) and whether it was made just now."""
    existing = Escalation.objects.filter(review=review).first()
    if existing is not None:
        return (existing if existing.is_active else None), False
    reason = escalation_reason_for(text=review.text, rating=review.rating, topics=review.topics)
    if reason is None:
        return None, False
    escalation, created = Escalation.objects.get_or_create(review=review, defaults={"reason": reason})
    if created:
        audit_record(action="review_escalated", review=review, escalation_reason=str(reason))
        logger.info("review %s escalated (%s)", review.pk, reason)
    return escalation, created


def review_is_escalated(review: Review) -> bool:
    return Escalation.objects.filter(review=review, cleared_at__isnull=True).exists()


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
