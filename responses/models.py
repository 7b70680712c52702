"""Reviews, replies and everything a practice needs to answer them safely.

State changes go through `responses.services`; nothing here has side effects in
save(). Invariants that matter are database constraints.
"""
from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Platform(models.TextChoices):
    GOOGLE = "google", "Google"
    YELP = "yelp", "Yelp"
    FACEBOOK = "facebook", "Facebook"
    REALSELF = "realself", "RealSelf"
    HEALTHGRADES = "healthgrades", "Healthgrades"
    OTHER = "other", "Other"


class Role(models.TextChoices):
    FRONT_DESK = "front_desk", "Front desk"
    MANAGER = "manager", "Practice manager"


class Practice(models.Model):
    """A practice: its public identity is what the PHI guard allows in replies."""

    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    website = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=300, blank=True)
    signature = models.CharField(
        max_length=200, blank=True, help_text="How replies are signed, e.g. “— The Willow & Pine team”."
    )
    guard_strict_mode = models.BooleanField(
        default=False,
        help_text="Strict mode: a public reply may only use sentences from the practice's template library.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class StaffMember(models.Model):
    """Staff whose names and roles may appear in a public reply (allow-listed by the guard)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="staff")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["practice", "name"], name="unique_staff_name_per_practice")]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name


class Membership(models.Model):
    """Ties a login to a practice with a role (the role is also a Django group)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)

    def __str__(self) -> str:
        return f"{self.user} @ {self.practice} ({self.get_role_display()})"


class Location(models.Model):
    """One clinic of a practice; its phone/e-mail is the private channel offered in replies."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=300, blank=True)
    time_zone = models.CharField(
        max_length=64, blank=True, help_text="IANA name, e.g. America/Denver; blank: the desk's TIME_ZONE."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "name"], name="unique_location_name_per_practice"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def private_channel(self) -> str:
        """The contact sentence fragment a reply offers, e.g. “(303) 555-0186 or frontdesk@…”."""
        return " or ".join(part for part in (self.phone, self.email) if part)


class PlatformConnection(models.Model):
    """A review source of a location (nightly import, run now) and, for Google, where replies can be posted.

    The platform token (Google's OAuth refresh token, a feed's bearer token) is stored encrypted in
    `secret_encrypted` (responses.sources.tokens) and never shown back.
    """

    class Kind(models.TextChoices):
        GOOGLE_BUSINESS = "google_business", "Google Business Profile API"
        JSON_FEED = "json_feed", "JSON feed URL"
        DROP_FOLDER = "drop_folder", "Drop folder of exported files"

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="connections")
    platform = models.CharField(max_length=20, choices=Platform.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Google: "accounts/{account}/locations/{location}"; JSON feed: the feed URL;
    # drop folder: a folder inside settings.REVIEW_DROP_ROOT, relative to it.
    resource = models.CharField(max_length=500)
    secret_encrypted = models.TextField(blank=True, editable=False)
    import_enabled = models.BooleanField(default=True, help_text="Off: the source is paused.")
    publish_enabled = models.BooleanField(default=False)
    last_import_at = models.DateTimeField(null=True, blank=True)
    last_import_status = models.CharField(max_length=300, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    # Why the last run failed, in words safe to show (never review text); empty after a success.
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["location", "platform", "kind"], name="unique_connection_per_platform"),
        ]
        permissions = [("manage_sources", "Can add, pause and run review sources")]

    def __str__(self) -> str:
        return f"{self.location} · {self.get_platform_display()} ({self.get_kind_display()})"

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_encrypted)


class Topic(models.TextChoices):
    WAIT_TIME = "wait_time", "Wait time"
    BILLING_PRICING = "billing_pricing", "Billing or pricing"
    STAFF_ATTITUDE = "staff_attitude", "Staff attitude"
    BAD_OUTCOME = "bad_outcome", "Outcome dissatisfaction"
    COMPLICATION = "complication", "Complication or side effect"
    BOOKING_SCHEDULING = "booking_scheduling", "Booking or scheduling"
    CLEANLINESS = "cleanliness", "Cleanliness"
    COMMUNICATION = "communication", "Communication"
    LOGISTICS = "logistics", "Parking, signs or phones"
    LEGAL_THREAT = "legal_threat", "Legal threat or board complaint"
    POSITIVE_GENERAL = "positive_general", "Positive experience"
    POSITIVE_STAFF = "positive_staff", "Staff praise"
    MIXED = "mixed", "Mixed"
    SPAM_OR_FAKE = "spam_or_fake", "Likely spam"
    NON_ENGLISH = "non_english", "Non-English"
    RATING_ONLY = "rating_only", "Rating only"


class DraftLanguage(models.TextChoices):
    """Languages the desk drafts replies in (a template block is written in one of them)."""

    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"


class Review(models.Model):
    """A public review of a location. Public text, but kept access-controlled."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="reviews")
    platform = models.CharField(max_length=20, choices=Platform.choices)
    external_id = models.CharField(max_length=300, help_text="The platform's id; generated for pasted reviews.")
    author_name = models.CharField(max_length=200, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    text_sha256 = models.CharField(max_length=64, editable=False)
    posted_at = models.DateTimeField()
    # The platform's own "last edited" time (Google's updateTime): an import whose row carries the same time
    # skips the review; a later one is an edit.
    platform_updated_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    topics = models.JSONField(default=list, blank=True)
    internal_note = models.TextField(blank=True, help_text="Private to staff; never used in a public reply.")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=300, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-posted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["location", "platform", "external_id"], name="unique_review_external_id_per_source"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"
            ),
        ]
        indexes = [models.Index(fields=["location", "posted_at"])]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} review #{self.pk}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def primary_topic(self) -> str:
        return self.topics[0] if self.topics else ""


