"""The per-reply compliance record: who drafted, edited, submitted, approved and posted it, the exact posted text's
hash, the guard's version and verdict on that text, and every refusal and rejection on the way."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet

from responses.compliance.models import Incident, ReplyPosting
from responses.models import AuditEvent, Practice, Reply, text_sha256

# Audit actions that make up a reply's record, and how the record names them.
RECORD_ACTIONS = {
    "reply_started": "drafted",
    "reply_edited": "edited",
    "reply_submitted": "submitted",
    "reply_approved": "approved",
    "reply_rejected": "rejected",
    "reply_posted": "posted",
    "submit_refused": "refused by the guard at submit",
    "approve_refused": "refused by the guard at approve",
    "post_refused": "refused by the guard at post",
    "reply_post_failed": "platform refused the post",
    "reply_replacement_started": "replacement started",
    "publish_scheduled": "publish scheduled (pull-back window)",
    "publish_pulled_back": "pulled back before publishing",
}
REFUSALS = {"submit_refused", "approve_refused", "post_refused", "reply_post_failed"}


def reply_posting_record(*, reply: Reply, verdict, actor) -> ReplyPosting:
    """Keep what was just posted: the approved version, its hash, and the post-time verdict on exactly that text.
    Called by the workflow inside the posting transaction."""
    version = reply.approved_version
    return ReplyPosting.objects.create(
        reply=reply,
        version=version,
        text_sha256=text_sha256(version.text),
        verdict=verdict.to_dict() if verdict is not None else {},
        posted_at=reply.posted_at,
        posted_by=actor if getattr(actor, "is_authenticated", False) else None,
        posted_via=reply.posted_via,
        external_reply_id=reply.external_reply_id,
    )


@dataclass
class RecordStep:
    what: str
    action: str
    at: datetime
    by: str
    version: int | None = None
    finding_count: int | None = None
    categories: dict = field(default_factory=dict)


def _who(user) -> str:
    if user is None:
        return "system"
    return user.get_full_name() or user.username


def reply_compliance_record(*, reply: Reply) -> dict:
    """Everything a manager or compliance officer needs about one reply, oldest step first (no patient text
    beyond the reply's own versions, which the page already shows)."""
    events = (
        AuditEvent.objects.filter(reply=reply, action__in=RECORD_ACTIONS).select_related("actor").order_by("at", "id")
    )
    steps = [
        RecordStep(
            what=RECORD_ACTIONS[e.action], action=e.action, at=e.at, by=_who(e.actor),
            version=e.details.get("version"), finding_count=e.details.get("finding_count"),
            categories=e.details.get("categories") or {},
        )
        for e in events
    ]
    postings = list(reply.postings.select_related("version", "posted_by").order_by("posted_at", "id"))
    return {
        "steps": steps,
        "refusals": [s for s in steps if s.action in REFUSALS],
        "rejections": [s for s in steps if s.action == "reply_rejected"],
        "postings": postings,
        "incidents": list(Incident.objects.filter(posting__reply=reply).order_by("-opened_at")),
    }


# --- export ------------------------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    "posting_id", "reply_id", "review_id", "location", "platform", "review_rating",
    "drafted_by", "drafted_at", "edit_count", "submitted_by", "submitted_at", "approved_by", "approved_at",
    "posted_by", "posted_at", "posted_via", "external_reply_id", "posted_version", "posted_text_sha256",
    "guard_engine", "guard_model", "guard_classifier", "guard_encoder", "guard_vocabulary",
    "guard_practice", "verdict_blocked", "verdict_finding_count", "guard_refusals", "rejections",
    "taken_down_at", "rechecked_at", "rechecked_blocked", "incident_ids",
]
TEXT_COLUMNS = ["review_text", "posted_text"]


def posting_list_for_export(*, practice: Practice, date_from, date_to) -> QuerySet[ReplyPosting]:
    """Postings of the practice posted on date_from..date_to (inclusive, the practice's time zone)."""
    from django.utils import timezone

    start = timezone.make_aware(datetime.combine(date_from, datetime.min.time()))
    end = timezone.make_aware(datetime.combine(date_to, datetime.max.time()))
    return (
        ReplyPosting.objects.filter(
            reply__review__location__practice=practice, posted_at__gte=start, posted_at__lte=end
        )
        .select_related("reply__review__location", "version", "posted_by")
        .order_by("posted_at", "id")
    )


