"""Reads for the desk's pages: the inbox, the approval queue and the dashboard numbers.

Every selector takes the practice explicitly; views get it from `roles.practice_for(user)`,
so nothing here can leak another practice's reviews.
"""
from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from responses.models import (
    AuditEvent,
    PlatformReplyStatus,
    Practice,
    Reply,
    ReplyState,
    ReplyVersion,
    Review,
    Topic,
)
from responses.practice.local_time import (
    local_days_since,
    local_midnight,
    location_zones,
    posted_before_last_days_q,
    posted_before_target_q,
    posted_in_last_days_q,
    practice_time_zone,
    response_deadline,
)
from responses.practice.selectors import practice_settings_for


class InboxStatus:
    """What the inbox calls a review's state (derived from the review and its reply)."""

    NEW = "new"
    DRAFTING = "drafting"
    AWAITING_APPROVAL = ReplyState.AWAITING_APPROVAL.value
    APPROVED = ReplyState.APPROVED.value
    POSTED = ReplyState.POSTED.value
    CLOSED = "closed"

    LABELS = {
        NEW: "New",
        DRAFTING: "Drafting",
        AWAITING_APPROVAL: "Awaiting approval",
        APPROVED: "Approved",
        POSTED: "Posted",
        CLOSED: "Closed",
    }
    # A draft the manager rejected, with their comment waiting to be read.
    SENT_BACK_LABEL = "Sent back"
    # A posted reply the platform's moderation refused: it is not public, the review is unanswered there.
    REJECTED_ON_PLATFORM = "rejected_on_platform"


# The inbox's status filter: "unanswered" means nobody has sent a reply towards the manager yet.
STATUS_FILTERS = {
    "unanswered": ("Unanswered", Q(closed_at__isnull=True) & (Q(reply__isnull=True) | Q(reply__state=ReplyState.DRAFTING))),
    "awaiting_approval": ("Awaiting approval", Q(closed_at__isnull=True, reply__state=ReplyState.AWAITING_APPROVAL)),
    "approved": ("Approved, not yet posted", Q(closed_at__isnull=True, reply__state=ReplyState.APPROVED)),
    "posted": ("Posted", Q(reply__state=ReplyState.POSTED)),
    "closed": ("Closed without reply", Q(closed_at__isnull=False)),
    "escalated": ("Escalated", Q(escalation__isnull=False, escalation__cleared_at__isnull=True)),
    InboxStatus.REJECTED_ON_PLATFORM: (
        "Reply rejected by the platform",
        Q(closed_at__isnull=True, reply__state=ReplyState.POSTED, reply__platform_status=PlatformReplyStatus.REJECTED),
    ),
}

AGE_FILTERS = {
    "overdue": "Past the response target",
    "7d": "Posted in the last 7 days",
    "30d": "Posted in the last 30 days",
    "older": "Older than 30 days",
}


@dataclass(frozen=True)
class InboxFilters:
    status: str = ""
    rating: int | None = None
    platform: str = ""
    location_id: int | None = None
    topic: str = ""
    age: str = ""
    q: str = ""


def review_get_for_practice(*, practice: Practice, pk: int) -> Review:
    """The review `pk` if it belongs to `practice`; 404 otherwise (never 403: don't confirm it exists)."""
    review = (
        Review.objects.select_related("location", "location__practice", "closed_by")
        .filter(pk=pk, location__practice=practice)
        .first()
    )
    if review is None:
        raise Http404("No such review.")
    return review


def reply_for_review(review: Review) -> Reply | None:
    return (
        Reply.objects.select_related("current_version", "approved_version", "approved_by", "posted_by")
        .filter(review=review)
        .first()
    )


def _unanswered() -> Q:
    return STATUS_FILTERS["unanswered"][1]


