"""An import drafts on every core (responses.drafting.spread): forked helpers draft shares of each batch. What they
draft must be exactly what one process drafts; a helper that dies must cost no draft; the parent's database
connection and transaction must come through untouched; and a helper must not outlive its parent."""
from __future__ import annotations

import multiprocessing
import os
import signal
import time

import pytest

from responses.drafting import DRAFTING_UNAVAILABLE, drafts_for_reviews
from responses.drafting.compose import ReviewInput
from responses.drafting.drafts import drafting_for
from responses.drafting.spread import MIN_SPREAD, DraftingSpread, _helper_start
from responses.drafting.topics import detect_topics_many
from responses.intake import reviews_import
from responses.intake import services as intake_services
from responses.models import ImportRun, Reply, Review

pytestmark = pytest.mark.django_db

OPENINGS = ["The front desk was lovely", "Booking was confusing", "I waited forty minutes", "Spotless rooms",
            "The price was not what I was quoted", "Parking was a nightmare", "Everyone was so kind"]
NAMES = ["Kelsey P.", "Marco D.", "Priya S.", "", "A Google user", "Ana Rossi", "sweetpea303"]


def reviews(count: int) -> list[ReviewInput]:
    return [
        ReviewInput(identity=f"google:s-{n}", author_name=NAMES[n % len(NAMES)], rating=1 + n % 5,
                    text=f"{OPENINGS[n % len(OPENINGS)]}. Visit number {n}.")
        for n in range(count)
    ]


def helper_pids(spread: DraftingSpread) -> list[int]:
    return list(spread._executor._processes) if spread._executor is not None else []


def test_helpers_draft_exactly_what_one_process_drafts(location):
    setup = drafting_for(location.practice, location)
    batch = reviews(3 * MIN_SPREAD + 5)
    topics = detect_topics_many([(review.text, review.rating) for review in batch])

    with DraftingSpread(setup=lambda: setup, processes=2) as spread:
        assert spread.topics([(review.text, review.rating) for review in batch]) == topics
        spread_drafts = spread.drafts(batch, topics)
        assert len(helper_pids(spread)) == 1

    alone = drafts_for_reviews(batch, detected_topics=topics, **setup)
    assert [(d.text, d.topics, d.language, d.skipped) for d in spread_drafts] == [
        (d.text, d.topics, d.language, d.skipped) for d in alone]
    assert [d.verdict.to_dict() if d.verdict else None for d in spread_drafts] == [
        d.verdict.to_dict() if d.verdict else None for d in alone]


def test_a_small_batch_is_drafted_in_this_process(location):
    with DraftingSpread(setup=lambda: drafting_for(location.practice, location), processes=4) as spread:
        drafts = spread.drafts(reviews(MIN_SPREAD - 1), [None] * (MIN_SPREAD - 1))
        assert helper_pids(spread) == []
    assert all(draft.text for draft in drafts)


def test_a_helper_that_dies_costs_no_draft_and_the_run_goes_on_in_one_process(location, caplog):
    setup = drafting_for(location.practice, location)
    batch = reviews(4 * MIN_SPREAD)
    topics = [None] * len(batch)
    alone = [draft.text for draft in drafts_for_reviews(batch, detected_topics=topics, **setup)]

    with DraftingSpread(setup=lambda: setup, processes=2) as spread:
        spread.drafts(batch[:MIN_SPREAD], topics[:MIN_SPREAD])
        for pid in helper_pids(spread):
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)

        assert [draft.text for draft in spread.drafts(batch, topics)] == alone
        assert helper_pids(spread) == []
        assert [draft.text for draft in spread.drafts(batch, topics)] == alone
    assert "drafting helper process died" in caplog.text


