"""Template helpers for the desk: findings marked in place, star ratings, ages."""
from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

CATEGORY_LABELS = {
    "patient_status": "Confirms a patient",
    "records_denial": "Talks about records",
    "clinical_detail": "Clinical detail",
    "identifier": "Identifies someone",
    "remedy_detail": "Treatment-specific remedy",
    "not_approved": "Not an approved sentence",
}


def _get(finding, name, default=None):
    if isinstance(finding, dict):
        return finding.get(name, default)
    return getattr(finding, name, default)


@register.filter
def category_label(category: str) -> str:
    return CATEGORY_LABELS.get(category, (category or "finding").replace("_", " ").capitalize())


@register.filter
def policy_words(word: str) -> str:
    """A platform's policy word, readable: PERSONAL_INFORMATION -> "personal information"."""
    return (word or "").replace("_", " ").lower()


@register.simple_tag
def marked_text(text: str, findings, prefix: str = "f") -> SafeString:
    """`text`, escaped, with each finding wrapped in a numbered <mark> at its offsets.

    Findings are numbered in the order given (the same numbers as the findings list); overlapping
    or out-of-range spans are skipped here and stay in the list.
    """
    text = text or ""
    spans = []
    for number, finding in enumerate(findings or [], start=1):
        start, end = _get(finding, "start"), _get(finding, "end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
            spans.append((start, end, number, finding))
    spans.sort(key=lambda s: (s[0], -s[1]))
    parts, cursor = [], 0
    for start, end, number, finding in spans:
        if start < cursor:
            continue
        category = _get(finding, "category", "")
        parts.append(format_html("{}", text[cursor:start]))
        parts.append(
            format_html(
                '<mark class="finding finding--{}" title="{}: {}">{}<sup class="finding-no">'
                '<span class="visually-hidden">finding </span>{}</sup></mark>',
                category,
                category_label(category),
                _get(finding, "explanation", ""),
                text[start:end],
                number,
            )
        )
        cursor = end
    parts.append(format_html("{}", text[cursor:]))
    return mark_safe("".join(parts))  # every piece above went through format_html


@register.filter
def first_sentence(text: str) -> str:
    """The one-line gist of a guard explanation (the rest repeats the policy)."""
    text = (text or "").strip()
    end = text.find(". ")
    return text[: end + 1] if end > 0 else text


@register.simple_tag
def stars(rating) -> SafeString:
    if not rating:
        return format_html('<span class="stars stars--none">No rating</span>')
    return format_html(
        '<span class="stars" role="img" aria-label="{} out of 5 stars">{}<span class="stars-off">{}</span></span>',
        rating, "★" * rating, "★" * (5 - rating),
    )


@register.filter
def hours_as_duration(hours) -> str:
    """3.5 -> "3.5 h"; 50 -> "2.1 days"; None -> "–"."""
    if hours is None:
        return "–"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"


@register.filter
def topic_label(code: str) -> str:
    from responses.models import Topic

    return dict(Topic.choices).get(code, code)


@register.filter
def close_reason_label(code: str) -> str:
    from responses.workflow import CLOSE_REASONS

    return CLOSE_REASONS.get(code, code)


@register.filter
def age_words(days: int) -> str:
    """Calendar days as a review's age: "today", "yesterday", "3 days ago"."""
    return "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"


@register.simple_tag
def local_age(moment, zone) -> str:
    """How long ago `moment` was, in calendar days of the location's time zone `zone` (age_words). The review page
    and the approvals queue say what the inbox says of its rows (InboxRow.age_days), and the response target counts
    the same days (responses.practice.local_time)."""
    from responses.practice.local_time import local_days_since

    return age_words(local_days_since(moment, now=timezone.now(), zone=zone or timezone.get_default_timezone()))
