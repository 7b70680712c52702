"""The review page: the review with its do-not-repeat terms, the internal note, the reply editor
with the live PHI guard, the version history, and closing a review."""
from __future__ import annotations

import re

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from responses import workflow
from responses.compliance.pullback import pending_publish_for
from responses.compliance.views import review_compliance_context, review_record_context
from responses.escalation.models import Escalation
from responses.escalation.services import ADVICE as ESCALATION_ADVICE
from responses.escalation.services import review_deescalate as escalation_clear
from responses.escalation.services import review_is_escalated
from responses.forms import CloseReviewForm, DeescalateForm, InternalNoteForm, RejectForm, ReplyTextForm
from responses.guarding import verdict_for_reply_text, verdict_for_review_text
from responses.history.selectors import reply_timeline
from responses.models import DraftLanguage, PlatformReplyStatus, Reply, Review, Topic
from responses.practice.local_time import location_time_zone
from responses.publishers import publisher_for
from responses.roles import require_permission
from responses.selectors import reply_for_review, review_status
from responses.views.access import review_for_user

PAGE = "responses/review.html"
# Finding categories that mark words in the review itself as "do not repeat in the reply".
DO_NOT_REPEAT = {"clinical_detail", "identifier", "remedy_detail"}
_MARKUP = re.compile(r"<[^<>]{0,500}>")


def review_do_not_repeat(review: Review) -> list:
    """Clinical terms and names in the review (see guarding.verdict_for_review_text)."""
    if not review.text.strip():
        return []
    # Markup in a review is not words the reviewer wrote: blank it out (same length, so offsets still match).
    text = _MARKUP.sub(lambda tag: " " * len(tag.group()), review.text)
    verdict = verdict_for_review_text(review=review, text=text)
    return [f for f in verdict.findings if f.category in DO_NOT_REPEAT and f.entity_type != "REVIEW_ECHO"]


SUBMITTED = "Sent for approval. A manager will see it in the approval queue; you can keep working on other reviews."


def editor_context(request, review: Review, *, reply: Reply | None = None, text: str | None = None,
                   error: str = "", expected_revision: int | None = None) -> dict:
    """Everything the editor region needs; `text` is what the author typed (default: the saved text);
    `expected_revision` is the revision the author last saw (default: the saved one)."""
    reply = reply if reply is not None else reply_for_review(review)
    saved = reply.text if reply else ""
    text = saved if text is None else text
    too_long = len(text) > workflow.MAX_REPLY_LENGTH
    verdict = verdict_for_reply_text(review=review, text=text) if text and not too_long else None
    escalated = reply is None and review_is_escalated(review)
    zone = location_time_zone(review.location)
    return {
        "review": review,
        "status": review_status(review),
        "reply": reply,
        "expected_revision": reply.revision if reply and expected_revision is None else expected_revision,
        "text": text,
        "unsaved": reply is not None and text != saved,
        "verdict": verdict,
        "too_long": too_long,
        "max_length": workflow.MAX_REPLY_LENGTH,
        "error": error,
        "actions": workflow.allowed_actions(reply=reply, user=request.user),
        "can_start": reply is None and not review.is_closed and not escalated
        and request.user.has_perm("responses.submit_reply"),
        "escalated_no_reply": workflow.ESCALATED_NO_REPLY if escalated else "",
        "zone": zone,
        "superseded_message": workflow.reply_superseded_message(review) if reply and reply.superseded_at else "",
        "can_replace_rejected": (reply is not None and reply.platform_status == PlatformReplyStatus.REJECTED
                                 and reply.state == "posted" and request.user.has_perm("responses.manage_compliance")),
        "versions": reply.versions.select_related("author").order_by("-number") if reply else [],
        "timeline": reply_timeline(reply) if reply else [],
        "publisher": publisher_for(review) if reply and reply.state == "approved" else None,
        "pending_publish": pending_publish_for(reply) if reply and reply.state == "approved" else None,
        "now_local": timezone.localtime(timezone=zone).strftime("%Y-%m-%dT%H:%M"),
        "reject_form": RejectForm(),
        "next": reverse("review_detail", args=[review.pk]),
        "language_note": review_language_note(review),
        "topic_choices": [(value, label) for value, label in Topic.choices
                          if value not in (Topic.SPAM_OR_FAKE, Topic.NON_ENGLISH)],
    }


