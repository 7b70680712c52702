"""Drafting's checks keep their replies folded and parsed (phi_guard.parse_cache). A verdict made from a kept
parse must be exactly the verdict made without one: same blocked flag, findings, offsets, scores and
explanations, over every batch of the labelled corpus (every other reply: the corpus has grown past 14,000),
whatever order and batches the replies come in."""
from __future__ import annotations

import pytest

from phi_guard.corpus import DATA_DIR, load_batch
from phi_guard.parse_cache import ParsedReplies
from phi_guard.service import GuardInput, guard_check_many

BATCHES = sorted(path.name for path in (DATA_DIR / "batches").iterdir() if (path / "replies.jsonl").exists())


@pytest.fixture(scope="module")
def engine():
    from phi_guard.service import _engine

    return _engine()


@pytest.fixture
def parses(engine):
    """Swap the engine's kept parses for the test's own (capacity as given), and put the engine's back."""
    saved = engine.parsed

    def use(capacity: int) -> ParsedReplies:
        engine.parsed = ParsedReplies(engine.nlp_engine, "en", capacity=capacity)
        return engine.parsed

    yield use
    engine.parsed = saved


def corpus():
    for name in BATCHES:
        batch = load_batch(name)
        yield batch.practice, [GuardInput(e["text"], e.get("review") or "", e.get("reviewer_name") or "")
                               for e in batch.examples[::2]]


def verdicts(practice, items, *, chunk: int, keep_parses: bool = False):
    found = []
    for start in range(0, len(items), chunk):
        found += [verdict.to_dict() for verdict in guard_check_many(items[start:start + chunk], practice=practice,
                                                                    keep_parses=keep_parses)]
    return found


def test_verdicts_from_kept_parses_are_the_verdicts_without_them_over_the_corpus(engine, parses):
    checked = 0
    for practice, items in corpus():
        parses(0)
        without = verdicts(practice, items, chunk=64)

        kept = parses(100_000)
        # Read every reply once, in other batches, so that every check below is made from a kept parse.
        kept.parse_many([kept.fold(item.text, keep=True).text for item in items[::-1]], batch_size=17, keep=True)
        read = kept.misses
        with_kept = verdicts(practice, items, chunk=29, keep_parses=True)

        assert kept.misses == read, "every check was made from a kept parse"
        assert with_kept == without
        checked += len(items)
    assert checked > 3000


def test_a_reply_seen_again_is_not_parsed_again(parses, willow_pine):
    kept = parses(8)
    reply = "Thank you for the kind words! — The Willow & Pine team"

    guard_check_many([GuardInput(reply, "Lovely visit.", "Kelsey P.")], practice=willow_pine, keep_parses=True)
    guard_check_many([GuardInput(reply, "The wait was long.", "Trent K."), GuardInput(reply, "Great results.", "")],
                     practice=willow_pine)

    assert (kept.misses, kept.hits) == (1, 2)


def test_a_live_check_keeps_nothing(parses, willow_pine):
    kept = parses(8)
    typed = ["Thank you for", "Thank you for the kind", "Thank you for the kind words!"]

    for text in typed:
        guard_check_many([GuardInput(text, "Lovely visit.", "Kelsey P.")], practice=willow_pine)
    guard_check_many([GuardInput(typed[-1], "Lovely visit.", "Kelsey P.")], practice=willow_pine)

    assert (kept.misses, kept.hits, len(kept._parsed)) == (4, 0, 0)


def test_the_review_is_still_read_on_every_check_of_a_kept_reply(parses, willow_pine):
    kept = parses(8)
    reply = "We're sorry the Glowtox session felt rushed. Please call us at (303) 555-0186."

    echoing, plain = guard_check_many([GuardInput(reply, "The Glowtox session felt rushed.", ""),
                                       GuardInput(reply, "The session felt rushed.", "")],
                                      practice=willow_pine, keep_parses=True)

    assert kept.hits == 1  # one parse for both checks
    assert ("PERSON", "Glowtox") in {(f.entity_type, f.text) for f in echoing.findings}
    assert ("PERSON", "Glowtox") not in {(f.entity_type, f.text) for f in plain.findings}


def test_it_forgets_the_least_recently_read_replies_beyond_its_capacity(parses, engine):
    kept = parses(3)
    texts = [f"Thank you for visit number {n}." for n in range(5)]

    kept.parse_many(texts, batch_size=8, keep=True)
    kept.parse_many(texts[-1:], batch_size=8, keep=True)

    assert list(kept._parsed) == texts[2:]
    assert (kept.misses, kept.hits) == (5, 1)


def test_a_sentence_is_parsed_once_for_every_reply_it_appears_in(parses):
    kept = parses(100)
    body = "We work hard to make every visit calm.\n\n— The Willow & Pine team"
    texts = [f"Hi {name}, thank you for the kind words! {body}" for name in ("Kelsey", "Marco", "Ana")]

    artifacts = kept.parse_many(texts, batch_size=8, keep=True)
    # Three greetings, and the shared sentence and signature once each.
    assert (kept.sentence_misses, kept.sentence_hits) == (5, 0)
    kept.parse_many([f"Hi Priya, thank you for the kind words! {body}"], batch_size=8, keep=True)
    assert (kept.sentence_misses, kept.sentence_hits) == (6, 2)

    for text, parsed in zip(texts, artifacts):
        doc = parsed.tokens
        assert doc.text == text
        assert [sentence.text.strip() for sentence in doc.sents] == [
            text.split("! ")[0] + "!", "We work hard to make every visit calm.", "— The Willow & Pine team"]
        assert {token.pos_ for token in doc if token.text == "work"} == {"VERB"}


def test_a_reply_parsed_whole_or_kept_reads_the_same(parses):
    text = "Hi Marco, thanks so much!  We hope to see you again soon.\nWarmly, the team"
    alone = parses(0).parse_many([text], batch_size=8)[0].tokens
    kept = parses(10)
    kept.parse_many([text], batch_size=8, keep=True)
    again = kept.parse_many([text], batch_size=8, keep=True)[0].tokens

    def reading(doc):
        return [(t.text, t.whitespace_, t.tag_, t.pos_, t.dep_, t.head.i, t.lemma_, t.is_sent_start) for t in doc]

    assert reading(alone) == reading(again)
    assert alone.text == text
