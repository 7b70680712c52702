"""A worker or command killed mid-import loses nothing: the run resumes or ends failed, and no upload stays on disk.

The state a killed worker leaves is made here directly (batches stored, the run "running", its file on disk,
no process holding it); tests/reviewdesk/test_worker_killed_mid_import.py SIGKILLs a real worker instead.
"""
from __future__ import annotations

import fcntl
import io
import os
import signal
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone

from responses.intake import import_runs_recover, reviews_import, reviews_import_start, reviews_import_upload
from responses.intake import services as intake_services
from responses.intake.services import BATCH_ROWS
from responses.models import ImportRun, Reply, Review
from responses.sources import drafts as import_drafts

pytestmark = pytest.mark.django_db

ROWS = 3 * BATCH_ROWS + 10
BAD_LINE = 5  # in the first batch: listed again when the run resumes


def csv_of(rows: int) -> bytes:
    lines = ["platform,external_id,rating,text,posted_at"]
    for n in range(rows):
        rating = 9 if n + 2 == BAD_LINE else 4
        lines.append(f"google,g-{n},{rating},Visit number {n} was calm.,2024-05-01")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(autouse=True)
def _own_uploads_folder(settings, tmp_path):
    # The sweep looks at every upload in the folder: other tests' files are not this test's business.
    settings.VAR_DIR = tmp_path


def upload_path(run):
    return django_settings.VAR_DIR / "imports" / f"import-run-{run.pk}.upload"


@pytest.fixture
def queued_run(location, alice, settings, django_capture_on_commit_callbacks):
    """A large upload saved for the worker, its task not run yet."""
    settings.IMPORT_INLINE_MAX_BYTES = 100
    with django_capture_on_commit_callbacks(execute=False):
        return reviews_import_start(location=location, actor=alice, filename="big.csv", data=csv_of(ROWS))


def killed_after(run, *, stored_rows: int, minutes_ago: int = 30):
    """What a worker SIGKILLed after `stored_rows` rows leaves: those batches stored and counted, the run still
    "running" with its last heartbeat `minutes_ago`, the file on disk and nobody holding it."""
    prefix = b"".join(csv_of(ROWS).splitlines(keepends=True)[: stored_rows + 1])
    scratch = reviews_import(location=run.location, actor=None, filename="prefix.csv", data=prefix)
    ImportRun.objects.filter(pk=run.pk).update(
        total_rows=ROWS, processed_rows=stored_rows, created_count=scratch.created_count, attempts=1,
        heartbeat_at=timezone.now() - timedelta(minutes=minutes_ago),
    )
    scratch.delete()
    run.refresh_from_db()
    return run


def test_the_upload_is_private_to_the_app(queued_run):
    assert upload_path(queued_run).stat().st_mode & 0o777 == 0o600


def test_a_redelivered_task_resumes_after_the_last_stored_batch(queued_run):
    run = killed_after(queued_run, stored_rows=2 * BATCH_ROWS)

    run = reviews_import_upload(run=run)

    assert run.status == ImportRun.Status.DONE
    # Nothing counted twice: the stored batches are not "unchanged" the second time round.
    assert (run.processed_rows, run.created_count, run.unchanged_count, run.rejected_count) == (ROWS, ROWS - 1, 0, 1)
    assert run.errors == [{"line": BAD_LINE, "reason": "rating must be 1-5, got 9"}]
    assert Review.objects.count() == ROWS - 1
    assert run.attempts == 2
    assert not upload_path(run).exists()


def test_a_batch_and_its_progress_are_stored_together(queued_run, monkeypatch):
    real_create = intake_services._reviews_create
    calls = []

    def create_then_die(**kwargs):
        created = real_create(**kwargs)
        calls.append(1)
        if len(calls) == 2:  # the second batch's reviews are written, its progress is not yet
            raise MemoryError  # stands in for the process dying
        return created

    monkeypatch.setattr(intake_services, "_reviews_create", create_then_die)
    ImportRun.objects.filter(pk=queued_run.pk).update(attempts=0)
    with pytest.raises(MemoryError):
        reviews_import_upload(run=queued_run)

    # The half-stored second batch was rolled back with its progress: resuming from the first batch's end is exact.
    assert Review.objects.count() == BATCH_ROWS - 1
    assert ImportRun.objects.get(pk=queued_run.pk).processed_rows == BATCH_ROWS


