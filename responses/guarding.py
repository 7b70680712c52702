"""The bridge between reviews and the PHI guard: a practice's profile and verdicts on reply texts."""
from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict

from phi_guard.profile import PracticeProfile
from phi_guard.profile import StaffMember as GuardStaff
from phi_guard.service import GuardInput, guard_check, guard_check_many, guard_rewrite
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
        # Every location's name, phone, e-mail and address is the practice's own, so a reply may carry it; so are
        # its other public lines (billing, a Spanish line).
        contacts=tuple(
            value
            for location in practice.locations.all()
            for value in (location.name, location.phone, location.email, location.address)
            if value
        ) + tuple(value for line in practice.public_contacts.all() for value in (line.phone, line.email) if value),
        vocabulary={key: tuple(terms) for key, terms in vocabulary.items()},
        # The template library is the practice's approved wording (and, in strict mode, the only wording).
        approved=(*practice.template_blocks.values_list("text", flat=True), practice.signature),
        strict=practice.guard_strict_mode,
    )


def _usable_profile(review: Review) -> tuple[PracticeProfile | None, str]:
    """The review's practice profile, or None and the reason the guard cannot use it (e.g. a vocabulary
    entry of a type it does not know): callers then fail closed."""
    try:
        return practice_profile(review.location.practice), ""
    except ValueError as exc:
        logger.error("practice %s: guard profile unusable: %s", review.location.practice_id, exc)
        return None, f"PHI guard unavailable: the practice profile is invalid ({exc})"


def verdict_for_reply_text(*, review: Review, text: str) -> Verdict:
    """The guard's verdict on exactly `text` as a reply to `review`; blocked with a reason if it cannot run."""
    profile, problem = _usable_profile(review)
    if profile is None:
        return Verdict.failed(text, problem)
    return guard_check(text, practice=profile, review=review.text, reviewer_name=review.author_name)


def verdict_for_review_text(*, review: Review, text: str) -> Verdict:
    """The guard's findings on the review's own words read as a reply, without the review as context (it would
    flag every word as an echo of itself): what remains is clinical vocabulary and names not the practice's."""
    profile, problem = _usable_profile(review)
    if profile is None:
        return Verdict.failed(text, problem)
    return guard_check(text, practice=profile, reviewer_name=review.author_name)


def safe_rewrite_for(*, review: Review, text: str) -> str:
    """The guard's safe rewrite of `text`; the text unchanged when the guard cannot run (it stays blocked)."""
    profile, _ = _usable_profile(review)
    if profile is None:
        return text
    return guard_rewrite(
        text,
        practice=profile,
        review=review.text,
        reviewer_name=review.author_name,
        private_channel=review.location.private_channel,
    )


def verdicts_for_replies(*, practice: Practice, items: list[tuple[Review, str]]) -> list[Verdict]:
    """The guard's verdicts on many (review, reply text) pairs of one practice, in one batched pass."""
    if not items:
        return []
    try:
        profile = practice_profile(practice)
    except ValueError as exc:
        logger.error("practice %s: guard profile unusable: %s", practice.pk, exc)
        return [Verdict.failed(text, f"PHI guard unavailable: the practice profile is invalid ({exc})")
                for _, text in items]
    return guard_check_many(
        [GuardInput(text=text, review=review.text, reviewer_name=review.author_name) for review, text in items],
        practice=profile,
    )


_VERSION_PROBE = "Thank you for your feedback."


def guard_version_current(*, practice: Practice) -> dict:
    """Which guard would judge this practice's replies now (engine, model, classifier, vocabulary, practice);
    empty when the guard cannot run."""
    try:
        profile = practice_profile(practice)
    except ValueError:
        return {}
    verdict = guard_check(_VERSION_PROBE, practice=profile)
    return dict(verdict.guard_version) if not verdict.error else {}


def guard_version_key(guard_version: dict) -> str:
    """A short stable digest of a guard version, for "checked by this guard already?" (empty for none)."""
    if not guard_version:
        return ""
    return hashlib.sha256(json.dumps(guard_version, sort_keys=True).encode()).hexdigest()[:32]
