"""The desk in a real browser: a review's whole journey, the inbox's htmx filters, and the role wall."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from responses import workflow
from responses.drafting import template_blocks_seed
from responses.models import Reply, ReplyState, Review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAFE = (
    "Thank you for sharing your feedback. We're sorry to hear this and would like to learn more. "
    "Please call us at (303) 555-0186 so we can talk privately."
)
def nav(page, name: str):
    # A menu entry may carry a count after its name ("Approvals 1 awaiting approval").
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile(rf"^{re.escape(name)}( \d.*)?$"))


CLINICAL = " We're so sorry the Botox left bruising on your forehead."


def test_a_review_goes_from_paste_to_posted(page, log_in, log_out, screenshot, alice, bob, location):
    # alice pastes a review and starts the reply
    log_in("alice")
    nav(page, "Add review").click()
    page.get_by_label("Reviewer's display name").fill("Kelsey P.")
    page.get_by_label("Rating").select_option("2")
    page.get_by_label("Review text").fill("Waited 45 minutes past my appointment and nobody at the desk said sorry.")
    page.get_by_role("button", name="Add review").click()
    expect(page.get_by_role("heading", name="Review from Kelsey P.")).to_be_visible()
    page.get_by_role("button", name="Start reply").click()
    editor = page.locator("#reply-text")
    expect(editor).to_be_visible()
    expect(page.locator("#guard-status")).to_contain_text("No PHI found")

    # she adds a clinical detail: the guard underlines it and Submit is disabled
    editor.fill(editor.input_value() + CLINICAL)
    expect(page.locator("#guard-panel mark.finding").first).to_be_visible()
    expect(page.locator("#guard-panel mark.finding", has_text="Botox")).to_have_count(1)
    expect(page.locator("#guard-status")).to_contain_text("Blocked")
    expect(page.get_by_role("button", name="Submit for approval")).to_be_disabled()
    expect(page.locator("#guard-announcer")).to_contain_text("blocked")
    screenshot("review-with-findings")

    # the safe rewrite removes it; then she submits
    page.get_by_role("button", name="Apply safe rewrite").click()
    expect(page.locator("#guard-status")).to_contain_text("No PHI found")
    assert "Botox" not in editor.input_value()
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator("#reply-editor .badge", has_text="Awaiting approval")).to_be_visible()
    review = Review.objects.get(author_name="Kelsey P.")
    log_out()

    # bob rejects once with a comment
    log_in("bob")
    nav(page, "Approvals").click()
    item = page.locator(".queue-item").first
    expect(item).to_contain_text("Waited 45 minutes")
    screenshot("approval-queue")
    item.get_by_text("Reject with a comment").click()
    item.get_by_label("What should change?").fill("Please open with a warmer thank-you.")
    item.get_by_role("button", name="Send back to drafting").click()
    expect(page.locator(".queue-item").first).to_contain_text("Sent back to drafting")
    log_out()

    # alice sees the comment and resubmits
    log_in("alice")
    page.goto(reverse("review_detail", args=[review.pk]))
    expect(page.locator(".alert--warn")).to_contain_text("Please open with a warmer thank-you.")
    editor = page.locator("#reply-text")
    editor.fill("Thank you so much for telling us. " + editor.input_value())
    expect(page.locator("#guard-status")).to_contain_text("No PHI found")
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator("#reply-editor .badge", has_text="Awaiting approval")).to_be_visible()
    log_out()

    # bob approves and marks it posted
    log_in("bob")
    nav(page, "Approvals").click()
    item = page.locator(".queue-item").first
    item.get_by_role("button", name="Approve").click()
    expect(page.locator(".queue-item").first.get_by_role("button", name="Copy reply text")).to_be_visible()
    screenshot("approval-queue-approved")
    page.locator(".queue-item").first.get_by_role("button", name="Mark as posted").click()
    expect(page.locator(".queue-item .alert--ok")).to_contain_text("Posted")
    reply = Reply.objects.get(review=review)
    assert reply.state == ReplyState.POSTED and reply.posted_at is not None
    assert reply.text.startswith("Thank you so much for telling us.")


def test_the_inbox_filter_narrows_the_list_without_a_page_load(page, log_in, screenshot, alice, make_review):
    make_review("Lovely staff and spotless rooms.", rating=5, author_name="Sam T.", topics=["positive_general"])
    make_review("Waited an hour and nobody told me why.", rating=1, author_name="Ari K.", posted_days_ago=6,
                topics=["wait_time"])
    make_review("Billing was confusing.", rating=2, author_name="Lee W.", platform="yelp", posted_days_ago=3,
                topics=["billing_pricing"])
    log_in("alice")
    expect(page.locator(".review-row")).to_have_count(3)
    screenshot("inbox")
    page.evaluate("window.deskMarker = 'still here'")
    page.get_by_label("Rating").select_option("5")
    expect(page.locator(".review-row")).to_have_count(1)
    expect(page.locator(".review-row")).to_contain_text("Sam T.")
    assert page.evaluate("window.deskMarker") == "still here"
    assert re.search(r"rating=5", page.url)

    page.get_by_label("Rating").select_option("")
    expect(page.locator(".review-row")).to_have_count(3)
    page.get_by_label("Search").fill("billing")
    expect(page.locator(".review-row")).to_have_count(1)
    expect(page.locator(".review-row")).to_contain_text("Lee W.")
    assert page.evaluate("window.deskMarker") == "still here"

    page.set_viewport_size({"width": 820, "height": 1180})  # a tablet held upright
    page.get_by_role("link", name="Clear").click()
    expect(page.locator(".review-row")).to_have_count(3)
    screenshot("inbox-tablet")


def test_the_front_desk_cannot_approve(page, log_in, alice, review):
    reply = workflow.reply_submit(reply=workflow.reply_start(review=review, actor=alice, text=SAFE), actor=alice)
    log_in("alice")
    page.goto(reverse("review_detail", args=[review.pk]))
    expect(page.locator("#reply-editor .badge", has_text="Awaiting approval")).to_be_visible()
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    expect(nav(page, "Approvals")).to_have_count(0)

    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    forged = page.request.post(
        reverse("reply_approve", args=[review.pk]),
        form={"expected_revision": str(reply.revision)},
        headers={"X-CSRFToken": csrf, "HX-Request": "true"},
    )
    assert forged.status == 403
    reply.refresh_from_db()
    assert reply.state == ReplyState.AWAITING_APPROVAL


def test_on_a_phone_the_reply_editor_comes_above_the_side_cards(page, log_in, screenshot, alice, review):
    workflow.reply_start(review=review, actor=alice, text=SAFE)
    log_in("alice")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(reverse("review_detail", args=[review.pk]))
    review_card, editor = page.locator(".review-card").bounding_box(), page.locator("#reply-editor").bounding_box()
    note = page.locator("section.card", has=page.locator("#note-title")).bounding_box()
    assert review_card["y"] < editor["y"] < note["y"]  # read the review, answer it, then the side cards
    assert editor["x"] == note["x"] and editor["width"] <= 390  # one column, nothing off screen
    screenshot("review-phone")

    page.set_viewport_size({"width": 1366, "height": 900})  # a laptop keeps the two columns side by side
    editor, note = page.locator("#reply-editor").bounding_box(), page.locator("#note-title").bounding_box()
    assert editor["x"] > note["x"]


def test_manager_pages_look_right(page, log_in, screenshot, alice, bob, practice, location, make_review):
    template_blocks_seed(practice=practice)
    for days, rating, topics in [(3, 1, ["wait_time"]), (40, 2, ["billing_pricing"]), (70, 5, ["positive_staff"]),
                                 (100, 3, ["staff_attitude", "wait_time"]), (200, 4, ["positive_general"])]:
        review = make_review("A review for the dashboard.", rating=rating, posted_days_ago=days, topics=topics)
        if days < 90:
            reply = workflow.reply_start(review=review, actor=alice, text=SAFE)
            reply = workflow.reply_submit(reply=reply, actor=alice)
            reply = workflow.reply_approve(reply=reply, actor=bob, expected_revision=reply.revision)
            workflow.reply_mark_posted(reply=reply, actor=bob)
    log_in("bob")
    nav(page, "Dashboard").click()
    expect(page.locator("svg.chart")).to_have_count(4)
    screenshot("dashboard")

    nav(page, "Templates").click()
    expect(page.get_by_role("heading", name="Template blocks")).to_be_visible()
    screenshot("templates")
    page.get_by_role("link", name="Add block").click()
    page.get_by_label("Kind").select_option("resolve")
    page.get_by_label("Text").fill("Sorry the filler left a lump; call {channel} for a free touch-up.")
    page.get_by_role("button", name="Save block").click()
    expect(page.locator(".field-error").first).to_contain_text("PHI guard")
    screenshot("template-refused")

    nav(page, "Import").click()
    page.get_by_label("File", exact=True).set_input_files(files=[{
        "name": "reviews.csv", "mimeType": "text/csv",
        "buffer": (b"platform,external_id,author_name,rating,text,posted_at\n"
                   b"google,g-1,Ana B.,2,Waited an hour,2024-03-01T14:30:00Z\n"
                   b"google,g-2,Ben C.,7,Too many stars,2024-03-02T14:30:00Z\n"
                   b"yelp,y-3,Cy D.,4,,2999-01-01T00:00:00Z\n"),
    }])
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", name="Done")).to_be_visible()
    expect(page.locator("#import-report table")).to_contain_text("rating must be 1-5")
    screenshot("import-report")


def test_text_typed_before_the_page_scripts_are_ready_is_still_checked(page, log_in, alice, review):
    workflow.reply_start(review=review, actor=alice, text=SAFE)
    log_in("alice")

    # A slow connection: htmx arrives a second after the page, and alice is already typing.
    def slow_script(route):
        page.wait_for_timeout(1000)
        route.continue_()

    page.route(re.compile(r".*htmx.*\.js.*"), slow_script)
    page.goto(reverse("review_detail", args=[review.pk]), wait_until="commit")
    editor = page.locator("#reply-text")
    editor.wait_for(state="attached")
    editor.fill(SAFE + CLINICAL)

    expect(page.locator("#guard-panel mark.finding", has_text="Botox")).to_have_count(1)
    expect(page.locator("#guard-status")).to_contain_text("Blocked")


def test_a_reply_kept_when_the_session_expired_comes_back_and_is_checked(page, log_in, alice, review):
    workflow.reply_start(review=review, actor=alice, text=SAFE)
    log_in("alice")
    path = reverse("review_detail", args=[review.pk])
    # What desk.js kept for this tab when the server answered a live check with a redirect to the log-in page.
    page.add_init_script(f"sessionStorage.setItem('reviewdesk:kept-reply:{path}', {SAFE + CLINICAL!r});")

    page.goto(path)

    expect(page.locator("#reply-text")).to_have_value(SAFE + CLINICAL)
    expect(page.get_by_text("Your session had expired: the text you were typing is back.")).to_be_visible()
    expect(page.locator("#guard-panel mark.finding", has_text="Botox")).to_have_count(1)


def test_text_typed_while_a_new_editor_settles_is_still_checked(page, log_in, alice, review):
    log_in("alice")
    page.goto(reverse("review_detail", args=[review.pk]))
    # "Start reply" swaps the editor in; htmx sets up its triggers only when the swap settles. A slow settle
    # makes the window a fast typist (or a test) can fall into wide enough to hit every time.
    page.evaluate("htmx.config.defaultSettleDelay = 1000")
    page.get_by_role("button", name="Start reply").click()
    editor = page.locator("#reply-text")
    editor.wait_for(state="attached")
    editor.fill(editor.input_value() + CLINICAL)

    expect(page.locator("#guard-panel mark.finding", has_text="Botox")).to_have_count(1)
    expect(page.locator("#guard-status")).to_contain_text("Blocked")
