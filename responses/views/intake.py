"""Reviews in by hand: the paste form, file imports and their per-row reports."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from responses.drafting import DRAFTING_UNAVAILABLE
from responses.escalation.services import review_is_escalated
from responses.forms import ReviewImportForm, ReviewPasteForm
from responses.intake import RowInvalid, review_paste, reviews_import_start
from responses.models import ImportRun
from responses.roles import practice_for, require_permission
from responses.views.access import render_region

RECENT_IMPORTS = 10


@require_http_methods(["GET", "POST"])
def review_new(request):
    practice = practice_for(request.user)
    require_permission(request.user, "import_reviews")
    form = ReviewPasteForm(request.POST or None, practice=practice)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = review_paste(
                location=data["location"], actor=request.user, platform=data["platform"],
                author_name=data["author_name"], rating=data["rating"], posted_at=data["posted_at"], text=data["text"],
            )
        except RowInvalid as exc:
            for field, problems in exc.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            if review_is_escalated(review):
                messages.warning(request, "Review added and escalated: speak to counsel before any public reply. "
                                          "A manager de-escalates it before a reply is drafted.")
            elif review.topics:
                messages.success(request, "Review added. Start a reply when you are ready.")
            else:  # drafting's model could not load: the review is kept, the draft waits
                messages.warning(request, DRAFTING_UNAVAILABLE)
            return redirect("review_detail", pk=review.pk)
    return render(request, "responses/review_new.html", {"form": form}, status=400 if form.errors else 200)


def review_new_too_big(request):
    """The paste was over the request size limit, so the server read none of it: the form back, and why.

    The browser kept the typed text (static/js/desk.js restores it from sessionStorage when the form says so).
    """
    practice = practice_for(request.user)
    require_permission(request.user, "import_reviews")
    limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
    too_big = (
        f"Nothing was saved: that was more than the {limit_mb:.1f} MB one form can send, so the server did not read "
        "any of it. Shorten the text (a review is rarely more than a few thousand characters) and add it again."
    )
    context = {"form": ReviewPasteForm(practice=practice), "too_big": too_big, "restore_typed_text": True}
    return render(request, "responses/review_new.html", context, status=413)


review_new.request_too_big = review_new_too_big


@require_http_methods(["GET", "POST"])
def review_import(request):
    practice = practice_for(request.user)
    require_permission(request.user, "import_reviews")
    form = ReviewImportForm(request.POST or None, request.FILES or None, practice=practice)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        run = reviews_import_start(
            location=form.cleaned_data["location"], actor=request.user, filename=upload.name, data=upload.read(),
            default_platform=form.cleaned_data["default_platform"],
        )
        return redirect("import_run_detail", pk=run.pk)
    runs = ImportRun.objects.filter(location__practice=practice).select_related("location", "started_by")
    return render(request, "responses/import.html", {"form": form, "runs": runs[:RECENT_IMPORTS]},
                  status=400 if form.errors else 200)


@require_GET
def import_run_detail(request, pk: int):
    """The import's report; while it runs, the report region polls itself every second."""
    practice = practice_for(request.user)
    require_permission(request.user, "import_reviews")
    run = get_object_or_404(ImportRun.objects.select_related("location"), pk=pk, location__practice=practice)
    # Listed rejected rows; notes (an encoding fallback, "N more rows not listed") are shown apart.
    errors = [e for e in run.errors if not e.get("warning") and not e.get("more")]
    warnings = [e for e in run.errors if e.get("warning") or e.get("more")]
    context = {"run": run, "errors": errors, "warnings": warnings, "rejected": run.rejected_count}
    return render_region(request, "responses/import_run.html", "report", context)
