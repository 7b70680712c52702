"""The bridge between reviews and the PHI guard: a practice's profile and verdicts on reply texts."""
from __future__ import annotations

import logging
from collections import defaultdict

from phi_guard.profile import PracticeProfile
from phi_guard.profile import StaffMember as GuardStaff
from phi_guard.service import guard_check, guard_rewrite
from phi_guard.verdict import Verdict
from responses.models import Practice, Review

logger = logging.getLogger(__name__)


def practice_profile(practice: Practice) -> PracticeProfile:
    """What the guard must allow (the practice's own contact details and staff) and its extra vocabulary."""
    vocabulary: dict[str, list[str]] = defaultdict(list)
    for entity_type, term in practice.guard_terms.values_list("entity_type", "term"):
        vocabulary[entity_type].append(term)
    return PracticeProfile(
        name=practice.name,
        phone=practice.phone,
        email=practice.email,
        website=practice.website,
        address=practice.address,
        staff=tuple(GuardStaff(name=s.name, role=s.role) for s in practice.staff.all()),
        # Every location's name, phone, e-mail and address is the practice's own, so a reply may carry it.
        contacts=tuple(
            value
            for location in practice.locations.all()
            for value in (location.name, location.phone, location.email, location.address)
            if value
        ),
        vocabulary={key: tuple(terms) for key, terms in vocabulary.items()},
    )


def verdict_for_reply_text(*, review: Review, text: str) -> Verdict:
    """The guard's verdict on exactly `text` as a reply to `review`. Fails closed: a practice profile the
    guard cannot use (e.g. a vocabulary entry it does not know) blocks the text with a reason."""
    try:
        profile = practice_profile(review.location.practice)
    except ValueError as exc:
        logger.error("practice %s: guard profile unusable: %s", review.location.practice_id, exc)
        return Verdict.failed(text, f"PHI guard unavailable: the practice profile is invalid ({exc})")
    return guard_check(text, practice=profile, review=review.text, reviewer_name=review.author_name)


def safe_rewrite_for(*, review: Review, text: str) -> str:
    practice = review.location.practice
    return guard_rewrite(
        text,
        practice=practice_profile(practice),
        review=review.text,
        reviewer_name=review.author_name,
        private_channel=review.location.private_channel,
    )
