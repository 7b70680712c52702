"""The import drafts as it goes: each new review (not closed, no reply yet) is escalated or drafted, with the
desk's own drafting (template blocks, guard-checked candidates in batches), so the inbox shows it ready.

Drafting keys on "has no reply yet", not on "was created by this run": a run that crashed after storing a
batch and is run again drafts what the first run left undrafted, and one reply per review (a database
constraint, taken under the review's row lock) means no review ever gets two drafts.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from responses.drafting import TopicModelUnavailable, drafts_for_reviews
from responses.drafting.blocks import practice_library, reply_context_for, template_blocks_seed
from responses.drafting.drafts import review_input
from responses.escalation.services import review_escalate_if_needed
from responses.guarding import practice_profile
from responses.models import Location, Reply, ReplyState, ReplyVersion, Review
from responses.workflow import WorkflowError, reply_redraft_imported, reply_start_drafted

logger = logging.getLogger(__name__)


@dataclass
class DraftCounts:
    drafted: int = 0
    escalated: int = 0
    redrafted: int = 0
    unavailable: bool = False  # drafting's model or the practice's guard profile could not be used


def reviews_draft_new(*, location: Location, review_ids: Iterable[int], counts: DraftCounts) -> None:
    """Escalate or draft the given reviews that are open and have no reply, and re-draft the untouched drafts
    that an edit of their review made stale; add to `counts`."""
    review_ids = list(review_ids)
    reviews = list(
        Review.objects.filter(pk__in=review_ids, closed_at__isnull=True, reply__isnull=True)
        .select_related("location__practice").order_by("pk")
    )
    stale = list(
        Reply.objects.filter(review_id__in=review_ids, review__closed_at__isnull=True, stale=True,
                             state=ReplyState.DRAFTING, current_version__source=ReplyVersion.Source.TEMPLATE)
        .select_related("review__location__practice").order_by("pk")
    )
    to_draft = []
    for review in reviews:
        escalation, created = review_escalate_if_needed(review=review)
        if escalation is not None:  # no automatic draft: the manager speaks to counsel first
            counts.escalated += int(created)
        else:
            to_draft.append(review)
    stale = [reply for reply in stale if review_escalate_if_needed(review=reply.review)[0] is None]
    if not to_draft and not stale:
        return
    practice = location.practice
    try:
        template_blocks_seed(practice=practice)
        drafts = drafts_for_reviews(
            [review_input(review) for review in [*to_draft, *(reply.review for reply in stale)]],
            library=practice_library(practice),
            context=reply_context_for(practice, location),
            profile=practice_profile(practice),
        )
    except (TopicModelUnavailable, ValueError) as exc:
        # The reviews stay stored and undrafted: the desk's "Start reply" (or the next run) drafts them.
        logger.warning("location %s: drafting unavailable during import (%s)", location.pk, type(exc).__name__)
        counts.unavailable = True
        return
    for reply, draft in zip(stale, drafts[len(to_draft):]):
        if draft.skipped or not draft.text:
            continue
        try:
            if reply_redraft_imported(reply=reply, text=draft.text, verdict=draft.verdict) is not None:
                counts.redrafted += 1
        except WorkflowError as exc:
            logger.warning("reply %s: re-draft not stored (%s)", reply.pk, type(exc).__name__)
    for review, draft in zip(to_draft, drafts):
        if draft.skipped or not draft.text:
            continue  # likely spam or rating-only: no reply suggested
        try:
            if reply_start_drafted(review=review, text=draft.text, verdict=draft.verdict) is not None:
                counts.drafted += 1
        except WorkflowError as exc:
            logger.warning("review %s: draft not stored (%s)", review.pk, type(exc).__name__)
