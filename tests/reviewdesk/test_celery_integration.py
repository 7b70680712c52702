"""The nightly import runs end to end through the configured broker (Redis in CI, the file broker on a
laptop) and a real Celery worker, against a review platform served from this machine."""
from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker

from responses.models import ImportRun, PlatformConnection, Reply, Review
from reviewdesk.celery import app
from tests.fake_http import JSONHandler, serving

FEED = [
    {"platform": "google", "external_id": "g-1", "author_name": "Ada L.", "rating": 5,
     "text": "Calm, clean and kind.", "posted_at": "2026-01-05T10:00:00Z"},
    {"platform": "google", "external_id": "g-2", "author_name": "Ben", "rating": 2,
     "text": "Waited forty minutes.", "posted_at": "2026-01-06T10:00:00Z"},
    {"platform": "google", "external_id": "g-3", "author_name": "Cy", "rating": 9,
     "text": "A broken row.", "posted_at": "2026-01-07T10:00:00Z"},
]


class _Feed(JSONHandler):
    def do_GET(self):
        self.send_json(FEED)


@pytest.fixture
def feed_url():
    with serving(_Feed) as server:
        yield f"http://127.0.0.1:{server.server_port}/reviews.json"


@pytest.mark.django_db(transaction=True)
def test_the_nightly_task_imports_through_the_broker_and_a_real_worker(location, feed_url, settings):
    broker = "redis" if settings.REDIS_URL else "filesystem"
    assert app.conf.broker_url.startswith(broker), "the app uses the configured broker"
    PlatformConnection.objects.create(
        location=location, platform="google", kind=PlatformConnection.Kind.JSON_FEED, resource=feed_url
    )
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        app.send_task("responses.tasks.import_reviews_from_all_sources")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not ImportRun.objects.filter(status="done").exists():
            time.sleep(0.25)
    run = ImportRun.objects.get()
    assert run.status == "done", run.failure_reason
    assert sorted(Review.objects.values_list("external_id", flat=True)) == ["g-1", "g-2"]
    assert [error["line"] for error in run.errors] == [3]
    # The worker drafted and guard-checked both new reviews: the inbox shows them ready.
    assert run.drafted_count == 2
    assert sorted(Reply.objects.values_list("review__external_id", "current_version__blocked")) == [
        ("g-1", False), ("g-2", False),
    ]
    connection = PlatformConnection.objects.get()
    assert connection.last_import_at is not None
