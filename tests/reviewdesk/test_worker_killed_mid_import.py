"""A real Celery worker whose child is SIGKILLed mid-import: Redis redelivers the task and the import resumes.

Needs Redis (the embedded file broker cannot redeliver a lost task) and PostgreSQL (the worker is another
process and must see this test's database); skipped otherwise.
"""
from __future__ import annotations

import os
import signal

import pytest

from responses.intake import reviews_import_start
from responses.intake.services import BATCH_ROWS
from responses.models import ImportRun, Review
from reviewdesk.celery import app
from tests.workers import children, require_redis_and_postgresql, wait_for, worker_start, worker_stop

ROWS = 40 * BATCH_ROWS
QUEUE = "test-worker-killed-mid-import"


@pytest.fixture
def worker():
    require_redis_and_postgresql()
    app.control.purge()  # nothing left over from other tests reaches this worker
    process = worker_start(QUEUE)
    try:
        yield process
    finally:
        worker_stop(process)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_loses_nothing(worker, location, alice, settings):
    from responses.tasks import import_reviews_from_upload

    settings.IMPORT_INLINE_MAX_BYTES = 100
    lines = ["platform,external_id,rating,text,posted_at"]
    lines += [f"google,g-{n},4,Visit {n}: calm rooms and a kind welcome.,2024-05-01" for n in range(ROWS)]
    with app.connection_for_write() as broker, pytest.MonkeyPatch.context() as patch:
        # Queue the task on this test's own queue, where only this worker listens.
        patch.setattr(import_reviews_from_upload, "delay",
                      lambda run_id: import_reviews_from_upload.apply_async([run_id], queue=QUEUE, connection=broker))
        run = reviews_import_start(location=location, actor=alice, filename="big.csv",
                                   data=("\n".join(lines) + "\n").encode())
    upload = settings.VAR_DIR / "imports" / f"import-run-{run.pk}.upload"
    assert upload.exists()

    # Kill the worker's child once a few batches are stored and many rows remain.
    wait_for(lambda: ImportRun.objects.get(pk=run.pk).processed_rows >= 3 * BATCH_ROWS, 120, "the import to start")
    (child,) = children(worker.pid)
    os.kill(child, signal.SIGKILL)
    killed_at = ImportRun.objects.get(pk=run.pk).processed_rows
    assert killed_at < ROWS, "the import was still running when its worker died"

    run = wait_for(
        lambda: ImportRun.objects.filter(pk=run.pk).exclude(status=ImportRun.Status.RUNNING).first(), 180,
        "the redelivered import to finish",
    )
    assert run.status == ImportRun.Status.DONE, run.failure_reason
    assert run.attempts == 2, "one redelivery, which resumed"
    assert (run.processed_rows, run.created_count, run.unchanged_count) == (ROWS, ROWS, 0)
    assert Review.objects.filter(location=location).count() == ROWS
    # The worker deletes the upload just after it writes "done": wait for it rather than race it.
    wait_for(lambda: not upload.exists(), 10, "the upload to be deleted")