def test_a_batch_is_drafted_with_its_progress_and_the_resumed_run_drafts_the_rest(queued_run, monkeypatch):
    real_draft = import_drafts.replies_start_drafted
    calls = []

    def draft_then_die(**kwargs):
        calls.append(1)
        if len(calls) == 2:  # drafting the second batch
            raise MemoryError  # stands in for the process dying
        return real_draft(**kwargs)

    monkeypatch.setattr(import_drafts, "replies_start_drafted", draft_then_die)
    ImportRun.objects.filter(pk=queued_run.pk).update(attempts=0)
    with pytest.raises(MemoryError):
        reviews_import_upload(run=queued_run)
    # The second batch's reviews went back with its drafts and progress: the first batch is stored and drafted.
    first = ImportRun.objects.get(pk=queued_run.pk)
    assert Review.objects.count() == BATCH_ROWS - 1 == Reply.objects.count() == first.drafted_count
    assert first.processed_rows == BATCH_ROWS

    monkeypatch.setattr(import_drafts, "replies_start_drafted", real_draft)
    ImportRun.objects.filter(pk=queued_run.pk).update(status=ImportRun.Status.RUNNING)  # as a killed worker leaves it
    intake_services._upload_write(upload_path(queued_run), csv_of(ROWS))
    queued_run.refresh_from_db()
    run = reviews_import_upload(run=queued_run)

    assert run.status == ImportRun.Status.DONE
    assert (run.created_count, run.drafted_count, run.escalated_count) == (ROWS - 1, ROWS - 1, 0)
    assert Reply.objects.count() == ROWS - 1 == Reply.objects.values("review").distinct().count()


def test_a_redelivered_task_for_a_finished_run_does_nothing(queued_run):
    reviews_import_upload(run=queued_run)
    finished = ImportRun.objects.get(pk=queued_run.pk)

    again = reviews_import_upload(run=ImportRun.objects.get(pk=queued_run.pk))

    assert again.status == ImportRun.Status.DONE
    assert (again.attempts, again.failure_reason, again.finished_at) == (1, "", finished.finished_at)


