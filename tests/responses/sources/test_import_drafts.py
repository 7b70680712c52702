"""The import drafts and guard-checks every new review, escalates the dangerous ones, and survives a crash."""
from __future__ import annotations

import pytest

from responses.escalation.models import Escalation
from responses.intake import reviews_import
from responses.models import AuditEvent, ImportRun, Reply, ReplyState, Review
from responses.sources import drafts as import_drafts

pytestmark = pytest.mark.django_db

HEADER = "external_id,author_name,rating,text,posted_at\n"
CSV = HEADER + (
    "g-1,Kelsey P.,2,The wait was long and nobody told me why.,2024-05-01\n"
    "g-2,Marco D.,5,Lovely front desk team and a spotless room.,2024-05-02\n"
    "g-3,Ana R.,1,I am talking to my lawyer about what happened here.,2024-05-03\n"
)


def run_import(location, data: str, *, actor=None) -> ImportRun:
    return reviews_import(
        location=location, actor=actor, filename="reviews.csv", data=data.encode(), default_platform="google"
    )


def test_new_reviews_arrive_drafted_and_guard_checked(location):
    run = run_import(location, CSV)

    assert (run.created_count, run.drafted_count, run.escalated_count) == (3, 2, 1)
    for external_id in ("g-1", "g-2"):
        reply = Reply.objects.select_related("current_version").get(review__external_id=external_id)
        assert reply.state == ReplyState.DRAFTING
        assert reply.current_version.source == "template"
        assert reply.current_version.verdict_matches_text
        assert reply.current_version.blocked is False
    assert AuditEvent.objects.filter(action="reply_drafted_on_import").count() == 2


def test_an_escalated_review_gets_no_draft(location):
    run_import(location, CSV)

    review = Review.objects.get(external_id="g-3")
    assert not Reply.objects.filter(review=review).exists()
    assert review.escalation.reason == Escalation.Reason.LEGAL
    assert review.escalation.is_active


def test_a_second_run_imports_and_drafts_nothing_new(location):
    run_import(location, CSV)

    run = run_import(location, CSV)

    assert (run.created_count, run.unchanged_count, run.drafted_count, run.escalated_count) == (0, 3, 0, 0)
    assert Reply.objects.count() == 2
    assert Escalation.objects.count() == 1


