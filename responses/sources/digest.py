"""The digest: after the nightly import, one e-mail per practice to its managers with counts and links only.

No review text, no reviewer name, no reply: e-mail leaves the practice's control, so it says how many and
where to look, and the desk (behind a log-in) shows the rest.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from responses.audit import audit_record
from responses.escalation.models import Escalation
from responses.models import AuditEvent, Membership, PlatformReplyStatus, Practice, Reply, ReplyState, Review, Role
from responses.practice.local_time import practice_time_zone
from responses.practice.selectors import practice_settings_for
from responses.selectors import review_overdue_q

logger = logging.getLogger(__name__)


def _link(name: str, query: str = "") -> str:
    return f"{settings.SITE_URL}{reverse(name)}{query}"


def practice_digest_counts(*, practice: Practice, since: datetime, now: datetime) -> dict[str, int]:
    reviews = Review.objects.filter(location__practice=practice)
    unanswered = Q(closed_at__isnull=True) & (Q(reply__isnull=True) | Q(reply__state=ReplyState.DRAFTING))
    return {
        "new": reviews.filter(imported_at__gt=since).count(),
        "escalated": Escalation.objects.filter(
            review__location__practice=practice, escalated_at__gt=since, cleared_at__isnull=True
        ).count(),
        "overdue": reviews.filter(unanswered & review_overdue_q(practice=practice, now=now)).count(),
        # Posted replies a platform's moderation rejected since: not public, so those reviews are unanswered.
        "rejected_on_platform": Reply.objects.filter(
            review__location__practice=practice, review__closed_at__isnull=True, state=ReplyState.POSTED,
            platform_status=PlatformReplyStatus.REJECTED, platform_status_at__gt=since,
        ).count(),
    }


def practice_digest_send(*, practice: Practice, now: datetime | None = None) -> int:
    """Send the practice's digest to its managers (those with an e-mail address) covering everything since the
    last digest (or the last day). Returns 1 if sent, 0 if there was nobody to tell or nothing to say."""
    now = now or timezone.now()
    last = AuditEvent.objects.filter(practice=practice, action="digest_sent").order_by("-at").first()
    since = last.at if last else now - timedelta(days=1)
    counts = practice_digest_counts(practice=practice, since=since, now=now)
    if not any(counts.values()):
        return 0
    recipients = sorted(
        Membership.objects.filter(practice=practice, role=Role.MANAGER, user__is_active=True)
        .exclude(user__email="").values_list("user__email", flat=True)
    )
    if not recipients:
        return 0
    lines = [
        f"ReviewDesk for {practice.name}, since {timezone.localtime(since, practice_time_zone(practice)):%Y-%m-%d %H:%M %Z}:",
        "",
        f"  New reviews: {counts['new']}            {_link('inbox', '?status=unanswered')}",
        f"  Escalated (speak to counsel before replying): {counts['escalated']}"
        f"            {_link('inbox', '?status=escalated')}",
        f"  Past the {practice_settings_for(practice).response_target_days}-day response target: {counts['overdue']}"
        f"            {_link('inbox', '?age=overdue')}",
        f"  Posted replies the platform rejected (not public): {counts['rejected_on_platform']}"
        f"            {_link('inbox', '?status=rejected_on_platform')}",
        "",
        f"Imports: {_link('imports')}",
    ]
    subject = f"ReviewDesk: {counts['new']} new, {counts['escalated']} escalated, {counts['overdue']} overdue"
    if counts["rejected_on_platform"]:
        subject += f", {counts['rejected_on_platform']} replies rejected"
    send_mail(subject, "\n".join(lines), None, recipients)
    audit_record(action="digest_sent", practice=practice, recipients=len(recipients), created=counts["new"],
                 escalated=counts["escalated"], rejected_on_platform=counts["rejected_on_platform"])
    logger.info("practice %s: digest sent to %d managers", practice.pk, len(recipients))
    return 1