def review_language_note(review: Review) -> str:
    """For staff, above the editor: which language the draft is in, when that is not simply English for an English
    review (the practice's languages are set on the Practice page)."""
    from responses.drafting.drafts import practice_draft_languages, written_in

    written = written_in(review.text, non_english=Topic.NON_ENGLISH in review.topics)
    drafted = practice_draft_languages(review.location.practice).draft_language(written)
    if written == drafted == DraftLanguage.ENGLISH:
        return ""
    names = dict(DraftLanguage.choices)
    if written == drafted:
        return f"This review is in {names[written]}, so the draft is in {names[written]} (from the {names[written]} templates)."
    if written == DraftLanguage.ENGLISH:
        return f"The practice drafts in {names[drafted]} only (Practice page), so the draft is in {names[drafted]}."
    if written in names:
        said = f"This review is in {names[written]}, which the practice does not draft in (Practice page)"
    else:
        said = "This review is not in a language the practice drafts in"
    return f"{said}: the draft is in {names[drafted]}. Keep it short and general, and offer the private channel."


def _page_context(request, review: Review, **editor) -> dict:
    escalation = Escalation.objects.filter(review=review).select_related("cleared_by").first()
    return {
        **editor_context(request, review, **editor),
        "escalation": escalation,
        "escalation_advice": ESCALATION_ADVICE,
        "deescalate_form": DeescalateForm(),
        "do_not_repeat": review_do_not_repeat(review),
        "note_form": InternalNoteForm(instance=review),
        "close_form": CloseReviewForm(),
        **review_compliance_context(request, review),
    }


def _editor_response(request, review: Review, *, reply: Reply | None = None, text: str | None = None,
                     error: str = "", expected_revision: int | None = None, notice: str = "") -> HttpResponse:
    """htmx: the editor region (with `notice`, the confirmation of what just happened, at its top).
    Otherwise: back to the page on success (the notice as a message), or the page with the error
    and the author's text kept (a refused save never loses what they typed)."""
    editor = {"reply": reply, "text": text, "error": error, "expected_revision": expected_revision}
    if request.htmx:
        context = editor_context(request, review, **editor)
        # The compliance record beside the editor changes with every action: it goes along, out of band.
        return render(request, f"{PAGE}#editor", {**context, "notice": notice, "record_oob": True,
                                                  **review_record_context(request, review, reply=context["reply"])})
    if error:
        return render(request, PAGE, _page_context(request, review, **editor))
    if notice:
        messages.success(request, notice)
    return redirect("review_detail", pk=review.pk)


def _reply_or_404(review: Review) -> Reply:
    reply = reply_for_review(review)
    if reply is None:
        raise Http404("This review has no reply yet.")
    return reply


def _save_typed_text(request, reply: Reply, form: ReplyTextForm) -> Reply:
    """Save what the author typed as a new version if it differs from the saved text."""
    text = workflow.reply_text_normalized(form.cleaned_data["text"])
    if text == reply.text:
        if form.cleaned_data["expected_revision"] != reply.revision:
            raise workflow.StaleReply()
        return reply
    return workflow.reply_save_text(
        reply=reply, actor=request.user, text=text, expected_revision=form.cleaned_data["expected_revision"]
    )


def _reply_action(request, pk: int, act, notice: str = "") -> HttpResponse:
    """Shared shape of save / rewrite / submit: parse the editor form, save the typed text, run `act`;
    `notice` confirms success to the author."""
    review = review_for_user(request, pk)
    reply = _reply_or_404(review)
    form = ReplyTextForm(request.POST)
    if not form.is_valid() or form.cleaned_data["expected_revision"] is None:
        return _editor_response(request, review, reply=reply, text=workflow.reply_text_normalized(request.POST.get("text")),
                                error="Reload the page: the form was incomplete.")
    try:
        reply = _save_typed_text(request, reply, form)
        reply = act(reply)
    except workflow.WorkflowError as exc:
        # After a stale refusal the editor keeps the revision the author saw, so saving again is
        # refused again until they load the other person's version (nothing is overwritten unseen).
        seen = form.cleaned_data["expected_revision"] if isinstance(exc, workflow.StaleReply) else None
        return _editor_response(request, review, reply=reply_for_review(review),
                                text=workflow.reply_text_normalized(form.cleaned_data["text"]), error=str(exc), expected_revision=seen)
    return _editor_response(request, review, reply=reply, notice=notice)


