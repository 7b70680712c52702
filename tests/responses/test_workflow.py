"""The reply workflow: who may move a reply where, and the PHI guard standing at every door."""
from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError

from responses import workflow
from responses.models import AuditEvent, Reply, ReplyState
from responses.workflow import GuardBlocked, StaleReply, TransitionNotAllowed, WorkflowError

SAFE = (
    "Thank you for sharing your feedback, Kelsey. We're sorry to hear this and would like to learn more. "
    "Please call us at (303) 555-0186 so we can talk privately."
)
UNSAFE = "Kelsey, we're sorry your Botox appointment last Tuesday left you with bruising on your forehead."

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(review, alice):
    return workflow.reply_start(review=review, actor=alice, text=SAFE)


def submitted(reply, actor):
    return workflow.reply_submit(reply=reply, actor=actor)


def approved(reply, alice, bob):
    reply = submitted(reply, alice)
    return workflow.reply_approve(reply=reply, actor=bob, expected_revision=reply.revision)


# --- the transition table, role by role -------------------------------------------------------

ACTIONS = {
    "submit": lambda reply, user: workflow.reply_submit(reply=reply, actor=user),
    "approve": lambda reply, user: workflow.reply_approve(reply=reply, actor=user, expected_revision=reply.revision),
    "reject": lambda reply, user: workflow.reply_reject(reply=reply, actor=user, comment="Softer, please."),
    "post": lambda reply, user: workflow.reply_mark_posted(reply=reply, actor=user),
}


def reply_in_state(state, *, draft, alice, bob):
    if state == ReplyState.DRAFTING:
        return draft
    reply = submitted(draft, alice)
    if state == ReplyState.AWAITING_APPROVAL:
        return reply
    reply = workflow.reply_approve(reply=reply, actor=bob, expected_revision=reply.revision)
    if state == ReplyState.APPROVED:
        return reply
    return workflow.reply_mark_posted(reply=reply, actor=bob)


# (state, action, role) -> resulting state, or the refusal raised
TABLE = [
    ("drafting", "submit", "alice", "awaiting_approval"),
    ("drafting", "submit", "bob", "awaiting_approval"),
    ("drafting", "approve", "bob", TransitionNotAllowed),
    ("drafting", "reject", "bob", TransitionNotAllowed),
    ("drafting", "post", "bob", TransitionNotAllowed),
    ("awaiting_approval", "approve", "alice", PermissionDenied),
    ("awaiting_approval", "approve", "bob", "approved"),
    ("awaiting_approval", "reject", "alice", PermissionDenied),
    ("awaiting_approval", "reject", "bob", "drafting"),
    ("awaiting_approval", "submit", "alice", TransitionNotAllowed),
    ("awaiting_approval", "post", "bob", TransitionNotAllowed),
    ("approved", "post", "alice", PermissionDenied),
    ("approved", "post", "bob", "posted"),
    ("approved", "reject", "bob", "drafting"),
    ("approved", "approve", "bob", TransitionNotAllowed),
    ("posted", "submit", "alice", TransitionNotAllowed),
    ("posted", "approve", "bob", TransitionNotAllowed),
    ("posted", "reject", "bob", TransitionNotAllowed),
    ("posted", "post", "bob", TransitionNotAllowed),
]


@pytest.mark.parametrize("state, action, who, outcome", TABLE)
def test_the_transition_table(state, action, who, outcome, draft, alice, bob):
    reply = reply_in_state(state, draft=draft, alice=alice, bob=bob)
    user = {"alice": alice, "bob": bob}[who]
    if isinstance(outcome, str):
        assert ACTIONS[action](reply, user).state == outcome
    else:
        with pytest.raises(outcome):
            ACTIONS[action](reply, user)
        reply.refresh_from_db()
        assert reply.state == state


def test_someone_from_another_practice_has_no_role_here(draft, charlie):
    # charlie is a manager, but of another practice: the views scope by practice (404);
    # the services still refuse a posting of a reply that was never approved.
    with pytest.raises(TransitionNotAllowed):
        workflow.reply_mark_posted(reply=draft, actor=charlie)


def test_allowed_actions_match_the_role(draft, alice, bob):
    assert workflow.allowed_actions(reply=draft, user=alice) == {"edit", "submit"}
    reply = submitted(draft, alice)
    assert workflow.allowed_actions(reply=reply, user=alice) == {"edit"}
    assert workflow.allowed_actions(reply=reply, user=bob) == {"edit", "approve", "reject"}


# --- the guard at every door ------------------------------------------------------------------


