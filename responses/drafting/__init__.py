"""Drafting replies: topic detection, template blocks and composition into a guard-clean draft.

    detect_topics(text, rating) -> [topic, ...]              (topics.py, spaCy Matcher over lemmas;
                                                              TopicModelUnavailable when the model cannot load)
    draft_for_review(review=) -> Draft                        (drafts.py, what workflow.reply_start calls)
    drafts_for_reviews(reviews, library=, context=, profile=, libraries=, languages=)
                                                             (drafts.py, no database: the draft_reply command)
    template_blocks_seed(practice=), template_block_save(...) (blocks.py, the practice's editable blocks)
"""
from responses.drafting.blocks import template_block_save, template_blocks_seed
from responses.drafting.compose import Draft
from responses.drafting.drafts import draft_for_review, drafts_for_reviews
from responses.drafting.topics import (
    DRAFTING_UNAVAILABLE,
    TopicModelUnavailable,
    detect_topics,
    detect_topics_many,
)

__all__ = [
    "DRAFTING_UNAVAILABLE", "Draft", "TopicModelUnavailable", "detect_topics", "detect_topics_many",
    "draft_for_review", "drafts_for_reviews", "template_block_save", "template_blocks_seed",
]