def _iso(value) -> str:
    return value.isoformat() if value else ""


def _chunks(items: list, size: int = 2000):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def compliance_rows(*, postings: QuerySet[ReplyPosting], include_text: bool = False) -> list[dict]:
    """One row per posting, as strings. Patient text (the review and the posted reply) only with include_text."""
    fields = [
        "id", "reply_id", "version_id", "text_sha256", "verdict", "posted_at", "posted_by_id", "posted_via",
        "external_reply_id", "taken_down_at", "rechecked_at", "rechecked_blocked", "reply__id", "reply__review__id",
        "reply__review__rating", "reply__review__platform", "reply__review__location__name", "version__number",
        "posted_by__username",
    ]
    if include_text:
        fields += ["reply__review__text", "version__text"]
    postings = list(postings.only(*fields))  # 10,000 rows: load no column the row does not use
    reply_ids = list({p.reply_id for p in postings})
    steps: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    users = {}
    for chunk in _chunks(reply_ids):
        for reply_id, action, at, actor_id in (
            AuditEvent.objects.filter(reply_id__in=chunk, action__in=RECORD_ACTIONS)
            .order_by("at", "id")
            .values_list("reply_id", "action", "at", "actor_id")
        ):
            steps[reply_id][action].append((at, actor_id))
            users[actor_id] = None
    from django.contrib.auth import get_user_model

    users = dict(get_user_model().objects.filter(pk__in=[u for u in users if u]).values_list("pk", "username"))
    incidents: dict[int, list[str]] = defaultdict(list)
    for chunk in _chunks([p.pk for p in postings]):
        for posting_id, incident_id in Incident.objects.filter(posting_id__in=chunk).values_list("posting_id", "pk"):
            incidents[posting_id].append(str(incident_id))

    def first(reply_id: int, action: str, before) -> tuple[str, str]:
        # The last such step at or before this posting (a replaced reply was approved twice).
        found = [s for s in steps[reply_id][action] if s[0] <= before]
        if not found:
            return "", ""
        at, actor_id = found[-1] if action != "reply_started" else found[0]
        return users.get(actor_id, "system" if actor_id is None else ""), _iso(at)

    rows = []
    for p in postings:
        review = p.reply.review
        guard = p.guard_version
        reply_steps = steps[p.reply_id]
        drafted_by, drafted_at = first(p.reply_id, "reply_started", p.posted_at)
        submitted_by, submitted_at = first(p.reply_id, "reply_submitted", p.posted_at)
        approved_by, approved_at = first(p.reply_id, "reply_approved", p.posted_at)
        row = {
            "posting_id": p.pk, "reply_id": p.reply_id, "review_id": review.pk, "location": review.location.name,
            "platform": review.platform, "review_rating": review.rating or "",
            "drafted_by": drafted_by, "drafted_at": drafted_at,
            "edit_count": sum(1 for at, _ in reply_steps["reply_edited"] if at <= p.posted_at),
            "submitted_by": submitted_by, "submitted_at": submitted_at,
            "approved_by": approved_by, "approved_at": approved_at,
            "posted_by": p.posted_by.username if p.posted_by else "", "posted_at": _iso(p.posted_at),
            "posted_via": p.posted_via, "external_reply_id": p.external_reply_id, "posted_version": p.version.number,
            "posted_text_sha256": p.text_sha256,
            "guard_engine": guard.get("engine", ""), "guard_model": guard.get("model", ""),
            "guard_classifier": guard.get("classifier", ""), "guard_encoder": guard.get("encoder", ""),
            "guard_vocabulary": guard.get("vocabulary", ""),
            "guard_practice": guard.get("practice", ""),
            "verdict_blocked": p.verdict.get("blocked", ""), "verdict_finding_count": len(p.verdict.get("findings", [])),
            "guard_refusals": sum(len(reply_steps[a]) for a in REFUSALS),
            "rejections": len(reply_steps["reply_rejected"]),
            "taken_down_at": _iso(p.taken_down_at), "rechecked_at": _iso(p.rechecked_at),
            "rechecked_blocked": "" if p.rechecked_blocked is None else p.rechecked_blocked,
            "incident_ids": " ".join(incidents[p.pk]),
        }
        if include_text:
            row["review_text"] = review.text
            row["posted_text"] = p.version.text
        rows.append({key: str(value) for key, value in row.items()})
    return rows
