"""The reply workflow: drafting -> awaiting approval -> approved -> posted.

Every state change of a reply goes through a service here. Each one
- checks the actor's role (server side, whatever the UI showed),
- re-runs the PHI guard on the exact text where the text moves towards the public
  (submit, approve, post) and refuses a blocked text, failing closed,
- moves the state with a compare-and-swap on (revision, state), so two people
  acting on the same reply never overwrite each other silently,
- records an audit event without patient text.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from phi_guard.normalize import stored_form
from responses.audit import audit_event, audit_record
from responses.guarding import safe_rewrite_for, verdict_for_reply_text
from responses.models import AuditEvent, PlatformReplyStatus, Reply, ReplyState, ReplyVersion, Review, text_sha256
from responses.roles import require_permission

logger = logging.getLogger(__name__)

MAX_REPLY_LENGTH = 4000  # Google's reply limit is 4,096 characters; stay clear of it on every platform.
ESCALATED_NO_REPLY = ("This review is escalated: speak to counsel first. A manager de-escalates it, with the reason, "
                      "before anyone drafts a reply.")


class WorkflowError(Exception):
    """A refused action. The message is for the user and never contains patient text."""


class TransitionNotAllowed(WorkflowError):
    pass


class StaleReply(WorkflowError):
    def __init__(self, message: str = ""):
        super().__init__(
            message
            or "Someone else changed this reply while you were working on it. "
            "Reload to see their version; your change was not saved."
        )


class GuardBlocked(WorkflowError):
    def __init__(self, verdict, message: str = ""):
        self.verdict = verdict
        if not message:
            if verdict.error and getattr(verdict, "error_kind", "") == "unreadable":
                message = verdict.error  # which language it cannot read; no patient text
            elif verdict.error:
                message = "The PHI guard could not check this text, so it cannot go further. Try again shortly."
            else:
                count = len(verdict.findings)
                message = (
                    f"The PHI guard blocked this text ({count} finding{'s' if count != 1 else ''}). "
                    "Fix the highlighted parts or apply the safe rewrite."
                )
        super().__init__(message)


class Action:
    EDIT = "edit"
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    POST = "post"
    REPLACE = "replace"


@dataclass(frozen=True)
class Transition:
    from_states: tuple[str, ...]
    to_state: str
    permission: str
    guard: bool  # re-check the exact text with the PHI guard before moving


S = ReplyState
# The one table of allowed moves. EDIT's target is the state after a clean edit (see reply_save_text).
TRANSITIONS: dict[str, Transition] = {
    Action.EDIT: Transition((S.DRAFTING, S.AWAITING_APPROVAL, S.APPROVED), S.DRAFTING, "submit_reply", False),
    Action.SUBMIT: Transition((S.DRAFTING,), S.AWAITING_APPROVAL, "submit_reply", True),
    Action.APPROVE: Transition((S.AWAITING_APPROVAL,), S.APPROVED, "approve_reply", True),
    Action.REJECT: Transition((S.AWAITING_APPROVAL, S.APPROVED), S.DRAFTING, "approve_reply", False),
    Action.POST: Transition((S.APPROVED,), S.POSTED, "post_reply", True),
    # Only from an incident, once the posted text is down (responses.compliance.incidents).
    Action.REPLACE: Transition((S.POSTED,), S.DRAFTING, "manage_compliance", False),
}


def allowed_actions(*, reply: Reply | None, user) -> set[str]:
    """What `user` may do to `reply` now (for the UI; the services check again)."""
    if reply is None or reply.review.is_closed:
        return set()
    return {
        action
        for action, t in TRANSITIONS.items()
        if reply.state in t.from_states and user.has_perm(f"responses.{t.permission}")
    }


def reply_superseded_message(review: Review) -> str:
    """Why a reply superseded on the platform was not posted: shown on the review page, and the refusal to post it."""
    return f"Answered directly on {review.get_platform_display()}; this draft was not posted."


def _refuse_if_superseded(reply: Reply) -> None:
    # The database's word, not the caller's copy: an import may have superseded the reply since its page was read.
    if reply.superseded_at is not None or Reply.objects.filter(pk=reply.pk, superseded_at__isnull=False).exists():
        raise TransitionNotAllowed(reply_superseded_message(reply.review))


def _check_allowed(reply: Reply, action: str, actor) -> Transition:
    transition = TRANSITIONS[action]
    require_permission(actor, transition.permission)
    if action == Action.POST:
        _refuse_if_superseded(reply)
    if reply.review.is_closed:
        raise TransitionNotAllowed("This review is closed; reopen it before working on its reply.")
    if reply.state not in transition.from_states:
        raise TransitionNotAllowed(
            f"A reply that is {reply.get_state_display().lower()} cannot be sent to {action}."
        )
    return transition


def _guard_or_refuse(reply: Reply, *, action: str, actor):
    """Re-check the reply's current text; refuse (and audit the refusal) if the guard blocks or cannot run."""
    text = reply.text
    verdict = verdict_for_reply_text(review=reply.review, text=text)
    if verdict.blocked:
        audit_record(
            action=f"{action}_refused",
            actor=actor,
            reply=reply,
            from_state=reply.state,
            to_state=reply.state,
            verdict=verdict,
            version=reply.current_version.number if reply.current_version_id else None,
            text_sha256=text_sha256(text),
        )
        logger.info("reply %s: %s refused by the PHI guard (%d findings)", reply.pk, action, len(verdict.findings))
        raise GuardBlocked(verdict)
    return verdict