def test_an_import_with_helpers_stores_every_draft_and_keeps_its_database_connection(location):
    rows = "".join(f"p-{n},{NAMES[n % len(NAMES)]},{1 + n % 5},{OPENINGS[n % len(OPENINGS)]}. Visit {n}.,"
                   f"2024-05-01\n" for n in range(150))

    run = reviews_import(location=location, actor=None, filename="reviews.csv", default_platform="google", processes=2,
                         data=("external_id,author_name,rating,text,posted_at\n" + rows).encode())

    assert (run.status, run.created_count) == (ImportRun.Status.DONE, 150)
    assert run.drafted_count == Reply.objects.count() > 100
    assert Review.objects.filter(reply__isnull=True).count() == 150 - run.drafted_count
    # The helpers have exited: the parent's connection still answers.
    assert Review.objects.filter(location=location).count() == 150


def _parent_with_a_helper(pipe) -> None:
    from concurrent.futures import ProcessPoolExecutor

    executor = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_helper_start, initargs=({}, None))
    pipe.send(executor.submit(os.getpid).result())
    time.sleep(60)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] != "Z"


def test_a_helper_leaves_when_its_parent_is_killed():
    ours, theirs = multiprocessing.Pipe()
    parent = multiprocessing.get_context("fork").Process(target=_parent_with_a_helper, args=(theirs,))
    parent.start()
    helper = ours.recv()
    assert _alive(helper)

    os.kill(parent.pid, signal.SIGKILL)
    parent.join()

    deadline = time.monotonic() + 10
    while _alive(helper) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(helper)


def _daemonic_parent(pipe, allowed: bool) -> None:
    from concurrent.futures import ProcessPoolExecutor

    from responses.drafting.spread import _children_allowed

    executor = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    try:
        if allowed:
            with _children_allowed():
                pipe.send(executor.submit(os.getpid).result())
        else:
            pipe.send(executor.submit(os.getpid).result())
    except AssertionError as exc:
        pipe.send(str(exc))
    finally:
        executor.shutdown()
        pipe.send(multiprocessing.current_process().daemon)


@pytest.mark.parametrize("allowed", [False, True])
def test_a_celery_pool_process_may_fork_helpers_and_stays_daemonic(allowed):
    # Celery's pool processes are daemonic, and multiprocessing refuses a daemonic process children.
    ours, theirs = multiprocessing.Pipe()
    parent = multiprocessing.get_context("fork").Process(target=_daemonic_parent, args=(theirs, allowed), daemon=True)
    parent.start()
    answer, still_daemonic = ours.recv(), ours.recv()
    parent.join(10)

    if allowed:
        assert isinstance(answer, int) and answer != parent.pid
    else:
        assert answer == "daemonic processes are not allowed to have children"
    assert still_daemonic is True


def forty_rows() -> bytes:
    rows = "".join(f"u-{n},{NAMES[n % len(NAMES)]},4,{OPENINGS[n % len(OPENINGS)]}. Visit {n}.,2024-05-01\n"
                   for n in range(40))
    return ("external_id,author_name,rating,text,posted_at\n" + rows).encode()


def test_with_helpers_and_no_model_every_row_is_stored_and_the_report_says_drafting_is_unavailable(location,
                                                                                                 settings):
    settings.PHI_GUARD_SPACY_MODEL = "en_no_such_model_xx"

    run = reviews_import(location=location, actor=None, filename="reviews.csv", data=forty_rows(),
                         default_platform="google", processes=2)

    assert (run.status, run.created_count, run.drafted_count) == (ImportRun.Status.DONE, 40, 0)
    assert {"line": 0, "reason": DRAFTING_UNAVAILABLE, "warning": True} in run.errors
    assert not Reply.objects.exists()


def test_with_helpers_and_an_unusable_guard_profile_every_row_is_stored_undrafted(location, monkeypatch):
    def unusable(practice, location=None):
        raise ValueError("the practice's guard profile cannot be read")

    monkeypatch.setattr(intake_services, "drafting_for", unusable)

    run = reviews_import(location=location, actor=None, filename="reviews.csv", data=forty_rows(),
                         default_platform="google", processes=2)

    assert (run.status, run.created_count, run.drafted_count) == (ImportRun.Status.DONE, 40, 0)
    assert {"line": 0, "reason": DRAFTING_UNAVAILABLE, "warning": True} in run.errors
    assert Review.objects.exclude(topics=[]).count() == 40  # topics were still detected, by the helpers too
