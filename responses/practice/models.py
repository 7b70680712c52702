"""What a practice configures for itself beyond `Practice`: its desk settings and its pending invitations."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from responses.models import Practice, Role

DEFAULT_ESCALATION_KEYWORDS = "lawyer\nattorney\nlawsuit\nsue\nmalpractice\nhospital\nemergency room\ninfection\nburn"


class PracticeSettings(models.Model):
    """How the desk treats a practice's reviews: its response target and the words that escalate a review."""

    practice = models.OneToOneField(Practice, on_delete=models.CASCADE, related_name="desk_settings")
    response_target_days = models.PositiveSmallIntegerField(
        default=2, help_text="A review unanswered longer than this many days is overdue."
    )
    escalation_keywords = models.TextField(
        blank=True,
        default=DEFAULT_ESCALATION_KEYWORDS,
        help_text="One word or phrase a line; a review containing one is marked for the manager's attention.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "practice settings"
        permissions = [("manage_practice", "Can change the practice's profile, locations, staff, people and settings")]
        constraints = [
            models.CheckConstraint(
                condition=Q(response_target_days__gte=1, response_target_days__lte=30),
                name="practice_response_target_1_to_30_days",
            ),
        ]

    def __str__(self) -> str:
        return f"Settings of {self.practice}"

    @property
    def keyword_list(self) -> list[str]:
        return [line.strip().lower() for line in self.escalation_keywords.splitlines() if line.strip()]


class Invitation(models.Model):
    """An e-mailed invitation to join a practice. Only the token's hash is stored; it works once, until it expires."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    token_sha256 = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation #{self.pk} to {self.practice}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None
