"""Races on one reply end in the friendly "someone else changed this reply" refusal, never a server error.

Real threads against the real database (PostgreSQL in CI): alice and bob, and a few of their browser tabs,
press their buttons at the same moment. SQLite serializes whole transactions, so these run on PostgreSQL.
"""
from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from django.db import connection, transaction
from django.urls import reverse

from responses import workflow
from responses.models import AuditEvent, Reply, ReplyState, ReplyVersion
from responses.workflow import WorkflowError

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="races need a database with row locks"),
]

SAFE = (
    "Thank you for sharing your feedback, Kelsey. We're sorry to hear this and would like to learn more. "
    "Please call us at (303) 555-0186 so we can talk privately."
)
TABS = 8


def _waiting_for_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # activity is otherwise frozen for the transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def at_once(*actions, held=None) -> list:
    """Run the actions in threads released together; each one's result, or the exception it raised.

    `held` (a model instance) is locked by "another request" until every action is waiting for the database,
    so the actions really overlap inside their transactions rather than one after another."""
    barrier = threading.Barrier(len(actions) + 1)
    results: list = [None] * len(actions)

    def run(index, action):
        barrier.wait()
        try:
            results[index] = action()
        except Exception as exc:  # the outcome under test: a refusal, or the error a user would see as a 500
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, action)) for i, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    if held is None:
        barrier.wait()
    else:
        with transaction.atomic():
            type(held).objects.select_for_update().get(pk=held.pk)
            barrier.wait()
            deadline = time.monotonic() + 20
            while _waiting_for_locks() < len(actions) and time.monotonic() < deadline:
                time.sleep(0.02)
    for thread in threads:
        thread.join()
    return results


def outcomes(results) -> Counter:
    return Counter(
        "ok" if isinstance(result, Reply) else type(result).__name__ if isinstance(result, Exception) else "ok"
        for result in results
    )


@pytest.fixture
def draft(review, alice):
    return workflow.reply_start(review=review, actor=alice, text=SAFE)


def test_eight_saves_of_the_same_revision_keep_one_and_refuse_the_rest_kindly(draft, alice):
    seen = draft.revision

    def save(tab):
        return lambda: workflow.reply_save_text(
            reply=Reply.objects.get(pk=draft.pk), actor=alice, text=f"{SAFE} Tab {tab}.", expected_revision=seen)

    results = at_once(*(save(tab) for tab in range(TABS)), held=draft)

    assert outcomes(results) == Counter({"ok": 1, "StaleReply": TABS - 1})
    assert all("Someone else changed this reply" in str(r) for r in results if isinstance(r, Exception))
    numbers = list(ReplyVersion.objects.filter(reply=draft).order_by("number").values_list("number", flat=True))
    assert numbers == [1, 2]


def test_eight_tabs_starting_the_same_reply_make_one_reply(review, alice):
    results = at_once(*(lambda: workflow.reply_start(review=review, actor=alice, text=SAFE) for _ in range(TABS)),
                      held=review)

    assert outcomes(results) == Counter({"ok": 1, "StaleReply": TABS - 1})
    assert all("Someone else" in str(r) for r in results if isinstance(r, Exception))
    assert Reply.objects.filter(review=review).count() == 1
    assert AuditEvent.objects.filter(action="reply_started").count() == 1


def test_eight_start_reply_clicks_in_the_browser_get_the_editor_not_a_server_error(client, review, alice):
    from django.test import Client

    def click():
        tab = Client()
        tab.force_login(alice)
        return tab.post(reverse("reply_start", args=[review.pk]), HTTP_HX_REQUEST="true")

    responses = at_once(*(click for _ in range(TABS)), held=review)

    assert [getattr(r, "status_code", type(r).__name__) for r in responses] == [200] * TABS
    assert Reply.objects.filter(review=review).count() == 1


def test_approve_reject_and_edits_at_once_end_in_one_winner_and_kind_refusals(draft, alice, bob):
    pending = workflow.reply_submit(reply=draft, actor=alice, expected_revision=draft.revision)
    seen = pending.revision

    def fresh():
        return Reply.objects.get(pk=pending.pk)

    results = at_once(
        lambda: workflow.reply_approve(reply=fresh(), actor=bob, expected_revision=seen),
        lambda: workflow.reply_reject(reply=fresh(), actor=bob, comment="Softer.", expected_revision=seen),
        *(lambda tab=tab: workflow.reply_save_text(reply=fresh(), actor=alice, text=f"{SAFE} Edit {tab}.",
                                                   expected_revision=seen) for tab in range(4)),
        held=pending,
    )

    assert outcomes(results)["ok"] == 1
    refusals = [r for r in results if isinstance(r, Exception)]
    assert len(refusals) == 5 and all(isinstance(r, WorkflowError) for r in refusals), refusals
    reply = fresh()
    assert reply.revision == seen + 1
    if reply.state == ReplyState.APPROVED:
        assert reply.approved_version_id == reply.current_version_id


def test_the_same_review_pasted_in_four_tabs_at_once_is_stored_once_without_a_refused_insert(
    location, alice, postgres_server_log
):
    from django.utils import timezone

    from responses.intake import review_paste
    from responses.models import Review

    posted_at = timezone.now()

    def paste():
        return review_paste(location=location, actor=alice, platform="google", author_name="Kelsey P.",
                            rating=2, posted_at=posted_at, text="The wait was long and nobody told me why.")

    results = at_once(*(paste for _ in range(4)), held=location)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert Review.objects.count() == 1
    # Losing the race is a lock wait, not an INSERT the database refuses (and writes to its log).
    assert "unique_review_external_id_per_source" not in postgres_server_log.since_start(seconds=0.5)


def test_the_same_guard_term_added_twice_at_once_is_refused_kindly_without_a_refused_insert(
    practice, bob, postgres_server_log
):
    from responses.models import GuardTerm
    from responses.vocabulary import guard_term_add

    def add():
        return guard_term_add(practice=practice, actor=bob, entity_type="TREATMENT", term="Hydrafacial Glow")

    results = at_once(add, add, add, held=practice)

    refusals = [r for r in results if isinstance(r, Exception)]
    assert len(refusals) == 2 and all(isinstance(r, WorkflowError) for r in refusals), refusals
    assert GuardTerm.objects.count() == 1
    assert "unique_guard_term" not in postgres_server_log.since_start(seconds=0.5)
