"""Celery tasks of the compliance package: ids in, a service call, nothing else."""
from __future__ import annotations

from celery import shared_task

from responses.compliance.models import GuardScan, PendingPublish
from responses.models import Practice


@shared_task(acks_late=True)
def run_guard_scan(scan_id: int) -> None:
    from responses.compliance.rescan import guard_scan_run

    scan = GuardScan.objects.select_related("practice").filter(pk=scan_id, status=GuardScan.Status.QUEUED).first()
    if scan is not None:
        guard_scan_run(scan=scan)


@shared_task(acks_late=True)
def rescan_all_practices() -> int:
    """Scheduled: queue an incremental retro-scan for every practice (cheap when nothing changed)."""
    from responses.compliance.rescan import ScanRefused, guard_scan_start

    queued = 0
    for practice in Practice.objects.order_by("pk"):
        try:
            guard_scan_start(practice=practice, trigger="schedule")
            queued += 1
        except ScanRefused:
            pass
    return queued


@shared_task(acks_late=True)
def send_pending_publish(pending_id: int) -> None:
    from responses.compliance.pullback import pending_publish_send

    pending = PendingPublish.objects.filter(pk=pending_id, status=PendingPublish.Status.WAITING).first()
    if pending is not None:
        pending_publish_send(pending=pending)


@shared_task(acks_late=True)
def send_due_publishes() -> int:
    from responses.compliance.pullback import pending_publish_send_due

    return pending_publish_send_due()
