"""Private follow-up: the contact staff make with a reviewer off the platform, and suspected fake reviews.

Notes and reasons here are internal: they are shown on the review page to staff only and never enter a public
reply, a log or an audit event.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Avg, F
from django.utils import timezone

from responses.audit import audit_record
from responses.compliance.models import FakeReviewReport, FollowUpAttempt, PrivateFollowUp
from responses.models import Platform, Practice, Review
from responses.roles import require_permission


class FollowUpError(Exception):
    """The message is for staff and holds no patient text."""


def follow_up_start(*, review: Review, actor, channel: str, next_due_on: date | None = None, notes: str = "")\
        -> PrivateFollowUp:
    """Start tracking private contact with the reviewer (after a public reply, or instead of one)."""
    require_permission(actor, "submit_reply")
    if channel not in PrivateFollowUp.Channel.values:
        raise FollowUpError("Choose how you will contact them.")
    try:
        with transaction.atomic():
            follow_up = PrivateFollowUp.objects.create(
                review=review, channel=channel, next_due_on=next_due_on or timezone.localdate() + timedelta(days=1),
                notes=notes.strip()[:5000], created_by=actor,
            )
    except IntegrityError:
        raise FollowUpError("This review's private follow-up is already being tracked.") from None
    audit_record(action="follow_up_started", actor=actor, review=review, follow_up=follow_up.pk, channel=channel)
    return follow_up


def follow_up_attempt_record(
    *, follow_up: PrivateFollowUp, actor, channel: str, outcome: str, next_due_on: date | None = None,
    notes: str | None = None,
) -> PrivateFollowUp:
    """One contact attempt and its outcome. "Resolved" resolves the follow-up privately; otherwise the next attempt
    is due on `next_due_on` (none: no further attempt, the follow-up closes unresolved)."""
    require_permission(actor, "submit_reply")
    if follow_up.status != PrivateFollowUp.Status.OPEN:
        raise FollowUpError("This follow-up is finished.")
    if channel not in PrivateFollowUp.Channel.values or outcome not in FollowUpAttempt.Outcome.values:
        raise FollowUpError("Choose the channel and the outcome.")
    FollowUpAttempt.objects.create(follow_up=follow_up, channel=channel, outcome=outcome, by=actor)
    if notes is not None:
        follow_up.notes = notes.strip()[:5000]
    if outcome == FollowUpAttempt.Outcome.RESOLVED:
        follow_up.status, follow_up.resolved_at, follow_up.next_due_on = (
            PrivateFollowUp.Status.RESOLVED, timezone.now(), None)
    elif next_due_on is None:
        follow_up.status, follow_up.resolved_at = PrivateFollowUp.Status.CLOSED, timezone.now()
    else:
        follow_up.next_due_on = next_due_on
    follow_up.save()
    audit_record(action="follow_up_attempt", actor=actor, review=follow_up.review, follow_up=follow_up.pk,
                 channel=channel, outcome=outcome, status=follow_up.status)
    return follow_up


def follow_up_list_overdue(*, practice: Practice, today: date | None = None):
    today = today or timezone.localdate()
    return (
        PrivateFollowUp.objects.filter(
            review__location__practice=practice, status=PrivateFollowUp.Status.OPEN, next_due_on__lt=today
        )
        .select_related("review")
        .order_by("next_due_on")
    )


@dataclass(frozen=True)
class FollowUpNumbers:
    negative_reviews: int
    resolved_privately: int
    overdue: int
    average_days_to_resolution: float | None

    @property
    def resolved_share(self) -> int:
        return round(100 * self.resolved_privately / self.negative_reviews) if self.negative_reviews else 0


def follow_up_numbers(*, practice: Practice) -> FollowUpNumbers:
    """For the dashboard: share of negative reviews (1-2 stars) resolved privately, and time to resolution."""
    negative = Review.objects.filter(location__practice=practice, rating__lte=2)
    resolved = PrivateFollowUp.objects.filter(review__in=negative, status=PrivateFollowUp.Status.RESOLVED)
    average = resolved.aggregate(days=Avg(F("resolved_at") - F("created_at")))["days"]
    return FollowUpNumbers(
        negative_reviews=negative.count(),
        resolved_privately=resolved.count(),
        overdue=follow_up_list_overdue(practice=practice).count(),
        average_days_to_resolution=round(average.total_seconds() / 86400, 1) if average is not None else None,
    )


# --- suspected fake reviews ------------------------------------------------------------------------------

# How to report a review on each platform; ReviewDesk never writes or posts reviews itself.
REPORTING_STEPS = {
    Platform.GOOGLE: ("In Google Business Profile → Reviews, open the review's ⋮ menu and choose Report review; "
                      "pick the policy it breaks (e.g. conflict of interest, fake engagement). Follow the report "
                      "in the Reviews Management Tool.", "https://support.google.com/business/workflow/9945796"),
    Platform.YELP: ("In Yelp for Business → Reviews, choose Report review and say which content guideline it "
                    "breaks.", "https://www.yelp-support.com/article/How-do-I-report-a-review"),
    Platform.FACEBOOK: ("On the recommendation, open ⋯ → Find support or report recommendation.",
                        "https://www.facebook.com/help/"),
    Platform.REALSELF: ("Contact RealSelf provider support with the review's link and the guideline it breaks.",
                        "https://www.realself.com/"),
    Platform.HEALTHGRADES: ("Use Healthgrades for Providers → Reviews → Flag (or contact provider support).",
                            "https://update.healthgrades.com/"),
    Platform.OTHER: ("Use the site's own report or flag option.", ""),
}
NEVER_POSTS_REVIEWS = ("ReviewDesk never writes or posts reviews for the practice, and a public reply must never "
                       "say someone was not a patient: the reason stays internal.")


def review_reporting_steps(review: Review) -> tuple[str, str]:
    return REPORTING_STEPS.get(review.platform, REPORTING_STEPS[Platform.OTHER])


def fake_review_mark(*, review: Review, actor, reason: str) -> FakeReviewReport:
    """Mark a review as suspected fake or from a competitor, with an internal reason (required)."""
    require_permission(actor, "submit_reply")
    reason = (reason or "").strip()
    if not reason:
        raise FollowUpError("Say why you suspect it (internal: it is never posted).")
    try:
        with transaction.atomic():
            report = FakeReviewReport.objects.create(review=review, reason=reason[:5000], marked_by=actor)
    except IntegrityError:
        raise FollowUpError("This review is already marked as suspected fake.") from None
    audit_record(action="fake_review_marked", actor=actor, review=review, status=report.status)
    return report


def fake_review_status_set(*, report: FakeReviewReport, actor, status: str) -> FakeReviewReport:
    """Track the report: reported to the platform, then removed or kept by it."""
    require_permission(actor, "submit_reply")
    if status not in FakeReviewReport.Status.values:
        raise FollowUpError("Choose a status.")
    report.status = status
    if status == FakeReviewReport.Status.REPORTED and report.reported_at is None:
        report.reported_at = timezone.now()
    report.save(update_fields=["status", "reported_at", "updated_at"])
    audit_record(action="fake_review_status", actor=actor, review=report.review, status=status)
    return report
