from django.urls import path

from responses.views import approvals, blocks, dashboard, inbox, intake, logins, review, vocabulary

urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path("reviews/new", intake.review_new, name="review_new"),
    path("reviews/import", intake.review_import, name="review_import"),
    path("imports/<int:pk>", intake.import_run_detail, name="import_run_detail"),
    path("reviews/<int:pk>", review.review_detail, name="review_detail"),
    path("reviews/<int:pk>/note", review.review_note, name="review_note"),
    path("reviews/<int:pk>/close", review.review_close, name="review_close"),
    path("reviews/<int:pk>/reopen", review.review_reopen, name="review_reopen"),
    path("reviews/<int:pk>/reply/start", review.reply_start, name="reply_start"),
    path("reviews/<int:pk>/reply/check", review.reply_check, name="reply_check"),
    path("reviews/<int:pk>/reply/save", review.reply_save, name="reply_save"),
    path("reviews/<int:pk>/reply/rewrite", review.reply_rewrite, name="reply_rewrite"),
    path("reviews/<int:pk>/reply/submit", review.reply_submit, name="reply_submit"),
    path("reviews/<int:pk>/reply/approve", approvals.reply_approve, name="reply_approve"),
    path("reviews/<int:pk>/reply/reject", approvals.reply_reject, name="reply_reject"),
    path("reviews/<int:pk>/reply/mark-posted", approvals.reply_mark_posted, name="reply_mark_posted"),
    path("reviews/<int:pk>/reply/publish", approvals.reply_publish, name="reply_publish"),
    path("approvals", approvals.approval_queue, name="approval_queue"),
    path("dashboard", dashboard.dashboard, name="dashboard"),
    path("templates", blocks.template_block_list, name="template_block_list"),
    path("templates/new", blocks.template_block_edit, name="template_block_new"),
    path("templates/<int:pk>", blocks.template_block_edit, name="template_block_edit"),
    path("guard-vocabulary", vocabulary.guard_vocabulary, name="guard_vocabulary"),
    path("guard-vocabulary/add", vocabulary.guard_term_add, name="guard_term_add"),
    path("guard-vocabulary/strict", vocabulary.guard_strict_mode, name="guard_strict_mode"),
    path("guard-vocabulary/<int:pk>/remove", vocabulary.guard_term_remove, name="guard_term_remove"),
    path("team/log-ins", logins.login_lockouts, name="login_lockouts"),
    path("team/log-ins/<int:user_id>/unlock", logins.login_unlock_member, name="login_unlock"),
]
