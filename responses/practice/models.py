"""What a practice configures for itself beyond `Practice`: its desk settings, its other public contact lines and its
pending invitations."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from responses.models import DraftLanguage, Practice, Role


def default_draft_languages() -> list[str]:
    return [DraftLanguage.ENGLISH.value, DraftLanguage.SPANISH.value]


class PracticeSettings(models.Model):
    """How the desk treats a practice's reviews: its response target, its own escalation words (on top of the
    built-in list in responses.escalation.rules), the languages drafts are written in, and its time zone."""

    practice = models.OneToOneField(Practice, on_delete=models.CASCADE, related_name="desk_settings")
    response_target_days = models.PositiveSmallIntegerField(
        default=2, help_text="A review unanswered longer than this many days is overdue."
    )
    escalation_keywords = models.TextField(
        blank=True,
        default="",
        help_text="The practice's own words, one a line, on top of the built-in list: a review containing one is "
                  "escalated (no automatic draft; the manager decides).",
    )
    # Drafts are written in the review's language when it is one of these, else in `default_language`.
    draft_languages = models.JSONField(default=default_draft_languages)
    default_language = models.CharField(max_length=8, choices=DraftLanguage.choices, default=DraftLanguage.ENGLISH)
    time_zone = models.CharField(
        max_length=64, blank=True,
        help_text="IANA name, e.g. America/Denver; a location's own time zone wins. Blank: the desk's TIME_ZONE.",
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

    @property
    def language_list(self) -> list[str]:
        """The practice's drafting languages in DraftLanguage order (unknown codes dropped; never empty)."""
        chosen = [code for code in DraftLanguage.values if code in (self.draft_languages or [])]
        return chosen or [self.default_language or DraftLanguage.ENGLISH.value]


class PublicContact(models.Model):
    """A line of the practice's that is not a location's: a billing office, a Spanish line, an after-hours nurse
    line. Replies may give it; the PHI guard reads it as the practice's own, not as somebody else's number."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="public_contacts")
    label = models.CharField(max_length=100, help_text="What the line is for, e.g. Billing office or Línea en español.")
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["label"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(phone="") | ~Q(email=""), name="public_contact_has_phone_or_email",
                violation_error_message="Give the line's phone number or e-mail address.",
            ),
        ]

    def __str__(self) -> str:
        return self.label


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
