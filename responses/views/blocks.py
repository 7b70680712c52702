"""The manager's editor for template blocks (acknowledge / listen / resolve / thanks)."""
from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from responses.drafting import template_block_save
from responses.drafting.blocks import template_block_problems
from responses.drafting.drafts import practice_draft_languages
from responses.forms import TemplateBlockForm
from responses.models import DraftLanguage, TemplateBlock
from responses.roles import practice_for, require_permission
from responses.workflow import WorkflowError

Kind = TemplateBlock.Kind


@require_GET
def template_block_list(request):
    """One kind at a time (a practice has dozens of variants per kind)."""
    require_permission(request.user, "manage_templates")
    practice = practice_for(request.user)
    drafted_in = practice_draft_languages(practice)
    language = request.GET.get("language") if request.GET.get("language") in DraftLanguage.values \
        else drafted_in.default
    blocks = TemplateBlock.objects.filter(practice=practice, language=language)
    kind = request.GET.get("kind") if request.GET.get("kind") in Kind.values else Kind.ACKNOWLEDGE
    counts = dict(blocks.values_list("kind").annotate(n=Count("pk")))
    tabs = [(value, label, counts.get(value, 0)) for value, label in Kind.choices]
    return render(request, "responses/blocks.html", {
        "tabs": tabs, "kind": kind, "kind_label": Kind(kind).label,
        "blocks": blocks.filter(kind=kind).order_by("topic", "pk"),
        "language": language,
        # Blocks of a language the practice does not draft in stay editable, marked as unused.
        "languages": [(value, label if value in drafted_in.offered else f"{label} (not used for drafts)")
                      for value, label in DraftLanguage.choices],
    })


@require_http_methods(["GET", "POST"])
def template_block_edit(request, pk: int | None = None):
    """Add (no pk) or edit a block; the service refuses a text the PHI guard blocks, and we show why."""
    practice = practice_for(request.user)
    require_permission(request.user, "manage_templates")
    block = get_object_or_404(TemplateBlock, pk=pk, practice=practice) if pk else None
    form = TemplateBlockForm(request.POST or None, instance=block,
                             initial={"kind": request.GET.get("kind"), "language": request.GET.get("language") or "en"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            block = template_block_save(practice=practice, actor=request.user, kind=data["kind"], topic=data["topic"],
                                        text=data["text"], active=data["active"], block=block,
                                        language=data["language"])
        except WorkflowError as exc:  # drafting.TemplateRefused: the guard or the placeholders say no
            for problem in template_block_problems(practice=practice, kind=data["kind"], text=data["text"],
                                                   language=data["language"]) or [str(exc)]:
                form.add_error("text", problem)
        else:
            messages.success(request, "Template block saved.")
            language = "" if block.language == DraftLanguage.ENGLISH else f"&language={block.language}"
            return redirect(f"{reverse('template_block_list')}?kind={block.kind}{language}")
    return render(request, "responses/block_edit.html", {"form": form, "template_block": block},
                  status=400 if form.errors else 200)

