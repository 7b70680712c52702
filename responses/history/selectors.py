"""The timeline of one reply, newest first: each version and each step of the workflow."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from responses.models import AuditEvent, Reply, ReplyVersion

STEP_LABELS = {
    "reply_submitted": "Submitted for approval",
    "reply_approved": "Approved",
    "reply_rejected": "Sent back",
    "reply_posted": "Posted",
    "reply_superseded_on_platform": "Answered directly on the platform; the draft was not posted",
    "external_reply_changed": "Replaced on the platform",
    "review_closed": "Review closed",
    "review_reopened": "Review reopened",
}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # "version" or one of STEP_LABELS
    label: str
    who: str
    version: ReplyVersion | None = None
    comment: str = ""


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else "system"


def reply_timeline(reply: Reply) -> list[TimelineEntry]:
    entries = [
        TimelineEntry(at=v.created_at, kind="version", label=v.get_source_display(), who=_name(v.author), version=v)
        for v in reply.versions.select_related("author")
    ]
    rejections = list(reply.rejections.select_related("rejected_by"))
    for event in AuditEvent.objects.filter(reply=reply, action__in=STEP_LABELS).select_related("actor"):
        comment = ""
        if event.action == "reply_rejected" and rejections:
            comment = rejections.pop(0).comment
        entries.append(TimelineEntry(at=event.at, kind=event.action, label=STEP_LABELS[event.action],
                                     who=_name(event.actor), comment=comment))
    return sorted(entries, key=lambda e: e.at, reverse=True)
