"""Audit events: who did what, when, with what verdict. Never any patient text."""
from __future__ import annotations

from collections import Counter

from responses.models import AuditEvent, Reply, Review

# Only these keys may travel in an event's details: ids, hashes, counts, categories, reasons chosen from a list.
_ALLOWED_DETAIL_KEYS = frozenset(
    {
        "version",
        "text_sha256",
        "finding_count",
        "categories",
        "guard_error",
        "posted_via",
        "close_reason",
        "strict",
        "import_run",
        "created",
        "updated",
        "unchanged",
        "failed",
        "template_block",
        "guard_term",
        "source",
        "external_reply_id",
        "login_user",
        "cleared",
        "via",
        # compliance (responses/compliance): ids, counts, states and choices only
        "row_count",
        "include_patient_text",
        "export_format",
        "period",
        "incident",
        "posting",
        "scan",
        "trigger",
        "processed",
        "blocked",
        "unchecked",
        "takedown",
        "decision",
        "follow_up",
        "channel",
        "outcome",
        "status",
        "pending_publish",
        "delay_seconds",
        # practice administration, topics (issue 11)
        "fields",
        "location",
        "staff_member",
        "public_contact",
        "invitation",
        "member",
        "role",
        "topic",
        "confirmed_by",
        # review sources, escalation and the digest (responses/sources, responses/escalation)
        "escalation_reason",
        "deescalation_reason",
        "drafted",
        "escalated",
        "connection",
        "kind",
        "paused",
        "recipients",
        "files",
        # a posted reply's moderation on the platform: PlatformReplyStatus values and the platform's policy word
        "platform_status",
        "previous_status",
        "platform_reason",
        "rejected_on_platform",
        "superseded_version",  # the number of a draft the platform's own reply superseded
    }
)


def verdict_summary(verdict) -> dict:
    """The parts of a verdict that may be audited: counts per category, never the findings' text."""
    return {
        "finding_count": len(verdict.findings),
        "categories": dict(Counter(f.category for f in verdict.findings)),
        "guard_error": bool(verdict.error),
    }


def audit_event(
    *,
    action: str,
    actor=None,
    review: Review | None = None,
    reply: Reply | None = None,
    from_state: str = "",
    to_state: str = "",
    verdict=None,
    practice=None,
    **details,
) -> AuditEvent:
    """An audit event, not saved yet (audit_record saves one; a batch writer saves many with bulk_create)."""
    unknown = set(details) - _ALLOWED_DETAIL_KEYS
    if unknown:
        # A programming error, not user input: refuse rather than risk storing patient text.
        raise ValueError(f"audit details may not carry {sorted(unknown)}")
    if verdict is not None:
        details.update(verdict_summary(verdict))
    if review is None and reply is not None:
        review = reply.review
    practice_id = review.location.practice_id if review is not None else getattr(practice, "pk", None)
    return AuditEvent(
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        practice_id=practice_id,
        review=review,
        reply=reply,
        from_state=from_state,
        to_state=to_state,
        verdict_blocked=None if verdict is None else verdict.blocked,
        details=details,
    )


def audit_record(**fields) -> AuditEvent:
    """Save one audit event (see audit_event for its fields)."""
    event = audit_event(**fields)
    event.save()
    return event
