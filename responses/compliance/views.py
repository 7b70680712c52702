"""Compliance pages: the manager's compliance page (exports, retro-scan, open incidents), an incident, and the
review page's follow-up, fake-review and pull-back actions."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from responses import workflow
from responses.compliance import followups, incidents, pullback, rescan
from responses.compliance.export import ExportRefused, compliance_export
from responses.compliance.forms import (
    AssessmentForm,
    DecisionForm,
    ExportForm,
    FakeMarkForm,
    FakeStatusForm,
    FollowUpAttemptForm,
    FollowUpStartForm,
)
from responses.compliance.models import GuardScan, Incident
from responses.compliance.records import reply_compliance_record
from responses.roles import practice_for, require_permission
from responses.selectors import reply_for_review
from responses.views.access import redirect_back, render_region, review_for_user

PAGE = "compliance/compliance.html"


def _incident_for_user(request, pk: int) -> Incident:
    """The incident if it is this manager's practice's; 404 otherwise."""
    require_permission(request.user, "manage_compliance")
    return get_object_or_404(
        Incident.objects.select_related("posting__reply__review__location", "posting__version"),
        pk=pk, practice=practice_for(request.user),
    )


@require_GET
def compliance_page(request):
    require_permission(request.user, "manage_compliance")
    practice = practice_for(request.user)
    context = {
        "scan": GuardScan.objects.filter(practice=practice).first(),
        "incidents": incidents.incident_list_open(practice=practice),
        "export_form": ExportForm(initial=ExportForm.initial_range()),
    }
    return render_region(request, PAGE, "scan_progress", context)


@require_GET
def compliance_export_download(request):
    require_permission(request.user, "manage_compliance")
    form = ExportForm(request.GET)
    if not form.is_valid():
        messages.error(request, "Choose a start date, an end date and a format.")
        return redirect("compliance")
    data = form.cleaned_data
    try:
        export = compliance_export(
            practice=practice_for(request.user), actor=request.user, date_from=data["date_from"],
            date_to=data["date_to"], include_text=data["include_text"], fmt=data["fmt"],
        )
    except ExportRefused as exc:
        messages.error(request, str(exc))
        return redirect("compliance")
    response = HttpResponse(export.content, content_type=export.content_type)
    disposition = "attachment" if data["fmt"] == "csv" else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def guard_scan_start(request):
    try:
        rescan.guard_scan_start(practice=practice_for(request.user), actor=request.user)
        messages.success(request, "Retro-scan queued: the worker re-checks every public reply the current guard "
                                  "has not checked yet.")
    except rescan.ScanRefused as exc:
        messages.error(request, str(exc))
    return redirect("compliance")


@require_POST
def incident_raise(request, pk: int):
    review = review_for_user(request, pk)
    reply = reply_for_review(review)
    if reply is None:
        raise Http404("This review has no reply.")
    try:
        incident = incidents.incident_raise(reply=reply, actor=request.user)
    except incidents.IncidentError as exc:
        messages.error(request, str(exc))
        return redirect("review_detail", pk=review.pk)
    return redirect("incident_detail", pk=incident.pk)


def _incident_context(incident: Incident, **extra) -> dict:
    steps, link = incidents.takedown_steps(incident)
    return {
        "incident": incident,
        "review": incident.posting.reply.review,
        "can_delete_via_api": incidents.takedown_connection(incident) is not None,
        "manual_steps": steps,
        "manual_link": link,
        "assessment_form": extra.pop("assessment_form", None) or AssessmentForm(instance=incident),
        "decision_form": DecisionForm(initial={"decision": incident.decision or None}),
        **extra,
    }


@require_GET
def incident_detail(request, pk: int):
    incident = _incident_for_user(request, pk)
    return render(request, "compliance/incident.html", _incident_context(incident))


def _incident_step(request, pk: int, act, success: str):
    incident = _incident_for_user(request, pk)
    try:
        act(incident)
        messages.success(request, success)
    except (incidents.IncidentError, workflow.WorkflowError) as exc:
        messages.error(request, str(exc))
    return redirect("incident_detail", pk=incident.pk)


@require_POST
def incident_take_down(request, pk: int):
    manual = request.POST.get("manual") == "1"
    return _incident_step(
        request, pk, lambda i: incidents.incident_take_down(incident=i, actor=request.user, manual=manual),
        "Recorded: the reply is down." if manual else "Deleted on the platform.",
    )


@require_POST
def incident_replace(request, pk: int):
    incident = _incident_for_user(request, pk)
    try:
        reply = incidents.incident_replace(incident=incident, actor=request.user)
    except incidents.IncidentError as exc:
        messages.error(request, str(exc))
        return redirect("incident_detail", pk=incident.pk)
    messages.success(request, "Replacement drafted from the guard's safe rewrite: edit it, then submit it for "
                              "approval as usual.")
    return redirect("review_detail", pk=reply.review_id)


@require_POST
def incident_assess(request, pk: int):
    incident = _incident_for_user(request, pk)
    form = AssessmentForm(request.POST, instance=Incident.objects.get(pk=incident.pk))
    if not form.is_valid():
        return render(request, "compliance/incident.html", _incident_context(incident, assessment_form=form),
                      status=400)
    data = form.cleaned_data
    return _incident_step(
        request, pk, lambda i: incidents.incident_assess(
            incident=i, actor=request.user, nature_and_extent=data["nature_and_extent"],
            unauthorized_recipient=data["unauthorized_recipient"], actually_viewed=data["actually_viewed"],
            mitigation=data["mitigation"], discovered_on=data["discovered_on"]),
        "Risk assessment saved.",
    )


@require_POST
def incident_decide(request, pk: int):
    decision = request.POST.get("decision", "")
    return _incident_step(
        request, pk, lambda i: incidents.incident_decide(incident=i, actor=request.user, decision=decision),
        "Decision recorded.",
    )


@require_POST
def incident_close(request, pk: int):
    return _incident_step(
        request, pk, lambda i: incidents.incident_close(incident=i, actor=request.user), "Incident closed."
    )


# --- the review page's compliance panels ----------------------------------------------------------------


def review_compliance_context(request, review) -> dict:
    """What the review page shows about follow-up, fake-review suspicion and (managers) the compliance record."""
    reply = reply_for_review(review)
    follow_up = getattr(review, "follow_up", None)
    fake = getattr(review, "fake_report", None)
    steps, link = followups.review_reporting_steps(review)
    context = {
        "follow_up": follow_up,
        "follow_up_start_form": FollowUpStartForm(),
        "follow_up_attempt_form": FollowUpAttemptForm(initial={"channel": follow_up.channel} if follow_up else None),
        "fake_report": fake,
        "fake_mark_form": FakeMarkForm(),
        "fake_status_form": FakeStatusForm(initial={"status": fake.status} if fake else None),
        "reporting_steps": steps,
        "reporting_link": link,
        "never_posts_reviews": followups.NEVER_POSTS_REVIEWS,
        "today": timezone.localdate(),
    }
    context.update(review_record_context(request, review, reply=reply))
    return context


def review_record_context(request, review, *, reply=None) -> dict:
    """The compliance record of the review's reply, for managers ({} otherwise, or before there is a reply)."""
    reply = reply if reply is not None else reply_for_review(review)
    if reply is not None and request.user.has_perm("responses.manage_compliance"):
        return {"record": reply_compliance_record(reply=reply)}
    return {}


