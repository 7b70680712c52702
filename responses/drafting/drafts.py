"""Drafts that the PHI guard passes: compose candidates, check them in batches, keep the first clean one.

If the guard blocks a composed text (an unusual first name, a word the review happens to share),
the next candidate is tried: the same blocks without the name, then the next variants. Only when
every candidate is blocked does a draft carry a blocked text: the one with the fewest findings,
with its verdict, so the person editing it sees exactly what to fix. The workflow never lets a
blocked text go further than drafting.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from phi_guard.profile import PracticeProfile
from phi_guard.service import GuardInput, guard_check_many
from responses.drafting.compose import BlockText, Draft, ReplyContext, ReviewInput, candidates, skip_reason
from responses.drafting.topics import detect_topics, looks_non_english, plain_text, review_language
from responses.models import DraftLanguage, Review, Topic


@dataclass(frozen=True)
class DraftLanguages:
    """The languages a practice drafts in: a review written in one of them is answered in it, any other review
    in `default` (PracticeSettings.draft_languages and default_language)."""

    offered: tuple[str, ...] = (DraftLanguage.ENGLISH.value,)
    default: str = DraftLanguage.ENGLISH.value

    def of_review(self, text: str) -> tuple[str, str]:
        """(the language the review is written in, "" when the desk cannot tell; the language of its draft)."""
        written = written_in(text, non_english=looks_non_english(plain_text(text)))
        return written, self.draft_language(written)

    def draft_language(self, written: str) -> str:
        """A review written in an offered language is answered in it; any other ("fr", "de"... and "en" when the
        practice does not draft in English) in the default."""
        return written if written in self.offered else self.default


def written_in(text: str, *, non_english: bool) -> str:
    """The review's language: "en" unless it is `non_english`, then the language its stop words give ("es",
    "fr"...), or "" when they give none (Cyrillic, Chinese...: not English all the same)."""
    if not non_english:
        return DraftLanguage.ENGLISH.value
    found = review_language(text)
    return "" if found == DraftLanguage.ENGLISH else found


def _topics_in(language: str, review: ReviewInput, topics: list[str]) -> list[str]:
    """A non-English review answered in its own language: its legal-threat blocks for a threat of a lawyer, a
    lawsuit or a board (the escalation rules know those words in Spanish), thanks when rated 4-5, else the language's
    any-topic acknowledge / listen / resolve (the other topic cues are English, so the reply stays general)."""
    if language == DraftLanguage.ENGLISH or topics[0] != Topic.NON_ENGLISH:
        return topics
    if Topic.LEGAL_THREAT in topics:
        return [Topic.LEGAL_THREAT]
    return [Topic.POSITIVE_GENERAL if review.rating is not None and review.rating >= 4 else Topic.NON_ENGLISH]


def drafts_for_reviews(
    reviews: Sequence[ReviewInput], *, library: Sequence[BlockText], context: ReplyContext,
    profile: PracticeProfile, libraries: Mapping[str, Sequence[BlockText]] | None = None,
    languages: DraftLanguages = DraftLanguages(), chosen_topics: Sequence[list[str] | None] = (),
    detected_topics: Sequence[list[str] | None] = (),
) -> list[Draft]:
    """One draft per review, in order, in the language `languages` gives it: `library` holds the English blocks,
    `libraries` those of the other languages (a language without blocks there is drafted in English).
    `chosen_topics[i]`, when set, are the topics staff chose for review i ("reply anyway" to a review flagged as
    spam, or "change topic"): detection is skipped. `detected_topics[i]`, when set, are review i's topics as
    intake detected them from the same text and rating (an import detects once per review): used when staff chose
    none. Guard checks run in batches: all first candidates, then the second candidates of the blocked ones, and
    so on; a candidate is composed only when the one before it was blocked."""
    libraries = {DraftLanguage.ENGLISH.value: library, **(libraries or {})}
    drafts: list[Draft | None] = [None] * len(reviews)
    pending: dict[int, tuple[list[str], Iterator[str]]] = {}  # index -> (topics, candidate texts not tried yet)
    drafted_in: dict[int, str] = {}
    for index, review in enumerate(reviews):
        chosen = chosen_topics[index] if index < len(chosen_topics) else None
        detected = detected_topics[index] if index < len(detected_topics) else None
        topics = list(chosen or detected or detect_topics(review.text, review.rating))
        reason = skip_reason(review=review, topics=topics)
        if reason:
            drafts[index] = Draft(topic=topics[0], topics=topics, skipped=True, reason=reason)
            continue
        language = languages.of_review(review.text)[1] if review.text else languages.default
        if language not in libraries:
            language = DraftLanguage.ENGLISH.value
        drafted_in[index] = language
        pending[index] = (topics, candidates(review=review, topics=_topics_in(language, review, topics),
                                             library=libraries[language], context=replace(context, language=language)))

    tried: dict[int, list] = {index: [] for index in pending}  # index -> [(text, verdict)]
    while pending:
        batch = []
        for index, (topics, texts) in list(pending.items()):
            text = next(texts, None)
            if text is not None:
                batch.append((index, text))
                continue
            # Every candidate was blocked: the draft carries the one with the fewest findings, and its verdict.
            del pending[index]
            text, verdict = min(tried[index], key=lambda pair: (bool(pair[1].error), len(pair[1].findings)))
            drafts[index] = Draft(topic=topics[0], topics=topics, text=text, verdict=verdict,
                                  language=drafted_in[index])
        verdicts = guard_check_many(
            [GuardInput(text=text, review=reviews[index].text, reviewer_name=reviews[index].author_name)
             for index, text in batch],
            # A batch (an import) checks the same template texts again and again: the guard keeps their parses.
            # One review at a time (the desk's "Start reply") keeps nothing.
            practice=profile, keep_parses=len(reviews) > 1,
        )
        for (index, text), verdict in zip(batch, verdicts):
            tried[index].append((text, verdict))
            if not verdict.blocked:
                topics, _texts = pending.pop(index)
                drafts[index] = Draft(topic=topics[0], topics=topics, text=text, verdict=verdict,
                                      language=drafted_in[index])
    return drafts  # type: ignore[return-value]


def review_input(review: Review) -> ReviewInput:
    """Drafting's view of a stored review; its identity (platform + external id) keeps re-drafts stable."""
    return ReviewInput(
        identity=f"{review.platform}:{review.external_id}",
        author_name=review.author_name,
        rating=review.rating,
        text=review.text,
    )


