"""Reads of the audit trail: only ever one practice's events."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from responses.models import AuditEvent, Practice


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_event_list(
    *, practice: Practice, action: str = "", date_from: date | None = None, date_to: date | None = None
) -> QuerySet[AuditEvent]:
    """The practice's audit events, newest first; `date_to` is inclusive (a whole local day)."""
    events = AuditEvent.objects.filter(practice=practice).select_related("actor")
    if action:
        events = events.filter(action=action)
    if date_from is not None:
        events = events.filter(at__gte=_local_midnight(date_from))
    if date_to is not None:
        events = events.filter(at__lt=_local_midnight(date_to + timedelta(days=1)))
    return events.order_by("-at", "-id")


def audit_action_choices(*, practice: Practice) -> list[str]:
    """The actions this practice's trail holds, for the filter."""
    return sorted(AuditEvent.objects.filter(practice=practice).values_list("action", flat=True).distinct())