def _lock(reply: Reply, *, expected_revision: int, from_state: str) -> Reply:
    """Hold the reply's row until the transaction ends, so concurrent changes queue up instead of colliding
    (two new versions with one number, say); whoever finds it changed since they read it gets StaleReply."""
    locked = Reply.objects.select_for_update().filter(pk=reply.pk).first()
    if locked is None or locked.revision != expected_revision or locked.state != from_state:
        raise StaleReply()
    return locked


def _swap(reply: Reply, *, expected_revision: int, from_state: str, **changes) -> Reply:
    """Apply `changes` only if nobody changed the reply since the caller read it."""
    updated = Reply.objects.filter(pk=reply.pk, revision=expected_revision, state=from_state).update(
        revision=F("revision") + 1, updated_at=timezone.now(), **changes
    )
    if not updated:
        raise StaleReply()
    reply.refresh_from_db()
    return reply


def _version(reply: Reply, *, number: int, text: str, actor, source: str, verdict) -> ReplyVersion:
    """A version of the reply, not saved yet, with the guard's verdict on exactly its text."""
    return ReplyVersion(
        reply=reply,
        number=number,
        text=text,
        text_sha256=text_sha256(text),
        source=source,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        verdict=verdict.to_dict(),
        verdict_sha256=verdict.text_sha256,
        blocked=verdict.blocked,
    )


def _new_version(reply: Reply, *, text: str, actor, source: str, verdict) -> ReplyVersion:
    last = reply.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = _version(reply, number=last + 1, text=text, actor=actor, source=source, verdict=verdict)
    version.save()
    return version


def reply_text_normalized(text: str | None) -> str:
    """A reply text as it is stored and posted: LF line breaks (browsers send CRLF), NFKC, no invisible format
    characters (zero-width spaces, soft hyphens). Finding offsets match what is saved, and what is checked is
    exactly what is posted."""
    return stored_form((text or "").replace("\r\n", "\n")).strip()


def _clean_text(text: str) -> str:
    text = reply_text_normalized(text)
    if not text:
        raise WorkflowError("A reply cannot be empty.")
    if len(text) > MAX_REPLY_LENGTH:
        raise WorkflowError(f"A reply can be at most {MAX_REPLY_LENGTH} characters (this one has {len(text)}).")
    return text


def _review_topic_choose(review: Review, *, actor, topic: str) -> None:
    """Staff override the detected topic ("reply anyway" to likely spam, or "change topic"); audited."""
    from responses.models import Topic

    if topic not in Topic.values or topic in (Topic.SPAM_OR_FAKE, Topic.NON_ENGLISH):
        raise WorkflowError("Choose the topic the reply should answer.")
    before = review.primary_topic
    if topic == before:
        return
    review.topics = [topic, *(t for t in review.topics if t not in (topic, Topic.SPAM_OR_FAKE))]
    Review.objects.filter(pk=review.pk).update(topics=review.topics)
    audit_record(action="review_topic_changed", actor=actor, review=review, from_state=before[:20],
                 to_state=topic[:20], topic=topic)


