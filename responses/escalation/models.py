"""An escalated review: why, and whether (and why) a manager has de-escalated it."""
from __future__ import annotations

from django.conf import settings
from django.db import models


class Escalation(models.Model):
    class Reason(models.TextChoices):
        LEGAL = "legal", "Legal action"
        REGULATOR = "regulator", "Regulator or complaint body"
        SELF_HARM = "self_harm", "Self-harm"
        SAFETY = "safety", "Safety emergency"
        COMPLICATION = "complication", "Complication with a 1-2 star rating"
        KEYWORD = "keyword", "One of the practice's escalation keywords"

    class ClearReason(models.TextChoices):
        COUNSEL_CONSULTED = "counsel_consulted", "Counsel consulted; a reply may go ahead"
        NOT_A_THREAT = "not_a_threat", "The wording is not a threat or an emergency"
        HANDLED_PRIVATELY = "handled_privately", "Handled privately with the reviewer"

    review = models.OneToOneField("responses.Review", on_delete=models.CASCADE, related_name="escalation")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    escalated_at = models.DateTimeField(auto_now_add=True, db_index=True)
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cleared_reason = models.CharField(max_length=30, choices=ClearReason.choices, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cleared_at__isnull=True) | ~models.Q(cleared_reason=""),
                name="escalation_cleared_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Escalation of review #{self.review_id} ({self.reason})"

    @property
    def is_active(self) -> bool:
        return self.cleared_at is None
