"""Replies whose story happened in the past: tests and their reviews are dated days or months ago, while the
workflow stamps each step with the time it runs."""
from __future__ import annotations

from responses.models import Reply


def approved_back_then(reply: Reply, at) -> Reply:
    """`reply` (approved just now) as approved at `at`, so it can be marked posted at a time before today: the
    workflow refuses a posting time earlier than the approval."""
    Reply.objects.filter(pk=reply.pk).update(approved_at=at)
    reply.refresh_from_db()
    return reply
