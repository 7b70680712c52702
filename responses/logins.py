"""Team log-ins: lockouts after repeated failed log-ins (django-axes, see settings) and unlocking them.

Both are audit events that carry the user's id only: no username, address or password.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.utils import timezone

from responses.audit import audit_record
from responses.models import Practice
from responses.roles import practice_for, require_permission

logger = logging.getLogger(__name__)


def _practice_of(user) -> Practice | None:
    membership = getattr(user, "membership", None) if user is not None else None
    return membership.practice if membership is not None else None


def _login_via(request) -> str:
    path = getattr(request, "path", "") or ""
    return "admin" if path.startswith("/admin/") else "desk"


def login_success_record(*, user, request=None) -> None:
    """Audit a log-in (Django's user_logged_in signal): the user's id and which page, nothing typed."""
    audit_record(action="login", actor=user, practice=_practice_of(user), login_user=user.pk, via=_login_via(request))


def login_failure_record(*, username: str, request=None) -> None:
    """Audit a failed log-in (user_login_failed) under the account's id when the username names one.

    The typed username is never stored: a guess that names nobody is recorded with no user and no practice.
    """
    user = get_user_model().objects.filter(username=username).select_related("membership__practice").first()
    audit_record(action="login_failed", practice=_practice_of(user), login_user=user.pk if user else None,
                 via=_login_via(request))


def login_lockout_record(*, username: str) -> None:
    """Audit that `username` was just locked out (django-axes' user_locked_out signal)."""
    user = get_user_model().objects.filter(username=username).select_related("membership__practice").first()
    audit_record(action="login_locked_out", practice=_practice_of(user), login_user=user.pk if user else None)
    logger.warning("login locked out for user %s", user.pk if user else "unknown")


@dataclass(frozen=True)
class LockedOutMember:
    user: object
    addresses: int
    last_attempt: datetime


def login_lockouts_for_practice(*, practice: Practice) -> list[LockedOutMember]:
    """The practice's members locked out now, from how many addresses, and when they last tried."""
    from axes.models import AccessAttempt

    members = {user.username: user for user in get_user_model().objects.filter(membership__practice=practice)}
    rows = (
        AccessAttempt.objects.filter(
            username__in=members,
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME,
        )
        .values("username")
        .annotate(addresses=Count("ip_address", distinct=True), last_attempt=Max("attempt_time"))
        .order_by("username")
    )
    return [LockedOutMember(members[row["username"]], row["addresses"], row["last_attempt"]) for row in rows]


def login_unlock(*, username: str, actor=None, via: str) -> int:
    """Clear `username`'s failed log-ins from every address and audit it; returns how many records were cleared.

    `actor` None is an operator (the login_unlock command); a person needs `unlock_logins` and may only
    unlock members of their own practice. `via` says where: "command", "desk" or "admin".
    """
    from axes.utils import reset

    user = get_user_model().objects.filter(username=username).select_related("membership__practice").first()
    practice = _practice_of(user)
    if actor is not None and not getattr(actor, "is_superuser", False):
        require_permission(actor, "unlock_logins")
        if practice is None or practice_for(actor).pk != practice.pk:
            raise PermissionDenied("You can only unlock members of your own practice.")
    cleared = reset(username=username)
    if cleared:
        audit_record(action="login_unlocked", actor=actor, practice=practice,
                     login_user=user.pk if user else None, cleared=cleared, via=via)
        logger.info("login unlocked for user %s via %s", user.pk if user else "unknown", via)
    return cleared
