"""The manager's page for the practice's own PHI guard vocabulary: add a term, remove one."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from responses import vocabulary
from responses.models import GuardTerm, Practice, guard_vocabulary_choices
from responses.roles import practice_for, require_permission
from responses.views.access import render_region
from responses.workflow import WorkflowError

PAGE = "responses/vocabulary.html"


def _manager_practice(request) -> Practice:
    practice = practice_for(request.user)
    require_permission(request.user, "manage_templates")
    return practice


def _context(practice: Practice, *, entity_type: str = "", term: str = "", error: str = "", notice: str = "") -> dict:
    return {
        "groups": vocabulary.guard_term_list_by_type(practice=practice),
        "choices": guard_vocabulary_choices(),
        "entity_type": entity_type,
        "term": term,
        "error": error,
        "notice": notice,
        "strict": practice.guard_strict_mode,
    }


def _after_change(request, practice: Practice, *, error: str = "", notice: str = "", **typed):
    """htmx: the terms region with the outcome. Without JS: back to the page after a change, or the page
    with the error and what the manager typed."""
    if request.htmx:
        return render(request, f"{PAGE}#terms", _context(practice, error=error, notice=notice, **typed))
    if error:
        return render(request, PAGE, _context(practice, error=error, **typed), status=400)
    messages.success(request, notice)
    return redirect("guard_vocabulary")


@require_GET
def guard_vocabulary(request):
    practice = _manager_practice(request)
    return render_region(request, PAGE, "terms", _context(practice))


@require_POST
def guard_term_add(request):
    practice = _manager_practice(request)
    typed = {"entity_type": request.POST.get("entity_type", ""), "term": request.POST.get("term", "")}
    try:
        added = vocabulary.guard_term_add(practice=practice, actor=request.user, **typed)
    except WorkflowError as exc:
        return _after_change(request, practice, error=str(exc), **typed)
    # The type stays selected: a manager often adds several treatments in a row.
    return _after_change(request, practice, entity_type=added.entity_type,
                         notice=f"Added “{added.term}” under {added.get_entity_type_display()}.")


@require_POST
def guard_term_remove(request, pk: int):
    practice = _manager_practice(request)
    guard_term = get_object_or_404(GuardTerm, pk=pk, practice=practice)
    try:
        vocabulary.guard_term_remove(practice=practice, actor=request.user, term_id=guard_term.pk)
    except WorkflowError as exc:
        return _after_change(request, practice, error=str(exc))
    return _after_change(request, practice, notice=f"Removed “{guard_term.term}” from {guard_term.get_entity_type_display()}.")


@require_POST
def guard_strict_mode(request):
    practice = _manager_practice(request)
    strict = request.POST.get("strict") == "on"
    if vocabulary.practice_guard_strict_mode_set(practice=practice, actor=request.user, strict=strict):
        messages.success(request, "Strict mode is on: replies may only use your template sentences." if strict
                         else "Strict mode is off: the guard judges every sentence on its own.")
    return redirect("guard_vocabulary")
