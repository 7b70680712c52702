"""Retro-scan: re-check every public reply with the current guard. Incremental (a posting already checked by this
guard version is skipped), in batches, with progress on the GuardScan row; a reply the guard now blocks opens an
incident."""
from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from responses.audit import audit_record
from responses.compliance.incidents import incident_open
from responses.compliance.models import GuardScan, Incident, ReplyPosting
from responses.guarding import guard_version_current, guard_version_key, verdicts_for_replies
from responses.models import Practice
from responses.roles import require_permission

logger = logging.getLogger(__name__)

BATCH_SIZE = 50


class ScanRefused(Exception):
    """The message is for the manager."""


def guard_scan_running(*, practice: Practice) -> GuardScan | None:
    return GuardScan.objects.filter(
        practice=practice, status__in=[GuardScan.Status.QUEUED, GuardScan.Status.RUNNING]
    ).first()


def guard_scan_start(*, practice: Practice, actor=None, trigger: str = "manual") -> GuardScan:
    """Queue a retro-scan of the practice's public replies in the worker (one at a time per practice)."""
    if trigger == "manual":
        require_permission(actor, "manage_compliance")
    if guard_scan_running(practice=practice) is not None:
        raise ScanRefused("A scan is already running for this practice; its progress is shown below.")
    scan = GuardScan.objects.create(
        practice=practice, trigger=trigger, started_by=actor if getattr(actor, "is_authenticated", False) else None
    )
    audit_record(action="guard_scan_queued", actor=actor, practice=practice, scan=scan.pk, trigger=trigger)
    from responses.compliance.tasks import run_guard_scan

    transaction.on_commit(lambda: run_guard_scan.delay(scan.pk))
    return scan


def _postings_to_check(practice: Practice, key: str):
    return ReplyPosting.objects.filter(
        reply__review__location__practice=practice, taken_down_at__isnull=True
    ).exclude(rechecked_version_key=key)


def guard_scan_run(*, scan: GuardScan) -> GuardScan:
    """Re-check the practice's public replies not yet checked by the current guard version."""
    practice = scan.practice
    version = guard_version_current(practice=practice)
    if not version:
        return _finish(scan, GuardScan.Status.FAILED, "The PHI guard cannot run right now; nothing was re-checked.")
    key = guard_version_key(version)
    ids = list(_postings_to_check(practice, key).order_by("pk").values_list("pk", flat=True))
    GuardScan.objects.filter(pk=scan.pk).update(
        status=GuardScan.Status.RUNNING, version_key=key, guard_version=version, total=len(ids)
    )
    scan.refresh_from_db()
    unchecked = 0
    for start in range(0, len(ids), BATCH_SIZE):
        batch = list(
            ReplyPosting.objects.filter(pk__in=ids[start:start + BATCH_SIZE])
            .select_related("version", "reply__review__location__practice")
            .order_by("pk")
        )
        verdicts = verdicts_for_replies(practice=practice, items=[(p.reply.review, p.version.text) for p in batch])
        blocked = 0
        now = timezone.now()
        for posting, verdict in zip(batch, verdicts):
            if verdict.error:  # not a judgement: leave it for the next scan
                unchecked += 1
                continue
            ReplyPosting.objects.filter(pk=posting.pk).update(
                rechecked_version_key=guard_version_key(dict(verdict.guard_version)) or key,
                rechecked_guard_version=dict(verdict.guard_version), rechecked_at=now,
                rechecked_blocked=verdict.blocked,
            )
            if verdict.blocked:
                blocked += 1
                incident_open(posting=posting, source=Incident.Source.RETRO_SCAN, scan=scan)
        GuardScan.objects.filter(pk=scan.pk).update(
            processed=min(start + BATCH_SIZE, len(ids)), blocked_count=scan.blocked_count + blocked
        )
        scan.refresh_from_db()
    reason = f"{unchecked} replies could not be checked; the next scan tries them again." if unchecked else ""
    return _finish(scan, GuardScan.Status.DONE, reason, unchecked=unchecked)


def _finish(scan: GuardScan, status: str, reason: str = "", *, unchecked: int = 0) -> GuardScan:
    GuardScan.objects.filter(pk=scan.pk).update(status=status, finished_at=timezone.now(), failure_reason=reason)
    scan.refresh_from_db()
    audit_record(action="guard_scan_finished", practice=scan.practice, scan=scan.pk, status=status,
                 processed=scan.processed, blocked=scan.blocked_count, unchecked=unchecked)
    logger.info("guard scan %s: %s, %d checked, %d blocked", scan.pk, status, scan.processed, scan.blocked_count)
    return scan
