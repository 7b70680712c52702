"""The import drafts as it goes: each new review (not closed, no reply yet, not escalated as it was stored) is
drafted with the desk's own drafting (template blocks in the practice's languages, guard-checked candidates in
batches), so the inbox shows it ready.

Drafting keys on "has no reply yet", not on "was created by this run": a run that crashed after storing a
batch and is run again drafts what the first run left undrafted, and one reply per review (a database
constraint, taken under the review's row lock) means no review ever gets two drafts.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from responses.drafting import TopicModelUnavailable, drafts_for_reviews
from responses.drafting.drafts import drafting_for, review_input
from responses.drafting.spread import DraftingSpread
from responses.escalation.models import Escalation
from responses.models import Location, Reply, ReplyState, ReplyVersion, Review
from responses.workflow import WorkflowError, replies_start_drafted, reply_redraft_imported

logger = logging.getLogger(__name__)


@dataclass
class DraftCounts:
    drafted: int = 0
    redrafted: int = 0
    unavailable: bool = False  # drafting's model or the practice's guard profile could not be used


def reviews_draft_new(*, location: Location, review_ids: Iterable[int], counts: DraftCounts,
                      spread: DraftingSpread | None = None) -> None:
    """Draft the given reviews that are open, have no reply and are not escalated (an escalated review waits for
    the manager: no automatic draft), and re-draft the untouched drafts that an edit of their review made stale;
    add to `counts`. `spread`, the run's drafting over several processes, drafts with the location's setup as the
    run read it; without it, the setup is read now and drafting stays in this process."""
    review_ids = list(review_ids)
    escalated = set(Escalation.objects.filter(review_id__in=review_ids, cleared_at__isnull=True)
                    .values_list("review_id", flat=True))
    to_draft = [
        review for review in Review.objects.filter(pk__in=review_ids, closed_at__isnull=True, reply__isnull=True)
        .select_related("location__practice").order_by("pk") if review.pk not in escalated
    ]
    stale = [
        reply for reply in Reply.objects.filter(
            review_id__in=review_ids, review__closed_at__isnull=True, stale=True, state=ReplyState.DRAFTING,
            current_version__source=ReplyVersion.Source.TEMPLATE,
        ).select_related("review__location__practice").order_by("pk") if reply.review_id not in escalated
    ]
    if not to_draft and not stale:
        return
    drafted = [*to_draft, *(reply.review for reply in stale)]
    reviews = [review_input(review) for review in drafted]
    # The topics intake detected as it stored them; a review stored while the model was down has none.
    detected = [review.topics or None for review in drafted]
    try:
        if spread is not None:
            drafts = spread.drafts(reviews, detected)
        else:
            drafts = drafts_for_reviews(reviews, **drafting_for(location.practice, location), detected_topics=detected)
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
    # Likely spam or rating-only reviews get no draft; the rest are written together.
    made = replies_start_drafted(drafts=[(review, draft.text, draft.verdict) for review, draft in zip(to_draft, drafts)
                                         if not draft.skipped and draft.text])
    counts.drafted += len(made)
