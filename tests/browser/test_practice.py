"""The acceptance stories of issue 11 in a real browser: the manager runs the practice, drafts fit the review,
and the workflow's rough edges are gone."""
from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from responses import workflow
from responses.models import Location, Reply, ReplyState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAFE = (
    "Thank you for sharing your feedback. We're sorry to hear this and would like to learn more. "
    "Please call us at (303) 555-0186 so we can talk privately."
)
NEW_PASSWORD = "a-long-and-unusual-passphrase-42"


def nav(page, name: str):
    # A menu entry may carry a count after its name ("Approvals 1 awaiting approval").
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile(rf"^{re.escape(name)}( \d.*)?$"))


def test_the_manager_sets_the_practice_phone_and_the_next_draft_offers_it(page, log_in, screenshot, bob, location,
                                                                          make_review):
    Location.objects.filter(pk=location.pk).update(phone="", email="")
    review = make_review("The wait was so long and nobody explained why.", rating=2, topics=["wait_time"])
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in("bob")
    menu = page.get_by_role("navigation", name="Main")
    first, last = menu.get_by_role("link").first.bounding_box(), menu.get_by_role("link").last.bounding_box()
    assert abs(first["y"] - last["y"]) < 2  # the manager's menu is on one line at 1366 px
    nav(page, "Practice").click()
    page.get_by_label("Phone").first.fill("(720) 555-0142")
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator(".messages")).to_contain_text("Practice profile saved")
    screenshot("practice")
    page.goto(reverse("review_detail", args=[review.pk]))
    page.get_by_role("button", name="Start reply").click()
    expect(page.locator("#reply-text")).to_have_value(re.compile(r"\(720\) 555-0142"))


def test_the_managers_navigation_stays_on_one_line_at_1366_px_whatever_the_name(page, log_in, screenshot, bob, alice,
                                                                                review):
    type(bob).objects.filter(pk=bob.pk).update(first_name="Maximiliana-Josefina",
                                               last_name="Okonkwo-Villanueva de la Cruz")
    workflow.reply_submit(reply=workflow.reply_start(review=review, actor=alice, text=SAFE), actor=alice)
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in("bob")
    expect(nav(page, "Approvals")).to_contain_text("1")  # the widest menu: every entry and a count

    bar = page.locator(".topbar-inner").bounding_box()
    menu = page.get_by_role("navigation", name="Main")
    links = [menu.get_by_role("link").nth(i).bounding_box() for i in range(menu.get_by_role("link").count())]
    account = page.locator("details.account > summary").bounding_box()
    assert len(links) == 11 and max(box["y"] for box in links) - min(box["y"] for box in links) < 2
    assert menu.bounding_box()["height"] < 1.5 * links[0]["height"]  # one line of links
    assert bar["height"] < 2 * links[0]["height"]  # and the account beside them, not under them
    assert abs((account["y"] + account["height"] / 2) - (links[0]["y"] + links[0]["height"] / 2)) < 4
    assert account["x"] + account["width"] <= bar["x"] + bar["width"]
    screenshot("navigation-1366")

    page.locator("details.account > summary").click()
    expect(page.locator(".account-menu")).to_contain_text("Maximiliana-Josefina Okonkwo-Villanueva de la Cruz")
    expect(page.locator(".account-menu")).to_contain_text("Practice manager")
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="Log out")).to_be_hidden()


def test_an_invited_colleague_logs_in(page, log_in, log_out, screenshot, bob, location):
    log_in("bob")
    nav(page, "Team").click()
    page.get_by_label("E-mail address").fill("dana@willowpine.example")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".messages")).to_contain_text("Invitation sent")
    screenshot("team")
    link = re.search(r"https?://\S+/invitations/\S+", mail.outbox[-1].body).group(0)
    log_out()
    page.goto(link)
    page.get_by_label("Username").fill("dana")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password (again)").fill(NEW_PASSWORD)
    screenshot("invitation")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    log_out()
    page.get_by_label("Username").fill("dana")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    expect(nav(page, "Approvals")).to_have_count(0)  # front desk


