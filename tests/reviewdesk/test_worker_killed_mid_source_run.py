"""A real Celery worker on the Redis broker is SIGKILLed in the middle of a Google source run (a slow fake Google
keeps the run going): after a worker runs again, every review and every draft exists exactly once and no run is
left "running".

Two ways to die: the pool process alone (the worker's main process restarts one and Redis hands the task back at
once, late acks + reject on worker lost), and the whole worker (nothing hands the task back for an hour: the
watchdog of the worker started next finds the dead run and queues the source again). Needs Redis and PostgreSQL;
skipped otherwise.
"""
from __future__ import annotations

import os
import signal
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from responses.models import ImportRun, PlatformConnection, Reply, Review
from responses.sources.services import INTERRUPTED
from responses.sources.tokens import token_encrypt
from reviewdesk.celery import app
from tests.fake_http import JSONHandler, serving
from tests.workers import (
    children,
    require_redis_and_postgresql,
    wait_for,
    worker_environment,
    worker_start,
    worker_stop,
)

PAGES, PER_PAGE = 8, 25
REVIEWS = PAGES * PER_PAGE
PAGE_SECONDS = 1.0  # Google answering slowly: the run lasts long enough to be killed in the middle
QUEUE = "test-worker-killed-mid-source-run"


class _SlowGoogle(JSONHandler):
    """Google's token endpoint and a location's reviews, PER_PAGE a page, the same on every run."""

    def do_POST(self):  # the OAuth token endpoint
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_json({"access_token": "ya29.slow-test", "expires_in": 3599, "token_type": "Bearer"})

    def do_GET(self):
        page = int(parse_qs(urlsplit(self.path).query).get("pageToken", ["0"])[0])
        time.sleep(PAGE_SECONDS)
        reviews = [{
            "reviewId": f"g-{n}", "reviewer": {"displayName": f"Reviewer {n}"}, "starRating": "FOUR",
            "comment": f"Visit {n}: calm rooms and a kind welcome at the front desk.",
            "createTime": "2024-05-01T10:00:00Z", "updateTime": "2024-05-01T10:00:00Z",
        } for n in range(page * PER_PAGE, (page + 1) * PER_PAGE)]
        self.send_json({"reviews": reviews, "totalReviewCount": REVIEWS}
                       | ({"nextPageToken": str(page + 1)} if page + 1 < PAGES else {}))


@pytest.fixture
def slow_google():
    with serving(_SlowGoogle) as server:
        yield f"http://127.0.0.1:{server.server_port}"


@pytest.fixture
def workers(slow_google):
    """Starts workers pointed at the slow Google; stops them all at the end."""
    require_redis_and_postgresql()
    app.control.purge()  # nothing left over from other tests reaches these workers
    env = worker_environment(
        GOOGLE_BUSINESS_API_URL=f"{slow_google}/v4", GOOGLE_OAUTH_TOKEN_URL=f"{slow_google}/token",
        GOOGLE_OAUTH_CLIENT_ID="reviewdesk-test.apps.example", GOOGLE_OAUTH_CLIENT_SECRET="test-client-secret",
    )
    started = []

    def start(*queues):
        started.append(worker_start(*queues, env=env))
        return started[-1]

    yield start
    for process in started:
        worker_stop(process)
    with app.connection_for_write() as broker:  # the whole-worker kill leaves its task unacknowledged
        channel = broker.default_channel
        channel.client.delete(channel.unacked_key, channel.unacked_index_key)


@pytest.fixture
def source(location):
    return PlatformConnection.objects.create(
        location=location, platform="google", kind=PlatformConnection.Kind.GOOGLE_BUSINESS,
        resource="accounts/111/locations/222", secret_encrypted=token_encrypt("1//slow-test-refresh-token"),
    )


def _run_queued(source, queue: str) -> ImportRun:
    from responses.tasks import import_reviews_from_connection

    import_reviews_from_connection.apply_async([source.pk], queue=queue)
    return wait_for(lambda: ImportRun.objects.filter(connection=source, processed_rows__gte=2 * PER_PAGE).first(),
                    120, "the run to store two pages")


def _assert_one_copy_of_everything_and_no_run_running(source, killed_run: ImportRun) -> None:
    done = wait_for(lambda: ImportRun.objects.filter(connection=source, status=ImportRun.Status.DONE).first(), 240,
                    "a run to finish after the kill")
    killed_run.refresh_from_db()
    assert killed_run.status == ImportRun.Status.FAILED and killed_run.failure_reason == INTERRUPTED
    assert not ImportRun.objects.filter(status=ImportRun.Status.RUNNING).exists()
    assert (done.created_count, done.unchanged_count) == (REVIEWS - killed_run.created_count, killed_run.created_count)
    assert Review.objects.count() == REVIEWS
    assert Review.objects.values("external_id").distinct().count() == REVIEWS
    assert Reply.objects.count() == REVIEWS
    assert Reply.objects.values("review").distinct().count() == REVIEWS
    assert not Reply.objects.filter(current_version__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_a_pool_process_killed_mid_run_is_redelivered_and_completes_the_run(workers, source):
    worker = workers(QUEUE)
    run = _run_queued(source, QUEUE)

    (pool_process,) = children(worker.pid)
    os.kill(pool_process, signal.SIGKILL)
    run.refresh_from_db()
    assert 0 < run.processed_rows < REVIEWS, "the run was in the middle when its process died"

    _assert_one_copy_of_everything_and_no_run_running(source, run)
    assert ImportRun.objects.filter(connection=source).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_whole_worker_killed_mid_run_is_recovered_by_the_next_workers_watchdog(workers, source):
    worker = workers(QUEUE)
    run = _run_queued(source, QUEUE)

    os.killpg(worker.pid, signal.SIGKILL)  # main process and pool process at once, as an out-of-memory kill
    worker.wait()
    run.refresh_from_db()
    assert 0 < run.processed_rows < REVIEWS, "the run was in the middle when its worker died"
    assert run.status == ImportRun.Status.RUNNING

    workers(QUEUE, "celery")  # the watchdog runs when a worker starts, and queues on the default queue

    _assert_one_copy_of_everything_and_no_run_running(source, run)