def test_it_leaves_alone_a_run_that_a_live_worker_is_importing(queued_run):
    with upload_path(queued_run).open("rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # what the live worker holds while it imports

        run = reviews_import_upload(run=queued_run)

    assert (run.status, run.attempts, run.processed_rows) == (ImportRun.Status.RUNNING, 0, 0)
    assert upload_path(run).exists()


def test_it_gives_up_on_a_file_that_keeps_killing_its_worker(queued_run, settings):
    run = killed_after(queued_run, stored_rows=BATCH_ROWS)
    ImportRun.objects.filter(pk=run.pk).update(attempts=settings.IMPORT_MAX_ATTEMPTS)

    run = reviews_import_upload(run=run)

    assert run.status == ImportRun.Status.FAILED
    assert run.failure_reason.startswith(f"The import was interrupted {settings.IMPORT_MAX_ATTEMPTS} times")
    assert Review.objects.count() == BATCH_ROWS - 1, "the stored rows are kept"
    assert not upload_path(run).exists()


def test_the_watchdog_requeues_a_run_whose_worker_died_and_the_worker_finishes_it(
    queued_run, celery_eager, django_capture_on_commit_callbacks
):
    run = killed_after(queued_run, stored_rows=BATCH_ROWS)

    with django_capture_on_commit_callbacks(execute=True):
        outcome = import_runs_recover()

    assert outcome == {"requeued": 1, "failed": 0, "deleted": 0}
    run.refresh_from_db()
    assert (run.status, run.created_count, run.unchanged_count) == (ImportRun.Status.DONE, ROWS - 1, 0)
    assert not upload_path(run).exists()


def test_the_watchdog_leaves_a_running_import_alone(queued_run, django_capture_on_commit_callbacks):
    run = killed_after(queued_run, stored_rows=BATCH_ROWS, minutes_ago=1)  # its heartbeat is recent

    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert import_runs_recover() == {"requeued": 0, "failed": 0, "deleted": 0}

    assert queued == []
    assert ImportRun.objects.get(pk=run.pk).status == ImportRun.Status.RUNNING


def test_the_watchdog_leaves_a_slow_batch_to_the_worker_that_holds_it(queued_run, django_capture_on_commit_callbacks):
    run = killed_after(queued_run, stored_rows=BATCH_ROWS)

    with upload_path(run).open("rb") as held, django_capture_on_commit_callbacks(execute=False) as queued:
        fcntl.flock(held, fcntl.LOCK_EX)
        assert import_runs_recover()["requeued"] == 0

    assert queued == []
    assert ImportRun.objects.get(pk=run.pk).status == ImportRun.Status.RUNNING


def test_two_watchdogs_at_once_requeue_a_run_once(queued_run, django_capture_on_commit_callbacks):
    killed_after(queued_run, stored_rows=BATCH_ROWS)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        first, second = import_runs_recover(), import_runs_recover()

    assert (first["requeued"], second["requeued"], len(queued)) == (1, 0, 1)


def test_the_watchdog_fails_a_command_line_or_web_import_whose_process_died(location):
    run = ImportRun.objects.create(
        location=location, source_name="export.csv", total_rows=500, processed_rows=128,
        heartbeat_at=timezone.now() - timedelta(hours=2),
    )

    assert import_runs_recover() == {"requeued": 0, "failed": 1, "deleted": 0}

    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and run.finished_at is not None
    assert run.failure_reason.startswith("The import stopped unexpectedly (its process ended)")


def test_the_sweep_deletes_uploads_of_ended_or_vanished_runs_only(queued_run, location, settings):
    old = (timezone.now() - timedelta(hours=1)).timestamp()
    ended = ImportRun.objects.create(location=location, source_name="a.csv", status=ImportRun.Status.FAILED)
    vanished_file = upload_path(ended).with_name("import-run-999999.upload")
    young_file = upload_path(ended).with_name("import-run-999998.upload")  # its run may not be committed yet
    for path in (upload_path(ended), vanished_file, young_file):
        intake_services._upload_write(path, b"patient text")
    for path in (upload_path(ended), vanished_file, upload_path(queued_run)):
        os.utime(path, (old, old))

    assert import_runs_recover()["deleted"] == 2

    assert not upload_path(ended).exists() and not vanished_file.exists()
    assert young_file.exists() and upload_path(queued_run).exists(), "a running import keeps its file"
    young_file.unlink()


def test_ctrl_c_during_an_import_fails_its_run(location, monkeypatch):
    def interrupted(**kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(intake_services, "_reviews_create", interrupted)
    with pytest.raises(KeyboardInterrupt):
        reviews_import(location=location, actor=None, filename="export.csv", data=csv_of(10))

    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED
    assert run.failure_reason == "The import stopped unexpectedly (KeyboardInterrupt); rows before it were kept."


def test_sigterm_during_the_command_line_import_fails_its_run(location, monkeypatch, tmp_path):
    def terminated(**kwargs):
        os.kill(os.getpid(), signal.SIGTERM)  # what `kill` or a container stop sends
        raise AssertionError("SIGTERM did not stop the import")

    monkeypatch.setattr(intake_services, "_reviews_create", terminated)
    path = tmp_path / "export.csv"
    path.write_bytes(csv_of(10))
    before = signal.getsignal(signal.SIGTERM)

    with pytest.raises(SystemExit) as exit_:
        call_command("import_reviews", str(path), "--location", str(location.pk), stdout=io.StringIO())

    assert exit_.value.code == 128 + signal.SIGTERM
    assert ImportRun.objects.get().status == ImportRun.Status.FAILED
    assert signal.getsignal(signal.SIGTERM) == before, "the command puts the previous handler back"


def test_lost_workers_redeliver_their_task_and_the_watchdog_is_scheduled():
    from responses import tasks
    from reviewdesk.celery import app

    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    schedule = {entry["task"]: entry["schedule"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert "responses.tasks.recover_import_runs" in schedule
    from celery.signals import worker_ready

    assert tasks._recover_import_runs_at_start in worker_ready._live_receivers(None)
