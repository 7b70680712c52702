"""The nightly import: Celery tasks run eagerly against the real database, a local Google and the real cache."""
from __future__ import annotations

import pytest

from responses import tasks
from responses.models import ImportRun, PlatformConnection, Review
from responses.platforms.sources import ImportSourceError, ImportSourceUnavailable
from responses.sources.lock import source_run_lock
from responses.tasks import import_reviews_from_all_sources, import_reviews_from_connection
from tests.responses.test_platforms import google_review

pytestmark = pytest.mark.django_db


def page(*reviews):
    return {"reviews": list(reviews), "totalReviewCount": len(reviews)}


def test_a_connection_import_stores_reviews_and_its_status(platform_api, google):
    platform_api.answer(200, page(google_review("r1"), google_review("r2", stars="ONE", comment="Rude.", day=2)))

    run_id = import_reviews_from_connection.apply(args=[google.pk]).get()

    run = ImportRun.objects.get(pk=run_id)
    assert (run.connection, run.started_by, run.status, run.created_count) == (google, None, "done", 2)
    assert sorted(Review.objects.values_list("external_id", "rating")) == [("r1", 5), ("r2", 1)]
    google.refresh_from_db()
    assert google.last_import_at is not None
    assert google.last_import_status == "done: 2 new, 0 updated, 0 unchanged, 0 rejected"


def test_importing_again_changes_only_what_changed(platform_api, google):
    platform_api.answer(200, page(google_review("r1"), google_review("r2")))
    import_reviews_from_connection.apply(args=[google.pk])
    platform_api.answer(200, page(google_review("r1"), google_review("r2", comment="Edited.", edited_day=9), google_review("r3")))

    import_reviews_from_connection.apply(args=[google.pk])

    google.refresh_from_db()
    assert google.last_import_status == "done: 1 new, 1 updated, 1 unchanged, 0 rejected"
    assert Review.objects.count() == 3


def test_the_nightly_task_queues_every_import_enabled_connection(platform_api, google, location, celery_eager):
    paused = PlatformConnection.objects.create(
        location=location, platform="yelp", kind=PlatformConnection.Kind.JSON_FEED,
        resource=f"{platform_api.url}/feed.json", import_enabled=False,
    )
    feed = PlatformConnection.objects.create(
        location=location, platform="facebook", kind=PlatformConnection.Kind.JSON_FEED,
        resource=f"{platform_api.url}/facebook.jsonl",
    )
    platform_api.answer(200, page(google_review("r1")))
    platform_api.answer(200, b'{"external_id": "fb-1", "rating": 4, "posted_at": "2024-05-01"}\n')

    queued = import_reviews_from_all_sources.apply().get()

    assert queued == 2
    assert [r.path for r in platform_api.received] == ["/v4/accounts/111/locations/222/reviews", "/facebook.jsonl"]
    assert sorted(Review.objects.values_list("platform", "external_id")) == [("facebook", "fb-1"), ("google", "r1")]
    assert not ImportRun.objects.filter(connection=paused).exists()
    assert ImportRun.objects.filter(connection=feed, status="done").exists()


def test_a_disabled_or_deleted_connection_is_skipped(platform_api, google):
    PlatformConnection.objects.filter(pk=google.pk).update(import_enabled=False)

    assert import_reviews_from_connection.apply(args=[google.pk]).get() is None
    assert import_reviews_from_connection.apply(args=[987654]).get() is None
    assert platform_api.received == []


def test_two_imports_of_one_connection_never_overlap(platform_api, google, monkeypatch):
    monkeypatch.setattr(tasks, "SOURCE_LOCK_WAIT_SECONDS", 0.5)
    with source_run_lock(google.pk) as held:  # another worker is importing this connection
        assert held
        result = import_reviews_from_connection.apply(args=[google.pk])

    assert result.get() is None
    assert platform_api.received == []
    assert not ImportRun.objects.exists()

    platform_api.answer(200, page(google_review("r1")))
    assert import_reviews_from_connection.apply(args=[google.pk]).get() is not None


