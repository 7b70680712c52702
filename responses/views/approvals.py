"""The manager's approval queue: approve or reject pending replies; post approved ones."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from responses import workflow
from responses.compliance.pullback import pending_publish_for, reply_publish_request
from responses.forms import ApproveForm, MarkPostedForm, RejectForm, RevisionForm
from responses.practice.local_time import local_wall_time, location_time_zone, location_zones
from responses.publishers import publisher_for
from responses.roles import practice_for, require_permission
from responses.selectors import reply_for_review, reply_list_for_approval
from responses.views.access import redirect_back, review_for_user

PAGE = "responses/approvals.html"


def refusal_next_step(exc: workflow.WorkflowError) -> str:
    """What the manager can do after a refused action on the approval card (where the editor, its highlights
    and the safe rewrite are not), so a refusal is never a dead end."""
    if isinstance(exc, workflow.GuardBlocked) and not exc.verdict.error:
        return ("Nothing was approved. Open the review to see the highlighted parts, fix them or apply the safe "
                "rewrite, and approve there; or send it back to drafting with a comment saying what to change.")
    if isinstance(exc, workflow.GuardBlocked):
        return "Nothing was approved. Try again in a minute; if it keeps failing, open the review and approve there."
    if isinstance(exc, workflow.StaleReply):
        return "Nothing was approved. Reload this page to read the latest version, then approve or reject it."
    return ""


def _item_context(reply, *, error: str = "", next_step: str = "", reject_form: RejectForm | None = None,
                  zones: dict | None = None) -> dict:
    review = reply.review
    zone = (zones or {}).get(review.location_id) or location_time_zone(review.location)
    return {
        "reply": reply,
        "review": review,
        "zone": zone,  # the card shows times, and takes "posted at", in the review's location's time zone
        "publisher": publisher_for(reply.review) if reply.state == "approved" else None,
        "pending_publish": pending_publish_for(reply) if reply.state == "approved" else None,
        "now_local": timezone.localtime(timezone=zone).strftime("%Y-%m-%dT%H:%M"),
        "reject_form": reject_form or RejectForm(),
        "error": error,
        "next_step": next_step,
    }


def _card_wording(exc: workflow.WorkflowError) -> str:
    """Why it was refused; the guard's own wording points at the editor, which the card does not have."""
    if isinstance(exc, workflow.GuardBlocked) and not exc.verdict.error:
        count = len(exc.verdict.findings)
        return f"The PHI guard blocked this reply at approval ({count} finding{'s' if count != 1 else ''})."
    if isinstance(exc, workflow.StaleReply):
        return "Someone else changed this reply after this page was loaded."
    return str(exc)


@require_GET
def approval_queue(request):
    require_permission(request.user, "approve_reply")
    practice = practice_for(request.user)
    queue = reply_list_for_approval(practice=practice)
    zones = location_zones(practice)
    return render(request, PAGE, {
        "pending": [_item_context(reply, zones=zones) for reply in queue.pending],
        "approved": [_item_context(reply, zones=zones) for reply in queue.approved],
    })


def _manager_action(request, pk: int, permission: str, act, *, success: str, form_class=RevisionForm) -> HttpResponse:
    """Shared shape: find the reply (404 outside the practice), check the role (403), run `act`,
    answer with the queue item (htmx) or go back to where the manager came from."""
    review = review_for_user(request, pk)
    require_permission(request.user, permission)
    reply = reply_for_review(review)
    if reply is None:
        raise Http404("This review has no reply yet.")
    form = form_class(request.POST)
    error = next_step = ""
    if form.is_valid():
        try:
            reply = act(reply, form.cleaned_data)
        except workflow.WorkflowError as exc:
            error, next_step = _card_wording(exc), refusal_next_step(exc)
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    if request.htmx:
        reply = reply_for_review(review)
        context = _item_context(reply, error=error, next_step=next_step,
                                reject_form=form if isinstance(form, RejectForm) and error else None)
        return render(request, f"{PAGE}#queue_item", context)
    if error:
        messages.error(request, f"{error} {next_step}".strip())
    else:
        messages.success(request, success)
    return redirect_back(request, reverse("approval_queue"))


@require_POST
def reply_approve(request, pk: int):
    return _manager_action(
        request, pk, "approve_reply",
        lambda reply, data: workflow.reply_approve(
            reply=reply, actor=request.user, expected_revision=data["expected_revision"]),
        success="Approved. Copy the text to the platform, then mark it posted.",
        form_class=ApproveForm,
    )


@require_POST
def reply_reject(request, pk: int):
    return _manager_action(
        request, pk, "approve_reply",
        lambda reply, data: workflow.reply_reject(
            reply=reply, actor=request.user, comment=data["comment"], expected_revision=data["expected_revision"]),
        success="Sent back to drafting with your comment.",
        form_class=RejectForm,
    )


@require_POST
def reply_mark_posted(request, pk: int):
    return _manager_action(
        request, pk, "post_reply",
        lambda reply, data: workflow.reply_mark_posted(
            reply=reply, actor=request.user,
            # The form showed and read the location's wall-clock time (see _item_context).
            posted_at=local_wall_time(data["posted_at"], location_time_zone(reply.review.location))
            if data["posted_at"] else timezone.now(),
            expected_revision=data["expected_revision"]),
        success="Marked as posted.",
        form_class=MarkPostedForm,
    )


def _publish_success() -> str:
    minutes = settings.PUBLISH_PULLBACK_MINUTES
    if not minutes:
        return "Posted to the platform."
    return f"Publishing in {minutes} minute{'s' if minutes != 1 else ''}: you can pull it back until then."


@require_POST
def reply_publish(request, pk: int):
    return _manager_action(
        request, pk, "post_reply",
        lambda reply, data: reply_publish_request(
            reply=reply, actor=request.user, expected_revision=data["expected_revision"]),
        success=_publish_success(),
    )
