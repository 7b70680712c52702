"""The manager's editor for template blocks (acknowledge / listen / resolve / thanks)."""
from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from responses.drafting import template_block_save
from responses.forms import TemplateBlockForm
from responses.models import TemplateBlock
from responses.roles import practice_for, require_permission
from responses.workflow import WorkflowError


@require_GET
def template_block_list(request):
    require_permission(request.user, "manage_templates")
    blocks = TemplateBlock.objects.filter(practice=practice_for(request.user)).order_by("kind", "topic", "pk")
    kinds = dict(TemplateBlock.Kind.choices)
    groups = [(kinds.get(kind, kind), list(items)) for kind, items in groupby(blocks, key=lambda b: b.kind)]
    return render(request, "responses/blocks.html", {"groups": groups, "count": len(blocks)})


@require_http_methods(["GET", "POST"])
def template_block_edit(request, pk: int | None = None):
    """Add (no pk) or edit a block; the service refuses a text the PHI guard blocks, and we show why."""
    practice = practice_for(request.user)
    require_permission(request.user, "manage_templates")
    block = get_object_or_404(TemplateBlock, pk=pk, practice=practice) if pk else None
    form = TemplateBlockForm(request.POST or None, instance=block)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            template_block_save(practice=practice, actor=request.user, kind=data["kind"], topic=data["topic"],
                                text=data["text"], active=data["active"], block=block)
        except WorkflowError as exc:  # drafting.TemplateRefused: the guard or the placeholders say no
            form.add_error("text", str(exc))
        else:
            messages.success(request, "Template block saved.")
            return redirect("template_block_list")
    return render(request, "responses/block_edit.html", {"form": form, "block": block},
                  status=400 if form.errors else 200)