def test_a_rerun_after_a_crash_mid_run_leaves_one_copy_of_each_review_and_draft(location, monkeypatch):
    rows = "".join(
        f"c-{n},Reviewer {n},5,Friendly team and easy booking number {n}.,2024-05-01\n" for n in range(150)
    )
    real = import_drafts.replies_start_drafted
    calls = {"n": 0}

    def crash_in_the_second_batch(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(import_drafts, "replies_start_drafted", crash_in_the_second_batch)
    with pytest.raises(RuntimeError):
        run_import(location, HEADER + rows)
    assert 0 < Review.objects.count() < 150
    monkeypatch.setattr(import_drafts, "replies_start_drafted", real)

    run = run_import(location, HEADER + rows)

    assert run.status == ImportRun.Status.DONE
    assert Review.objects.count() == 150
    assert Reply.objects.count() == 150
    assert Reply.objects.values("review").distinct().count() == 150


def test_an_edited_review_re_drafts_its_untouched_draft(location):
    run_import(location, CSV)

    run = run_import(location, CSV.replace("nobody told me why.", "nobody told me why. They called later."))

    assert run.updated_count == 1
    reply = Reply.objects.select_related("current_version").get(review__external_id="g-1")
    assert (reply.stale, reply.current_version.number, reply.revision) == (False, 2, 1)
    assert reply.current_version.verdict_matches_text
    assert AuditEvent.objects.filter(action="reply_redrafted_on_import", reply=reply).count() == 1


def test_an_edited_review_leaves_a_draft_someone_edited_stale_for_them(location, alice):
    from responses import workflow

    run_import(location, CSV)
    reply = Reply.objects.get(review__external_id="g-1")
    workflow.reply_save_text(reply=reply, actor=alice, text="Thank you, we are sorry about the wait.",
                             expected_revision=0)

    run_import(location, CSV.replace("nobody told me why.", "nobody told me why. They called later."))

    reply.refresh_from_db()
    assert reply.stale is True
    assert reply.current_version.text == "Thank you, we are sorry about the wait."


@pytest.mark.parametrize(
    "text, rating, reason",
    [
        ("I will sue this clinic.", 1, "legal"),
        ("Filing a lawsuit next week.", 3, "legal"),
        ("Reporting you to the medical board.", 2, "regulator"),
        ("I complained to the BBB and the attorney general.", 1, "regulator"),
        ("After this I wanted to kill myself.", 1, "self_harm"),
        ("I ended up in the emergency room that night.", 2, "safety"),
        ("My lip got a lump and a bad infection after the filler.", 1, "complication"),
    ],
)
def test_it_escalates_legal_regulatory_self_harm_safety_and_low_rated_complications(location, text, rating, reason):
    run_import(location, HEADER + f"x-1,Pat,{rating},{text},2024-05-01\n")

    review = Review.objects.get(external_id="x-1")
    assert review.escalation.reason == reason
    assert not Reply.objects.filter(review=review).exists()


def test_a_complication_with_five_stars_is_not_escalated(location):
    run_import(location, HEADER + "x-1,Pat,5,A little swelling after the filler but it settled. Great team.,2024-05-01\n")

    assert not Escalation.objects.exists()


def test_the_escalation_audit_carries_the_reason_code_only(location):
    run_import(location, CSV)

    event = AuditEvent.objects.get(action="review_escalated")
    assert event.details == {"escalation_reason": "legal"}


def test_the_same_platform_id_imported_into_another_location_of_the_practice_is_the_same_review(location):
    from responses.models import Location

    uptown = Location.objects.create(practice=location.practice, name="Uptown")
    run_import(location, CSV)

    run = run_import(uptown, CSV)

    assert (run.created_count, run.unchanged_count, run.drafted_count) == (0, 3, 0)
    assert Review.objects.count() == 3
    assert set(Review.objects.values_list("location", flat=True)) == {location.pk}


def test_the_same_platform_id_at_another_practice_is_another_review(location, other_practice):
    run_import(location, CSV)

    run_import(other_practice.locations.get(), CSV)

    assert Review.objects.count() == 6


@pytest.mark.parametrize("text", ["Visit 911 of many, all good.", "Sue at the desk was lovely.",
                                  "The report was clear and the board game corner is cute."])
def test_ordinary_words_near_the_keywords_do_not_escalate(location, text):
    run_import(location, HEADER + f"x-1,Pat,5,{text},2024-05-01\n")

    assert not Escalation.objects.exists()


# Reviews whose drafts share template texts, greet reviewers by name, echo the review's words, name other people,
# and answer in Spanish (a practice drafts in both languages unless its manager says otherwise).
VARIED = HEADER + "".join(
    f"v-{n},{author},{rating},{text} Visit {n % 3}.,2024-05-{1 + n % 28:02d}\n"
    for n, (author, rating, text) in enumerate([
        (author, rating, text)
        for author in ("Kelsey P.", "Kelsey Parker", "sweetpea303", "", "Maria G.", "Trent K.")
        for rating, text in (
            (5, "Lovely front desk team and a spotless room."),
            (5, "Great results. Kelsey at the desk was so kind."),
            (2, "The wait was long and nobody told me why."),
            (3, "Parking was a nightmare and the Glowtox session felt rushed."),
            (5, "Muy amables y profesionales. La espera fue corta."),
            (1, "The front desk was disorganised and the price was more than quoted."),
        )
    ])
)


def test_every_imported_draft_carries_the_verdict_its_text_gets_checked_alone(location):
    from phi_guard.parse_cache import ParsedReplies
    from phi_guard.service import _engine
    from responses.guarding import verdict_for_reply_text

    run = run_import(location, VARIED)
    assert run.drafted_count == 36

    engine = _engine()
    kept, engine.parsed = engine.parsed, ParsedReplies(engine.nlp_engine, "en", capacity=0)
    try:
        for reply in Reply.objects.select_related("current_version", "review__location__practice"):
            version = reply.current_version
            alone = verdict_for_reply_text(review=reply.review, text=version.text)
            assert version.verdict == alone.to_dict(), reply.review.external_id
    finally:
        engine.parsed = kept
    assert {reply.current_version.text for reply in Reply.objects.select_related("current_version")
            if "gracias" in reply.current_version.text.lower()}
    assert Reply.objects.filter(current_version__blocked=False).exists()