@never_cache  # the Back button must show the reply as it is now, not a stale form that then fails
@require_GET
def review_detail(request, pk: int):
    review = review_for_user(request, pk)
    return render(request, PAGE, _page_context(request, review))


@require_POST
def reply_start(request, pk: int):
    review = review_for_user(request, pk)
    try:
        reply = workflow.reply_start(review=review, actor=request.user, topic=request.POST.get("topic", ""))
    except workflow.WorkflowError as exc:
        return _editor_response(request, review, error=str(exc))
    return _editor_response(request, review, reply=reply)


@require_POST
def reply_check(request, pk: int):
    """The live guard check while typing: returns the guard panel for exactly the posted text."""
    review = review_for_user(request, pk)
    require_permission(request.user, "submit_reply")
    context = editor_context(request, review, text=workflow.reply_text_normalized(request.POST.get("text", "")))
    return render(request, f"{PAGE}#guard_panel", context)


@require_POST
def reply_save(request, pk: int):
    return _reply_action(request, pk, lambda reply: reply)


@require_POST
def reply_rewrite(request, pk: int):
    return _reply_action(
        request, pk,
        lambda reply: workflow.reply_apply_safe_rewrite(reply=reply, actor=request.user, expected_revision=reply.revision),
    )


@require_POST
def reply_submit(request, pk: int):
    return _reply_action(
        request, pk, lambda reply: workflow.reply_submit(reply=reply, actor=request.user, expected_revision=reply.revision),
        notice=SUBMITTED,
    )


@require_POST
def reply_save_and_approve(request, pk: int):
    """The manager approves from the editor: what they typed is saved first (the guard checks the new text),
    then approved, so an edit is never silently dropped."""
    require_permission(request.user, "approve_reply")
    return _reply_action(
        request, pk, lambda reply: workflow.reply_approve(reply=reply, actor=request.user, expected_revision=reply.revision)
    )


@require_POST
def reply_replace_rejected(request, pk: int):
    """A manager rewrites a posted reply the platform's moderation rejected (it was never public)."""
    review = review_for_user(request, pk)
    reply = reply_for_review(review)
    if reply is None:
        raise Http404("No reply to rewrite.")
    try:
        workflow.reply_replace_after_platform_rejection(reply=reply, actor=request.user)
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The rejected reply is a draft again: rewrite it, then send it for approval.")
    return redirect("review_detail", pk=review.pk)


@require_POST
def review_note(request, pk: int):
    review = review_for_user(request, pk)
    require_permission(request.user, "submit_reply")
    form = InternalNoteForm(request.POST, instance=review)
    if form.is_valid():
        form.save(commit=False).save(update_fields=["internal_note", "updated_at"])
        messages.success(request, "Internal note saved.")
    else:
        messages.error(request, " ".join(form.errors.get("internal_note", ["The note could not be saved."])))
    return redirect("review_detail", pk=review.pk)


@require_POST
def review_close(request, pk: int):
    review = review_for_user(request, pk)
    form = CloseReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose why this review needs no reply.")
        return redirect("review_detail", pk=review.pk)
    try:
        workflow.review_close(review=review, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, "Review closed without a reply.")
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
    return redirect("review_detail", pk=review.pk)


@require_POST
def review_deescalate(request, pk: int):
    """A manager clears the escalation, choosing why (audited as the reason's code)."""
    review = review_for_user(request, pk)
    form = DeescalateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose why the review no longer needs escalation.")
        return redirect("review_detail", pk=review.pk)
    try:
        escalation_clear(review=review, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, "De-escalated. A reply can now be drafted.")
    except ValueError as exc:
        messages.error(request, str(exc))
    return redirect("review_detail", pk=review.pk)


@require_POST
def review_reopen(request, pk: int):
    review = review_for_user(request, pk)
    try:
        workflow.review_reopen(review=review, actor=request.user)
        messages.success(request, "Review reopened.")
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
    return redirect("review_detail", pk=review.pk)
