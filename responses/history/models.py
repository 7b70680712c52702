from __future__ import annotations

from django.conf import settings
from django.db import models

from responses.models import Reply, ReplyVersion


class ReplyRejection(models.Model):
    """A manager's rejection of a reply and their comment, kept after the reply moves on (the reply's own
    `rejection_comment` holds only the latest, and is cleared at the next submit). Staff-only text."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="rejections")
    version = models.ForeignKey(ReplyVersion, null=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.TextField()
    rejected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    rejected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rejected_at", "id"]

    def __str__(self) -> str:
        return f"Rejection of {self.reply}"
