"""The safe rewrite: keep what is generic, drop what discloses, point to the private channel."""
from __future__ import annotations

import re
from collections.abc import Callable

from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

from phi_guard.context import TITLES
from phi_guard.profile import PracticeProfile
from phi_guard.sentences import stripped
from phi_guard.verdict import CLASSIFIER_ENTITY

_anonymizer = AnonymizerEngine()


_MARK = "\u2063"  # INVISIBLE SEPARATOR: stands where a dropped sentence was until the layout is tidied


def _mark(sentence: str) -> str:
    return _MARK


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


_SIGN_OFF = re.compile(
    r"^\s*(?:[-–—~]|xo|warmly|best|sincerely|cheers|thanks|thank you|regards|kind regards|with love|love|"
    r"con cariño|saludos|atentamente|un abrazo|gracias)\b", re.IGNORECASE)


def _is_signature(paragraph: str) -> bool:
    """A closing block: short lines, the first a sign-off ("Warmly," / "— Dani") or none ending a sentence."""
    lines = [line.strip() for line in paragraph.splitlines() if line.strip()]
    if not lines or len(lines) > 3 or any(len(line.split()) > 7 for line in lines):
        return False
    return bool(_SIGN_OFF.match(lines[0])) or not any(line[-1] in ".!?" for line in lines)


def _without(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with the spans cut out; lines emptied by a cut go, paragraphs and line breaks stay."""
    if not spans:
        return text
    pieces, position = [], 0
    for start, end in sorted(spans):
        pieces.append(text[position:start])
        position = end
        while position < len(text) and text[position] in " \t":
            position += 1
    pieces.append(text[position:])
    kept = "".join(pieces)
    original_lines, lines = text.split("\n"), kept.split("\n")
    cut_lines = set()
    # A line that held words and holds none now was a removed sentence: drop it rather than leave a gap.
    for index, line in enumerate(lines):
        if not line.strip() and index < len(original_lines) and original_lines[index].strip():
            cut_lines.add(index)
    if len(original_lines) != len(lines):
        cut_lines = set()
    lines = [re.sub(r"[ \t]{2,}", " ", line).rstrip() for index, line in enumerate(lines) if index not in cut_lines]
    kept = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return kept.strip()


def _with_invitation(text: str, invitation: str) -> str:
    """The invitation at the end of the body: before a signature block, never after it."""
    paragraphs = text.split("\n\n")
    head, _, last_line = text.rpartition("\n")
    if len(paragraphs) > 1 and _is_signature(paragraphs[-1]):
        body, separator, signature = "\n\n".join(paragraphs[:-1]), "\n\n", paragraphs[-1]
    elif head.strip() and _is_signature(last_line):
        body, separator, signature = head, "\n", last_line
    else:
        body, separator, signature = text, "", ""
    body = f"{body.rstrip()} {invitation}".strip()
    return f"{body}{separator}{signature}" if signature else body


def safe_rewrite(text: str, *, practice: PracticeProfile, review: str, reviewer_name: str, private_channel: str,
                 check: Callable, check_many: Callable, sentences: Callable) -> str:
    """Sentences holding a finding go; paragraphs, line breaks and the signature stay; the invitation to the
    private channel is added unless a kept sentence already offers the practice's contact details.

    The classifier reads each sentence after the one before it, so a sentence it flagged alone ("Please call us
    at …" after a sentence about the reviewer's treatment) may read clean once the sentences holding a rule's
    finding are gone: those go first, and the rest only if the reply still does not pass."""
    channel = channel_sentence(private_channel, practice)
    verdict = check(text, practice=practice, review=review, reviewer_name=reviewer_name)
    if verdict.error:
        return _generic(reviewer_name, channel, practice, review, check_many)
    if not verdict.findings:
        return text
    # A sentence's span runs on to the line break that ends it; the break stays where the sentence goes.
    flagged, by_rule = [], []
    for start, end in sentences(text):
        findings = [f for f in verdict.findings if f.start < end and f.end > start]
        if findings:
            flagged.append(stripped(text, start, end))
            if any(f.entity_type != CLASSIFIER_ENTITY for f in findings):
                by_rule.append(flagged[-1])
    attempts = [by_rule, flagged] if by_rule and len(by_rule) < len(flagged) else [flagged]
    for spans in attempts:
        candidate = _without_sentences(text, spans, practice, reviewer_name, private_channel, channel)
        if check(candidate, practice=practice, review=review, reviewer_name=reviewer_name).ok:
            return candidate
    return _generic(reviewer_name, channel, practice, review, check_many)


def _without_sentences(text: str, spans: list[tuple[int, int]], practice: PracticeProfile, reviewer_name: str,
                       private_channel: str, channel: str) -> str:
    """`text` without the sentences at `spans`, opened with thanks if nothing kept thanks or apologises, and
    with the invitation to the private channel unless a kept sentence gives the practice's contact."""
    # presidio-anonymizer's "custom" operator leaves nothing where a sentence was ("replace" with an empty
    # value would write "<UNSAFE_SENTENCE>"); the layout is then tidied line by line.
    marked = _anonymizer.anonymize(
        text=text, analyzer_results=[RecognizerResult("UNSAFE_SENTENCE", start, end, 1.0) for start, end in spans],
        operators={"UNSAFE_SENTENCE": OperatorConfig("custom", {"lambda": _mark})}).text
    kept = _without(marked, [(m.start(), m.end()) for m in re.finditer(re.escape(_MARK), marked)])
    first = _first_name(reviewer_name)
    if not re.search(r"\b(thank|thanks|sorry|apolog|appreciate|gracias|lamentamos|sentimos)", kept, re.IGNORECASE):
        opening = f"Thank you for your feedback, {first}." if first else "Thank you for your feedback."
        # Nothing but the signature left: the opening is the body, in a paragraph of its own above it.
        kept = f"{opening}\n\n{kept}" if kept and _is_signature(kept) else f"{opening} {kept}".strip()
    return kept if _mentions_a_contact(kept, practice, private_channel) else _with_invitation(kept, channel)


def _generic(reviewer_name: str, channel: str, practice: PracticeProfile, review: str, check_many: Callable) -> str:
    """The last resort: a reply with nothing in it but thanks and the practice's own contact details."""
    first = _first_name(reviewer_name)
    candidates = []
    for name in (first, ""):
        for invitation in (channel, private_channel_sentence(practice)):
            opening = f"Thank you for your feedback, {name}." if name else "Thank you for your feedback."
            candidates.append(f"{opening} We take every concern seriously. {invitation}")
    candidates = list(dict.fromkeys(candidates))
    verdicts = check_many(candidates, practice=practice, review=review, reviewer_name=reviewer_name)
    for candidate, verdict in zip(candidates, verdicts):
        if verdict.ok:
            return candidate
    return f"Thank you for your feedback. {private_channel_sentence(practice)}"
