"""A real Celery worker whose child is SIGKILLed mid-import: Redis redelivers the task and the import resumes.

Needs Redis (the embedded file broker cannot redeliver a lost task) and PostgreSQL (the worker is another
process and must see this test's database); skipped otherwise.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from responses.intake import reviews_import_start
from responses.intake.services import BATCH_ROWS
from responses.models import ImportRun, Review
from reviewdesk.celery import app

ROWS = 40 * BATCH_ROWS
QUEUE = "test-worker-killed-mid-import"


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _wait_for(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def worker():
    if not django_settings.REDIS_URL or connection.vendor != "postgresql":
        pytest.skip("needs Redis and PostgreSQL (REDIS_URL, DATABASE_URL)")
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
                        f"/{database['NAME']}",
        "REVIEWDESK_VAR_DIR": str(django_settings.VAR_DIR),
    }
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = database["PASSWORD"]
    app.control.purge()  # nothing left over from other tests reaches this worker
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "reviewdesk", "worker", "--pool=prefork", "--concurrency=1",
         "--loglevel=WARNING", "-Q", QUEUE, "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=django_settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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
    _wait_for(lambda: ImportRun.objects.get(pk=run.pk).processed_rows >= 3 * BATCH_ROWS, 120, "the import to start")
    (child,) = _children(worker.pid)
    os.kill(child, signal.SIGKILL)
    killed_at = ImportRun.objects.get(pk=run.pk).processed_rows
    assert killed_at < ROWS, "the import was still running when its worker died"

    run = _wait_for(
        lambda: ImportRun.objects.filter(pk=run.pk).exclude(status=ImportRun.Status.RUNNING).first(), 180,
        "the redelivered import to finish",
    )
    assert run.status == ImportRun.Status.DONE, run.failure_reason
    assert run.attempts == 2, "one redelivery, which resumed"
    assert (run.processed_rows, run.created_count, run.unchanged_count) == (ROWS, ROWS, 0)
    assert Review.objects.filter(location=location).count() == ROWS
    # The worker deletes the upload just after it writes "done": wait for it rather than race it.
    _wait_for(lambda: not upload.exists(), 10, "the upload to be deleted")
