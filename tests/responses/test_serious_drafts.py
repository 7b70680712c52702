"""Drafts for injuries, complications and legal threats never sound dismissive: no "sorry you're
disappointed", no "didn't meet your expectations", and never the same regret word twice, in any
variant the desk can offer (with and without the name, the topic's own blocks and the any-topic fallback)."""
from __future__ import annotations

import re

import pytest

from responses.drafting import draft_for_review
from responses.drafting.blocks import default_library
from responses.drafting.compose import ReplyContext, ReviewInput, candidates
from responses.models import Topic

# Wording that turns a serious complaint into a matter of taste, blames the reviewer's expectations or doubts their
# word (in English and in Spanish).
DISMISSIVE = re.compile(
    r"sorry (?:that )?you(?:'re| are| feel)|sorry if|expectation|expected|fell short|unhappy|disappointing"
    r"|a la altura|lo que esperaba|decepcion|siente así|(?:sentimos|lamentamos) que usted|si usted se sinti"
    r"|falso|mentira|no es (?:cierto|verdad)|malentendido|exager",
    re.I,
)
SERIOUS = [
    ([Topic.COMPLICATION], "en"), ([Topic.BAD_OUTCOME], "en"), ([Topic.MIXED, Topic.COMPLICATION], "en"),
    ([Topic.COMPLICATION], "es"), ([Topic.BAD_OUTCOME], "es"), ([Topic.LEGAL_THREAT], "en"),
]
CONTEXT = ReplyContext(practice="Willow & Pine Medspa", phone="(303) 555-0186", email="frontdesk@willowpine.example")


def every_variant(topics, language):
    texts = []
    for n in range(12):  # enough identities to land on every variant of every kind
        review = ReviewInput(identity=f"google:serious-{n}", author_name="Kelsey P.", rating=1, text="")
        texts += candidates(review=review, topics=topics, library=default_library(language),
                            context=ReplyContext(**{**CONTEXT.__dict__, "language": language}))
    return set(texts)


@pytest.mark.parametrize("topics, language", SERIOUS)
def test_no_draft_for_a_complication_or_bad_outcome_sounds_dismissive(topics, language):
    texts = every_variant(topics, language)
    assert len(texts) >= 6
    for text in texts:
        assert not DISMISSIVE.search(text), text
        assert len(re.findall(r"disappoint", text, re.I)) <= 1, text


@pytest.mark.parametrize("topics, language", SERIOUS)
def test_no_draft_says_sorry_twice_with_the_same_regret_word(topics, language):
    for text in every_variant(topics, language):
        for word in ("disappointed", "sorry", "lamentamos", "sentimos"):
            assert len(re.findall(rf"\b{word}\b", text, re.I)) <= 1, (word, text)


@pytest.mark.django_db
@pytest.mark.parametrize("text", [
    "The laser burned my cheek and it still hurts. My lawyer will be contacting you.",
    "Me quemaron la mejilla con el láser. Mi abogado se pondrá en contacto con ustedes.",
])
def test_a_review_about_an_injury_with_a_legal_threat_gets_a_serious_private_reply(make_review, text):
    draft = draft_for_review(review=make_review(text, rating=1, author_name="Kelsey P."))
    assert draft.text and not draft.skipped
    assert not DISMISSIVE.search(draft.text), draft.text
    assert "(303) 555-0186" in draft.text


@pytest.mark.django_db
def test_a_practice_still_holding_the_old_wording_gets_the_gentler_one_unless_its_manager_edited_it(practice):
    from importlib import import_module

    from django.apps import apps

    from responses.models import TemplateBlock

    migration = import_module("responses.migrations.0012_gentler_default_blocks")
    language, old, new = migration.REWORDED[3]
    untouched = TemplateBlock.objects.create(practice=practice, language=language, kind="acknowledge",
                                             topic=Topic.BAD_OUTCOME, text=old)
    edited = TemplateBlock.objects.create(practice=practice, language=language, kind="acknowledge",
                                          topic=Topic.BAD_OUTCOME, text=old + " We mean it.")
    migration.reword_unedited_defaults(apps, None)
    untouched.refresh_from_db()
    edited.refresh_from_db()
    assert untouched.text == new and edited.text == old + " We mean it."
    assert all(new in {b.text for b in default_library(lang)} for lang, _old, new in migration.REWORDED)
