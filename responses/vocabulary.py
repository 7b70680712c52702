"""A practice's own additions to the PHI guard's vocabulary (the treatments it offers, its product brands).

Terms are practice vocabulary, not patient text: the manager's page shows them, but they stay out of
logs, exception messages and audit events (those carry the term's id and type only).
"""
from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.functions import Lower

from responses.audit import audit_record
from responses.models import GuardTerm, Practice, guard_vocabulary_choices
from responses.roles import practice_for, require_permission
from responses.workflow import WorkflowError

TERM_MIN_LENGTH = 2
TERM_MAX_LENGTH = 120
# Letters and digits (any script), spaces, hyphens and apostrophes (straight or curly).
_TERM_CHARACTERS = re.compile(r"(?:[^\W_]|[ '\u2019-])+")


def _require_manager_of(actor, practice: Practice) -> None:
    require_permission(actor, "manage_templates")
    if not getattr(actor, "is_superuser", False) and practice_for(actor).pk != practice.pk:
        raise PermissionDenied("You can only change your own practice's guard vocabulary.")


def _clean_term(term: str) -> str:
    term = " ".join((term or "").split())
    if not TERM_MIN_LENGTH <= len(term) <= TERM_MAX_LENGTH:
        raise WorkflowError(f"A term is {TERM_MIN_LENGTH} to {TERM_MAX_LENGTH} characters long.")
    if not _TERM_CHARACTERS.fullmatch(term) or not any(ch.isalnum() for ch in term):
        raise WorkflowError("A term may hold only letters, digits, spaces, hyphens and apostrophes.")
    return term


def _already_there(type_label: str) -> str:
    # Without the term itself: the author sees it in the form, and error messages may end up in logs.
    return f"This term is already in the vocabulary, under {type_label}."


def guard_term_add(*, practice: Practice, actor, entity_type: str, term: str) -> GuardTerm:
    """Add `term` to the practice's guard vocabulary under `entity_type`; from then on the guard treats it
    like its own word lists. Refused without `manage_templates`, for an unknown type, a malformed term, or
    a term the practice already has (under any type, ignoring case)."""
    _require_manager_of(actor, practice)
    labels = dict(guard_vocabulary_choices())
    if entity_type not in labels:
        raise WorkflowError("Choose one of the guard's vocabulary types.")
    term = _clean_term(term)
    with transaction.atomic():
        # Additions to one practice's vocabulary queue on its row: the same term added at the same moment by
        # someone else is found here, not refused by the unique constraint.
        Practice.objects.select_for_update().filter(pk=practice.pk).first()
        existing = practice.guard_terms.filter(term__iexact=term).first()
        if existing is not None:
            raise WorkflowError(_already_there(labels.get(existing.entity_type, existing.entity_type)))
        guard_term = GuardTerm.objects.create(practice=practice, entity_type=entity_type, term=term)
        audit_record(action="guard_term_added", actor=actor, practice=practice,
                     guard_term={"id": guard_term.pk, "entity_type": entity_type})
    return guard_term


def guard_term_remove(*, practice: Practice, actor, term_id: int) -> None:
    """Take a term out of the practice's guard vocabulary; replies that contain it are no longer blocked for it."""
    _require_manager_of(actor, practice)
    with transaction.atomic():
        guard_term = practice.guard_terms.select_for_update().filter(pk=term_id).first()
        if guard_term is None:
            raise WorkflowError("This term is no longer in the vocabulary.")
        entity_type = guard_term.entity_type
        guard_term.delete()
        audit_record(action="guard_term_removed", actor=actor, practice=practice,
                     guard_term={"id": term_id, "entity_type": entity_type})


def guard_term_list_by_type(*, practice: Practice) -> list[tuple[str, list[GuardTerm]]]:
    """The practice's terms as (type label, terms), in the guard's order of types, leaving out empty types.

    A type the guard does not know (written around this page, e.g. by a raw import) comes last under its
    raw name, so the manager can see and remove what makes the guard block every reply."""
    groups: dict[str, list[GuardTerm]] = {}
    for guard_term in practice.guard_terms.order_by(Lower("term"), "pk"):
        groups.setdefault(guard_term.entity_type, []).append(guard_term)
    labels = dict(guard_vocabulary_choices())
    known = [(label, groups.pop(value)) for value, label in labels.items() if value in groups]
    return known + sorted(groups.items())


def practice_guard_strict_mode_set(*, practice: Practice, actor, strict: bool) -> bool:
    """Turn strict mode on or off: on, a reply may only use sentences from the practice's template library.
    Returns whether anything changed; the change is audited."""
    _require_manager_of(actor, practice)
    with transaction.atomic():
        locked = Practice.objects.select_for_update().get(pk=practice.pk)
        if locked.guard_strict_mode == strict:
            return False
        locked.guard_strict_mode = strict
        locked.save(update_fields=["guard_strict_mode"])
        audit_record(action="guard_strict_mode_changed", actor=actor, practice=practice, strict=strict)
    practice.guard_strict_mode = strict
    return True