@transaction.atomic
def reply_start(*, review: Review, actor, text: str | None = None, topic: str = "") -> Reply:
    """Create the review's reply with a first version: `text`, or a draft from the practice's templates
    (on `topic` when staff chose one over the detected topics)."""
    require_permission(actor, "submit_reply")
    if review.is_closed:
        raise TransitionNotAllowed("This review is closed; reopen it before drafting a reply.")
    if Reply.objects.filter(review=review).exists():
        raise TransitionNotAllowed("This review already has a reply.")
    from responses.escalation.services import review_is_escalated

    if review_is_escalated(review):
        raise TransitionNotAllowed(ESCALATED_NO_REPLY)
    if topic:
        _review_topic_choose(review, actor=actor, topic=topic)
    source = ReplyVersion.Source.EDIT
    if text is None:
        from responses.drafting import DRAFTING_UNAVAILABLE, TopicModelUnavailable, draft_for_review

        try:
            draft = draft_for_review(review=review, topic=topic)
        except TopicModelUnavailable:
            raise WorkflowError(DRAFTING_UNAVAILABLE) from None
        if draft.skipped:
            raise WorkflowError(f"ReviewDesk suggests no reply to this review: {draft.reason.rstrip('.')}. Close it "
                                "instead, or choose a topic and reply anyway.")
        text = draft.text
        source = ReplyVersion.Source.TEMPLATE
    text = _clean_text(text)
    verdict = verdict_for_reply_text(review=review, text=text)
    # One reply per review: starts queue on the review's row, and all but the first find the reply made.
    Review.objects.select_for_update().filter(pk=review.pk).first()
    if Reply.objects.filter(review=review).exists():
        raise StaleReply("Someone else started a reply to this review just now. Reload to see it.")
    reply = Reply.objects.create(review=review)
    version = _new_version(reply, text=text, actor=actor, source=source, verdict=verdict)
    Reply.objects.filter(pk=reply.pk).update(current_version=version)
    reply.refresh_from_db()
    audit_record(
        action="reply_started", actor=actor, reply=reply, to_state=reply.state, verdict=verdict,
        version=version.number, source=source,
    )
    return reply