def _review_step(request, pk: int, act, success: str):
    review = review_for_user(request, pk)
    try:
        act(review)
        messages.success(request, success)
    except followups.FollowUpError as exc:
        messages.error(request, str(exc))
    return redirect(reverse("review_detail", args=[review.pk]) + "#follow-up")


@require_POST
def follow_up_start(request, pk: int):
    form = FollowUpStartForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {"channel": "", "next_due_on": None, "notes": ""}
    return _review_step(request, pk, lambda review: followups.follow_up_start(
        review=review, actor=request.user, channel=data["channel"], next_due_on=data["next_due_on"],
        notes=data["notes"]), "Private follow-up started.")


@require_POST
def follow_up_attempt(request, pk: int):
    form = FollowUpAttemptForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {"channel": "", "outcome": "", "next_due_on": None}

    def act(review):
        follow_up = getattr(review, "follow_up", None)
        if follow_up is None:
            raise followups.FollowUpError("Start the follow-up first.")
        followups.follow_up_attempt_record(follow_up=follow_up, actor=request.user, channel=data["channel"],
                                           outcome=data["outcome"], next_due_on=data["next_due_on"])

    return _review_step(request, pk, act, "Attempt recorded.")


@require_POST
def fake_review_mark(request, pk: int):
    reason = request.POST.get("reason", "")
    return _review_step(request, pk, lambda review: followups.fake_review_mark(
        review=review, actor=request.user, reason=reason), "Marked as suspected fake. Report it on the platform.")


@require_POST
def fake_review_status(request, pk: int):
    status = request.POST.get("status", "")

    def act(review):
        report = getattr(review, "fake_report", None)
        if report is None:
            raise followups.FollowUpError("Mark the review as suspected fake first.")
        followups.fake_review_status_set(report=report, actor=request.user, status=status)

    return _review_step(request, pk, act, "Report status saved.")


@require_POST
def publish_pull_back(request, pk: int):
    review = review_for_user(request, pk)
    require_permission(request.user, "post_reply")
    reply = reply_for_review(review)
    pending = pullback.pending_publish_for(reply) if reply else None
    if pending is None:
        messages.error(request, "Nothing is waiting to be published for this review.")
    else:
        try:
            pullback.pending_publish_pull_back(pending=pending, actor=request.user)
            messages.success(request, "Pulled back: nothing was sent. The reply is still approved.")
        except workflow.WorkflowError as exc:
            messages.error(request, str(exc))
    return redirect_back(request, reverse("approval_queue"))