class ReplyState(models.TextChoices):
    DRAFTING = "drafting", "Drafting"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    APPROVED = "approved", "Approved"
    POSTED = "posted", "Posted"


class PlatformReplyStatus(models.TextChoices):
    """What the platform's moderation made of a posted reply (Google's reviewReplyState), as last read."""

    UNKNOWN = "", "Not reported"
    PENDING = "pending", "Pending the platform's review"
    LIVE = "live", "Live on the platform"
    REJECTED = "rejected", "Rejected by the platform"


class Reply(models.Model):
    """The one public reply to a review. Its text lives in versions; `revision` guards concurrent edits."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="reply")
    state = models.CharField(max_length=20, choices=ReplyState.choices, default=ReplyState.DRAFTING)
    revision = models.PositiveIntegerField(default=0, help_text="Bumped on every change; a stale save is refused.")
    current_version = models.ForeignKey(
        "ReplyVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stale = models.BooleanField(default=False, help_text="The review changed after this reply was drafted.")
    rejection_comment = models.TextField(blank=True)
    approved_version = models.ForeignKey(
        "ReplyVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    posted_at = models.DateTimeField(null=True, blank=True)
    posted_via = models.CharField(max_length=30, blank=True)
    external_reply_id = models.CharField(max_length=300, blank=True)
    # A posted reply's moderation on the platform, read by the source's import: a rejected reply is not public.
    platform_status = models.CharField(max_length=10, choices=PlatformReplyStatus.choices, blank=True)
    # The platform's policy word for a rejection (Google's policyViolation, e.g. "PERSONAL_INFORMATION").
    platform_status_reason = models.CharField(max_length=60, blank=True)
    platform_status_at = models.DateTimeField(null=True, blank=True, help_text="When the status last changed.")
    # The review was answered directly on the platform while this reply was unposted here: the platform's reply
    # became the posted version, and the draft (superseded_version) was never posted and never may be.
    superseded_at = models.DateTimeField(null=True, blank=True)
    superseded_version = models.ForeignKey(
        "ReplyVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "replies"
        permissions = [
            ("submit_reply", "Can write replies and submit them for approval"),
            ("approve_reply", "Can approve or reject replies"),
            ("post_reply", "Can post approved replies"),
            ("close_review", "Can close a review without a reply"),
            ("import_reviews", "Can paste and import reviews"),
            ("manage_templates", "Can edit reply templates and guard vocabulary"),
            ("unlock_logins", "Can unlock team members locked out after failed log-ins"),
        ]
        constraints = [
            # An approved or posted reply always points at the exact version the manager approved.
            models.CheckConstraint(
                condition=~Q(state__in=["approved", "posted"]) | Q(approved_version__isnull=False),
                name="reply_approved_has_version",
            ),
            models.CheckConstraint(
                condition=~Q(state="posted") | Q(posted_at__isnull=False), name="reply_posted_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"Reply to review #{self.review_id} ({self.get_state_display()})"

    @property
    def text(self) -> str:
        return self.current_version.text if self.current_version_id else ""


class ReplyVersion(models.Model):
    """One saved text of a reply and the guard's verdict on exactly that text."""

    class Source(models.TextChoices):
        TEMPLATE = "template", "Drafted from templates"
        EDIT = "edit", "Edited"
        REWRITE = "rewrite", "Guard's safe rewrite"

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    text_sha256 = models.CharField(max_length=64)
    source = models.CharField(max_length=20, choices=Source.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    # The verdict (phi_guard.Verdict.to_dict()) for the text whose hash is verdict_sha256.
    verdict = models.JSONField(default=dict)
    verdict_sha256 = models.CharField(max_length=64)
    blocked = models.BooleanField()

    class Meta:
        ordering = ["reply", "number"]
        constraints = [
            models.UniqueConstraint(fields=["reply", "number"], name="unique_version_number_per_reply"),
        ]

    def __str__(self) -> str:
        return f"v{self.number} of {self.reply}"

    @property
    def verdict_matches_text(self) -> bool:
        return self.verdict_sha256 == self.text_sha256 == text_sha256(self.text)


class AuditEvent(models.Model):
    """Who did what, when. Never holds patient text: ids, states, counts and categories only."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    practice = models.ForeignKey(Practice, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=40)
    review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reply = models.ForeignKey(Reply, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    verdict_blocked = models.BooleanField(null=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class TemplateBlock(models.Model):
    """A reusable piece of a reply: acknowledge / listen / resolve, or thanks for positive reviews.

    Placeholders: {first_name}, {practice}, {location}, {phone}, {email}, {channel}, {signature}.
    """

    class Kind(models.TextChoices):
        ACKNOWLEDGE = "acknowledge", "Acknowledge"
        LISTEN = "listen", "Listen"
        RESOLVE = "resolve", "Resolve"
        THANKS = "thanks", "Thanks (positive reviews)"

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="template_blocks")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    topic = models.CharField(max_length=30, choices=Topic.choices, blank=True, help_text="Blank: any topic.")
    language = models.CharField(max_length=8, choices=DraftLanguage.choices, default=DraftLanguage.ENGLISH)
    text = models.TextField()
    active = models.BooleanField(default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "topic", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_topic_display() or 'any topic'} #{self.pk}"


def guard_vocabulary_choices() -> list[tuple[str, str]]:
    """The guard's extensible vocabulary types (TREATMENT, BRAND, BODY_AREA, ...)."""
    from phi_guard.lexicon import PRACTICE_VOCABULARY_TYPES

    return [(name, name.replace("_", " ").capitalize()) for name in sorted(PRACTICE_VOCABULARY_TYPES)]


class GuardTerm(models.Model):
    """A practice's own addition to the guard's vocabulary (a treatment it offers, a product brand)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="guard_terms")
    entity_type = models.CharField(
        max_length=40, choices=guard_vocabulary_choices, help_text="The guard's vocabulary type, e.g. Treatment."
    )
    term = models.CharField(max_length=120)

    class Meta:
        ordering = ["entity_type", "term"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "entity_type", "term"], name="unique_guard_term"),
        ]

    def __str__(self) -> str:
        return f"{self.entity_type}: {self.term}"


class ImportRun(models.Model):
    """One import of reviews (file, paste batch or platform feed) and its per-row report."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="import_runs")
    connection = models.ForeignKey(
        PlatformConnection, null=True, blank=True, on_delete=models.SET_NULL, related_name="import_runs"
    )
    source_name = models.CharField(max_length=300, help_text="File name or feed; never review text.")
    default_platform = models.CharField(
        max_length=20, choices=Platform.choices, blank=True, help_text="For rows that name no platform."
    )
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    drafted_count = models.PositiveIntegerField(default=0)
    escalated_count = models.PositiveIntegerField(default=0)
    # [{"line": 7, "reason": "rating must be 1-5"}]: reasons describe the problem, never quote the review.
    errors = models.JSONField(default=list, blank=True)
    failure_reason = models.CharField(max_length=500, blank=True)
    # Written with every progress report: a "running" run whose heartbeat stops is resumed or failed by
    # responses.intake.import_runs_recover (its process died).
    heartbeat_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Workers that started on the uploaded file.")

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Import #{self.pk} ({self.source_name})"

    @property
    def rejected_count(self) -> int:
        """Rejected rows. `errors` holds {"line", "reason"} per listed row, {"warning": True} notes (an
        encoding fallback) and one {"more": N} entry for rows past the listing limit."""
        return sum(error.get("more", 1) for error in self.errors if not error.get("warning"))
from responses.compliance.models import FakeReviewReport, FollowUpAttempt, GuardScan, Incident, PendingPublish, PrivateFollowUp, ReplyPosting  # noqa: E402,F401,I001
from responses.history.models import ReplyRejection  # noqa: E402,F401
from responses.practice.models import Invitation, PracticeSettings  # noqa: E402,F401
from responses.escalation.models import Escalation  # noqa: E402,F401
