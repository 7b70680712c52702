"""Patient text (reviews, replies, findings) never reaches the logs, whatever path a review takes."""
import logging

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from responses import workflow
from responses.escalation.services import review_deescalate
from responses.intake import review_paste, reviews_import
from responses.models import AuditEvent, Review

pytestmark = pytest.mark.django_db

REVIEW = "Zephyrine here: my Sculptra left a lump near my left temple and the nurse Quillon ignored it."
UNSAFE = "Zephyrine, we're sorry the Sculptra lump by your temple worries you; Quillon will redo it for free."
FILE = (
    "platform,external_id,author_name,rating,text,posted_at\n"
    "yelp,y-1,Marcelline Oduya,1,Botox gave me a droopy eyelid for weeks,2026-01-04T10:00:00Z\n"
    "yelp,y-2,Marcelline Oduya,11,Another broken row about my Kybella,2026-01-04T10:00:00Z\n"
)


def test_a_whole_review_journey_logs_no_patient_text(location, alice, bob, caplog):
    caplog.set_level(logging.DEBUG)
    review = review_paste(
        location=location, actor=alice, platform="google", author_name="Zephyrine Vasquez-Holt",
        rating=1, posted_at=timezone.now(), text=REVIEW,
    )
    reviews_import(location=location, actor=alice, filename="export.csv", data=FILE.encode())
    assert review.escalation.reason == "complication"  # 1 star with a complication: counsel first
    review_deescalate(review=review, actor=bob, reason="counsel_consulted")
    reply = workflow.reply_start(review=review, actor=alice, text=UNSAFE)
    with pytest.raises(workflow.GuardBlocked):
        workflow.reply_submit(reply=reply, actor=alice)
    reply = workflow.reply_apply_safe_rewrite(reply=reply, actor=alice, expected_revision=reply.revision)
    reply = workflow.reply_submit(reply=reply, actor=alice)
    reply = workflow.reply_approve(reply=reply, actor=bob, expected_revision=reply.revision)
    workflow.reply_mark_posted(reply=reply, actor=bob)

    assert caplog.records, "the journey is logged (ids and counts)"
    logged = caplog.text.lower()
    audited = str(list(AuditEvent.objects.values_list("details", flat=True))).lower()
    for secret in ("zephyrine", "vasquez", "sculptra", "temple", "quillon", "lump", "marcelline", "eyelid",
                   "kybella", "redo it"):
        assert secret not in logged, secret
        assert secret not in audited, secret


def test_a_statement_the_database_refuses_reaches_its_log_without_patient_text(location, alice, postgres_server_log):
    canary = "Quillonette canary: my Sculptra lump"
    review = review_paste(location=location, actor=alice, platform="google", author_name="Zephyrine",
                          rating=1, posted_at=timezone.now(), text=canary)
    review_paste(location=location, actor=alice, platform="google", author_name="Zephyrine",
                 rating=1, posted_at=review.posted_at, text=canary)  # the same review pasted twice
    with pytest.raises(IntegrityError), transaction.atomic():
        # A statement PostgreSQL refuses and logs: a second row for the same review.
        Review.objects.create(location=location, platform="google", external_id=review.external_id,
                              text=canary, text_sha256="x", posted_at=review.posted_at)

    logged = postgres_server_log.since_start(waiting_for="unique_review_external_id_per_source")
    assert "unique_review_external_id_per_source" in logged, "the refused statement is in the server log"
    assert "quillonette" not in logged.lower() and "sculptra" not in logged.lower()
    assert logged.count("unique_review_external_id_per_source") == 1, "pasting twice is no constraint violation"
