"""alice pastes far too much into Add review: the page says why and her text is still in the box."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from responses.models import Review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIMIT = 64 * 1024


def test_an_oversized_paste_comes_back_in_the_box_with_the_reason(page, log_in, settings, alice, location):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = LIMIT
    too_long = "Waited 45 minutes past my appointment and nobody at the desk said sorry. " * 1200
    log_in("alice")
    page.goto("/reviews/new")
    page.get_by_label("Reviewer's display name").fill("Kelsey P.")
    page.get_by_label("Rating").select_option("2")
    page.get_by_label("Review text").fill(too_long)

    page.get_by_role("button", name="Add review").click()

    expect(page.get_by_role("alert").first).to_contain_text("Nothing was saved")
    expect(page.locator("[data-typed-kept]")).to_be_visible()
    assert page.get_by_label("Review text").input_value() == too_long
    assert page.get_by_label("Reviewer's display name").input_value() == "Kelsey P."
    assert page.get_by_label("Rating").input_value() == "2"
    assert not Review.objects.exists()

    # shortened, it goes in; the browser's copy is gone afterwards
    page.get_by_label("Review text").fill(too_long[:300])
    page.get_by_role("button", name="Add review").click()
    expect(page.get_by_role("heading", name="Review from Kelsey P.")).to_be_visible()
    assert Review.objects.count() == 1
    page.wait_for_load_state("load")  # desk.js is deferred: it has run by now
    assert page.evaluate("() => Object.keys(sessionStorage).filter(k => k.startsWith('reviewdesk.typed.'))") == []
