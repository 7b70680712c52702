"""The digest: one e-mail per practice to its managers, counts and links only."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from responses.intake import reviews_import
from responses.models import AuditEvent
from responses.sources.digest import practice_digest_send
from responses.tasks import review_digests_send

pytestmark = pytest.mark.django_db

CSV = (
    "external_id,author_name,rating,text,posted_at\n"
    "g-1,Kelsey Parkinson,2,The wait was long and nobody told me why.,2024-05-01\n"
    "g-2,Ana Ruiz,1,I am calling my lawyer about the burn on my cheek.,2024-05-03\n"
)


@pytest.fixture
def imported(location):
    reviews_import(location=location, actor=None, filename="r.csv", data=CSV.encode(), default_platform="google")


def test_managers_get_counts_and_links_but_no_review_text(bob, alice, imported, practice, settings):
    settings.SITE_URL = "https://reviews.example"
    bob.email, alice.email = "bob@willowpine.example", "alice@willowpine.example"
    bob.save()
    alice.save()

    assert practice_digest_send(practice=practice) == 1

    (message,) = mail.outbox
    assert message.to == ["bob@willowpine.example"]  # managers only
    assert message.subject == "ReviewDesk: 2 new, 1 escalated, 2 overdue"
    assert "https://reviews.example/?status=escalated" in message.body
    for private in ("Kelsey", "Parkinson", "Ana", "lawyer", "burn", "cheek", "wait was long"):
        assert private not in message.body and private not in message.subject
    assert AuditEvent.objects.get(action="digest_sent").details == {
        "recipients": 1, "created": 2, "escalated": 1, "rejected_on_platform": 0,
    }


def test_the_next_digest_counts_only_what_came_after_the_last_one(bob, imported, practice):
    bob.email = "bob@willowpine.example"
    bob.save()
    practice_digest_send(practice=practice)

    practice_digest_send(practice=practice, now=timezone.now() + timedelta(minutes=1))

    assert mail.outbox[1].subject == "ReviewDesk: 0 new, 0 escalated, 2 overdue"


def test_no_mail_when_no_manager_has_an_address(bob, imported, practice):
    assert practice_digest_send(practice=practice) == 0
    assert mail.outbox == []


def test_the_nightly_task_sends_one_digest_per_practice(bob, charlie, imported):
    bob.email, charlie.email = "bob@willowpine.example", "charlie@elsewhere.example"
    bob.save()
    charlie.save()

    assert review_digests_send() == 1  # charlie's practice had nothing to report
    assert [m.to for m in mail.outbox] == [["bob@willowpine.example"]]


def test_the_beat_schedule_has_the_nightly_import_and_the_digest_after_it(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["import-new-reviews-nightly"]["task"] == "responses.tasks.import_reviews_from_all_sources"
    assert schedule["send-review-digests-after-nightly-import"]["task"] == "responses.tasks.review_digests_send"
