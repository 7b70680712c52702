"""Checks in a batch share the analysis and verdict of items whose analysis keys are equal, and an import's checks
keep verdicts for the next batch (GuardEngine.analysis_key, parse_cache). Every such verdict must be exactly the
verdict the reply gets checked alone: same blocked flag, findings, offsets, scores and explanations."""
from __future__ import annotations

import pytest

from phi_guard.corpus import DATA_DIR, load_batch
from phi_guard.parse_cache import ParsedReplies
from phi_guard.service import GuardInput, guard_check, guard_check_many
from tests.phi_guard.test_parse_cache import verdicts

BATCHES = sorted(path.name for path in (DATA_DIR / "batches").iterdir() if (path / "replies.jsonl").exists())

# Template-like replies, each answering many reviews: reviewers with and without a first name (the draft's own
# or another), reviews that echo the reply's words or name someone, and Spanish.
REPLIES = [
    "Thank you so much for the kind words! We're glad the front desk made your visit easy. "
    "— The Willow & Pine team",
    "Thanks, Kelsey! We're so glad you enjoyed your visit. — The Willow & Pine team",
    "Hi Maria, we're sorry the wait was longer than it should have been. Please call us privately at "
    "(303) 555-0186 so we can hear more. — The Willow & Pine team",
    "We're sorry your visit felt rushed. You can reach us privately at (303) 555-0186 or "
    "frontdesk@willowpine.example.",
    "Kelsey, thank you! Parking can be tricky downtown, and we appreciate your patience.",
    "¡Muchas gracias por sus amables palabras! Nos alegra que su visita fuera agradable. "
    "— El equipo de Willow & Pine",
    "Hola Maria, lamentamos la espera. Puede comunicarse con nosotros en privado al (303) 555-0186.",
    "We're sorry the Glowtox session felt rushed. Please call us at (303) 555-0186.",
]
REVIEWS = [
    ("", "Kelsey P."),
    ("Lovely visit, the front desk was friendly.", "Kelsey P."),
    ("Lovely visit, the front desk was friendly.", "Kelsey Parker"),
    ("The wait was long and the session felt rushed.", "Maria G."),
    ("The Glowtox session felt rushed. Dr. Alvarez was kind though.", "Maria Garcia"),
    ("Parking was a nightmare. Ask for Brenda at the desk.", "sweetpea303"),
    ("Muy amables y profesionales. La espera fue corta.", "Maria"),
    ("Great results, will be back.", ""),
    ("Great results, will be back.", "A Google user"),
    ("My visit with Kelsey was easy.", "Trent K."),
]


@pytest.fixture
def engine():
    """The engine with empty kept parses and verdicts for the test, its own put back after it."""
    from phi_guard.service import _engine

    engine = _engine()
    saved = engine.parsed
    engine.parsed = ParsedReplies(engine.nlp_engine, "en", capacity=0)
    yield engine
    engine.parsed = saved


def alone(engine, practice, items):
    """Each item checked by itself, nothing kept or shared."""
    engine.parsed = ParsedReplies(engine.nlp_engine, "en", capacity=0)
    return [guard_check(item.text, practice=practice, review=item.review, reviewer_name=item.reviewer_name).to_dict()
            for item in items]


def batched(practice, items, *, chunk: int):
    return verdicts(practice, items, chunk=chunk, keep_parses=True)


def test_drafts_answering_many_reviews_get_the_verdict_each_gets_alone(engine, willow_pine):
    items = [GuardInput(reply, review, name) for reply in REPLIES for review, name in REVIEWS]
    one_by_one = alone(engine, willow_pine, items)

    kept = engine.parsed = ParsedReplies(engine.nlp_engine, "en")
    first = batched(willow_pine, items, chunk=64)
    parsed = kept.misses + kept.hits
    again = batched(willow_pine, items[::-1], chunk=23)[::-1]

    assert first == one_by_one
    assert again == one_by_one
    assert kept.misses + kept.hits == parsed  # the second pass came entirely from kept verdicts: nothing parsed
    assert any(v["blocked"] for v in one_by_one) and not all(v["blocked"] for v in one_by_one)


