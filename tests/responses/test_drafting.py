"""Drafting: what a review is about, and a reply that answers it without disclosing anything.

The corpus tests read ../shared/corpus/reviews_dev.jsonl (issue 4's acceptance); they skip, saying
so, when the corpus is not next to the checkout.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from responses.drafting import detect_topics, draft_for_review, drafts_for_reviews
from responses.drafting.blocks import default_library, practice_library, reply_context_for
from responses.drafting.compose import BlockText, ReplyContext, ReviewInput, compose, first_name_from
from responses.guarding import practice_profile, verdict_for_reply_text
from responses.models import TemplateBlock

CORPUS_DIR = Path(settings.BASE_DIR).parent / "shared" / "corpus"
# Measured 40/40 on reviews_dev.jsonl when this was written; the floor leaves room for tuning.
TOPIC_ACCURACY_FLOOR = 0.95


def dev_reviews() -> list[dict]:
    path = CORPUS_DIR / "reviews_dev.jsonl"
    if not path.exists():
        pytest.skip(f"the development corpus is not at {path}")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


CONTEXT = ReplyContext(practice="Willow & Pine Medspa", location="Larimer Square", phone="(303) 555-0186",
                       email="frontdesk@willowpine.example", signature="— The Willow & Pine team")


def review_input(text="The wait was long and nobody told me why.", *, rating=2, author_name="Kelsey P.",
                 identity="google:abc-1") -> ReviewInput:
    return ReviewInput(identity=identity, author_name=author_name, rating=rating, text=text)


# --- topics -----------------------------------------------------------------------------------------


def test_it_finds_the_primary_topic_of_most_dev_reviews():
    rows = dev_reviews()
    misses = Counter()
    for row in rows:
        primary = detect_topics(row["text"], row["rating"])[0]
        if primary != row["topic"]:
            misses[(row["topic"], primary)] += 1
    accuracy = 1 - sum(misses.values()) / len(rows)
    print(f"topic accuracy {accuracy:.1%} on {len(rows)} reviews; confusions (expected, got): {dict(misses)}")
    assert accuracy >= TOPIC_ACCURACY_FLOOR, dict(misses)


@pytest.mark.parametrize("text, rating, topic", [
    ("", 5, "rating_only"),
    ("   ", 1, "rating_only"),
    ("🔥🔥 50% OFF LIP FILLER this week only at glowdeals.example 🔥🔥", 1, "spam_or_fake"),
    ('<a href="http://x.example">click here</a> for the best prices in town', 1, "spam_or_fake"),
    ("Muy caro y nadie me explicó nada. No vuelvo.", 1, "non_english"),
    ("Le personnel était très gentil mais l'attente était trop longue.", 3, "non_english"),
    ("Waited 45 minutes past my time and nobody apologized.", 1, "wait_time"),
    ("They charged my card twice and the refund still hasn't shown up.", 1, "billing_pricing"),
    ("Could not get anyone to call me back after three voicemails.", 2, "communication"),
    ("The exam table paper was torn and there was hair on the floor. Dirty.", 2, "cleanliness"),
    ("She rolled her eyes at my questions and was so condescending.", 1, "staff_attitude"),
    ("They cancelled on me the night before and the next available slot is a month away.", 2,
     "booking_scheduling"),
    ("Everyone was lovely and the space is gorgeous. Highly recommend!", 5, "positive_general"),
    ("Jordan is the most skilled, gentle injector I have ever had.", 5, "positive_staff"),
])
def test_it_recognises_each_kind_of_review(text, rating, topic):
    assert detect_topics(text, rating)[0] == topic


def test_it_does_not_mistake_an_angry_all_caps_review_for_spam():
    assert detect_topics("THE NURSE WAS SO RUDE TO ME. NEVER AGAIN!!!", 1)[0] == "staff_attitude"


def test_it_uses_the_rating_when_the_words_alone_are_ambiguous():
    text = "The staff were nice but I was in and out in ten minutes and still confused."
    assert detect_topics("Great place, really nice people.", 5)[0] == "positive_general"
    assert detect_topics(text, 5)[0] in ("positive_general", "positive_staff")
    assert detect_topics(text, 2)[0] != "positive_general"


# --- composition (pure) -----------------------------------------------------------------------------


@pytest.mark.parametrize("display_name, first_name", [
    ("Kelsey P.", "Kelsey"),
    ("Beth Ann Rourke", "Beth"),
    ("Teodora Ilić", "Teodora"),
    ("sweetpea303", ""),
    ("wanderlust_jen", ""),
    ("smoothoperator", ""),
    ("Jennifer", ""),  # one word: could be a surname or a nickname
    ("R S", ""),
    ("Dr. Smith", ""),
    ("Promo King", ""),
    ("KELSEY PARKER", ""),
    ("", ""),
])
def test_it_greets_by_first_name_only_when_the_display_name_looks_like_one(display_name, first_name):
    assert first_name_from(display_name) == first_name


def test_it_never_uses_the_full_display_name():
    text = compose(review=review_input(author_name="Kimberly Dowd"), topics=["wait_time"],
                   library=default_library(), context=CONTEXT)
    assert "Kimberly Dowd" not in text and "Dowd" not in text


def test_it_reads_naturally_without_a_name():
    library = [BlockText("acknowledge", "", "Thank you, {first_name}, for your review."),
               BlockText("listen", "", "Hi {first_name}, we hear you."),
               BlockText("resolve", "", "Reach us at {channel}, {first_name}!")]
    for offset in range(3):
        text = compose(review=review_input(author_name="sweetpea303"), topics=["mixed"], library=library,
                       context=CONTEXT, offset=offset)
        assert "{" not in text and ", ," not in text and " ," not in text
        assert text.startswith("Thank you for your review.")


def test_it_drafts_the_same_text_for_the_same_review_and_varies_across_reviews():
    texts = [
        compose(review=review_input(identity=f"google:{n}"), topics=["wait_time"], library=default_library(),
                context=CONTEXT)
        for n in range(30)
    ]
    again = compose(review=review_input(identity="google:7"), topics=["wait_time"], library=default_library(),
                    context=CONTEXT)
    assert again == texts[7]
    assert len(set(texts)) >= 15


def test_every_reply_to_a_review_rated_three_or_below_offers_the_private_channel():
    bare = [BlockText("acknowledge", "", "Thank you for your feedback."), BlockText("listen", "", "We hear you.")]
    for rating in (1, 2, 3):
        for library in (default_library(), bare):
            text = compose(review=review_input(rating=rating), topics=["wait_time"], library=library,
                           context=CONTEXT)
            assert CONTEXT.phone in text or CONTEXT.email in text


def test_positive_reviews_get_thanks_that_do_not_confirm_a_visit():
    text = compose(review=review_input("Loved it here!", rating=5), topics=["positive_general"],
                   library=default_library(), context=CONTEXT)
    assert "thank" in text.lower()
    assert not re.search(r"\b(see(ing)? you|next visit|your (visit|appointment|treatment|results))\b", text, re.I)


def test_the_default_library_never_confirms_a_patient_or_names_anything_clinical():
    confirming = re.compile(
        r"\b(your|the|last|next) (visit|appointment|treatment|session|consult\w*|procedure|results?|provider|"
        r"skin|care|account|membership|package|injection)s?\b|\bseeing you\b|\bwelcome you back\b|\bcome (back|in)\b"
        r"|\bcomplimentary\b|\bfree\b|\brefund\b|\bpatients?\b|\bclients?\b",
        re.I,
    )
    for block in default_library():
        assert not confirming.search(block.text), block.text


def test_spam_gets_no_reply_and_says_why(practice, location):
    spam = review_input("CHEAP BOTOX 60% OFF at promo.example click here!!!", rating=1, author_name="Promo King")
    [draft] = drafts_for_reviews([spam], library=default_library(), context=CONTEXT,
                                 profile=practice_profile(practice))
    assert draft.skipped and draft.text == "" and "spam" in draft.reason


# --- guard fallback ---------------------------------------------------------------------------------


def test_it_falls_back_to_a_variant_the_guard_passes(practice):
    library = [
        BlockText("acknowledge", "", "Thank you for your feedback."),
        BlockText("acknowledge", "", "We hope your filler settles soon and look forward to your next appointment."),
        BlockText("listen", "", "We take this seriously."),
        BlockText("resolve", "", "Please reach us at {channel}."),
    ]
    profile = practice_profile(practice)
    reviews = [review_input(identity=f"google:fallback-{n}") for n in range(6)]
    for draft in drafts_for_reviews(reviews, library=library, context=CONTEXT, profile=profile):
        assert not draft.blocked
        assert "appointment" not in draft.text


def test_when_every_variant_is_blocked_it_returns_the_least_bad_text_with_its_verdict(practice):
    library = [
        BlockText("acknowledge", "", "Sorry your Botox appointment went badly."),
        BlockText("resolve", "", "Please reach us at {channel}."),
    ]
    [draft] = drafts_for_reviews([review_input()], library=library, context=CONTEXT,
                                 profile=practice_profile(practice))
    assert draft.blocked and draft.verdict.findings


# --- with the database ------------------------------------------------------------------------------


def test_drafting_for_a_stored_review_seeds_the_practice_templates_once(review, practice):
    assert not practice.template_blocks.exists()
    first = draft_for_review(review=review)
    count = practice.template_blocks.count()
    assert count == len(default_library()) + len(default_library("es"))
    again = draft_for_review(review=review)
    assert practice.template_blocks.count() == count
    assert first.text == again.text and not first.blocked


def test_it_uses_the_practices_own_blocks_and_the_locations_channel(make_review, practice, location):
    location.phone, location.email = "", "larimer@willowpine.example"
    location.save()
    TemplateBlock.objects.create(practice=practice, kind="acknowledge", topic="", text="Hi {first_name}, thanks.")
    TemplateBlock.objects.create(practice=practice, kind="resolve", topic="", text="Write to {location} at {channel}.")
    draft = draft_for_review(review=make_review(author_name="Kelsey P."))
    assert not draft.blocked
    assert draft.text.startswith("Hi Kelsey, thanks. ")
    assert "Write to Larimer Square at larimer@willowpine.example." in draft.text
    assert practice.phone not in draft.text
    assert draft.text.endswith("— The Willow & Pine team")


def test_reply_start_drafts_from_the_templates(review, alice):
    from responses.workflow import reply_start

    reply = reply_start(review=review, actor=alice)
    assert reply.current_version.source == "template"
    assert reply.text == draft_for_review(review=review).text
    assert not reply.current_version.blocked


# --- issue 4's acceptance on reviews_dev.jsonl -------------------------------------------------------


@pytest.fixture
def dev_drafts(make_review, location):
    drafted = []
    for row in dev_reviews():
        review = make_review(row["text"], rating=row["rating"], author_name=row["author_name"],
                             platform=row["platform"], external_id=row["id"])
        drafted.append((row, review, draft_for_review(review=review)))
    return drafted


def test_on_the_dev_corpus_every_draft_passes_the_guard(dev_drafts):
    for row, review, draft in dev_drafts:
        if draft.skipped:
            assert row["topic"] == "spam_or_fake", row["id"]
            continue
        assert not draft.blocked, row["id"]
        assert not verdict_for_reply_text(review=review, text=draft.text).blocked, row["id"]


def test_on_the_dev_corpus_no_draft_echoes_clinical_terms_or_names_from_the_review(dev_drafts):
    for row, review, draft in dev_drafts:
        lowered = draft.text.lower()
        for term in row["clinical_terms"] + row["names_in_text"]:
            assert term.lower() not in lowered, (row["id"], term)
        assert review.author_name not in draft.text or " " not in review.author_name.strip()


def test_on_the_dev_corpus_every_reply_rated_three_or_below_carries_the_locations_channel(dev_drafts, location):
    checked = 0
    for row, _review, draft in dev_drafts:
        if row["rating"] <= 3 and not draft.skipped:
            assert location.phone in draft.text or location.email in draft.text, row["id"]
            checked += 1
    assert checked >= 25


def test_on_the_dev_corpus_replies_to_negative_reviews_are_mostly_distinct(dev_drafts):
    negative = [draft.text for row, _review, draft in dev_drafts if row["rating"] <= 3 and not draft.skipped]
    distinct = len(set(negative)) / len(negative)
    print(f"{len(set(negative))} distinct of {len(negative)} negative drafts ({distinct:.0%})")
    assert distinct >= 0.8


def test_a_practice_library_falls_back_to_defaults_for_kinds_it_lacks(practice, location):
    TemplateBlock.objects.create(practice=practice, kind="thanks", topic="", text="Thanks, {first_name}!")
    library = practice_library(practice)
    assert [b.text for b in library if b.kind == "thanks"] == ["Thanks, {first_name}!"]
    assert any(b.kind == "resolve" for b in library)
    assert reply_context_for(practice, location).channel == "(303) 555-0186 or frontdesk@willowpine.example"


def test_topics_detected_in_a_batch_match_one_at_a_time():
    from responses.drafting import detect_topics, detect_topics_many

    reviews = [
        ("Waited 45 minutes past my time and nobody explained.", 1),
        ("Lovely, spotless rooms and a kind team!", 5),
        ("", 4),
        ("Muy amables pero esperé casi una hora.", 2),
        ("Charged twice <b>and</b> still no refund", 1),
    ]
    assert detect_topics_many(reviews) == [detect_topics(text, rating) for text, rating in reviews]


# --- a complaint inside praise is heard; logistics complaints get their own blocks ---------------------------

FIFTY_MINUTES = ("Love the results and the staff is so friendly. Only downside: I waited 50 minutes past my "
                 "appointment time in the lobby.")


def test_a_mostly_positive_review_with_a_long_wait_hears_the_wait(make_review, practice, location):
    from responses.drafting.blocks import default_library

    draft = draft_for_review(review=make_review(FIFTY_MINUTES, rating=4))
    assert draft.topics[:2] == ["positive_general", "wait_time"] and not draft.blocked
    wait_listen = [b.text for b in default_library() if b.topic == "wait_time" and b.kind == "listen"]
    assert any(text in draft.text for text in wait_listen)
    assert "(303) 555-0186" in draft.text  # the private channel is offered for the complaint


def test_a_mixed_review_answers_its_main_complaint_not_only_the_balance(make_review, practice, location):
    from responses.drafting.blocks import default_library

    draft = draft_for_review(review=make_review(
        "Great staff and beautiful office, but I waited almost an hour to be seen.", rating=3))
    assert draft.topics[:2] == ["mixed", "wait_time"]
    mixed_ack = [b.text.split("{first_name}")[-1][:30] for b in default_library()
                 if b.topic == "mixed" and b.kind == "acknowledge"]
    wait_listen = [b.text for b in default_library() if b.topic == "wait_time" and b.kind == "listen"]
    assert any(text in draft.text for text in wait_listen)
    assert any(fragment.strip(" ,") in draft.text for fragment in mixed_ack)


@pytest.mark.parametrize("text", [
    "Could not find the entrance, there is no signage at all and the parking lot is full.",
    "Stuck in the phone tree for 20 minutes, then a busy signal.",
])
def test_parking_signage_and_phone_complaints_get_the_logistics_blocks(make_review, practice, location, text):
    draft = draft_for_review(review=make_review(text, rating=2))
    assert draft.topic == "logistics" and not draft.blocked
    assert "parking, signs" in draft.text or "building, our signs" in draft.text or "hassle" in draft.text \
        or "Getting to us" in draft.text or "practical things" in draft.text


def test_it_drafts_from_the_topics_intake_detected_and_staffs_choice_still_wins(practice):
    profile, library = practice_profile(practice), default_library()
    reviews = [review_input("Lovely staff.", rating=5, identity=f"google:known-{n}") for n in range(3)]

    drafts = drafts_for_reviews(reviews, library=library, context=CONTEXT, profile=profile,
                                chosen_topics=[["wait_time"], None, None],
                                detected_topics=[["logistics"], ["logistics"], None])

    # Staff's choice, then intake's topics (not detected again), then detection for a review intake had none for.
    assert [draft.topic for draft in drafts] == ["wait_time", "logistics", "positive_general"]


@pytest.fixture
def guard_parses():
    """The guard's kept parses, emptied for the test and put back after it."""
    from phi_guard.parse_cache import ParsedReplies
    from phi_guard.service import _engine

    engine = _engine()
    saved = engine.parsed
    engine.parsed = ParsedReplies(engine.nlp_engine, "en")
    yield lambda: engine.parsed
    engine.parsed = saved


def test_an_import_batch_keeps_the_guards_parses_of_its_drafts_and_the_desk_keeps_none(practice, guard_parses,
                                                                                      monkeypatch):
    from responses.drafting import drafts

    profile, library = practice_profile(practice), default_library()
    praise = [review_input("Lovely staff.", rating=5, author_name="", identity=f"google:kept-{n}") for n in range(4)]

    drafts_for_reviews(praise[:1], library=library, context=CONTEXT, profile=profile)
    assert len(guard_parses()._parsed) == 0

    checked = set()  # every candidate the guard read, the drafts and any blocked before them
    real_check = drafts.guard_check_many

    def recording_check(items, *args, **kwargs):
        checked.update(item.text for item in items)
        return real_check(items, *args, **kwargs)

    monkeypatch.setattr(drafts, "guard_check_many", recording_check)
    batch = drafts_for_reviews(praise, library=library, context=CONTEXT, profile=profile)
    kept = set(guard_parses()._parsed)
    assert {draft.text for draft in batch} <= kept <= checked
