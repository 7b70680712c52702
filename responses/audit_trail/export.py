"""The audit trail as CSV a spreadsheet shows but never runs; every export is itself an audit event."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from responses.audit import audit_record
from responses.audit_trail.selectors import audit_event_list
from responses.compliance.export import spreadsheet_safe
from responses.models import AuditEvent, Practice
from responses.roles import require_permission

COLUMNS = ["at", "action", "actor_id", "actor", "review_id", "reply_id", "from_state", "to_state",
           "verdict_blocked", "details"]


@dataclass(frozen=True)
class AuditExport:
    content: str
    filename: str
    row_count: int


def _row(event: AuditEvent) -> list[str]:
    blocked = "" if event.verdict_blocked is None else ("blocked" if event.verdict_blocked else "passed")
    values = [
        timezone.localtime(event.at).isoformat(timespec="seconds"), event.action,
        str(event.actor_id or ""), event.actor.get_username() if event.actor else "",
        str(event.review_id or ""), str(event.reply_id or ""), event.from_state, event.to_state, blocked,
        json.dumps(event.details, sort_keys=True, ensure_ascii=False) if event.details else "",
    ]
    return [spreadsheet_safe(value) for value in values]


def audit_trail_export(
    *, practice: Practice, actor, action: str = "", date_from: date | None = None, date_to: date | None = None
) -> AuditExport:
    """The practice's audit events matching the filters as CSV (formula-safe cells); audited as `audit_exported`."""
    require_permission(actor, "manage_compliance")
    events = audit_event_list(practice=practice, action=action, date_from=date_from, date_to=date_to)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    for event in events.iterator(chunk_size=2000):
        writer.writerow(_row(event))
        count += 1
    period = f"{date_from or ''}..{date_to or ''}"
    audit_record(action="audit_exported", actor=actor, practice=practice, row_count=count, export_format="csv",
                 period=period, kind=action or "all")
    return AuditExport(buffer.getvalue(), f"audit-{timezone.localdate():%Y%m%d}.csv", count)
