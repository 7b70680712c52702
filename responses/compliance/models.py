"""The compliance record: what was posted and why it was safe, what was found later, and how it was handled.

Free-text fields here (assessment notes, follow-up notes, fake-review reasons) are internal: they are shown to
staff on the desk, never go into a public reply, a log or an audit event, and the default export leaves them out.
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q

from responses.models import Practice, Reply, ReplyVersion, Review

BREACH_NOTIFICATION_DAYS = 60  # HIPAA breach notification rule: without unreasonable delay, at most 60 days

class ReplyPosting(models.Model):
    """One publication of a reply: the exact text (by version and hash) and the guard's verdict on it at post time.

    A reply taken down and replaced has two postings; `taken_down_at` marks the one no longer public.
    """

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="postings")
    version = models.ForeignKey(ReplyVersion, on_delete=models.PROTECT, related_name="+")
    text_sha256 = models.CharField(max_length=64)
    verdict = models.JSONField(default=dict, help_text="The post-time verdict (phi_guard Verdict.to_dict()).")
    posted_at = models.DateTimeField(db_index=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    posted_via = models.CharField(max_length=30)
    external_reply_id = models.CharField(max_length=300, blank=True)
    taken_down_at = models.DateTimeField(null=True, blank=True)
    # Retro-scan: the last guard that re-checked this exact text, and what it said.
    rechecked_version_key = models.CharField(max_length=64, blank=True, db_index=True)
    rechecked_guard_version = models.JSONField(default=dict, blank=True)
    rechecked_at = models.DateTimeField(null=True, blank=True)
    rechecked_blocked = models.BooleanField(null=True)

    class Meta:
        ordering = ["-posted_at", "-id"]

    def __str__(self) -> str:
        return f"Posting #{self.pk} of reply #{self.reply_id}"

    @property
    def is_live(self) -> bool:
        return self.taken_down_at is None

    @property
    def guard_version(self) -> dict:
        return self.verdict.get("guard_version") or {}

class GuardScan(models.Model):
    """One retro-scan of a practice's posted replies with the current guard (progress for the page)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="guard_scans")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    trigger = models.CharField(max_length=20, default="manual", help_text="manual, command or schedule")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    version_key = models.CharField(max_length=64, blank=True)
    guard_version = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    blocked_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Guard scan #{self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.processed / self.total)

class Incident(models.Model):
    """A posted reply that should not have been posted: takedown, replacement, breach risk assessment, decision."""

    class Source(models.TextChoices):
        RETRO_SCAN = "retro_scan", "Found by a retro-scan"
        MANAGER = "manager", "Raised by a manager"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class Takedown(models.TextChoices):
        PENDING = "pending", "Still public"
        PLATFORM_API = "platform_api", "Deleted through the platform's API"
        MANUAL = "manual", "Removed by hand on the platform"

    class Viewed(models.TextChoices):
        UNKNOWN = "unknown", "Unknown"
        YES = "yes", "Yes, it was viewed"
        NO = "no", "No evidence it was viewed"

    class Decision(models.TextChoices):
        NONE = "", "Not decided"
        LOW_PROBABILITY = "low_probability", "Low probability of compromise: no notification"
        NOTIFY = "notify", "Breach: notify the individual (and HHS; media if 500+)"

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="incidents")
    posting = models.ForeignKey(ReplyPosting, on_delete=models.PROTECT, related_name="incidents")
    source = models.CharField(max_length=20, choices=Source.choices)
    scan = models.ForeignKey(GuardScan, null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    discovered_on = models.DateField(help_text="The day the practice knew (or should have known) of it.")
    takedown = models.CharField(max_length=20, choices=Takedown.choices, default=Takedown.PENDING)
    taken_down_at = models.DateTimeField(null=True, blank=True)
    taken_down_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The four factors of 45 CFR 164.402(2); internal notes, never exported by default.
    nature_and_extent = models.TextField(blank=True, help_text="What information, how identifying, how sensitive.")
    unauthorized_recipient = models.TextField(blank=True, help_text="Who could see it (the public on the platform?).")
    actually_viewed = models.CharField(max_length=10, choices=Viewed.choices, default=Viewed.UNKNOWN)
    mitigation = models.TextField(blank=True, help_text="What was done to reduce the harm (takedown time, ...).")
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True, default=Decision.NONE)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        permissions = [("manage_compliance", "Can see and export compliance records, run scans, handle incidents")]
        constraints = [
            # One open incident per posting: a second scan must not open it twice.
            models.UniqueConstraint(fields=["posting"], condition=Q(status="open"), name="one_open_incident_per_posting"),
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_at__isnull=False) & ~Q(decision="")),
                name="incident_closed_has_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"Incident #{self.pk} ({self.get_status_display()})"

    @property
    def notification_deadline(self):
        return self.discovered_on + timedelta(days=BREACH_NOTIFICATION_DAYS)

    @property
    def assessment_complete(self) -> bool:
        return bool(self.nature_and_extent.strip() and self.unauthorized_recipient.strip() and self.mitigation.strip())

class PrivateFollowUp(models.Model):
    """Staff's private contact with a reviewer after (or instead of) a public reply. Notes are internal."""

    class Channel(models.TextChoices):
        PHONE = "phone", "Phone"
        EMAIL = "email", "E-mail"
        TEXT = "text", "Text message"
        IN_PERSON = "in_person", "In person"
        PLATFORM_MESSAGE = "platform_message", "Platform message"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved privately"
        CLOSED = "closed", "Closed without resolution"

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="follow_up")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    next_due_on = models.DateField(null=True, blank=True, help_text="When the next attempt is due.")
    notes = models.TextField(blank=True, help_text="Internal only: never in a public reply, a log or an export.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | Q(resolved_at__isnull=False), name="follow_up_finished_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"Private follow-up on review #{self.review_id}"

class FollowUpAttempt(models.Model):
    class Outcome(models.TextChoices):
        RESOLVED = "resolved", "Resolved"
        DECLINED = "declined", "Declined"
        NO_ANSWER = "no_answer", "No answer"
        REFUND_OFFERED = "refund_offered", "Refund offered"
        ESCALATED = "escalated", "Escalated"

    follow_up = models.ForeignKey(PrivateFollowUp, on_delete=models.CASCADE, related_name="attempts")
    channel = models.CharField(max_length=20, choices=PrivateFollowUp.Channel.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["at", "id"]

class FakeReviewReport(models.Model):
    """A review the practice suspects is fake or from a competitor. The reason is internal: saying publicly that
    someone was never a patient is itself a statement about patient status."""

    class Status(models.TextChoices):
        SUSPECTED = "suspected", "Suspected, not reported yet"
        REPORTED = "reported", "Reported to the platform"
        REMOVED = "removed", "Removed by the platform"
        KEPT = "kept", "Platform kept it"

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="fake_report")
    reason = models.TextField(help_text="Internal only.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUSPECTED)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_at = models.DateTimeField(auto_now_add=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Suspected fake review #{self.review_id}"

class PendingPublish(models.Model):
    """An approved reply waiting out the pull-back window before it goes to the platform."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        SENT = "sent", "Sent"
        PULLED_BACK = "pulled_back", "Pulled back"
        FAILED = "failed", "Failed"

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="pending_publishes")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    send_after = models.DateTimeField(db_index=True)
    revision = models.PositiveIntegerField(help_text="The reply's revision the manager published; any change cancels.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.WAITING)
    finished_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["send_after", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reply"], condition=Q(status="waiting"), name="one_waiting_publish_per_reply"
            ),
        ]

    def __str__(self) -> str:
        return f"Publish of reply #{self.reply_id} ({self.status})"