def test_a_spanish_review_is_drafted_in_spanish(page, log_in, screenshot, alice, location, make_review):
    review = make_review("Pésimo. Esperé una hora y nadie me dijo nada. Muy mal servicio.", rating=1,
                         author_name="Lucía M.", topics=["non_english"])
    log_in("alice")
    page.goto(reverse("review_detail", args=[review.pk]))
    expect(page.locator(".alert--info")).to_contain_text("in Spanish")
    page.get_by_role("button", name="Start reply").click()
    expect(page.locator("#reply-text")).to_have_value(re.compile(r"Lucía|gracias", re.I))
    expect(page.locator("#guard-status")).to_contain_text("No PHI found")
    screenshot("spanish-draft")


def test_reply_anyway_to_a_review_flagged_as_spam(page, log_in, screenshot, alice, location, make_review):
    review = make_review("Skip this place. Glow Lab down the street is better, use code GLOW20 for 20% off!",
                         rating=1, topics=["spam_or_fake"])
    log_in("alice")
    page.goto(reverse("review_detail", args=[review.pk]))
    page.get_by_label("Reply anyway, answering").select_option("bad_outcome")
    screenshot("reply-anyway")
    page.get_by_role("button", name="Reply anyway").click()
    expect(page.locator("#reply-text")).to_be_visible()
    assert Reply.objects.filter(review=review).exists()


def test_a_sent_back_reply_shows_as_sent_back_with_the_comment_in_its_history(page, log_in, screenshot, alice, bob,
                                                                              review):
    reply = workflow.reply_submit(reply=workflow.reply_start(review=review, actor=alice, text=SAFE), actor=alice)
    workflow.reply_reject(reply=reply, actor=bob, comment="Please sign it.", expected_revision=reply.revision)
    log_in("alice")
    expect(page.locator(".review-row .badge", has_text="Sent back")).to_be_visible()
    page.goto(reverse("review_detail", args=[review.pk]))
    expect(page.locator("#reply-editor .badge", has_text="Sent back")).to_be_visible()
    expect(page.locator(".history")).to_contain_text("“Please sign it.”")
    screenshot("sent-back")


def test_approve_after_an_unsaved_edit_approves_the_edit(page, log_in, screenshot, alice, bob, review):
    workflow.reply_submit(reply=workflow.reply_start(review=review, actor=alice, text=SAFE), actor=alice)
    log_in("bob")
    expect(nav(page, "Approvals")).to_contain_text("1")
    page.goto(reverse("review_detail", args=[review.pk]))
    editor = page.locator("#reply-text")
    editor.fill(editor.input_value() + "\n\n— The Willow & Pine team")
    button = page.get_by_role("button", name="Save and approve")
    expect(button).to_be_enabled()
    screenshot("save-and-approve")
    button.click()
    expect(page.locator("#reply-editor .editor-head .badge", has_text="Approved")).to_be_visible()
    reply = Reply.objects.get(review=review)
    assert reply.state == ReplyState.APPROVED and reply.text.endswith("— The Willow & Pine team")


def test_back_after_submit_shows_the_reply_as_it_is_now(page, log_in, alice, review):
    workflow.reply_start(review=review, actor=alice, text=SAFE)
    log_in("alice")
    page.goto(reverse("review_detail", args=[review.pk]))
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator("#reply-editor .badge", has_text="Awaiting approval")).to_be_visible()
    page.goto(reverse("inbox"))
    page.go_back()
    expect(page.locator("#reply-editor .badge", has_text="Awaiting approval")).to_be_visible()


def test_safe_rewrite_keeps_the_signature_on_its_own_line(page, log_in, screenshot, alice, review):
    workflow.reply_start(review=review, actor=alice, text=SAFE)
    log_in("alice")
    page.goto(reverse("review_detail", args=[review.pk]))
    editor = page.locator("#reply-text")
    editor.fill("Kelsey, we're sorry the Botox left bruising on your forehead.\n\n"
                "Please call us at (303) 555-0186.\n\n— The Willow & Pine team")
    page.get_by_role("button", name="Apply safe rewrite").click()
    expect(page.locator("#guard-status")).to_contain_text("No PHI found")
    assert editor.input_value().endswith("\n\n— The Willow & Pine team")
    screenshot("safe-rewrite")