def practice_draft_languages(practice) -> DraftLanguages:
    """The languages the practice's manager chose for drafts (Practice page, desk settings)."""
    from responses.practice.selectors import practice_settings_for

    desk = practice_settings_for(practice)
    return DraftLanguages(offered=tuple(desk.language_list), default=desk.default_language)


def drafting_for(practice, location=None) -> dict:
    """What drafts_for_reviews needs for a practice's reviews at `location`: its blocks in every language it
    drafts in (seeded on first use), its reply context, its guard profile and its languages."""
    from responses.drafting.blocks import practice_library, reply_context_for, template_blocks_seed
    from responses.guarding import practice_profile

    template_blocks_seed(practice=practice)
    languages = practice_draft_languages(practice)
    return {
        "library": practice_library(practice),
        "libraries": {code: practice_library(practice, code) for code in languages.offered
                      if code != DraftLanguage.ENGLISH},
        "languages": languages,
        "context": reply_context_for(practice, location),
        "profile": practice_profile(practice),
    }


def draft_for_review(*, review: Review, topic: str = "") -> Draft:
    """The draft reply for a stored review, from its practice's template blocks in the language the practice
    answers it in; `topic` is one staff chose over the detected ones."""
    location = review.location
    return drafts_for_reviews(
        [review_input(review)], **drafting_for(location.practice, location),
        chosen_topics=[[topic] if topic else None],
    )[0]