def test_it_refuses_to_submit_a_blocked_reply(review, alice):
    reply = workflow.reply_start(review=review, actor=alice, text=UNSAFE)
    assert reply.current_version.blocked is True
    with pytest.raises(GuardBlocked) as excinfo:
        workflow.reply_submit(reply=reply, actor=alice)
    assert excinfo.value.verdict.findings
    reply.refresh_from_db()
    assert reply.state == ReplyState.DRAFTING


def test_approval_rechecks_the_exact_text_even_if_it_was_clean_at_submit(draft, alice, bob):
    reply = submitted(draft, alice)
    # The text is changed behind the workflow's back (as a careless script or a raw SQL fix might).
    reply.current_version.text = UNSAFE
    reply.current_version.save()
    with pytest.raises(GuardBlocked):
        workflow.reply_approve(reply=reply, actor=bob, expected_revision=reply.revision)
    reply.refresh_from_db()
    assert reply.state == ReplyState.AWAITING_APPROVAL
    assert AuditEvent.objects.filter(action="approve_refused", reply=reply, verdict_blocked=True).exists()


def test_posting_rechecks_the_exact_text(draft, alice, bob):
    reply = approved(draft, alice, bob)
    reply.current_version.text = UNSAFE
    reply.current_version.save()
    with pytest.raises(GuardBlocked):
        workflow.reply_mark_posted(reply=reply, actor=bob)
    reply.refresh_from_db()
    assert reply.state == ReplyState.APPROVED and reply.posted_at is None


def test_the_guard_failing_to_run_blocks_everything(draft, alice, settings):
    from phi_guard.verdict import Verdict

    def broken(*, review, text):
        return Verdict(blocked=True, findings=(), error="the guard could not load", text_sha256="")

    import responses.workflow as module

    original = module.verdict_for_reply_text
    module.verdict_for_reply_text = broken
    try:
        with pytest.raises(GuardBlocked, match="could not check"):
            workflow.reply_submit(reply=draft, actor=alice)
    finally:
        module.verdict_for_reply_text = original
    draft.refresh_from_db()
    assert draft.state == ReplyState.DRAFTING


def test_every_version_stores_the_verdict_for_exactly_its_text(draft, alice):
    reply = workflow.reply_save_text(reply=draft, actor=alice, text=UNSAFE, expected_revision=draft.revision)
    versions = list(reply.versions.all())
    assert [v.blocked for v in versions] == [False, True]
    assert all(v.verdict_matches_text for v in versions)


# --- edits, approvals, concurrency -----------------------------------------------------------


def test_editing_an_approved_reply_sends_it_back_for_approval(draft, alice, bob):
    reply = approved(draft, alice, bob)
    reply = workflow.reply_save_text(
        reply=reply, actor=alice, text=SAFE + " Thank you again.", expected_revision=reply.revision
    )
    assert reply.state == ReplyState.AWAITING_APPROVAL
    assert reply.approved_version is None and reply.approved_by is None


def test_an_approved_reply_edited_into_a_blocked_text_drops_back_to_drafting(draft, alice, bob):
    reply = approved(draft, alice, bob)
    reply = workflow.reply_save_text(reply=reply, actor=alice, text=UNSAFE, expected_revision=reply.revision)
    assert reply.state == ReplyState.DRAFTING


def test_the_second_of_two_concurrent_saves_is_refused_and_nothing_is_overwritten(draft, alice, bob):
    seen_by_alice = Reply.objects.get(pk=draft.pk)
    seen_by_bob = Reply.objects.get(pk=draft.pk)
    workflow.reply_save_text(reply=seen_by_alice, actor=alice, text=SAFE + " (alice)", expected_revision=0)
    with pytest.raises(StaleReply, match="Someone else changed this reply"):
        workflow.reply_save_text(
            reply=seen_by_bob, actor=bob, text=SAFE + " (bob)", expected_revision=seen_by_bob.revision
        )
    draft.refresh_from_db()
    assert draft.text.endswith("(alice)")
    assert draft.versions.count() == 2


def test_a_stale_approval_is_refused(draft, alice, bob):
    reply = submitted(draft, alice)
    stale_revision = reply.revision
    workflow.reply_save_text(reply=reply, actor=alice, text=SAFE + " Edited.", expected_revision=reply.revision)
    reply.refresh_from_db()
    with pytest.raises(StaleReply):
        workflow.reply_approve(reply=reply, actor=bob, expected_revision=stale_revision)


def test_an_approval_that_names_no_revision_is_refused(draft, alice, bob):
    reply = submitted(draft, alice)
    with pytest.raises(WorkflowError, match="did not say which version of the reply you read"):
        workflow.reply_approve(reply=reply, actor=bob, expected_revision=None)
    reply.refresh_from_db()
    assert reply.state == ReplyState.AWAITING_APPROVAL and reply.approved_version_id is None


