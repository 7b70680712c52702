"""Celery tasks: thin wrappers that take ids and call a service in responses.intake.

The nightly beat entry (settings.CELERY_BEAT_SCHEDULE, "import-new-reviews-nightly")
runs import_reviews_from_all_sources, which queues one import per connection. The
watchdog, recover_import_runs, runs when a worker starts and every few minutes.
"""
from __future__ import annotations

import logging

from celery import shared_task
from celery.signals import worker_ready

from responses.intake import import_runs_recover, reviews_import_upload
from responses.models import ImportRun, PlatformConnection, Practice
from responses.platforms.sources import ImportSourceUnavailable
from responses.sources.digest import practice_digest_send
from responses.sources.services import SourceBusy, source_import, source_runs_recover

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def import_reviews_from_all_sources() -> int:
    """Queue an import for every import-enabled platform connection; return how many were queued."""
    connection_ids = list(
        PlatformConnection.objects.filter(import_enabled=True).order_by("pk").values_list("pk", flat=True)
    )
    for connection_id in connection_ids:
        import_reviews_from_connection.delay(connection_id)
    logger.info("nightly import: queued %d connections", len(connection_ids))
    return len(connection_ids)


# A task redelivered after its worker died finds the dead worker's lock gone at once (it dies with the
# process); the wait covers PostgreSQL closing the dead session a moment after the redelivery.
SOURCE_LOCK_WAIT_SECONDS = 5


@shared_task(
    acks_late=True,
    autoretry_for=(ImportSourceUnavailable,),
    retry_backoff=60,  # 1, 2, 4 minutes (with jitter): a platform outage usually passes
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=3,
)
def import_reviews_from_connection(connection_id: int) -> int | None:
    """Fetch and import one connection's reviews; the id of the ImportRun, or None if skipped."""
    connection = (
        PlatformConnection.objects.select_related("location").filter(pk=connection_id, import_enabled=True).first()
    )
    if connection is None:
        return None  # deleted or disabled since it was queued
    try:
        runs = source_import(source=connection, wait_seconds=SOURCE_LOCK_WAIT_SECONDS)
    except SourceBusy:
        return None  # the run in progress imports the same reviews
    return runs[-1].pk if runs else None


@shared_task(acks_late=True)
def import_reviews_from_upload(run_id: int) -> None:
    """Import a large uploaded file that reviews_import_start saved for the run."""
    run = ImportRun.objects.select_related("location", "started_by").filter(pk=run_id).first()
    if run is not None:
        reviews_import_upload(run=run)


@shared_task(acks_late=True)
def review_digests_send() -> int:
    """E-mail each practice's managers the digest of what arrived since the last one; how many were sent."""
    sent = 0
    for practice in Practice.objects.order_by("pk"):
        sent += practice_digest_send(practice=practice)
    logger.info("review digests: %d sent", sent)
    return sent


@shared_task(acks_late=True)
def recover_import_runs() -> dict[str, int]:
    """Resume or fail imports whose process died, import again the sources whose run died, and delete the
    uploads of ended runs."""
    return import_runs_recover() | {"sources_requeued": len(source_runs_recover())}


@worker_ready.connect(dispatch_uid="responses.recover_import_runs_at_start")
def _recover_import_runs_at_start(sender=None, **kwargs) -> None:
    # Queued rather than run here: the worker's main process should not open database connections.
    recover_import_runs.delay()


# The compliance package's tasks (retro-scan, pull-back window), registered with the worker through this module.
from responses.compliance.tasks import (  # noqa: E402,F401
    rescan_all_practices,
    run_guard_scan,
    send_due_publishes,
    send_pending_publish,
)
