"""Reads of a practice's desk settings for other pages (inbox, review page, dashboard)."""
from __future__ import annotations

import re

from django.conf import settings

from responses.models import Practice
from responses.practice.models import PracticeSettings


def practice_settings_for(practice: Practice) -> PracticeSettings:
    """The practice's settings, or (never saved) the defaults: RESPONSE_TARGET_DAYS and the default keywords."""
    found = PracticeSettings.objects.filter(practice=practice).first()
    return found or PracticeSettings(practice=practice, response_target_days=settings.RESPONSE_TARGET_DAYS)


def escalation_match(text: str, keywords: list[str]) -> bool:
    """Whether a review's text contains one of the escalation keywords (whole words, any case)."""
    if not text or not keywords:
        return False
    pattern = r"\b(?:" + "|".join(re.escape(k) for k in keywords) + r")\b"
    return re.search(pattern, text, re.IGNORECASE) is not None
