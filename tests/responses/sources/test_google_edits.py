"""Google's updateTime says whether a reviewer edited their review: an edit updates the review and re-drafts its
unposted reply, an unmoved updateTime skips the review, and a listing cut short keeps what it stored."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from responses import workflow
from responses.models import AuditEvent, ImportRun, Reply, ReplyState, Review
from responses.platforms.sources import ImportSourceUnavailable
from responses.sources.services import source_import
from tests.responses.test_platforms import google_review

pytestmark = pytest.mark.django_db

WAIT = "The wait was long and nobody told me why."
EDITED = "The wait was long and nobody told me why. They called the next day to apologise."


def listing(*reviews, next_page=""):
    return {"reviews": list(reviews), "totalReviewCount": len(reviews)} | ({"nextPageToken": next_page} if next_page else {})


@pytest.fixture
def imported(google, platform_api):
    platform_api.answer(200, listing(google_review("r1", stars="TWO", comment=WAIT),
                                     google_review("r2", comment="Lovely staff, easy parking.", day=2)))
    source_import(source=google)
    return Review.objects.get(external_id="r1")


def test_an_edited_review_is_updated_and_its_untouched_draft_re_drafted(google, platform_api, imported):
    platform_api.answer(200, listing(google_review("r1", stars="TWO", comment=EDITED, edited_day=9),
                                     google_review("r2", comment="Lovely staff, easy parking.", day=2)))

    (run,) = source_import(source=google)

    assert (run.updated_count, run.unchanged_count, run.created_count) == (1, 1, 0)
    review = Review.objects.get(pk=imported.pk)
    assert review.text == EDITED
    assert review.platform_updated_at.day == 9
    reply = Reply.objects.select_related("current_version").get(review=review)
    assert (reply.stale, reply.current_version.number, reply.current_version.source) == (False, 2, "template")
    assert reply.current_version.verdict_matches_text
    assert AuditEvent.objects.filter(action="reply_redrafted_on_import", reply=reply).count() == 1


def test_an_edited_review_leaves_a_draft_someone_edited_marked_stale_for_them(google, platform_api, imported, alice):
    reply = Reply.objects.get(review=imported)
    workflow.reply_save_text(reply=reply, actor=alice, text="Thank you, we are sorry about the wait.",
                             expected_revision=reply.revision)
    platform_api.answer(200, listing(google_review("r1", stars="TWO", comment=EDITED, edited_day=9)))

    source_import(source=google)

    reply.refresh_from_db()
    assert reply.stale is True
    assert reply.current_version.text == "Thank you, we are sorry about the wait."
    assert AuditEvent.objects.filter(action="reply_marked_stale", reply=reply).exists()


def test_a_review_whose_update_time_has_not_moved_is_skipped_without_work(google, platform_api, imported):
    # Google may word an unedited review differently (a translation): the unmoved updateTime is what counts.
    translated = "(Translated by Google) " + WAIT
    platform_api.answer(200, listing(google_review("r1", stars="TWO", comment=translated),
                                     google_review("r2", comment="Lovely staff, easy parking.", day=2)))
    events = AuditEvent.objects.count()

    with CaptureQueriesContext(connection) as queries:
        (run,) = source_import(source=google)

    assert (run.unchanged_count, run.updated_count, run.drafted_count) == (2, 0, 0)
    assert Review.objects.get(pk=imported.pk).text == WAIT
    statements = [query["sql"] for query in queries.captured_queries]
    assert not [sql for sql in statements if "FOR UPDATE" in sql or "pg_advisory_xact_lock" in sql]
    assert not [sql for sql in statements if sql.startswith(('UPDATE "responses_review"', 'INSERT INTO "responses_reply'))]
    assert AuditEvent.objects.count() == events + 1  # the run's own "reviews_imported"


def test_an_older_listing_never_overwrites_a_newer_edit(google, platform_api, imported):
    platform_api.answer(200, listing(google_review("r1", stars="TWO", comment=EDITED, edited_day=9)))
    source_import(source=google)
    platform_api.answer(200, listing(google_review("r1", stars="TWO", comment=WAIT, edited_day=5)))

    (run,) = source_import(source=google)

    assert run.unchanged_count == 1
    review = Review.objects.get(pk=imported.pk)
    assert (review.text, review.platform_updated_at.day) == (EDITED, 9)


def test_a_later_update_time_with_the_same_words_changes_nothing_but_the_time(google, platform_api, imported):
    platform_api.answer(200, listing(google_review("r1", stars="TWO", comment=WAIT, edited_day=7)))

    (run,) = source_import(source=google)

    assert (run.unchanged_count, run.updated_count) == (1, 0)
    review = Review.objects.get(pk=imported.pk)
    assert review.platform_updated_at.day == 7
    assert not Reply.objects.get(review=review).stale


def test_a_posted_reply_is_not_marked_stale_by_an_edit(google, platform_api):
    answered = google_review("r1", stars="TWO", comment=WAIT)
    answered["reviewReply"] = {"comment": "Thank you for telling us.", "updateTime": "2024-05-02T10:00:00Z"}
    platform_api.answer(200, listing(answered))
    source_import(source=google)
    platform_api.answer(200, listing(answered | {"comment": EDITED, "updateTime": "2024-05-09T10:00:00Z"}))

    (run,) = source_import(source=google)

    assert run.updated_count == 1
    reply = Reply.objects.get(review__external_id="r1")
    assert (reply.state, reply.stale) == (ReplyState.POSTED, False)


def test_a_listing_that_fails_midway_keeps_its_pages_and_the_next_run_completes_it(google, platform_api, settings):
    settings.PLATFORM_RETRY_ATTEMPTS = 1
    first_page = [google_review(f"p1-{n}", comment=f"Friendly team, visit {n}.") for n in range(3)]
    platform_api.answer(200, listing(*first_page, next_page="p2"))
    platform_api.answer(503, {})

    with pytest.raises(ImportSourceUnavailable):
        source_import(source=google)

    failed = ImportRun.objects.get()
    assert failed.status == ImportRun.Status.FAILED
    assert failed.failure_reason == "Google Business Profile had a server error (HTTP 503); try again later."
    assert (failed.created_count, failed.drafted_count) == (3, 3)
    google.refresh_from_db()
    assert google.last_error == failed.failure_reason

    platform_api.answer(200, listing(*first_page, next_page="p2"))
    platform_api.answer(200, listing(google_review("p2-0", comment="Quick and kind.", day=2)))
    (run,) = source_import(source=google)

    assert (run.status, run.created_count, run.unchanged_count) == (ImportRun.Status.DONE, 1, 3)
    assert Review.objects.count() == Reply.objects.count() == 4
    assert Reply.objects.values("review").distinct().count() == 4


def test_a_run_left_running_by_a_dead_process_is_failed_by_the_next_run(google, platform_api, location):
    dead = ImportRun.objects.create(location=location, connection=google, source_name="google-1.json",
                                    processed_rows=64)
    platform_api.answer(200, listing(google_review("r1")))

    (run,) = source_import(source=google)

    dead.refresh_from_db()
    assert dead.status == ImportRun.Status.FAILED
    assert "worker stopped" in dead.failure_reason
    assert run.status == ImportRun.Status.DONE