def test_shared_verdicts_equal_single_checks_over_every_corpus_batch(engine):
    # Every eighth reply of every batch (over 1,400): each is checked four times here, and the whole corpus took
    # five minutes at 30 batches; test_parse_cache already reads every other reply of every batch.
    checked = 0
    for name in BATCHES:
        batch = load_batch(name)
        items = [GuardInput(e["text"], e.get("review") or "", e.get("reviewer_name") or "") for e in batch.examples[::8]]
        one_by_one = alone(engine, batch.practice, items)
        engine.parsed = ParsedReplies(engine.nlp_engine, "en")
        # Each reply twice in a batch, the second time beside its own review and then beside another's.
        doubled = [twin for item, other in zip(items, items[1:] + items[:1])
                   for twin in (item, item, GuardInput(item.text, other.review, other.reviewer_name))]
        shared = batched(batch.practice, doubled, chunk=60)
        assert shared[0::3] == one_by_one
        assert shared[1::3] == one_by_one
        others = [GuardInput(item.text, other.review, other.reviewer_name)
                  for item, other in zip(items, items[1:] + items[:1])]
        assert shared[2::3] == alone(engine, batch.practice, others)
        checked += len(items)
    assert checked > 1400


def test_the_review_still_decides_when_the_reply_meets_its_words(engine, willow_pine):
    engine.parsed = ParsedReplies(engine.nlp_engine, "en")
    reply = "We're sorry the Glowtox session felt rushed. Please call us at (303) 555-0186."

    echoing, plain, echoing_again = guard_check_many(
        [GuardInput(reply, "The Glowtox session felt rushed.", ""), GuardInput(reply, "The session felt rushed.", ""),
         GuardInput(reply, "Loved it. The Glowtox session felt rushed, sadly.", "")], practice=willow_pine,
        keep_parses=True)

    assert ("PERSON", "Glowtox") in {(f.entity_type, f.text) for f in echoing.findings}
    assert ("PERSON", "Glowtox") not in {(f.entity_type, f.text) for f in plain.findings}
    assert echoing_again == echoing


def test_a_live_check_keeps_no_verdict(engine, willow_pine):
    engine.parsed = ParsedReplies(engine.nlp_engine, "en")

    guard_check_many([GuardInput("Thank you for the kind words!", "Lovely visit.", "Kelsey P.")], practice=willow_pine)

    assert len(engine.parsed._verdicts) == 0


def test_a_kept_verdict_is_not_reused_when_the_review_or_handle_shows_the_name_the_reply_uses(engine, willow_pine):
    # "Amy" is too short to count among the review's echoed terms and sits inside one handle but not the other:
    # both still decide whether "Amy" is a first name the reviewer never showed (UNSHOWN_FIRST_NAME).
    engine.parsed = ParsedReplies(engine.nlp_engine, "en")
    reply = "Thanks so much, Amy! We loved reading this."
    items = [GuardInput(reply, "Amy at the desk was lovely.", "sweetpea303"),
             GuardInput(reply, "Lovely place.", "sweetpea303"),
             GuardInput(reply, "Lovely place.", "amy_loves_spas"),
             GuardInput(reply, "Lovely place.", "sweetpea303")]

    shared = [v.to_dict() for v in guard_check_many(items, practice=willow_pine, keep_parses=True)]

    assert shared == alone(engine, willow_pine, items)
    unshown = ["UNSHOWN_FIRST_NAME" in {f["entity_type"] for f in v["findings"]} for v in shared]
    assert unshown == [False, True, False, True]


def test_a_reply_repeated_in_a_later_chunk_of_a_long_batch_is_not_analysed_again(engine, willow_pine):
    # check_many analyses CHECK_CHUNK replies at a time (its memory stays that of one chunk), and still shares the
    # analysis of equal items across chunks.
    from phi_guard.engine import CHECK_CHUNK

    repeated = GuardInput(REPLIES[1], "Lovely visit, the front desk was friendly.", "Kelsey P.")
    others = [GuardInput(f"Thank you for the kind words about our {place}!", "Lovely visit.", "")
              for place in ("lobby", "garden", "parking", "music", "coffee", "website", "hours", "team", "tea",
                            "flowers", "playlist", "signage", "windows", "art", "chairs", "lighting", "scent")]
    items = [repeated, *others[:CHECK_CHUNK], repeated]

    shared = [verdict.to_dict() for verdict in guard_check_many(items, practice=willow_pine)]

    assert len(items) > CHECK_CHUNK + 1  # the repeat is in a later chunk
    assert engine.parsed.misses == 1 + CHECK_CHUNK
    assert shared[-1] == shared[0] == alone(engine, willow_pine, [repeated])[0]