def test_bob_cannot_approve_a_text_he_never_saw(draft, alice, bob):
    reply = submitted(draft, alice)
    read_by_bob = reply.revision
    workflow.reply_save_text(reply=reply, actor=alice, text=SAFE + " Added later.", expected_revision=read_by_bob)
    with pytest.raises(StaleReply):
        workflow.reply_approve(reply=Reply.objects.get(pk=reply.pk), actor=bob, expected_revision=read_by_bob)
    assert Reply.objects.get(pk=reply.pk).state == ReplyState.AWAITING_APPROVAL


def test_a_rejection_needs_a_comment_and_keeps_it_for_the_author(draft, alice, bob):
    reply = submitted(draft, alice)
    with pytest.raises(WorkflowError, match="needs a comment"):
        workflow.reply_reject(reply=reply, actor=bob, comment="  ")
    reply = workflow.reply_reject(reply=reply, actor=bob, comment="Please drop the second sentence.")
    assert reply.state == ReplyState.DRAFTING
    assert reply.rejection_comment == "Please drop the second sentence."
    reply = workflow.reply_submit(reply=reply, actor=alice)
    assert reply.rejection_comment == ""


def test_only_the_approved_version_can_be_posted(draft, alice, bob):
    reply = approved(draft, alice, bob)
    reply = workflow.reply_mark_posted(reply=reply, actor=bob)
    assert reply.state == ReplyState.POSTED
    assert reply.posted_via == "manual" and reply.posted_by == bob
    assert reply.approved_version_id == reply.current_version_id


def test_a_posting_time_in_the_future_is_refused(draft, alice, bob):
    from datetime import timedelta

    from django.utils import timezone

    reply = approved(draft, alice, bob)
    with pytest.raises(WorkflowError, match="future"):
        workflow.reply_mark_posted(reply=reply, actor=bob, posted_at=timezone.now() + timedelta(days=1))


def test_a_posting_time_before_the_review_was_posted_is_refused(draft, review, alice, bob):
    from datetime import timedelta

    reply = approved(draft, alice, bob)
    with pytest.raises(WorkflowError, match="before the review itself was posted"):
        workflow.reply_mark_posted(reply=reply, actor=bob, posted_at=review.posted_at - timedelta(hours=1))
    reply.refresh_from_db()
    assert reply.state == ReplyState.APPROVED
    assert workflow.reply_mark_posted(reply=reply, actor=bob, posted_at=reply.approved_at).state == ReplyState.POSTED


def test_a_posting_time_before_the_approval_is_refused_but_its_minute_is_not(draft, alice, bob):
    from datetime import timedelta

    reply = approved(draft, alice, bob)
    approved_minute = reply.approved_at.replace(second=0, microsecond=0)
    with pytest.raises(WorkflowError, match="before the reply was approved"):
        workflow.reply_mark_posted(reply=reply, actor=bob, posted_at=approved_minute - timedelta(seconds=1))
    reply.refresh_from_db()
    assert reply.state == ReplyState.APPROVED
    posted = workflow.reply_mark_posted(reply=reply, actor=bob, posted_at=approved_minute)  # what the form reads
    assert (posted.state, posted.posted_at) == (ReplyState.POSTED, approved_minute)


def test_a_review_has_at_most_one_reply(draft, review, alice):
    with pytest.raises(TransitionNotAllowed):
        workflow.reply_start(review=review, actor=alice, text=SAFE)
    with pytest.raises(IntegrityError):
        Reply.objects.create(review=review)


def test_an_empty_or_huge_reply_is_refused(review, alice):
    with pytest.raises(WorkflowError, match="cannot be empty"):
        workflow.reply_start(review=review, actor=alice, text="   ")
    with pytest.raises(WorkflowError, match="at most"):
        workflow.reply_start(review=review, actor=alice, text="Thank you. " * 500)


# --- closing -----------------------------------------------------------------------------------


def test_a_closed_review_takes_no_more_work_until_reopened(draft, review, alice):
    workflow.review_close(review=review, actor=alice, reason="spam")
    draft.refresh_from_db()
    with pytest.raises(TransitionNotAllowed, match="closed"):
        workflow.reply_submit(reply=draft, actor=alice)
    workflow.review_reopen(review=review, actor=alice)
    draft.refresh_from_db()
    assert workflow.reply_submit(reply=draft, actor=alice).state == ReplyState.AWAITING_APPROVAL


