"""What the guard says about one reply."""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

CATEGORIES = ("patient_status", "records_denial", "clinical_detail", "identifier", "remedy_detail")
# Not a disclosure category: strict mode's refusal of wording outside the practice's approved templates.
NOT_APPROVED = "not_approved"
# The entity type of a sentence the classifier blocks with no rule's finding in it.
CLASSIFIER_ENTITY = "DISCLOSURE"


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Finding:
    """One problem in a reply: the span [start, end) of the checked text and what to do about it."""

    category: str
    entity_type: str
    start: int
    end: int
    text: str
    score: float
    explanation: str

    def to_dict(self) -> dict:
        return {
            "category": self.category, "entity_type": self.entity_type, "start": self.start, "end": self.end,
            "text": self.text, "score": round(self.score, 2), "explanation": self.explanation,
        }


@dataclass(frozen=True)
class Verdict:
    """`blocked` when any finding stands or the guard could not run (`error`, fail closed)."""

    blocked: bool
    findings: tuple[Finding, ...] = ()
    error: str = ""
    text_sha256: str = ""
    # Which guard judged: engine, spaCy model, classifier artifact, vocabulary revision, practice profile.
    guard_version: Mapping[str, str] = field(default_factory=dict, compare=False)
    # "unreadable": the guard refused a language or script it cannot read (the error says which, to show as is);
    # "" for a guard that could not run at all.
    error_kind: str = ""

    @property
    def ok(self) -> bool:
        return not self.blocked

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(finding.category for finding in self.findings))

    def to_dict(self) -> dict:
        data = {"blocked": self.blocked, "findings": [finding.to_dict() for finding in self.findings],
                "text_sha256": self.text_sha256, "guard_version": dict(self.guard_version)}
        if self.error:
            data["error"] = self.error
        if self.error_kind:
            data["error_kind"] = self.error_kind
        return data

    @classmethod
    def failed(cls, text: str, reason: str, guard_version: Mapping[str, str] | None = None,
               kind: str = "") -> Verdict:
        """Fail closed: the guard could not check `text`, so it may not be published."""
        return cls(blocked=True, findings=(), error=reason, text_sha256=text_sha256(text),
                   guard_version=dict(guard_version or {}), error_kind=kind)
