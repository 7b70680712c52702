"""The pull-back window: a reply published through a platform waits PUBLISH_PULLBACK_MINUTES before it is sent,
and the manager can pull it back meanwhile. At send time the workflow re-checks everything, the PHI guard on the
exact text included (workflow.reply_publish)."""
from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from responses import workflow
from responses.audit import audit_record
from responses.compliance.models import PendingPublish
from responses.models import Reply
from responses.roles import require_permission

logger = logging.getLogger(__name__)


def pending_publish_for(reply: Reply) -> PendingPublish | None:
    return reply.pending_publishes.filter(status=PendingPublish.Status.WAITING).first()


def reply_publish_request(*, reply: Reply, actor, expected_revision: int | None) -> Reply:
    """Publish now when the window is 0; otherwise check now, and send when the window ends (in the worker)."""
    minutes = settings.PUBLISH_PULLBACK_MINUTES
    if minutes == 0:
        return workflow.reply_publish(reply=reply, actor=actor, expected_revision=expected_revision)
    workflow.reply_publish_precheck(reply=reply, actor=actor, expected_revision=expected_revision)
    try:
        with transaction.atomic():
            pending = PendingPublish.objects.create(
                reply=reply, requested_by=actor, send_after=timezone.now() + timedelta(minutes=minutes),
                revision=reply.revision,
            )
    except IntegrityError:
        raise workflow.TransitionNotAllowed("This reply is already waiting to be published.") from None
    audit_record(action="publish_scheduled", actor=actor, reply=reply, pending_publish=pending.pk,
                 delay_seconds=minutes * 60)
    from responses.compliance.tasks import send_pending_publish

    transaction.on_commit(lambda: send_pending_publish.apply_async((pending.pk,), countdown=minutes * 60))
    return reply


def pending_publish_pull_back(*, pending: PendingPublish, actor) -> PendingPublish:
    """Stop a waiting publication; the reply stays approved and can be edited or published again."""
    require_permission(actor, "post_reply")
    updated = PendingPublish.objects.filter(pk=pending.pk, status=PendingPublish.Status.WAITING).update(
        status=PendingPublish.Status.PULLED_BACK, finished_at=timezone.now()
    )
    if not updated:
        raise workflow.TransitionNotAllowed("Too late to pull back: this reply was already sent (or pulled back).")
    pending.refresh_from_db()
    audit_record(action="publish_pulled_back", actor=actor, reply=pending.reply, pending_publish=pending.pk)
    return pending


def pending_publish_send(*, pending: PendingPublish, now=None) -> PendingPublish:
    """Send a publication whose window has ended, through the workflow (guard re-check at send time). A reply
    changed during the window, or blocked by the guard now, is not sent: the publication fails with the reason."""
    now = now or timezone.now()
    if pending.send_after > now:
        return pending  # early (a clock skew); the sweep sends it when due
    # Claim it: a second worker (or the sweep) finds it no longer waiting.
    claimed = PendingPublish.objects.filter(pk=pending.pk, status=PendingPublish.Status.WAITING).update(
        status=PendingPublish.Status.SENT, finished_at=now
    )
    if not claimed:
        pending.refresh_from_db()
        return pending
    reply = Reply.objects.select_related("review__location", "current_version", "approved_version").get(
        pk=pending.reply_id
    )
    try:
        workflow.reply_publish(reply=reply, actor=pending.requested_by, expected_revision=pending.revision)
    except workflow.WorkflowError as exc:
        PendingPublish.objects.filter(pk=pending.pk).update(
            status=PendingPublish.Status.FAILED, failure_reason=str(exc)[:500]
        )
        logger.info("pending publish %s: not sent (%s)", pending.pk, type(exc).__name__)
    except Exception:
        PendingPublish.objects.filter(pk=pending.pk).update(
            status=PendingPublish.Status.FAILED, failure_reason="Publishing failed unexpectedly; publish again."
        )
        raise
    pending.refresh_from_db()
    return pending


def pending_publish_send_due(*, now=None) -> int:
    """Send every publication whose window has ended (the sweep behind the per-publication timer)."""
    now = now or timezone.now()
    due = list(PendingPublish.objects.filter(status=PendingPublish.Status.WAITING, send_after__lte=now))
    for pending in due:
        pending_publish_send(pending=pending, now=now)
    return len(due)
