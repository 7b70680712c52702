"""Reads of a practice's desk settings for other pages (inbox, review page, dashboard, drafting, escalation)."""
from __future__ import annotations

from django.conf import settings

from responses.models import Practice
from responses.practice.models import PracticeSettings


def practice_settings_for(practice: Practice) -> PracticeSettings:
    """The practice's settings, or (never saved) the defaults: RESPONSE_TARGET_DAYS, no keywords of its own,
    English and Spanish drafts, the desk's time zone."""
    found = PracticeSettings.objects.filter(practice=practice).first()
    return found or PracticeSettings(practice=practice, response_target_days=settings.RESPONSE_TARGET_DAYS)