def test_the_lock_is_released_when_an_import_fails(platform_api, google):
    platform_api.answer(401, {})
    with pytest.raises(ImportSourceError):
        import_reviews_from_connection.apply(args=[google.pk], throw=True)

    with source_run_lock(google.pk) as held:
        assert held


def test_a_platform_outage_is_retried_with_backoff(platform_api, google):
    platform_api.answer(503, {})
    platform_api.answer(503, {})
    platform_api.answer(200, page(google_review("r1")))

    result = import_reviews_from_connection.apply(args=[google.pk])

    assert len(platform_api.received) == 3
    assert result.successful()
    assert Review.objects.filter(external_id="r1").exists()
    google.refresh_from_db()
    assert google.last_import_status.startswith("done: 1 new")


def test_it_gives_up_after_three_retries_and_says_why(platform_api, google):
    for _ in range(5):
        platform_api.answer(503, {})

    result = import_reviews_from_connection.apply(args=[google.pk])

    assert result.failed() and isinstance(result.result, ImportSourceUnavailable)
    assert len(platform_api.received) == 4  # the first try and three retries
    google.refresh_from_db()
    assert google.last_import_status == (
        "failed: Google Business Profile had a server error (HTTP 503); try again later."
    )


def test_a_refused_token_is_not_retried(platform_api, google):
    platform_api.answer(401, {})

    with pytest.raises(ImportSourceError):
        import_reviews_from_connection.apply(args=[google.pk], throw=True)

    assert len(platform_api.received) == 1
    google.refresh_from_db()
    assert google.last_import_status.startswith("failed: Google Business Profile refused the access token")


def test_a_feed_that_sends_garbage_fails_the_run_not_the_worker(platform_api, location):
    feed = PlatformConnection.objects.create(
        location=location, platform="yelp", kind=PlatformConnection.Kind.JSON_FEED,
        resource=f"{platform_api.url}/reviews.json",
    )
    platform_api.answer(200, b"[{ oops")

    run = ImportRun.objects.get(pk=import_reviews_from_connection.apply(args=[feed.pk]).get())

    assert (run.status, run.failure_reason) == ("failed", "The file is not valid JSON (first problem on line 1).")
    feed.refresh_from_db()
    assert feed.last_import_status == "failed: The file is not valid JSON (first problem on line 1)."


def test_the_retry_policy_is_finite_with_backoff():
    task = import_reviews_from_connection
    assert (task.max_retries, task.acks_late, task.autoretry_for) == (3, True, (ImportSourceUnavailable,))
    assert task.retry_backoff and task.retry_backoff_max == 30 * 60


def test_a_source_failing_with_500s_is_retried_then_reported_while_the_others_import(platform_api, google, location):
    feed = PlatformConnection.objects.create(
        location=location, platform="facebook", kind=PlatformConnection.Kind.JSON_FEED,
        resource=f"{platform_api.url}/facebook.jsonl",
    )
    for _ in range(4):  # Google: the first try and three retries all fail
        platform_api.answer(500, {})
    platform_api.answer(200, b'{"external_id": "fb-1", "rating": 4, "posted_at": "2024-05-01"}\n')

    failing = import_reviews_from_connection.apply(args=[google.pk])
    import_reviews_from_connection.apply(args=[feed.pk]).get()

    assert failing.failed() and isinstance(failing.result, ImportSourceUnavailable)
    assert [r.path for r in platform_api.received].count("/v4/accounts/111/locations/222/reviews") == 4
    google.refresh_from_db()
    feed.refresh_from_db()
    assert google.last_error == "Google Business Profile had a server error (HTTP 500); try again later."
    assert (feed.last_error, feed.last_success_at is not None) == ("", True)
    assert list(Review.objects.values_list("external_id", flat=True)) == ["fb-1"]
