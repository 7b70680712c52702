"""Sentence shapes that tell about the reviewer without any care noun, in English and Spanish.

Three kinds the word lists cannot see: a conversation the practice already had with the reviewer
("as we discussed on the phone", "como te comentamos"), the reviewer narrated in the third person
("this individual arrived late", "la persona que escribe esta reseña"), and a lookup that found
nothing, phrased without "record" ("nobody here can place this", "nadie recuerda"). Regular
expressions in Presidio PatternRecognizers: cheap, explainable, and the classifier reads their hits.
"""
from __future__ import annotations

import unicodedata

from presidio_analyzer import Pattern, PatternRecognizer

_ME = r"(?:we|i|our team|the team|staff|she|he|they)"
_SAID = (r"(?:mentioned|discussed|said|told you|explained|went over|talked(?: about)?|spoke(?: about)?|chatted|"
         r"covered|agreed|promised)")
_PRIOR_CONTACT = [
    # "as we discussed on the phone", "like I told you yesterday"
    rf"\b(?:as|like)\s+{_ME}\s+(?:had\s+|already\s+)?{_SAID}\b",
    # "when we spoke on Friday", "when you called us"
    r"\bwhen\s+(?:we|i)\s+(?:spoke|talked|chatted|met)\b",
    r"\bwhen\s+you\s+(?:called|stopped by|came by|came in|visited|texted|emailed)\b",
    # "como te comentamos", "como le explicamos por teléfono", "como platicamos"
    r"\bcomo\s+(?:te|le|les|ya\s+te|ya\s+le)?\s*(?:comentamos|comenté|dijimos|dije|explicamos|expliqué|platicamos|"
    r"hablamos|quedamos|acordamos|mencionamos)\b",
    r"\bcuando\s+(?:hablamos|platicamos|nos\s+llamaste|nos\s+llamó|vino|viniste|nos\s+visitaste)\b",
]
_NARRATED = [
    # "this individual arrived", "the author of this review was given", "the person referenced in this review"
    r"\b(?:this|the)\s+(?:individual|gentleman|lady|woman|man|person|patient|client|customer|guest|reviewer|"
    r"poster|author(?:\s+of\s+(?:this|the)\s+(?:review|post))?)(?:\s+(?:who\s+(?:wrote|left|posted)\s+"
    r"(?:this|the)\s+(?:review|post)|referenced\s+in\s+(?:this|the)\s+review|in\s+question))?\s+"
    r"(?:was|were|came|arrived|showed|received|had|chose|left|walked|booked|called|missed|declined|refused|"
    r"signed|paid|asked|got|did|has|never|already|is\s+a|is\s+not|isn't)\b",
    # "la persona que escribe esta reseña llegó", "este señor", "dicha paciente"
    r"\b(?:la\s+persona|el\s+señor|la\s+señora|este\s+señor|esta\s+señora|el\s+paciente|la\s+paciente|"
    r"dicha\s+persona|dicho\s+paciente|dicha\s+paciente|el\s+cliente|la\s+clienta)\s+(?:que\s+"
    r"(?:escribe|escribió|dejó|publicó)\s+(?:esta|la)\s+reseña\s+)?(?:llegó|vino|recibió|tuvo|se\s+fue|"
    r"pagó|firmó|canceló|faltó|pidió|decidió|nunca|ya|no\s+se\s+presentó|se\s+le|fue\s+atendid[oa])\b",
]
_NOBODY = r"(?:nobody|no\s+one|none\s+of\s+(?:us|our\s+\w+|the\s+\w+)|no\s+member\s+of\s+(?:our|the)\s+\w+)"
_NEGATIVE_LOOKUP = [
    # "nobody here recalls such a visit", "none of us can put a face to the name", "we can't place this"
    rf"\b{_NOBODY}(?:\s+\w+){{0,3}}?\s+(?:recalls?|remembers?|recognizes?|recognises?|can\s+(?:place|recall|remember)|"
    rf"has\s+any\s+(?:memory|record)|have\s+any\s+(?:memory|record)|can\s+put\s+a\s+face)\b",
    r"\b(?:we|i)\s+(?:can't|cannot|can\s+not|couldn't|could\s+not|don't|do\s+not)\s+(?:place|match|find|locate|"
    r"tie|connect|recall|remember)\s+(?:this|that|you|your|anyone|anybody|a\s+visit|such|any)\b",
    r"\bput\s+a\s+face\s+to\s+(?:the|this|your)\s+name\b",
    r"\b(?:nothing|no\s+one|nobody)\s+(?:by\s+that\s+name|matching|under\s+that\s+name)\b",
    # "nadie recuerda", "no encontramos ningún registro", "no aparece en nuestro sistema"
    r"\bnadie\s+(?:aquí\s+|del\s+equipo\s+|de\s+nosotr[oa]s\s+)?(?:recuerda|se\s+acuerda|reconoce|ubica)\b",
    r"\bno\s+(?:encontramos|tenemos|hallamos|vemos|aparece|aparecen|existe|hay)\s+(?:ningún\s+|ninguna\s+|"
    r"algún\s+)?(?:registro|cita|expediente|visita|rastro|cuenta)\b",
    r"\bno\s+(?:le|te|lo|la)\s+(?:ubicamos|encontramos|reconocemos|tenemos\s+registrad[oa])\b",
]


def _unaccented(regex: str) -> str:
    """The guard reads folded text (phi_guard.normalize): "reseña" arrives as "resena"."""
    return "".join(c for c in unicodedata.normalize("NFKD", regex) if not unicodedata.combining(c))


def _recognizer(name: str, entity: str, regexes: list[str], score: float) -> PatternRecognizer:
    patterns = [Pattern(name=f"{name}_{i}", regex=_unaccented(regex), score=score) for i, regex in enumerate(regexes)]
    return PatternRecognizer(supported_entity=entity, name=name, patterns=patterns, supported_language="en")


def build_constructions() -> list[PatternRecognizer]:
    return [
        _recognizer("PriorContactRecognizer", "PATIENT_STATUS", _PRIOR_CONTACT, 0.75),
        _recognizer("NarratedReviewerRecognizer", "PATIENT_STATUS", _NARRATED, 0.75),
        _recognizer("NegativeLookupRecognizer", "RECORDS_LOOKUP", _NEGATIVE_LOOKUP, 0.8),
    ]
