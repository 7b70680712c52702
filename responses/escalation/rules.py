"""Which words escalate a review. Matched on whole words, case-insensitively; no database."""
from __future__ import annotations

import re

from responses.escalation.models import Escalation

Reason = Escalation.Reason

# Order matters: the first matching reason is the one shown (a safety emergency outranks a lawsuit, and
# "attorney general" is a regulator before "attorney" is a lawyer). "sue" only in lower case: Sue is a name.
_PATTERNS: list[tuple[str, re.Pattern]] = [
    (Reason.SELF_HARM, re.compile(
        r"\b(suicid\w*|kill(ing)? myself|end(ing)? my life|self[- ]harm\w*|hurt(ing)? myself|"
        r"want(ed)? to die|don'?t want to live)\b", re.I)),
    (Reason.SAFETY, re.compile(
        r"\b(emergency room|\bER\b visit|went to the ER|ambulance|(call|called|calling|dial|dialed) 911|hospitali[sz]ed|anaphyla\w*|"
        r"sepsis|can'?t breathe|couldn'?t breathe|necrosis|went blind|vision loss)\b", re.I)),
    (Reason.REGULATOR, re.compile(
        r"\b(medical board|licensing board|state board|board of (medicine|nursing)|HHS|OCR|"
        r"office for civil rights|attorney general|better business bureau|BBB|FDA|"
        r"report(ing)? (you|this (place|clinic|practice))|file[ds]? a complaint)\b", re.I)),
    (Reason.LEGAL, re.compile(
        r"\b(lawyers?|attorneys?|legal action|(?-i:su(e|es|ing|ed))|lawsuits?|litigation|malpractice|"
        r"small claims|class action)\b", re.I)),
]


def escalation_reason_for(*, text: str, rating: int | None, topics: list[str]) -> str | None:
    """The reason this review must go to the manager first, or None."""
    for reason, pattern in _PATTERNS:
        if pattern.search(text or ""):
            return reason
    if rating is not None and rating <= 2 and "complication" in topics:
        return Reason.COMPLICATION
    return None
