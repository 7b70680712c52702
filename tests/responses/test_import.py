"""File imports: CSV, JSON, JSONL and Google's review JSON; valid rows in, broken rows reported by line."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from responses import workflow
from responses.intake import reviews_import, reviews_import_start
from responses.models import AuditEvent, ImportRun, Reply, Review, text_sha256

pytestmark = pytest.mark.django_db

SECRET = "Fillerdissolve"

CSV = (
    "platform,external_id,author_name,rating,text,posted_at\n"
    "google,g-1,Kelsey P.,2,The wait was long.,2024-05-01T10:30:00Z\n"
    'yelp,y-1,Trent K.,7,"Rude at the desk, ' + SECRET + '.",2024-05-02\n'
    'Facebook,f-1,Ingrid,5,"Lovely calm space.\nSpotless rooms.",2024-05-03T09:00:00-06:00\n'
    "realself,r-1,Sam,,,2024-05-04\n"
    "healthgrades,h-1,Dee,4,,2099-01-01T00:00:00Z\n"
    "\n"
    "google,g-2,Ana,,<script>alert(1)</script> 😍,2024-05-05\n"
)


def run_import(location, actor, data, filename="reviews.csv", **kwargs):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return reviews_import(location=location, actor=actor, filename=filename, data=data, **kwargs)


def test_it_imports_valid_rows_and_reports_the_broken_ones(location, alice):
    run = run_import(location, alice, CSV)

    assert run.status == ImportRun.Status.DONE
    assert (run.created_count, run.updated_count, run.unchanged_count) == (3, 0, 0)
    assert run.errors == [
        {"line": 3, "reason": "rating must be 1-5, got 7"},
        {"line": 6, "reason": "a review needs a rating or a text (both are empty)"},
        {"line": 7, "reason": "posted_at is in the future (2099-01-01T00:00:00+00:00)"},
    ]
    assert (run.total_rows, run.processed_rows) == (6, 6)
    assert run.finished_at is not None and run.started_by == alice
    assert sorted(Review.objects.values_list("external_id", flat=True)) == ["f-1", "g-1", "g-2"]
    assert Review.objects.get(external_id="g-2").text == "<script>alert(1)</script> 😍"
    assert Review.objects.get(external_id="f-1").text == "Lovely calm space.\nSpotless rooms."


def test_the_report_never_quotes_a_review(location, alice):
    run = run_import(location, alice, CSV)

    assert SECRET not in json.dumps(run.errors)
    event = AuditEvent.objects.get(action="reviews_imported")
    assert SECRET not in json.dumps(event.details)


def test_it_records_an_audit_event_with_the_counts(location, alice):
    run = run_import(location, alice, CSV)

    event = AuditEvent.objects.get(action="reviews_imported")
    assert (event.actor, event.practice) == (alice, location.practice)
    assert event.details == {
        "import_run": run.pk, "created": 3, "updated": 0, "unchanged": 0, "failed": 3, "drafted": 2, "escalated": 0,
    }


def test_reimporting_the_same_file_creates_no_duplicates(location, alice):
    run_import(location, alice, CSV)
    again = run_import(location, alice, CSV)

    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    assert Review.objects.count() == 3


def test_an_edited_review_is_updated_and_its_draft_marked_stale(location, alice):
    run_import(location, alice, CSV)
    review = Review.objects.get(external_id="g-1")
    reply = workflow.reply_save_text(  # the import's draft, edited by someone (an untouched one is re-drafted)
        reply=Reply.objects.get(review=review), actor=alice, text="Thank you for your feedback.", expected_revision=0
    )
    edited = CSV.replace("The wait was long.", "The wait was long. Update: they called me back.")

    run = run_import(location, alice, edited)

    assert (run.created_count, run.updated_count, run.unchanged_count) == (0, 1, 2)
    review.refresh_from_db()
    assert review.text == "The wait was long. Update: they called me back."
    reply.refresh_from_db()
    assert reply.stale is True
    assert reply.revision == 1  # nobody's edit in progress is refused because of it
    assert AuditEvent.objects.filter(action="reply_marked_stale", reply=reply).count() == 1


def test_a_changed_rating_is_an_edit_too(location, alice):
    run_import(location, alice, CSV)

    run = run_import(location, alice, CSV.replace("Kelsey P.,2,", "Kelsey P.,4,"))

    assert run.updated_count == 1
    assert Review.objects.get(external_id="g-1").rating == 4


def test_a_posted_reply_is_not_marked_stale(location, alice, bob):
    run_import(location, alice, CSV)
    review = Review.objects.get(external_id="g-1")
    reply = workflow.reply_save_text(
        reply=Reply.objects.get(review=review), actor=alice, text="Thank you for your feedback.", expected_revision=0
    )
    reply = workflow.reply_submit(reply=reply, actor=alice)
    reply = workflow.reply_approve(reply=reply, actor=bob, expected_revision=reply.revision)
    workflow.reply_mark_posted(reply=reply, actor=bob)

    run_import(location, alice, CSV.replace("The wait was long.", "Edited after the reply."))

    assert Reply.objects.get(pk=reply.pk).stale is False


def test_a_semicolon_csv_with_a_bom_from_excel(location, alice):
    data = "\ufeffPlatform;Author;Stars;Review;Date\r\nGoogle;Kelsey P.;5;Great, really great;2024-05-01\r\n"

    run = run_import(location, alice, data.encode("utf-8"))

    assert (run.created_count, run.errors) == (1, [])
    review = Review.objects.get()
    assert (review.author_name, review.rating, review.text) == ("Kelsey P.", 5, "Great, really great")


def test_a_csv_row_with_the_wrong_number_of_fields_is_reported(location, alice):
    data = "platform,author_name,rating,text,posted_at\ngoogle,A,5,one,two,2024-05-01\n"

    run = run_import(location, alice, data)

    assert run.errors == [{"line": 2, "reason": "this row has 6 fields but the header has 5"}]


def test_a_csv_without_a_header_fails_without_quoting_the_first_review(location, alice):
    run = run_import(location, alice, f"google,g-1,Kelsey,2,{SECRET},2024-05-01\n")

    assert run.status == ImportRun.Status.FAILED
    assert run.failure_reason.startswith("The first line must be a header naming the columns")
    assert SECRET not in run.failure_reason
    assert not Review.objects.exists()
    assert AuditEvent.objects.filter(action="reviews_import_failed", practice=location.practice).exists()


def test_a_json_list_reports_positions(location, alice):
    data = json.dumps(
        [
            {"platform": "yelp", "external_id": "y-1", "author_name": "Trent", "rating": 1, "text": "Slow.",
             "posted_at": "2024-05-01T10:00:00Z"},
            {"platform": "yelp", "external_id": "y-2", "rating": 9, "text": "x", "posted_at": "2024-05-01"},
            "not an object",
        ]
    )

    run = run_import(location, alice, data, filename="export.json")

    assert run.created_count == 1
    assert run.errors == [
        {"line": 2, "reason": "rating must be 1-5, got 9"},
        {"line": 3, "reason": "each review must be a JSON object"},
    ]


def test_jsonl_reports_file_lines(location, alice):
    data = (
        '{"platform": "google", "external_id": "a", "rating": 5, "text": "", "posted_at": "2024-05-01"}\n'
        "\n"
        '{"platform": "google", "external_id": "b", "rating": 5, "text": "broken\n'
        '{"platform": "google", "external_id": "c", "text": "Fine 👍", "posted_at": "2024-05-02T08:00:00Z"}\n'
    )

    run = run_import(location, alice, data, filename="reviews.jsonl")

    assert run.created_count == 2
    assert run.errors == [{"line": 3, "reason": "this line is not valid JSON"}]


def test_jsonl_is_recognised_without_the_extension(location, alice):
    data = (
        '{"platform":"google","rating":5,"posted_at":"2024-05-01"}\n'
        '{"platform":"yelp","rating":4,"posted_at":"2024-05-01"}\n'
    )

    run = run_import(location, alice, data, filename="reviews.json")

    assert run.created_count == 2


def test_googles_review_json_is_accepted_as_is(location, alice):
    data = {
        "reviews": [
            {
                "name": "accounts/1/locations/2/reviews/AbC123",
                "reviewId": "AbC123",
                "reviewer": {"displayName": "Kelsey P.", "profilePhotoUrl": "https://example.invalid/p.png"},
                "starRating": "FIVE",
                "comment": "Lovely staff 😊",
                "createTime": "2024-05-01T10:00:00.123456789Z",
                "updateTime": "2024-05-02T10:00:00Z",
            },
            {
                "name": "accounts/1/locations/2/reviews/XyZ",
                "reviewer": {"displayName": "A Google user", "isAnonymous": True},
                "starRating": "TWO",
                "createTime": "2024-05-03T10:00:00Z",
            },
            {"reviewId": "Bad", "starRating": "SIX", "createTime": "2024-05-03T10:00:00Z"},
        ],
        "averageRating": 3.5,
        "totalReviewCount": 3,
    }

    run = run_import(location, alice, json.dumps(data), filename="google.json")

    assert run.created_count == 2
    assert run.errors == [{"line": 3, "reason": "rating must be a whole number 1-5 or empty (got a non-numeric value)"}]
    kelsey, anonymous = Review.objects.order_by("posted_at")
    assert (kelsey.platform, kelsey.external_id, kelsey.author_name) == ("google", "AbC123", "Kelsey P.")
    assert kelsey.rating == 5
    assert kelsey.text == "Lovely staff 😊"
    assert (anonymous.external_id, anonymous.author_name, anonymous.rating, anonymous.text) == ("XyZ", "", 2, "")


def test_invalid_json_fails_with_the_line_of_the_problem(location, alice):
    run = run_import(location, alice, '[{"text": "' + SECRET + '",\n', filename="reviews.json")

    assert run.status == ImportRun.Status.FAILED
    assert run.failure_reason == "The file is not valid JSON (first problem on line 2)."


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "The file is empty."),
        (b"  \n\n", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This does not look like a text file (CSV, JSON or JSONL)."),
        (b'"just a string"', 'JSON must be a list of reviews or an object with a "reviews" list.'),
    ],
)
def test_files_that_cannot_be_read_fail_clearly(location, alice, data, reason):
    run = run_import(location, alice, data, filename="upload.json")

    assert (run.status, run.failure_reason) == (ImportRun.Status.FAILED, reason)


def test_windows_1252_bytes_are_read_and_the_fallback_reported(location, alice):
    data = "platform,author_name,rating,text,posted_at\ngoogle,Ren\u00e9e,5,Caf\u00e9 \u2019nice\u2019,2024-05-01\n"

    run = run_import(location, alice, data.encode("cp1252"))

    assert run.created_count == 1
    review = Review.objects.get()
    assert (review.author_name, review.text) == ("Ren\u00e9e", "Caf\u00e9 \u2019nice\u2019")
    assert run.errors == [
        {
            "line": 0,
            "reason": "The file is not valid UTF-8; it was read as Windows-1252 (cp1252). "
            "Check accented letters and emoji, or save it as UTF-8 and import again.",
            "warning": True,
        }
    ]
    assert AuditEvent.objects.get(action="reviews_imported").details["failed"] == 0


def test_bytes_undefined_in_windows_1252_fall_back_to_latin_1(location, alice):
    data = b"platform,rating,text,posted_at\ngoogle,5,odd \x81 byte,2024-05-01\n"

    run = run_import(location, alice, data)

    assert run.created_count == 1
    assert "Latin-1" in run.errors[0]["reason"]


def test_utf16_with_a_bom_is_read(location, alice):
    data = "platform\trating\ttext\tposted_at\ngoogle\t5\tMerci 💐\t2024-05-01\n".encode("utf-16")

    run = run_import(location, alice, data, filename="export.txt")

    assert (run.created_count, run.errors) == (1, [])
    assert Review.objects.get().text == "Merci 💐"


def test_rows_without_a_platform_take_the_default(location, alice):
    data = "author_name,rating,text,posted_at\nTrent,3,Fine.,2024-05-01\n"

    assert run_import(location, alice, data).errors == [{"line": 2, "reason": "platform is missing"}]
    assert run_import(location, alice, data, default_platform="yelp").created_count == 1
    assert Review.objects.get().platform == "yelp"


def test_rows_without_an_external_id_are_not_duplicated(location, alice):
    data = "platform,author_name,rating,text,posted_at\ngoogle,Trent,3,Fine.,2024-05-01\n"
    run_import(location, alice, data)

    again = run_import(location, alice, data)

    assert (again.created_count, again.unchanged_count) == (0, 1)


def test_the_same_review_twice_in_one_file_is_stored_once(location, alice):
    data = CSV.splitlines()[0] + "\n" + CSV.splitlines()[1] + "\n" + CSV.splitlines()[1] + "\n"

    run = run_import(location, alice, data)

    assert (run.created_count, run.unchanged_count, Review.objects.count()) == (1, 1, 1)


def test_a_batch_of_new_reviews_is_written_in_one_statement(location, alice):
    rows = "".join(f"google,n-{number},Guest {number},5,Lovely visit number {number}.,2024-05-01\n"
                   for number in range(40))

    with CaptureQueriesContext(connection) as queries:
        run = run_import(location, alice, "platform,external_id,author_name,rating,text,posted_at\n" + rows,
                         draft=False)

    assert (run.created_count, Review.objects.count()) == (40, 40)
    inserts = [query for query in queries.captured_queries
               if query["sql"].startswith('INSERT INTO "responses_review"')]
    assert len(inserts) == 1


def test_a_review_another_writer_stores_meanwhile_is_not_created_twice(location, alice, monkeypatch):
    from responses.intake import services

    real_known = services._reviews_known

    def stored_meanwhile(**kwargs):
        found = real_known(**kwargs)
        # Between the batch's look-up and its insert, another writer stores the batch's first review.
        Review.objects.create(location=location, platform="google", external_id="g-1", author_name="Kelsey P.",
                              rating=2, text="The wait was long.", text_sha256=text_sha256("The wait was long."),
                              posted_at=timezone.now() - timedelta(days=30))
        return found

    monkeypatch.setattr(services, "_reviews_known", stored_meanwhile)
    run = run_import(location, alice, CSV)

    assert (run.created_count, run.unchanged_count) == (2, 1)
    assert Review.objects.filter(external_id="g-1").count() == 1
    assert sorted(Review.objects.values_list("external_id", flat=True)) == ["f-1", "g-1", "g-2"]


def test_charlie_cannot_import_into_another_practices_location(location, charlie):
    with pytest.raises(PermissionDenied):
        run_import(location, charlie, CSV)
    assert not ImportRun.objects.exists()


def test_the_front_desk_can_import(location, alice):
    assert run_import(location, alice, CSV).status == ImportRun.Status.DONE


def test_a_small_upload_is_imported_at_once(location, alice):
    run = reviews_import_start(location=location, actor=alice, filename="reviews.csv", data=CSV.encode())

    assert run.status == ImportRun.Status.DONE
    assert run.created_count == 3


def test_a_large_upload_is_imported_by_a_worker_after_commit(
    location, alice, settings, celery_eager, django_capture_on_commit_callbacks
):
    settings.IMPORT_INLINE_MAX_BYTES = 100
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = reviews_import_start(location=location, actor=alice, filename="big.csv", data=CSV.encode())

    assert (run.status, run.total_rows) == (ImportRun.Status.RUNNING, 0)
    upload = settings.VAR_DIR / "imports" / f"import-run-{run.pk}.upload"
    assert upload.read_bytes() == CSV.encode()
    assert len(callbacks) == 1

    callbacks[0]()  # the transaction commits: the task runs (eagerly here)

    run.refresh_from_db()
    assert (run.status, run.created_count, run.processed_rows, run.total_rows) == (ImportRun.Status.DONE, 3, 6, 6)
    assert run.started_by == alice
    assert not upload.exists()


def test_a_large_upload_whose_file_vanished_fails_clearly(location, alice, settings):
    from responses.intake import reviews_import_upload

    settings.IMPORT_INLINE_MAX_BYTES = 100
    run = reviews_import_start(location=location, actor=alice, filename="big.csv", data=CSV.encode())
    (settings.VAR_DIR / "imports" / f"import-run-{run.pk}.upload").unlink()

    run = reviews_import_upload(run=run)

    assert (run.status, run.failure_reason) == (
        ImportRun.Status.FAILED, "The uploaded file is no longer available; upload it again."
    )


def test_progress_is_written_while_a_long_import_runs(location, alice):
    from responses.intake.services import BATCH_ROWS

    rows = 2 * BATCH_ROWS + 22
    data = "platform,external_id,rating,posted_at\n" + "".join(f"google,g-{n},5,2024-05-01\n" for n in range(rows))

    with CaptureQueriesContext(connection) as queries:
        run = run_import(location, alice, data)

    progress_writes = [
        query["sql"] for query in queries.captured_queries
        if query["sql"].startswith('UPDATE "responses_importrun"') and '"processed_rows"' in query["sql"]
    ]
    # total known first, then after every batch, then the final count: what a polling page sees move.
    assert [sql.split('"processed_rows" = ')[1].split(",")[0] for sql in progress_writes] == [
        "0", str(BATCH_ROWS), str(2 * BATCH_ROWS), str(rows),
    ]
    assert (run.total_rows, run.processed_rows, run.created_count) == (rows, rows, rows)


def test_future_dates_are_judged_against_now(location, alice):
    soon = (timezone.now() + timedelta(minutes=1)).isoformat()
    data = f"platform,rating,posted_at\ngoogle,5,{soon}\n"

    assert run_import(location, alice, data).created_count == 1


def test_new_and_edited_reviews_get_topics(location, alice):
    from responses import drafting

    run_import(location, alice, CSV)
    review = Review.objects.get(external_id="g-1")
    assert review.topics and review.topics == drafting.detect_topics(review.text, review.rating)

    praise = CSV.replace("Kelsey P.,2,The wait was long.", "Kelsey P.,5,Lovely staff and spotless rooms!")
    run_import(location, alice, praise)

    review.refresh_from_db()
    assert review.topics == drafting.detect_topics("Lovely staff and spotless rooms!", 5) != ["wait_time"]


def test_a_file_of_thousands_of_bad_rows_lists_the_first_ones_and_counts_the_rest(location, alice):
    from responses.intake.services import MAX_LISTED_ERRORS

    data = "platform,rating,posted_at\n" + "google,9,2024-05-01\n" * (MAX_LISTED_ERRORS + 3)

    run = run_import(location, alice, data)

    assert len(run.errors) == MAX_LISTED_ERRORS + 1
    assert run.errors[-1] == {"line": 0, "reason": "3 more rejected rows are not listed.", "more": 3}
    assert run.rejected_count == MAX_LISTED_ERRORS + 3
    assert AuditEvent.objects.get(action="reviews_imported").details["failed"] == MAX_LISTED_ERRORS + 3


def test_an_infinite_rating_or_an_out_of_range_date_is_a_rejected_row_not_a_crash(location, alice):
    data = json.dumps([
        {"platform": "yelp", "text": "Good.", "posted_at": "2024-05-01", "rating": 4},
        {"platform": "yelp", "text": "Bad rating.", "posted_at": "2024-05-01", "rating": "inf"},
        {"platform": "yelp", "text": "Bad date.", "posted_at": "0001-01-01T00:00:00+14:00", "rating": 3},
    ]).encode()

    run = run_import(location, alice, data, filename="reviews.json")

    assert run.status == ImportRun.Status.DONE
    assert run.created_count == 1
    assert [error["line"] for error in run.errors] == [2, 3]


YELP_EXPORT = (
    "review_id,author,stars,review,date\n"
    "y-1,Ana B.,2,Waited an hour,2024-03-01T14:30:00Z\n"
    "y-2,Ben C.,5,Lovely front desk,2024-03-02T14:30:00Z\n"
)


def test_an_export_without_a_platform_column_takes_the_platform_chosen_for_it(location, alice):
    run = reviews_import_start(
        location=location, actor=alice, filename="yelp.csv", data=YELP_EXPORT.encode(), default_platform="yelp"
    )
    assert (run.status, run.created_count, run.rejected_count) == (ImportRun.Status.DONE, 2, 0)
    assert set(Review.objects.values_list("platform", flat=True)) == {"yelp"}


def test_a_large_export_keeps_its_chosen_platform_until_the_worker_runs(
    location, alice, settings, celery_eager, django_capture_on_commit_callbacks
):
    settings.IMPORT_INLINE_MAX_BYTES = 10
    with django_capture_on_commit_callbacks(execute=True):
        run = reviews_import_start(
            location=location, actor=alice, filename="yelp.csv", data=YELP_EXPORT.encode(), default_platform="yelp"
        )
    run.refresh_from_db()
    assert (run.status, run.created_count, run.default_platform) == (ImportRun.Status.DONE, 2, "yelp")


# --- hostile files: a per-file error, never a crash or a run left "running" ------------------------

DEEP_JSON = b"[" * 100_000


def test_a_deeply_nested_json_upload_is_a_failed_run_with_a_reason(location, alice):
    run = reviews_import_start(location=location, actor=alice, filename="reviews.json", data=DEEP_JSON)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and run.finished_at is not None
    assert run.failure_reason == "The file's JSON is nested too deeply to be a list of reviews."
    assert AuditEvent.objects.filter(action="reviews_import_failed", practice=location.practice).exists()


def test_a_deeply_nested_file_without_an_extension_fails_the_same_way(location, alice):
    run = run_import(location, alice, DEEP_JSON, filename="export")

    assert (run.status, run.failure_reason) == (
        ImportRun.Status.FAILED, "The file's JSON is nested too deeply to be a list of reviews."
    )


def test_a_deeply_nested_jsonl_line_is_that_lines_error_and_the_others_are_imported(location, alice):
    good = json.dumps({"platform": "google", "external_id": "g-1", "rating": 4, "text": "Nice.",
                       "posted_at": "2024-05-01"})
    data = good.encode() + b"\n" + b"[" * 100_000 + b"\n"

    run = run_import(location, alice, data, filename="reviews.jsonl")

    assert run.status == ImportRun.Status.DONE and run.created_count == 1
    assert run.errors == [{"line": 2, "reason": "this line's JSON is nested too deeply to be a review"}]


def test_a_deeply_nested_upload_in_the_worker_ends_failed_and_leaves_no_file(
    location, alice, settings, celery_eager, django_capture_on_commit_callbacks
):
    settings.IMPORT_INLINE_MAX_BYTES = 100
    with django_capture_on_commit_callbacks(execute=True):
        run = reviews_import_start(location=location, actor=alice, filename="big.json", data=DEEP_JSON)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert not (settings.VAR_DIR / "imports" / f"import-run-{run.pk}.upload").exists()


def test_any_error_while_reading_a_file_fails_its_run_without_quoting_it(location, alice, monkeypatch):
    # A parser bug stands in for whatever else a hostile file could make the parser raise.
    from responses.intake import services

    def parser_bug(**kwargs):
        raise ValueError(f"cannot parse {SECRET}")

    monkeypatch.setattr(services, "file_parse", parser_bug)
    run = run_import(location, alice, CSV)

    assert run.status == ImportRun.Status.FAILED
    assert run.failure_reason == "The file could not be read (ValueError); nothing was imported."
    assert SECRET not in run.failure_reason



# --- a CSV quote that is never closed ----------------------------------------------------------------

HEADER = "platform,external_id,author_name,rating,text,posted_at\n"


def test_an_unclosed_quote_at_the_end_reports_its_line_and_the_line_it_swallowed(location, alice):
    data = HEADER + 'google,g-1,Ana,2,"The wait was long,2024-05-01\ngoogle,g-2,Ben,4,Fine.,2024-05-02\n'

    run = run_import(location, alice, data)

    assert [error["line"] for error in run.errors] == [2, 3]
    assert "not closed" in run.errors[0]["reason"] and "line 3" in run.errors[0]["reason"]
    assert "line 2" in run.errors[1]["reason"]
    assert run.rejected_count == 2 and not Review.objects.exists()


def test_a_quote_closed_in_the_wrong_place_reports_both_lines_and_imports_the_rest(location, alice):
    data = HEADER + (
        'google,g-1,Ana,2,"The wait was long,2024-05-01\n'
        'google,g-2,Ben,4,"Fine.",2024-05-02\n'
        "google,g-3,Cy,5,Lovely.,2024-05-03\n"
    )

    run = run_import(location, alice, data)

    assert [error["line"] for error in run.errors] == [2, 3]
    assert list(Review.objects.values_list("external_id", flat=True)) == ["g-3"]


def test_a_quoted_text_over_several_lines_is_still_one_review(location, alice):
    data = HEADER + 'google,g-1,Ana,5,"Calm space.\nSpotless rooms.",2024-05-01\ngoogle,g-2,Ben,4,Fine.,2024-05-02\n'

    run = run_import(location, alice, data)

    assert run.errors == [] and run.created_count == 2
    assert Review.objects.get(external_id="g-1").text == "Calm space.\nSpotless rooms."
