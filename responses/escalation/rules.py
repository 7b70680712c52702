"""Which words escalate a review: the built-in list, then the practice's own keywords. Matched on whole words,
case-insensitively; no database."""
from __future__ import annotations

import re
from collections.abc import Iterable

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
        r"report(ing)? (you|this (place|clinic|practice))|file[ds]? a complaint|"
        # Spanish, written with or without accents: "la junta médica", "el fiscal general", "los voy a reportar".
        r"junta (m[eé]dica|de medicina|de enfermer[ií]a|estatal|de licencias)|colegio de m[eé]dicos|"
        r"procurador(a)? general|fiscal general|oficina de derechos civiles|queja formal|"
        r"(presentar[eé]?|poner|pondr[eé]|interponer|levantar) una queja|"
        r"reportarl[oa]s|(los|las) (voy a |vamos a )?reportar|reportar[eé]|reportaremos)\b", re.I)),
    (Reason.LEGAL, re.compile(
        r"\b(lawyers?|attorneys?|legal action|(?-i:su(e|es|ing|ed))|lawsuits?|litigation|malpractice|"
        r"small claims|class action|"
        # Spanish: "demanda" but not French "demande(r)"; "negligencia médica" and "mala praxis" are malpractice.
        r"abogad[oa]s?|demand(as?|ar\w*|[oó]|amos|en)|denuncia(s|r\w*)?|acci([oó]n|ones) legal(es)?|"
        r"negligencia m[eé]dica|mala praxis)\b", re.I)),
]
# What the built-in list covers, in words for the settings page (the patterns above are the truth).
BUILT_IN_SUMMARY = (
    "Legal action (lawyer, attorney, sue, lawsuit, malpractice; in Spanish abogado, demanda, denuncia), regulators "
    "and complaint bodies (medical or licensing board, HHS/OCR, attorney general, BBB, “report you”; in Spanish "
    "junta médica, queja formal), self-harm, safety emergencies (ER, 911, ambulance, hospitalized), and a "
    "complication rated 1-2 stars."
)


def keyword_in(text: str, keywords: Iterable[str]) -> bool:
    """Whether `text` holds one of the practice's keywords (whole words or phrases, any case)."""
    keywords = [k for k in keywords if k]
    if not text or not keywords:
        return False
    pattern = r"\b(?:" + "|".join(re.escape(k) for k in keywords) + r")\b"
    return re.search(pattern, text, re.IGNORECASE) is not None


def escalation_reason_for(*, text: str, rating: int | None, topics: list[str],
                          keywords: Iterable[str] = ()) -> str | None:
    """The reason this review must go to the manager first, or None: the built-in list first, then the
    practice's own `keywords`."""
    for reason, pattern in _PATTERNS:
        if pattern.search(text or ""):
            return reason
    if rating is not None and rating <= 2 and "complication" in topics:
        return Reason.COMPLICATION
    if keyword_in(text, keywords):
        return Reason.KEYWORD
    return None


def threatens_legal_action(text: str) -> bool:
    """A lawyer, a lawsuit or a complaint to a board or regulator: drafting answers it with the legal-threat
    template (acknowledge, nothing specific, the private channel, no admission)."""
    return any(pattern.search(text or "") for reason, pattern in _PATTERNS if reason in (Reason.LEGAL, Reason.REGULATOR))


def built_in_covers(keyword: str) -> bool:
    """Whether the built-in list already escalates a review holding `keyword` (the practice need not list it)."""
    return any(pattern.search(keyword or "") for _reason, pattern in _PATTERNS)
