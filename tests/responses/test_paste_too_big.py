"""A paste over the request size limit: alice gets the Add review form back, told why, and nothing half-saved.

The server never read the text, so it cannot echo it; the page asks the browser (static/js/desk.js) to put it back.
"""
from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from responses.models import AuditEvent, Review

pytestmark = pytest.mark.django_db

LIMIT = 64 * 1024


def _paste(client, location, text):
    return client.post(reverse("review_new"), {
        "location": location.pk, "platform": "google", "author_name": "Kelsey P.", "rating": "2",
        "posted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "text": text,
    })


def test_a_paste_over_the_limit_gets_the_form_back_with_the_reason(client, settings, alice, location):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = LIMIT
    client.force_login(alice)
    secret = "My botox appointment with Dr. Lindqvist " * 3000

    response = _paste(client, location, secret)

    body = response.content.decode()
    assert response.status_code == 413
    assert "Nothing was saved" in body and "0.1 MB" in body and "did not read" in body
    assert 'name="text"' in body and "data-restore-typed" in body, "the form asks the browser to put the text back"
    assert "data-typed-kept" in body and "this browser kept it" in body
    assert "botox" not in body, "the server read none of it, so it echoes none of it"
    assert not Review.objects.exists() and not AuditEvent.objects.filter(action="review_pasted").exists()


def test_a_paste_under_the_limit_is_added_and_the_browser_copy_is_not_restored(client, settings, alice, location):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = LIMIT
    client.force_login(alice)

    response = _paste(client, location, "The wait was long and nobody told me why.")

    assert response.status_code == 302 and Review.objects.count() == 1
    form_page = client.get(reverse("review_new")).content.decode()
    assert "data-keep-typed" in form_page and "data-restore-typed" not in form_page


def test_it_still_refuses_an_oversized_paste_to_someone_who_may_not_add_reviews(client, settings, charlie, location):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = LIMIT
    client.logout()

    response = _paste(client, location, "x" * (LIMIT + 10))

    assert response.status_code in (302, 403) and not Review.objects.exists()


def test_other_oversized_posts_are_still_a_plain_bad_request(client, settings, bob, review):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = LIMIT
    client.force_login(bob)

    response = client.post(reverse("review_note", args=[review.pk]), {"internal_note": "x" * (LIMIT + 10)})

    assert response.status_code == 400


def test_the_page_keeps_and_restores_typed_text_with_a_static_script_not_an_inline_one(client, alice):
    from django.contrib.staticfiles import finders

    client.force_login(alice)
    page = client.get(reverse("review_new")).content.decode()
    script = open(finders.find("js/desk.js"), encoding="utf-8").read()

    assert "<script>" not in page and "js/desk.js" in page
    assert "data-keep-typed" in script and "sessionStorage" in script and "data-restore-typed" in script