def test_closing_needs_a_known_reason(review, alice):
    with pytest.raises(WorkflowError, match="Choose a reason"):
        workflow.review_close(review=review, actor=alice, reason="because")


# --- audit ---------------------------------------------------------------------------------------


def test_every_transition_is_audited_without_patient_text(review, alice, bob):
    reply = workflow.reply_start(review=review, actor=alice, text=UNSAFE)
    with pytest.raises(GuardBlocked):
        workflow.reply_submit(reply=reply, actor=alice)
    reply = workflow.reply_save_text(reply=reply, actor=alice, text=SAFE, expected_revision=reply.revision)
    reply = workflow.reply_submit(reply=reply, actor=alice)
    reply = workflow.reply_approve(reply=reply, actor=bob, expected_revision=reply.revision)
    workflow.reply_mark_posted(reply=reply, actor=bob)

    events = list(AuditEvent.objects.filter(reply=reply).order_by("at", "id"))
    assert [e.action for e in events] == [
        "reply_started", "submit_refused", "reply_edited", "reply_submitted", "reply_approved", "reply_posted",
    ]
    assert [(e.from_state, e.to_state) for e in events[3:]] == [
        ("drafting", "awaiting_approval"), ("awaiting_approval", "approved"), ("approved", "posted"),
    ]
    assert events[1].verdict_blocked is True and events[1].details["finding_count"] >= 1
    assert all(e.actor in (alice, bob) for e in events)
    payload = json.dumps([e.details for e in events]).lower()
    for fragment in ("botox", "bruising", "forehead", "tuesday", "kelsey", "555-0186", review.text.lower()[:20]):
        assert fragment not in payload


def test_audit_details_refuse_unknown_keys(review):
    from responses.audit import audit_record

    with pytest.raises(ValueError):
        audit_record(action="oops", review=review, text="patient words")


# --- the admin cannot side-step the guard ---------------------------------------------------------


def test_the_admin_has_no_bulk_approval_that_skips_reading_the_text(client, review, alice, bob):
    reply = workflow.reply_start(review=review, actor=alice, text=SAFE)
    reply = workflow.reply_submit(reply=reply, actor=alice)
    bob.is_staff = True
    bob.is_superuser = True
    bob.save()
    client.force_login(bob)
    response = client.post(
        "/admin/responses/reply/",
        {"action": "approve_selected", "_selected_action": [reply.pk]},
        follow=True,
    )
    assert response.status_code == 200
    reply.refresh_from_db()
    assert reply.state == ReplyState.AWAITING_APPROVAL


def test_the_admin_cannot_edit_a_reply_state_directly(client, draft, bob):
    bob.is_staff = True
    bob.is_superuser = True
    bob.save()
    client.force_login(bob)
    client.post(f"/admin/responses/reply/{draft.pk}/change/", {"state": "posted"})
    draft.refresh_from_db()
    assert draft.state == ReplyState.DRAFTING


def test_drafting_from_templates_gives_a_guard_clean_first_version(make_review, alice):
    review = make_review("Waited 45 minutes past my time and nobody explained why.", rating=1)
    reply = workflow.reply_start(review=review, actor=alice)
    assert reply.current_version.source == "template"
    assert reply.current_version.blocked is False
    assert "(303) 555-0186" in reply.text or "frontdesk@willowpine.example" in reply.text


def test_it_will_not_draft_a_reply_to_likely_spam(make_review, alice):
    review = make_review("🔥 80% OFF ALL INJECTABLES at cheap-deals.example 🔥 click now!!!", rating=1)
    with pytest.raises(WorkflowError, match="no reply"):
        workflow.reply_start(review=review, actor=alice)
    assert not Reply.objects.filter(review=review).exists()


def test_editing_a_reply_clears_the_stale_flag_an_edited_review_raised(draft, alice):
    Reply.objects.filter(pk=draft.pk).update(stale=True)
    draft.refresh_from_db()
    reply = workflow.reply_save_text(reply=draft, actor=alice, text=SAFE + " Thanks.", expected_revision=draft.revision)
    assert reply.stale is False


def test_a_membership_added_in_the_admin_brings_the_role_s_permissions(client, practice, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", "root@example.com", "not-a-real-password-1")
    dana = django_user_model.objects.create_user("dana", password="not-a-real-password-2")
    client.force_login(admin_user)
    response = client.post(
        "/admin/responses/membership/add/", {"user": dana.pk, "practice": practice.pk, "role": "manager"}
    )
    assert response.status_code == 302
    dana = django_user_model.objects.get(pk=dana.pk)
    assert dana.has_perm("responses.approve_reply")
