"""What every page's menu shows: how many replies wait for this manager's approval."""
from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from responses.models import Reply, ReplyState


def _awaiting_approval(user) -> int:
    membership = getattr(user, "membership", None)
    if membership is None or not user.has_perm("responses.approve_reply"):
        return 0
    return Reply.objects.filter(
        review__location__practice_id=membership.practice_id, review__closed_at__isnull=True,
        state=ReplyState.AWAITING_APPROVAL,
    ).count()


def approvals_waiting(request) -> dict:
    # Lazy: counted only when a page's menu shows it (never for htmx regions).
    return {"approvals_waiting": SimpleLazyObject(lambda: _awaiting_approval(request.user))}
