"""The manager's audit trail page and its CSV export."""
from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from responses.audit_trail.export import audit_trail_export
from responses.audit_trail.forms import AuditFilterForm
from responses.audit_trail.selectors import audit_action_choices, audit_event_list
from responses.roles import practice_for, require_permission

PAGE_SIZE = 50


def _filters(request, practice) -> tuple[AuditFilterForm, dict]:
    form = AuditFilterForm(request.GET or None, actions=audit_action_choices(practice=practice))
    filters = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    return form, filters


@require_GET
def audit_trail(request):
    require_permission(request.user, "manage_compliance")
    practice = practice_for(request.user)
    form, filters = _filters(request, practice)
    page = Paginator(audit_event_list(practice=practice, **filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "responses/audit_trail.html", context, status=400 if form.errors else 200)


@require_GET
def audit_trail_csv(request):
    require_permission(request.user, "manage_compliance")
    practice = practice_for(request.user)
    form, filters = _filters(request, practice)
    if form.errors:
        return render(request, "responses/audit_trail.html", {"form": form, "page": None}, status=400)
    export = audit_trail_export(practice=practice, actor=request.user, **filters)
    response = HttpResponse(export.content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response
