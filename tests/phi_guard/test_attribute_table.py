"""The guard's and the topic detector's pipelines set part of speech, morphology and some lemmas with the model's
own attribute rules, looked up in tables (phi_guard.attribute_table) instead of matched one by one. The matches,
and so every annotation, must be exactly the model's attribute_ruler's: over the labelled corpus (replies and
reviews, every tenth), with and without the parser, and on the wordings only its two-token, NOT_IN and REGEX
rules match."""
from __future__ import annotations

import pytest
import spacy
from django.conf import settings

from phi_guard.attribute_table import AttributeTable, attribute_table_install
from phi_guard.corpus import DATA_DIR, load_batch

BATCHES = sorted(path.name for path in (DATA_DIR / "batches").iterdir() if (path / "replies.jsonl").exists())

# Each needs a rule the tables leave to the Matcher: y'all, gonna, gotta, let's, c'mon, ain't, "there is", "but" as
# an adverb, a space tagged otherwise.
RARE_WORDINGS = [
    "Y'all are gonna love the new suite, ain't it the truth?",
    "We gotta say thanks. Let's talk soon, c'mon by anytime!",
    "There is always a seat for you, but then there are Mondays.",
    "Thank you!  \n\n  We hope to see you again.\t",
    "It gets better: we got the new hours posted, and you did what you had to.",
]


def corpus_texts(every: int = 10) -> list[str]:
    texts = []
    for name in BATCHES:
        for example in load_batch(name).examples[::every]:
            texts.append(example["text"])
            if example.get("review"):
                texts.append(example["review"])
    return texts


@pytest.fixture(scope="module", params=[["ner"], ["parser", "ner", "senter"]], ids=["guard", "topics"])
def pipeline(request):
    """The model as the guard (with the parser) or the topic detector (without) loads it, and its stock ruler."""
    nlp = spacy.load(settings.PHI_GUARD_SPACY_MODEL, exclude=request.param)
    stock = nlp.get_pipe("attribute_ruler")
    table = AttributeTable()
    table.rules_from(stock)
    return nlp, stock, table


def untouched(nlp, texts):
    with nlp.select_pipes(disable=["attribute_ruler", "lemmatizer"]):
        return list(nlp.pipe(texts, batch_size=256))


def test_the_tables_find_exactly_the_rulers_matches_over_the_corpus(pipeline):
    nlp, stock, table = pipeline
    docs = untouched(nlp, corpus_texts())
    assert len(docs) > 3_000
    differing = [doc.text[:40] for doc in docs if table.match(doc) != stock.match(doc)]
    assert differing == []
    assert sum(len(table.match(doc)) for doc in docs[:200]) > sum(len(doc) for doc in docs[:200])


def test_the_rules_left_to_the_matcher_still_match(pipeline):
    nlp, stock, table = pipeline
    seen = set()
    for doc in untouched(nlp, RARE_WORDINGS):
        found = table.match(doc)
        assert found == stock.match(doc)
        seen |= {rule for rule, *_ in found} & table.matcher_rules
    assert len(seen) >= 5


def test_an_installed_table_annotates_every_token_as_the_ruler_does(pipeline):
    nlp, _stock, _table = pipeline
    texts = corpus_texts(every=40) + RARE_WORDINGS
    expected = [[(t.pos_, str(t.morph), t.lemma_, t.tag_, t.dep_) for t in doc] for doc in nlp.pipe(texts)]
    fast = spacy.load(settings.PHI_GUARD_SPACY_MODEL, exclude=[n for n in ("parser", "ner", "senter")
                                                                 if n not in nlp.pipe_names])
    attribute_table_install(fast)
    assert isinstance(fast.get_pipe("attribute_ruler"), AttributeTable)
    assert fast.pipe_names == nlp.pipe_names
    assert [[(t.pos_, str(t.morph), t.lemma_, t.tag_, t.dep_) for t in doc] for doc in fast.pipe(texts)] == expected


def test_the_guard_and_the_topic_detector_use_the_tables():
    from phi_guard.service import _engine
    from responses.drafting.topics import detector

    assert isinstance(_engine().nlp_engine.nlp["en"].get_pipe("attribute_ruler"), AttributeTable)
    assert isinstance(detector().nlp.get_pipe("attribute_ruler"), AttributeTable)
