"""Topic detection and drafts on reviews the detector was not first written for.

`data/reviews_probe.jsonl` holds 90 fictional reviews (all 14 topics; typos, slang, ALL CAPS, emoji,
HTML, sarcasm, rambles, one-liners, Spanish/French/Portuguese/Vietnamese, 3-star mixed ones, handles,
initials, accented names, "Dr." names), labelled before the detector was run on them. Measured then:
73/90 (81%). The cues were widened afterwards with this file in view, so it now scores 90/90; a fresh
set written after that first round scored 35/42 (83%) before it too was looked at. The floor below
sits between the two: a regression guard, not a claim about unseen reviews.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from responses.drafting import drafts_for_reviews
from responses.drafting.blocks import default_library, reply_context_for
from responses.drafting.compose import ReviewInput, first_name_from
from responses.drafting.topics import topic_misses
from responses.guarding import practice_profile

PROBE = Path(__file__).resolve().parent / "data" / "reviews_probe.jsonl"
TOPIC_ACCURACY_FLOOR = 0.95
TOPICS = {
    "wait_time", "billing_pricing", "staff_attitude", "bad_outcome", "complication", "booking_scheduling",
    "cleanliness", "communication", "positive_general", "positive_staff", "mixed", "spam_or_fake", "non_english",
    "rating_only",
}


def probe_reviews() -> list[dict]:
    return [json.loads(line) for line in PROBE.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_probe_covers_every_topic_and_its_terms_are_in_the_text():
    rows = probe_reviews()
    assert len(rows) >= 80 and {row["topic"] for row in rows} == TOPICS
    for row in rows:
        for term in row["clinical_terms"] + row["names_in_text"]:
            assert term in row["text"], row["id"]


def test_it_finds_the_primary_topic_of_the_probe_reviews():
    rows = probe_reviews()
    misses = topic_misses(rows)
    accuracy = 1 - sum(misses.values()) / len(rows)
    print(f"probe topic accuracy {accuracy:.1%} on {len(rows)} reviews; confusions (expected, got): {dict(misses)}")
    assert accuracy >= TOPIC_ACCURACY_FLOOR, dict(misses)


@pytest.fixture
def probe_drafts(practice, location):
    rows = probe_reviews()
    reviews = [ReviewInput(identity=f"{row['platform']}:{row['id']}", author_name=row["author_name"],
                           rating=row["rating"], text=row["text"]) for row in rows]
    drafts = drafts_for_reviews(reviews, library=default_library(), context=reply_context_for(practice, location),
                                profile=practice_profile(practice))
    return list(zip(rows, drafts))


def test_on_the_probe_every_draft_passes_the_guard_and_only_spam_is_skipped(probe_drafts):
    for row, draft in probe_drafts:
        if draft.skipped:
            assert row["topic"] == "spam_or_fake", row["id"]
            continue
        assert draft.text and not draft.blocked, (row["id"], draft.verdict.findings if draft.verdict else None)


def test_on_the_probe_no_draft_echoes_clinical_terms_names_or_the_full_display_name(probe_drafts):
    for row, draft in probe_drafts:
        lowered = draft.text.lower()
        for term in row["clinical_terms"] + row["names_in_text"]:
            assert term.lower() not in lowered, (row["id"], "echoes a term of the review")
        if " " in row["author_name"].strip():
            assert row["author_name"].lower() not in lowered, row["id"]


def test_on_the_probe_every_reply_rated_three_or_below_carries_the_private_channel(probe_drafts, location):
    checked = 0
    for row, draft in probe_drafts:
        if row["rating"] <= 3 and not draft.skipped:
            assert location.phone in draft.text or location.email in draft.text, row["id"]
            checked += 1
    assert checked >= 50


def test_on_the_probe_replies_to_negative_reviews_are_mostly_distinct(probe_drafts):
    negative = [draft.text for row, draft in probe_drafts if row["rating"] <= 3 and not draft.skipped]
    distinct = len(set(negative)) / len(negative)
    print(f"{len(set(negative))} distinct of {len(negative)} negative drafts ({distinct:.0%})")
    assert distinct >= 0.8


@pytest.mark.parametrize("display_name, first_name", [
    ("Nguyen Thi Lan", ""),  # family name first: "Nguyen" is not a first name
    ("Tran Van Minh", ""),
    ("Nguyễn Văn Minh", ""),
    ("Hoang Tran", "Hoang"),
    ("Beth Ann Rourke", "Beth"),
])
def test_it_does_not_greet_by_a_family_name_that_comes_first(display_name, first_name):
    assert first_name_from(display_name) == first_name


def test_when_every_topic_variant_is_blocked_it_falls_back_to_the_any_topic_blocks(practice, location):
    from responses.drafting.compose import BlockText

    library = [
        BlockText("acknowledge", "wait_time", "Sorry your Botox appointment ran late."),
        BlockText("acknowledge", "", "Thank you for your feedback."),
        BlockText("resolve", "", "Please reach us at {channel}."),
    ]
    review = ReviewInput(identity="google:generic-1", author_name="Kelsey P.", rating=2,
                         text="Waited 45 minutes past my time.")
    [draft] = drafts_for_reviews([review], library=library, context=reply_context_for(practice, location),
                                 profile=practice_profile(practice))
    assert draft.topic == "wait_time" and not draft.blocked
    assert draft.text.startswith("Thank you for your feedback.")
