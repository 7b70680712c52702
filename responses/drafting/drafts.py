"""Drafts that the PHI guard passes: compose candidates, check them in batches, keep the first clean one.

If the guard blocks a composed text (an unusual first name, a word the review happens to share),
the next candidate is tried: the same blocks without the name, then the next variants. Only when
every candidate is blocked does a draft carry a blocked text: the one with the fewest findings,
with its verdict, so the person editing it sees exactly what to fix. The workflow never lets a
blocked text go further than drafting.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from phi_guard.profile import PracticeProfile
from phi_guard.service import GuardInput, guard_check_many
from responses.drafting.compose import BlockText, Draft, ReplyContext, ReviewInput, candidates, skip_reason
from responses.drafting.topics import detect_topics, review_language
from responses.models import DraftLanguage, Review, Topic


def _spanish_candidates(review: ReviewInput, library: Sequence[BlockText], context: ReplyContext) -> list[str]:
    """A Spanish review is answered from the Spanish blocks: thanks when rated 4-5, else the any-topic
    acknowledge / listen / resolve (topic cues are English, so the reply stays general)."""
    topic = Topic.POSITIVE_GENERAL if review.rating is not None and review.rating >= 4 else Topic.NON_ENGLISH
    return candidates(review=review, topics=[topic], library=library, context=replace(context, language="es"))


def drafts_for_reviews(
    reviews: Sequence[ReviewInput], *, library: Sequence[BlockText], context: ReplyContext,
    profile: PracticeProfile, spanish_library: Sequence[BlockText] = (),
    chosen_topics: Sequence[list[str] | None] = (),
) -> list[Draft]:
    """One draft per review, in order. A review in Spanish is answered in Spanish from `spanish_library` (when
    given); other languages get an English draft. `chosen_topics[i]`, when set, are the topics staff chose for
    review i ("reply anyway" to a review flagged as spam, or "change topic"): detection is skipped. Guard checks run in batches: all first candidates, then the
    second candidates of the blocked ones, and so on."""
    drafts: list[Draft | None] = [None] * len(reviews)
    pending: dict[int, tuple[list[str], list[str]]] = {}  # index -> (topics, candidate texts)
    languages: dict[int, str] = {}
    for index, review in enumerate(reviews):
        chosen = chosen_topics[index] if index < len(chosen_topics) else None
        topics = list(chosen) if chosen else detect_topics(review.text, review.rating)
        reason = skip_reason(review=review, topics=topics)
        if reason:
            drafts[index] = Draft(topic=topics[0], topics=topics, skipped=True, reason=reason)
        elif topics[0] == Topic.NON_ENGLISH and spanish_library and review_language(review.text) == "es":
            languages[index] = "es"
            pending[index] = (topics, _spanish_candidates(review, spanish_library, context))
        else:
            pending[index] = (topics, candidates(review=review, topics=topics, library=library, context=context))

    tried: dict[int, list] = {index: [] for index in pending}  # index -> [(text, verdict)]
    round_number = 0
    while pending:
        batch = [(index, texts[round_number]) for index, (_topics, texts) in pending.items()
                 if round_number < len(texts)]
        verdicts = guard_check_many(
            [GuardInput(text=text, review=reviews[index].text, reviewer_name=reviews[index].author_name)
             for index, text in batch],
            practice=profile,
        )
        for (index, text), verdict in zip(batch, verdicts):
            tried[index].append((text, verdict))
            if not verdict.blocked:
                topics, _texts = pending.pop(index)
                drafts[index] = Draft(topic=topics[0], topics=topics, text=text, verdict=verdict,
                                      language=languages.get(index, "en"))
        round_number += 1
        for index in [i for i, (_topics, texts) in pending.items() if round_number >= len(texts)]:
            topics, _texts = pending.pop(index)
            text, verdict = min(tried[index], key=lambda pair: (bool(pair[1].error), len(pair[1].findings)))
            drafts[index] = Draft(topic=topics[0], topics=topics, text=text, verdict=verdict,
                                  language=languages.get(index, "en"))
    return drafts  # type: ignore[return-value]


def review_input(review: Review) -> ReviewInput:
    """Drafting's view of a stored review; its identity (platform + external id) keeps re-drafts stable."""
    return ReviewInput(
        identity=f"{review.platform}:{review.external_id}",
        author_name=review.author_name,
        rating=review.rating,
        text=review.text,
    )


def draft_for_review(*, review: Review, topic: str = "") -> Draft:
    """The draft reply for a stored review, from its practice's template blocks (seeded on first use);
    `topic` is one staff chose over the detected ones."""
    from responses.drafting.blocks import practice_library, reply_context_for, template_blocks_seed
    from responses.guarding import practice_profile

    location = review.location
    practice = location.practice
    template_blocks_seed(practice=practice)
    return drafts_for_reviews(
        [review_input(review)],
        library=practice_library(practice),
        context=reply_context_for(practice, location),
        profile=practice_profile(practice),
        spanish_library=practice_library(practice, DraftLanguage.SPANISH),
        chosen_topics=[[topic] if topic else None],
    )[0]