@transaction.atomic
def replies_start_drafted(*, drafts: Sequence[tuple[Review, str, object]]) -> list[Reply]:
    """The import's drafts for a batch of reviews, as (review, text, verdict), written together (the system is
    the actor): one reply per review, so a review that is closed or has a reply already (a rerun after a crash,
    a concurrent import) is left alone. Each verdict is the guard's on its text from the batch check; a text is
    checked again here only if normalising changed it; a text that cannot be a reply (empty, too long) is not
    stored. Returns the replies made."""
    cleaned = []
    for review, text, verdict in drafts:
        try:
            clean = _clean_text(text)
        except WorkflowError as exc:
            logger.warning("review %s: draft not stored (%s)", review.pk, type(exc).__name__)
            continue
        if clean != text or verdict.text_sha256 != text_sha256(clean):
            verdict = verdict_for_reply_text(review=review, text=clean)
        cleaned.append((review, clean, verdict))
    ids = [review.pk for review, _text, _verdict in cleaned]
    locked = set(Review.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
    answered = set(Reply.objects.filter(review_id__in=ids).values_list("review_id", flat=True))
    todo = []
    for review, text, verdict in cleaned:
        if review.pk in locked and not review.is_closed and review.pk not in answered:
            answered.add(review.pk)
            todo.append((Reply(review=review), text, verdict))
    replies = Reply.objects.bulk_create([reply for reply, _text, _verdict in todo])
    versions = ReplyVersion.objects.bulk_create([
        _version(reply, number=1, text=text, actor=None, source=ReplyVersion.Source.TEMPLATE, verdict=verdict)
        for reply, text, verdict in todo
    ])
    for reply, version in zip(replies, versions):
        reply.current_version = version
    Reply.objects.bulk_update(replies, ["current_version"])
    AuditEvent.objects.bulk_create([
        audit_event(action="reply_drafted_on_import", reply=reply, to_state=reply.state, verdict=verdict,
                    version=1, source=ReplyVersion.Source.TEMPLATE)
        for reply, _text, verdict in todo
    ])
    return replies


@transaction.atomic
def reply_redraft_imported(*, reply: Reply, text: str, verdict) -> Reply | None:
    """Re-draft a reply the review's edit made stale, when nobody has touched it: still drafting, and every
    version came from the templates. The new version clears the stale flag; a reply someone edited stays
    stale for them to re-read. None when it was not re-drafted."""
    locked = Reply.objects.select_for_update().filter(pk=reply.pk).first()
    if locked is None or locked.state != ReplyState.DRAFTING or not locked.stale:
        return None
    if locked.versions.exclude(source=ReplyVersion.Source.TEMPLATE).exists():
        return None
    clean = _clean_text(text)
    if verdict.text_sha256 != text_sha256(clean):
        verdict = verdict_for_reply_text(review=locked.review, text=clean)
    version = _new_version(locked, text=clean, actor=None, source=ReplyVersion.Source.TEMPLATE, verdict=verdict)
    locked = _swap(locked, expected_revision=locked.revision, from_state=locked.state, current_version=version,
                   stale=False)
    audit_record(
        action="reply_redrafted_on_import", reply=locked, from_state=locked.state, to_state=locked.state,
        verdict=verdict, version=version.number, source=ReplyVersion.Source.TEMPLATE,
    )
    return locked


def reply_external_text(text: str) -> str:
    """A reply the platform shows, as ReviewDesk stores it: normalised like any reply text, and cut at twice the
    posting limit (it was written elsewhere, so no limit of ours held it)."""
    return reply_text_normalized(text)[:MAX_REPLY_LENGTH * 2]


def _audit_external(reply: Reply, *, verdict, version: ReplyVersion, posted_via: str, from_state: str = "") -> None:
    """The guard's word on a reply the platform shows: a blocked one is `external_reply_blocked`, for the manager."""
    audit_record(
        action="external_reply_blocked" if verdict.blocked else "external_reply_imported", reply=reply,
        from_state=from_state, to_state=reply.state, verdict=verdict, version=version.number, posted_via=posted_via,
    )


@transaction.atomic
def reply_record_external(*, review: Review, text: str, posted_at: datetime, posted_via: str) -> Reply | None:
    """A reply the practice already posted on the platform (outside ReviewDesk), stored as posted and checked
    by the guard: a blocked one is audited as `external_reply_blocked` for the manager. None if the review
    already has a reply in ReviewDesk."""
    clean = reply_external_text(text)
    if not clean:
        return None
    Review.objects.select_for_update().filter(pk=review.pk).first()
    if Reply.objects.filter(review=review).exists():
        return None
    verdict = verdict_for_reply_text(review=review, text=clean)
    reply = Reply.objects.create(review=review)
    version = _new_version(reply, text=clean, actor=None, source=ReplyVersion.Source.EDIT, verdict=verdict)
    Reply.objects.filter(pk=reply.pk).update(
        current_version=version, approved_version=version, state=ReplyState.POSTED, posted_at=posted_at,
        posted_via=posted_via,
    )
    reply.refresh_from_db()
    _audit_external(reply, verdict=verdict, version=version, posted_via=posted_via)
    return reply


@transaction.atomic
def reply_supersede_by_platform(*, reply: Reply, text: str, posted_at: datetime, posted_via: str) -> Reply | None:
    """The review was answered directly on the platform, not through ReviewDesk, while its reply here is still
    unposted: the platform's reply becomes the reply's posted version, checked by the guard like any reply posted
    outside ReviewDesk, and the unposted draft stays in the history as superseded (`superseded_version`). Posting
    it is refused with reply_superseded_message, so nobody posts a second reply over the platform's (a waiting
    publication fails when it comes due). A text that is one of the reply's own versions (an earlier text the
    platform rejected, or one being taken down, still listed) supersedes nothing. Audited as
    `reply_superseded_on_platform` with version numbers only. None when nothing changed."""
    clean = reply_external_text(text)
    locked = Reply.objects.select_for_update().filter(pk=reply.pk).first()
    if not clean or locked is None or locked.state == S.POSTED:
        return None
    if locked.versions.filter(text_sha256=text_sha256(clean)).exists():
        return None
    verdict = verdict_for_reply_text(review=locked.review, text=clean)
    from_state, draft = locked.state, locked.current_version
    version = _new_version(locked, text=clean, actor=None, source=ReplyVersion.Source.EDIT, verdict=verdict)
    locked = _swap(
        locked, expected_revision=locked.revision, from_state=from_state, state=S.POSTED, current_version=version,
        approved_version=version, approved_by=None, approved_at=None, posted_by=None, posted_at=posted_at,
        posted_via=posted_via, stale=False, rejection_comment="", superseded_at=timezone.now(),
        superseded_version=draft,
    )
    audit_record(
        action="reply_superseded_on_platform", reply=locked, from_state=from_state, to_state=locked.state,
        version=version.number, superseded_version=draft.number if draft else None, posted_via=posted_via,
    )
    _audit_external(locked, verdict=verdict, version=version, posted_via=posted_via, from_state=from_state)
    logger.info("reply %s: answered on the platform while %s; the draft was superseded", locked.pk, from_state)
    return locked


@transaction.atomic
def reply_record_platform_change(*, reply: Reply, text: str, posted_via: str) -> Reply | None:
    """A posted reply that the platform now shows with another text (replaced there, by hand or by another tool):
    the platform's text becomes the reply's current, posted version, checked by the guard (a blocked one is
    audited as `external_reply_blocked`), and the moderation status read for the earlier text is dropped. The
    posting time stays that of the first answer. None when the platform shows the stored text."""
    clean = reply_external_text(text)
    locked = (Reply.objects.select_for_update(of=("self",)).select_related("current_version")
              .filter(pk=reply.pk).first())
    if not clean or locked is None or locked.state != S.POSTED or locked.text == clean:
        return None
    verdict = verdict_for_reply_text(review=locked.review, text=clean)
    version = _new_version(locked, text=clean, actor=None, source=ReplyVersion.Source.EDIT, verdict=verdict)
    locked = _swap(
        locked, expected_revision=locked.revision, from_state=S.POSTED, current_version=version,
        approved_version=version, approved_by=None, approved_at=None, posted_by=None, posted_via=posted_via,
        platform_status=PlatformReplyStatus.UNKNOWN, platform_status_reason="", platform_status_at=None,
    )
    audit_record(
        action="external_reply_changed", reply=locked, from_state=S.POSTED, to_state=S.POSTED, verdict=verdict,
        version=version.number, posted_via=posted_via,
    )
    if verdict.blocked:
        _audit_external(locked, verdict=verdict, version=version, posted_via=posted_via, from_state=S.POSTED)
    logger.info("reply %s: the platform shows another text; stored as version %d", locked.pk, version.number)
    return locked


def reply_platform_status_record(*, reply: Reply, status: str, reason: str = "") -> bool:
    """Store what the platform's moderation made of a posted reply (a PlatformReplyStatus, with the platform's
    policy word when it rejected it), as the platform's answer to publishing it or a source's import said. Only a
    change is written and audited (the status and the policy word, never text). A rejected reply is not public:
    the review page, the inbox and the digest say so. True when the status changed."""
    if reply.state != ReplyState.POSTED or status not in PlatformReplyStatus.values:
        return False
    reason = reason[:60] if status == PlatformReplyStatus.REJECTED else ""
    if (reply.platform_status, reply.platform_status_reason) == (status, reason):
        return False
    previous = reply.platform_status
    reply.platform_status, reply.platform_status_reason, reply.platform_status_at = status, reason, timezone.now()
    # A plain UPDATE that leaves `revision` alone: the platform's word is not an edit of the reply.
    Reply.objects.filter(pk=reply.pk).update(platform_status=status, platform_status_reason=reason,
                                            platform_status_at=reply.platform_status_at)
    audit_record(
        action="reply_rejected_by_platform" if status == PlatformReplyStatus.REJECTED else "reply_platform_status",
        reply=reply, platform_status=status, previous_status=previous or "unknown", platform_reason=reason,
        posted_via=reply.posted_via,
    )
    logger.info("reply %s: platform status %s -> %s", reply.pk, previous or "unknown", status)
    return True


@transaction.atomic
def reply_save_text(
    *, reply: Reply, actor, text: str, expected_revision: int, source: str = ReplyVersion.Source.EDIT
) -> Reply:
    """Save a new version of the reply. A reply that was submitted or approved goes back for approval
    (or to drafting if the guard blocks the new text); an unchanged text saves nothing."""
    _check_allowed(reply, Action.EDIT, actor)
    text = _clean_text(text)
    if reply.revision != expected_revision:
        raise StaleReply()
    if reply.current_version_id and reply.current_version.text == text:
        return reply
    verdict = verdict_for_reply_text(review=reply.review, text=text)
    from_state = reply.state
    to_state = S.DRAFTING
    if from_state in (S.AWAITING_APPROVAL, S.APPROVED) and not verdict.blocked:
        to_state = S.AWAITING_APPROVAL
    _lock(reply, expected_revision=expected_revision, from_state=from_state)
    version = _new_version(reply, text=text, actor=actor, source=source, verdict=verdict)
    reply = _swap(
        reply,
        expected_revision=expected_revision,
        from_state=from_state,
        current_version=version,
        state=to_state,
        stale=False,  # whoever edits has seen the review as it is now
        approved_version=None,
        approved_by=None,
        approved_at=None,
    )
    audit_record(
        action="reply_edited", actor=actor, reply=reply, from_state=from_state, to_state=to_state,
        verdict=verdict, version=version.number, source=source,
    )
    return reply


def reply_apply_safe_rewrite(*, reply: Reply, actor, expected_revision: int) -> Reply:
    """Replace the text with the guard's safe rewrite, as a new version."""
    rewrite = safe_rewrite_for(review=reply.review, text=reply.text)
    return reply_save_text(
        reply=reply, actor=actor, text=rewrite, expected_revision=expected_revision,
        source=ReplyVersion.Source.REWRITE,
    )


def _move(
    reply: Reply, transition: Transition, *, actor, verdict, action: str, expected_revision: int | None, **changes
) -> Reply:
    """Swap the state and audit it in one transaction. A guard refusal is audited before, outside it,
    so the record of a refused attempt survives the refusal."""
    from_state = reply.state
    details = {"posted_via": changes["posted_via"]} if "posted_via" in changes else {}
    expected_revision = reply.revision if expected_revision is None else expected_revision
    with transaction.atomic():
        _lock(reply, expected_revision=expected_revision, from_state=from_state)
        reply = _swap(
            reply,
            expected_revision=expected_revision,
            from_state=from_state,
            state=transition.to_state,
            **changes,
        )
        audit_record(
            action=action, actor=actor, reply=reply, from_state=from_state, to_state=reply.state,
            verdict=verdict, version=reply.current_version.number, **details,
        )
        if reply.state == S.POSTED:
            from responses.compliance.records import reply_posting_record

            reply_posting_record(reply=reply, verdict=verdict, actor=actor)
    return reply


def reply_submit(*, reply: Reply, actor, expected_revision: int | None = None) -> Reply:
    """Send a guard-clean draft to the manager."""
    transition = _check_allowed(reply, Action.SUBMIT, actor)
    verdict = _guard_or_refuse(reply, action=Action.SUBMIT, actor=actor)
    return _move(
        reply, transition, actor=actor, verdict=verdict, action="reply_submitted",
        expected_revision=expected_revision, rejection_comment="",
    )


def reply_approve(*, reply: Reply, actor, expected_revision: int | None) -> Reply:
    """Approve exactly the text the manager read: `expected_revision` is the revision their page showed,
    and a reply changed since then is refused (StaleReply), as is an approval that names no revision."""
    if expected_revision is None:
        raise WorkflowError(
            "Nothing was approved: the request did not say which version of the reply you read. "
            "Reload the page and approve the text you see."
        )
    transition = _check_allowed(reply, Action.APPROVE, actor)
    verdict = _guard_or_refuse(reply, action=Action.APPROVE, actor=actor)
    return _move(
        reply, transition, actor=actor, verdict=verdict, action="reply_approved",
        expected_revision=expected_revision, approved_version=reply.current_version, approved_by=actor,
        approved_at=timezone.now(), rejection_comment="",
    )


def reply_reject(*, reply: Reply, actor, comment: str, expected_revision: int | None = None) -> Reply:
    """Send the reply back to drafting with the manager's comment (required)."""
    transition = _check_allowed(reply, Action.REJECT, actor)
    comment = (comment or "").strip()
    if not comment:
        raise WorkflowError("Say what should change: a rejection needs a comment.")
    from responses.history.models import ReplyRejection

    version = reply.current_version
    with transaction.atomic():
        reply = _move(
            reply, transition, actor=actor, verdict=None, action="reply_rejected",
            expected_revision=expected_revision, rejection_comment=comment[:2000], approved_version=None,
            approved_by=None, approved_at=None,
        )
        ReplyRejection.objects.create(reply=reply, version=version, comment=comment[:2000], rejected_by=actor)
    return reply


def _approved_text_or_refuse(reply: Reply) -> str:
    if reply.approved_version_id is None or reply.approved_version_id != reply.current_version_id:
        raise TransitionNotAllowed("Only the exact approved text can be posted; this reply needs approval again.")
    return reply.approved_version.text


def reply_mark_posted(
    *, reply: Reply, actor, posted_at: datetime | None = None, expected_revision: int | None = None
) -> Reply:
    """Record that the manager pasted the approved text on the platform (the manual publisher)."""
    transition = _check_allowed(reply, Action.POST, actor)
    _approved_text_or_refuse(reply)
    now = timezone.now()
    posted_at = posted_at or now
    if posted_at > now + timedelta(minutes=5):
        raise WorkflowError("The posting time cannot be in the future.")
    if posted_at < reply.review.posted_at:
        raise WorkflowError("The posting time cannot be before the review itself was posted.")
    # Only the approved text may be posted, so it cannot have gone out before the approval. The form is read to the
    # minute: the minute of the approval itself is allowed.
    if reply.approved_at and posted_at < reply.approved_at.replace(second=0, microsecond=0):
        raise WorkflowError("The posting time cannot be before the reply was approved.")
    verdict = _guard_or_refuse(reply, action=Action.POST, actor=actor)
    return _move(
        reply, transition, actor=actor, verdict=verdict, action="reply_posted",
        expected_revision=expected_revision, posted_by=actor, posted_at=posted_at, posted_via="manual",
    )


def reply_publish_precheck(*, reply: Reply, actor, expected_revision: int | None = None) -> None:
    """Everything reply_publish checks before it sends, without sending: the start of the pull-back window
    (responses.compliance.pullback), so a refusal is heard at once and not minutes later."""
    from responses.publishers import publisher_for

    _check_allowed(reply, Action.POST, actor)
    _approved_text_or_refuse(reply)
    if publisher_for(reply.review) is None:
        raise TransitionNotAllowed("No platform publisher is configured for this review; mark it as posted instead.")
    if expected_revision is not None and reply.revision != expected_revision:
        raise StaleReply()
    _guard_or_refuse(reply, action=Action.POST, actor=actor)


def reply_publish(*, reply: Reply, actor, expected_revision: int | None = None) -> Reply:
    """Post the approved text through the location's platform publisher (e.g. Google Business Profile)."""
    from responses.publishers import PublishError, publisher_for

    transition = _check_allowed(reply, Action.POST, actor)
    text = _approved_text_or_refuse(reply)
    publisher = publisher_for(reply.review)
    if publisher is None:
        raise TransitionNotAllowed("No platform publisher is configured for this review; mark it as posted instead.")
    verdict = _guard_or_refuse(reply, action=Action.POST, actor=actor)
    try:
        published = publisher.publish(review=reply.review, text=text)
    except PublishError as exc:
        audit_record(
            action="reply_post_failed", actor=actor, reply=reply, from_state=reply.state, to_state=reply.state,
            posted_via=publisher.name,
        )
        raise WorkflowError(str(exc)) from None
    with transaction.atomic():
        reply = _move(
            reply, transition, actor=actor, verdict=verdict, action="reply_posted",
            expected_revision=expected_revision, posted_by=actor, posted_at=timezone.now(),
            posted_via=publisher.name, external_reply_id=published.external_id,
        )
        # What the platform's moderation said in its answer, at once rather than at the next import.
        if published.platform_status:
            reply_platform_status_record(reply=reply, status=published.platform_status,
                                         reason=published.platform_reason)
    return reply


def reply_reopen_for_replacement(*, reply: Reply, actor, text: str) -> Reply:
    """Send a posted reply whose text is down again (an incident's takedown) back to drafting with `text` as a new
    version: the replacement goes through the guard, submit, approval and post like any reply. The earlier
    publication stays in the compliance record (ReplyPosting)."""
    transition = _check_allowed(reply, Action.REPLACE, actor)
    text = _clean_text(text)
    verdict = verdict_for_reply_text(review=reply.review, text=text)
    from_state = reply.state
    with transaction.atomic():
        _lock(reply, expected_revision=reply.revision, from_state=from_state)
        version = _new_version(reply, text=text, actor=actor, source=ReplyVersion.Source.EDIT, verdict=verdict)
        reply = _swap(
            reply, expected_revision=reply.revision, from_state=from_state, state=transition.to_state,
            current_version=version, approved_version=None, approved_by=None, approved_at=None, posted_by=None,
            posted_at=None, posted_via="", external_reply_id="", rejection_comment="",
            platform_status=PlatformReplyStatus.UNKNOWN, platform_status_reason="", platform_status_at=None,
            superseded_at=None, superseded_version=None,
        )
        audit_record(
            action="reply_replacement_started", actor=actor, reply=reply, from_state=from_state,
            to_state=reply.state, verdict=verdict, version=version.number,
        )
    return reply


def reply_replace_after_platform_rejection(*, reply: Reply, actor) -> Reply:
    """A posted reply the platform's moderation rejected never became public: a manager starts its replacement
    from the rejected text, which then goes through the guard, approval and posting like any reply."""
    if reply.state != ReplyState.POSTED or reply.platform_status != PlatformReplyStatus.REJECTED:
        raise TransitionNotAllowed("Only a posted reply the platform rejected can be rewritten this way.")
    return reply_reopen_for_replacement(reply=reply, actor=actor, text=reply.text)


CLOSE_REASONS = {
    "spam": "Spam or fake review",
    "duplicate": "Duplicate of another review",
    "no_reply_needed": "No reply needed",
    "handled_privately": "Handled privately",
}


# A 1-2 star review left without a public reply for these reasons is a judgement call: a manager makes it.
MANAGER_CLOSE_REASONS = frozenset({"no_reply_needed", "handled_privately"})


def review_close_needs_manager(review: Review, reason: str) -> bool:
    return reason in MANAGER_CLOSE_REASONS and review.rating is not None and review.rating <= 2


@transaction.atomic
def review_close(*, review: Review, actor, reason: str) -> Review:
    """Close a review without a reply (spam, duplicate, ...). A posted reply cannot be closed away; a 1-2 star
    review closed as "no reply needed" or "handled privately" needs a manager."""
    require_permission(actor, "close_review")
    if reason not in CLOSE_REASONS:
        raise WorkflowError(f"Choose a reason: {', '.join(CLOSE_REASONS.values())}.")
    if review_close_needs_manager(review, reason) and not actor.has_perm("responses.approve_reply"):
        raise TransitionNotAllowed(
            "A 1-2 star review left without a public reply needs a manager's decision: ask a manager to close it."
        )
    if review.is_closed:
        raise TransitionNotAllowed("This review is already closed.")
    reply = Reply.objects.filter(review=review).first()
    if reply is not None and reply.state == S.POSTED:
        raise TransitionNotAllowed("This review already has a posted reply.")
    Review.objects.filter(pk=review.pk).update(closed_at=timezone.now(), closed_reason=reason, closed_by=actor)
    review.refresh_from_db()
    audit_record(action="review_closed", actor=actor, review=review, close_reason=reason)
    return review


@transaction.atomic
def review_reopen(*, review: Review, actor) -> Review:
    require_permission(actor, "close_review")
    if not review.is_closed:
        raise TransitionNotAllowed("This review is not closed.")
    Review.objects.filter(pk=review.pk).update(closed_at=None, closed_reason="", closed_by=None)
    review.refresh_from_db()
    audit_record(action="review_reopened", actor=actor, review=review)
    return review
