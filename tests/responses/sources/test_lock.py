"""The per-source lock belongs to the process holding it: other processes are kept out while it lives and get in
as soon as it dies, however it died (a lock that only expired would keep a killed worker's source locked)."""
from __future__ import annotations

import signal
import subprocess
import sys

import pytest
from django.conf import settings

from responses import tasks
from responses.models import ImportRun
from responses.sources.lock import source_run_lock
from tests.workers import worker_environment

pytestmark = pytest.mark.django_db

SOURCE_ID = 4242
HOLDER = """
import sys, time, django
django.setup()
from responses.sources.lock import source_run_lock
with source_run_lock(int(sys.argv[1])) as held:
    print("held" if held else "busy", flush=True)
    time.sleep(120)
"""


@pytest.fixture
def holder():
    """Another process holding the source's lock."""
    env = worker_environment() if settings.DATABASES["default"]["ENGINE"].endswith("postgresql") else None
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(SOURCE_ID)], cwd=settings.BASE_DIR, env=env,
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "held"
        yield process
    finally:
        process.kill()
        process.wait()


def test_it_keeps_a_second_process_out_while_the_first_lives(holder):
    with source_run_lock(SOURCE_ID, wait_seconds=0.5) as held:
        assert held is False


def test_a_lock_whose_process_was_killed_is_free_at_once(holder):
    holder.send_signal(signal.SIGKILL)
    holder.wait()

    with source_run_lock(SOURCE_ID, wait_seconds=5) as held:
        assert held is True


def test_two_holders_in_one_process_exclude_each_other_and_the_lock_ends_with_the_block():
    with source_run_lock(SOURCE_ID) as first:
        with source_run_lock(SOURCE_ID) as second:
            assert (first, second) == (True, False)

    with source_run_lock(SOURCE_ID) as again:
        assert again is True


def test_a_lock_is_free_the_moment_its_block_ends():
    """The next run of a source (a retry straight after a failed fetch) must find it free: the lock is released
    when the block ends, not when the server gets round to ending the closed session."""
    for _ in range(50):
        with source_run_lock(SOURCE_ID) as held:
            assert held is True


def _running_run(source):
    return ImportRun.objects.create(location=source.location, connection=source, source_name="google-1.json",
                                    processed_rows=128)


def test_the_watchdog_fails_a_run_nobody_holds_the_lock_of_and_queues_its_source_again(
    google, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(tasks.import_reviews_from_connection, "delay", queued.append)
    dead = _running_run(google)

    with django_capture_on_commit_callbacks(execute=True):
        outcome = tasks.recover_import_runs()

    dead.refresh_from_db()
    assert dead.status == ImportRun.Status.FAILED and "worker stopped" in dead.failure_reason
    assert queued == [google.pk]
    assert outcome["sources_requeued"] == 1


def test_the_watchdog_leaves_a_run_whose_process_holds_the_lock(google, django_capture_on_commit_callbacks,
                                                                 monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.import_reviews_from_connection, "delay", queued.append)
    alive = _running_run(google)

    with source_run_lock(google.pk), django_capture_on_commit_callbacks(execute=True):
        tasks.recover_import_runs()

    alive.refresh_from_db()
    assert alive.status == ImportRun.Status.RUNNING
    assert queued == []
