"""The safe rewrite: keep what is generic, drop what discloses, point to the private channel."""
from __future__ import annotations

import re
from collections.abc import Callable

from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

from phi_guard.context import TITLES
from phi_guard.profile import PracticeProfile

_anonymizer = AnonymizerEngine()


def _drop(sentence: str) -> str:
    return ""


def private_channel_sentence(practice: PracticeProfile) -> str:
    """"We'd like to help directly; please contact us at <phone> or <email>." from the practice's own details."""
    contacts = [c for c in (practice.phone, practice.email) if c]
    if not contacts and practice.website:
        contacts = [practice.website]
    if not contacts:
        return "We'd like to help directly, so please contact our office."
    return f"We'd like to help directly, so please contact us at {' or '.join(contacts)}."


def channel_sentence(private_channel: str, practice: PracticeProfile) -> str:
    """The invitation to talk privately: `private_channel` as given when it is a sentence, wrapped into one
    when it is only contact details ("(303) 555-0186 or frontdesk@…"), the practice's own otherwise."""
    channel = (private_channel or "").strip()
    if not channel:
        return private_channel_sentence(practice)
    if channel[-1] in ".!?" and len(channel.split()) > 3:
        return channel
    return f"We'd like to help directly, so please contact us at {channel.rstrip('.')}."


def _mentions_a_contact(text: str, practice: PracticeProfile, channel: str) -> bool:
    digits = re.sub(r"\D", "", text)
    for contact in (practice.phone, practice.email, *practice.contacts, *re.split(r"\s+or\s+", channel)):
        contact = contact.strip().rstrip(".")
        if "@" in contact and contact.lower() in text.lower():
            return True
        phone = re.sub(r"\D", "", contact)
        if 7 <= len(phone) <= 15 and not re.search(r"[^\W\d_]", contact) and phone in digits:
            return True
    return False


def _first_name(reviewer_name: str) -> str:
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'\-]*\.?", reviewer_name or "")]
    words = [w for w in words if w.strip(".").lower() not in TITLES and not w.endswith(".") and len(w) > 1]
    return words[0] if words else ""


def safe_rewrite(text: str, *, practice: PracticeProfile, review: str, reviewer_name: str, private_channel: str,
                 check: Callable) -> str:
    from phi_guard.engine import get_engine
    from phi_guard.service import guard_model_name

    channel = channel_sentence(private_channel, practice)
    verdict = check(text, practice=practice, review=review, reviewer_name=reviewer_name)
    if verdict.error:
        return _generic(reviewer_name, channel, practice, review, check)
    if not verdict.findings:
        return text
    sentences = get_engine(guard_model_name()).sentences(text)
    # Sentences holding a finding go (a presidio-anonymizer "custom" operator that leaves nothing: "replace"
    # with an empty value would write "<UNSAFE_SENTENCE>"); the rest stay as written.
    spans = []
    for start, end in sentences:
        if any(f.start < end and f.end > start for f in verdict.findings):
            spans.append(RecognizerResult("UNSAFE_SENTENCE", start, end, 1.0))
    kept = _anonymizer.anonymize(text=text, analyzer_results=spans,
                                 operators={"UNSAFE_SENTENCE": OperatorConfig("custom", {"lambda": _drop})}).text
    kept = re.sub(r"\s{2,}", " ", kept).strip()
    first = _first_name(reviewer_name)
    if not re.search(r"\b(thank|thanks|sorry|apolog|appreciate)", kept, re.IGNORECASE):
        opening = f"Thank you for your feedback, {first}." if first else "Thank you for your feedback."
        kept = f"{opening} {kept}".strip()
    # The invitation is added unless a kept sentence already offers the practice's contact details.
    candidate = kept if _mentions_a_contact(kept, practice, private_channel) else f"{kept} {channel}".strip()
    if check(candidate, practice=practice, review=review, reviewer_name=reviewer_name).ok:
        return candidate
    return _generic(reviewer_name, channel, practice, review, check)


def _generic(reviewer_name: str, channel: str, practice: PracticeProfile, review: str, check: Callable) -> str:
    """The last resort: a reply with nothing in it but thanks and the practice's own contact details."""
    first = _first_name(reviewer_name)
    for name in (first, ""):
        for invitation in (channel, private_channel_sentence(practice)):
            opening = f"Thank you for your feedback, {name}." if name else "Thank you for your feedback."
            candidate = f"{opening} We take every concern seriously. {invitation}"
            if check(candidate, practice=practice, review=review, reviewer_name=reviewer_name).ok:
                return candidate
    return f"Thank you for your feedback. {private_channel_sentence(practice)}"