def review_list_for_inbox(*, practice: Practice, filters: InboxFilters, now: datetime | None = None) -> QuerySet[Review]:
    """The practice's reviews, needs-attention first.

    Order: unanswered negative reviews (rating 3 or below, or no rating), oldest first; then other
    unanswered reviews, oldest first; then replies waiting for the manager; then the rest, newest first.
    """
    now = now or timezone.now()
    reviews = Review.objects.filter(location__practice=practice).select_related("location", "reply", "escalation")
    if filters.status in STATUS_FILTERS:
        reviews = reviews.filter(STATUS_FILTERS[filters.status][1])
    if filters.rating:
        reviews = reviews.filter(rating=filters.rating)
    if filters.platform:
        reviews = reviews.filter(platform=filters.platform)
    if filters.location_id:
        reviews = reviews.filter(location_id=filters.location_id)
    if filters.topic:
        # topics is a JSON list of codes; matching the quoted code works on SQLite and PostgreSQL alike.
        reviews = reviews.filter(topics__icontains=f'"{filters.topic}"')
    if filters.age in AGE_FILTERS:
        reviews = reviews.filter(review_age_q(practice=practice, age=filters.age, now=now))
    if filters.q:
        reviews = reviews.filter(Q(text__icontains=filters.q) | Q(author_name__icontains=filters.q))
    attention = Case(
        # Escalated and still open (a reply already posted, on the platform or here, is no longer urgent).
        When(STATUS_FILTERS["escalated"][1] & Q(closed_at__isnull=True) & ~Q(reply__state=ReplyState.POSTED),
             then=Value(-1)),
        When(_unanswered() & (Q(rating__lte=3) | Q(rating__isnull=True)), then=Value(0)),
        # Answered in ReviewDesk, but not in public: as urgent as an unanswered negative review.
        When(STATUS_FILTERS[InboxStatus.REJECTED_ON_PLATFORM][1], then=Value(0)),
        When(_unanswered(), then=Value(1)),
        When(closed_at__isnull=True, reply__state__in=[ReplyState.AWAITING_APPROVAL, ReplyState.APPROVED], then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return reviews.annotate(attention=attention).order_by(
        "attention",
        Case(When(attention__lt=3, then=F("posted_at"))).asc(nulls_last=True),
        F("posted_at").desc(),
        "pk",
    )


def review_age_q(*, practice: Practice, age: str, now: datetime) -> Q:
    """The inbox's age filter `age` (a key of AGE_FILTERS) at `now`, in local calendar days like the response target.

    "Posted in the last 7 days" is today and the six days before it, from local midnight; "the last 30 days" today
    and the 29 before; "older than 30 days" everything before that. A practice-wide inbox counts each review in its
    own location's time zone (else the practice's, else TIME_ZONE: practice.local_time), as "past the response
    target" does: at the same instant a Denver review of 10:30 pm on a Thursday is a day older than a New York one
    posted at that moment (12:30 am Friday there), and a filter may list the second but not the first.
    """
    if age == "overdue":
        return _unanswered() & review_overdue_q(practice=practice, now=now)
    zones = location_zones(practice)
    if age == "7d":
        return posted_in_last_days_q(zones, now=now, days=7)
    if age == "30d":
        return posted_in_last_days_q(zones, now=now, days=30)
    if age == "older":
        return posted_before_last_days_q(zones, now=now, days=30)
    raise ValueError(f"Unknown age filter {age!r}")


def review_overdue_q(*, practice: Practice, now: datetime, target_days: int | None = None) -> Q:
    """Reviews of the practice posted too long ago to be answered within its response target at `now`, counted
    in calendar days of each review's location (practice.local_time). Combine with "unanswered"."""
    if target_days is None:
        target_days = practice_settings_for(practice).response_target_days
    return posted_before_target_q(location_zones(practice), now=now, target_days=target_days)


@dataclass(frozen=True)
class InboxRow:
    review: Review
    status: str
    status_label: str
    age_days: int  # calendar days since it was posted, in its location's time zone
    overdue_days: int | None  # set when unanswered past the response target
    escalated: bool = False
    zone: ZoneInfo | None = None  # the location's time zone: the row shows its times in it
    rejected_on_platform: str = ""  # the platform's name, when its moderation rejected the posted reply


def review_status(review: Review) -> str:
    if review.is_closed:
        return InboxStatus.CLOSED
    reply = getattr(review, "reply", None) if _has_reply(review) else None
    if reply is None:
        return InboxStatus.NEW
    return reply.state


def _has_reply(review: Review) -> bool:
    try:
        review.reply  # noqa: B018 - the reverse one-to-one raises when absent
    except Reply.DoesNotExist:
        return False
    return True


def inbox_row(review: Review, *, now: datetime | None = None, target_days: int | None = None,
              zone: ZoneInfo | None = None) -> InboxRow:
    """One line of the inbox; `zone` is the review's location's time zone (the desk's TIME_ZONE when not given)."""
    now = now or timezone.now()
    zone = zone or ZoneInfo(settings.TIME_ZONE)
    status = review_status(review)
    age_days = local_days_since(review.posted_at, now=now, zone=zone)
    unanswered = status in (InboxStatus.NEW, InboxStatus.DRAFTING)
    overdue = unanswered and age_days > (settings.RESPONSE_TARGET_DAYS if target_days is None else target_days)
    label = InboxStatus.LABELS[status]
    if status == InboxStatus.DRAFTING and review.reply.rejection_comment:
        label = InboxStatus.SENT_BACK_LABEL
    rejected = status == InboxStatus.POSTED and review.reply.platform_status == PlatformReplyStatus.REJECTED
    return InboxRow(
        review=review,
        status=status,
        status_label=label,
        age_days=age_days,
        overdue_days=age_days if overdue else None,
        escalated=_is_escalated(review),
        zone=zone,
        rejected_on_platform=review.get_platform_display() if rejected else "",
    )


def _is_escalated(review: Review) -> bool:
    from responses.escalation.models import Escalation

    try:
        return review.escalation.is_active
    except Escalation.DoesNotExist:
        return False


@dataclass(frozen=True)
class ApprovalQueue:
    pending: list[Reply]
    approved: list[Reply]


def reply_list_for_approval(*, practice: Practice) -> ApprovalQueue:
    """Replies waiting for the manager (oldest first) and approved ones still to be posted."""
    replies = (
        Reply.objects.filter(
            review__location__practice=practice,
            review__closed_at__isnull=True,
            state__in=[ReplyState.AWAITING_APPROVAL, ReplyState.APPROVED],
        )
        .select_related("review", "review__location", "current_version", "current_version__author", "approved_by")
        .order_by("updated_at", "pk")
    )
    pending = [r for r in replies if r.state == ReplyState.AWAITING_APPROVAL]
    approved = [r for r in replies if r.state == ReplyState.APPROVED]
    return ApprovalQueue(pending=pending, approved=approved)


# ---------------------------------------------------------------- dashboard


@dataclass(frozen=True)
class MonthRating:
    month: date  # its first day
    average: float | None
    count: int
    median_response_hours: float | None = None  # replies posted that month: review to posting


@dataclass(frozen=True)
class DashboardFilters:
    location_id: int | None = None
    platform: str = ""


@dataclass(frozen=True)
class DashboardNumbers:
    open_by_status: list[tuple[str, str, int]]  # (status code, label, count)
    median_response_hours: dict[int, float | None]  # window in days -> median hours, None without data
    responses_counted: dict[int, int]
    rating_trend: list[MonthRating]
    negative_topics: list[tuple[str, int]]  # (label, count), most frequent first; spam left out
    blocked_refusals: int  # replies whose submit/approve/post the guard refused (each reply once)
    blocked_versions: int  # saved drafts the guard blocked (then fixed or rewritten): not disclosures prevented
    target_days: int = 2
    negative_total: int = 0  # 1-3 star reviews posted 90 days ago or more recently, old enough to be judged
    negative_in_target: int = 0  # of those, answered (reply posted) within the target

    @property
    def negative_in_target_share(self) -> float | None:
        return self.negative_in_target / self.negative_total if self.negative_total else None


def _months_back(today: date, count: int) -> list[date]:
    """The first days of the `count` months up to and including `today`'s, oldest first."""
    year, month = today.year, today.month
    months = []
    for _ in range(count):
        months.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(months))


def _zone_groups(zones: dict[int, ZoneInfo]) -> dict[str, list[int]]:
    """Location ids by time zone name: one query per zone a practice uses, not per location."""
    groups: dict[str, list[int]] = {}
    for location_id, zone in zones.items():
        groups.setdefault(zone.key, []).append(location_id)
    return groups


def _monthly_ratings(reviews: QuerySet[Review], zones: dict[int, ZoneInfo], first: date) -> dict[date, tuple[int, int]]:
    """(sum of stars, count) per month, each review counted in the month it was posted in its location's time
    zone (a review posted at 11 pm on March 31 in Denver is a March review, though it is April in UTC)."""
    totals: dict[date, tuple[int, int]] = {}
    for key, location_ids in _zone_groups(zones).items():
        zone = ZoneInfo(key)
        rows = (reviews.filter(location_id__in=location_ids, posted_at__gte=local_midnight(first, zone),
                               rating__isnull=False)
                .annotate(month=TruncMonth("posted_at", tzinfo=zone)).values("month")
                .annotate(stars=Sum("rating"), count=Count("pk")))
        for row in rows:
            month = row["month"]
            month = (month.astimezone(zone) if isinstance(month, datetime) else month)
            key_month = date(month.year, month.month, 1)
            stars, count = totals.get(key_month, (0, 0))
            totals[key_month] = (stars + row["stars"], count + row["count"])
    return totals


def _hours(done: datetime, asked: datetime) -> float:
    return max((done - asked).total_seconds(), 0) / 3600


def dashboard_numbers(*, practice: Practice, now: datetime | None = None, months: int = 12,
                      filters: DashboardFilters | None = None) -> DashboardNumbers:
    """The numbers behind the dashboard, for one practice (optionally one location and/or platform)."""
    now = now or timezone.now()
    filters = filters or DashboardFilters()
    where = Q(location__practice=practice)
    if filters.location_id:
        where &= Q(location_id=filters.location_id)
    if filters.platform:
        where &= Q(platform=filters.platform)
    reviews = Review.objects.filter(where)
    reply_where = Q(review__location__practice=practice)
    if filters.location_id:
        reply_where &= Q(review__location_id=filters.location_id)
    if filters.platform:
        reply_where &= Q(review__platform=filters.platform)
    # Public replies: posted, and not rejected by the platform's moderation.
    public_replies = Reply.objects.filter(reply_where, state=ReplyState.POSTED).exclude(
        platform_status=PlatformReplyStatus.REJECTED)
    replies = Reply.objects.filter(reply_where)

    open_reviews = reviews.filter(closed_at__isnull=True).exclude(reply__state=ReplyState.POSTED)
    counts = open_reviews.aggregate(
        new=Count("pk", filter=Q(reply__isnull=True)),
        drafting=Count("pk", filter=Q(reply__state=ReplyState.DRAFTING)),
        awaiting_approval=Count("pk", filter=Q(reply__state=ReplyState.AWAITING_APPROVAL)),
        approved=Count("pk", filter=Q(reply__state=ReplyState.APPROVED)),
    )
    open_by_status = [(code, InboxStatus.LABELS[code], counts[code]) for code in counts]

    medians, counted = {}, {}
    for days in (30, 90):
        posted = public_replies.filter(posted_at__gte=now - timedelta(days=days)).values_list(
            "posted_at", "review__posted_at")
        hours = [_hours(done, asked) for done, asked in posted]
        medians[days] = statistics.median(hours) if hours else None
        counted[days] = len(hours)

    zones = location_zones(practice)
    if filters.location_id:
        zones = {pk: zone for pk, zone in zones.items() if pk == filters.location_id}
    shown_zone = zones.get(filters.location_id) or practice_time_zone(practice)
    month_starts = _months_back(now.astimezone(shown_zone).date(), months)
    ratings = _monthly_ratings(reviews, zones, month_starts[0])
    response_hours: dict[date, list[float]] = {}
    earliest = local_midnight(month_starts[0], shown_zone) - timedelta(days=1)  # any zone's first local midnight
    for done, asked, location_id in public_replies.filter(posted_at__gte=earliest).values_list(
            "posted_at", "review__posted_at", "review__location_id"):
        local = done.astimezone(zones.get(location_id, shown_zone))
        response_hours.setdefault(date(local.year, local.month, 1), []).append(_hours(done, asked))
    trend = []
    for start in month_starts:
        stars, count = ratings.get(start, (0, 0))
        hours = response_hours.get(start)
        trend.append(MonthRating(month=start, average=stars / count if count else None, count=count,
                                 median_response_hours=statistics.median(hours) if hours else None))

    topic_counts: Counter[str] = Counter()
    for topics in reviews.filter(rating__lte=3, posted_at__gte=now - timedelta(days=365)).values_list("topics", flat=True):
        # Spam is not something the practice can fix: it stays out of "what negative reviews are about".
        topic_counts.update(set(topics or []) - {Topic.SPAM_OR_FAKE.value})
    labels = dict(Topic.choices)
    negative_topics = [(labels.get(code, code), n) for code, n in topic_counts.most_common(8)]

    since = now - timedelta(days=90)
    # A disclosure prevented is a reply the guard stopped on its way out (submit, approve or post), counted once
    # per reply; drafts blocked while typing or saving are the guard doing its everyday work.
    refusals = AuditEvent.objects.filter(
        practice=practice, at__gte=since, action__in=["submit_refused", "approve_refused", "post_refused"])
    if filters.location_id or filters.platform:
        refusals = refusals.filter(reply__in=replies)
    blocked_refusals = refusals.values("reply_id").distinct().count()
    blocked_versions = ReplyVersion.objects.filter(reply__in=replies, created_at__gte=since, blocked=True).count()

    target_days = practice_settings_for(practice).response_target_days
    # Judged once their time is up: the target's last local day is over (practice.local_time).
    judged = reviews.filter(posted_before_target_q(zones, now=now, target_days=target_days),
                            rating__lte=3, posted_at__gte=since)
    judged = judged.exclude(topics__icontains=f'"{Topic.SPAM_OR_FAKE.value}"')
    negative_total = judged.count()
    # A reply the platform's moderation rejected is not public: that review was not answered.
    public = judged.filter(reply__state=ReplyState.POSTED).exclude(reply__platform_status=PlatformReplyStatus.REJECTED)
    negative_in_target = sum(
        1 for done, asked, location_id in public.values_list("reply__posted_at", "posted_at", "location_id")
        if done < response_deadline(asked, zone=zones[location_id], target_days=target_days)
    )
    return DashboardNumbers(
        open_by_status=open_by_status,
        median_response_hours=medians,
        responses_counted=counted,
        rating_trend=trend,
        negative_topics=negative_topics,
        blocked_refusals=blocked_refusals,
        blocked_versions=blocked_versions,
        target_days=target_days,
        negative_total=negative_total,
        negative_in_target=negative_in_target,
    )
