"""Pages that show patient text: no inline script the CSP would have to allow, no cached copies, no idle
sessions left open, and a password change ends every other session.

alice works the front desk, bob manages Willow & Pine.
"""
from __future__ import annotations

import re
import time

import pytest
from django.test import Client
from django.urls import reverse

from responses.forms import MAX_NOTE_LENGTH
from reviewdesk.middleware import LAST_SEEN_KEY

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def idle_for(client, seconds):
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds
    session.save()


def test_the_csp_allows_only_the_apps_own_scripts_and_styles(bob, review):
    response = logged_in(bob).get(reverse("review_detail", args=[review.pk]))

    policy = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"


@pytest.mark.parametrize("page", ["inbox", "approval_queue", "dashboard", "review_new", "review_import",
                                  "template_block_list", "review_detail", "password_change", "login"])
def test_no_page_carries_an_inline_script_or_style(page, bob, review):
    client = Client() if page == "login" else logged_in(bob)
    body = client.get(reverse(page, args=[review.pk] if page == "review_detail" else [])).content.decode()

    scripts = re.findall(r"<script\b[^>]*>", body)
    assert scripts and all(" src=" in tag for tag in scripts), scripts
    assert not re.search(r"<style\b|\son[a-z]+\s*=|\sstyle\s*=|javascript:|hx-on", body)


def test_pages_are_never_cached_and_get_no_device_apis(bob, review):
    response = logged_in(bob).get(reverse("review_detail", args=[review.pk]))

    assert "no-store" in response.headers["Cache-Control"] and "private" in response.headers["Cache-Control"]
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]


def test_a_session_idle_too_long_ends_with_a_message(alice, settings):
    client = logged_in(alice)
    idle_for(client, settings.SESSION_IDLE_MINUTES * 60 + 5)

    response = client.get(reverse("inbox"), follow=True)

    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert f"logged out after {settings.SESSION_IDLE_MINUTES} minutes without activity" in response.content.decode()
    assert client.get(reverse("inbox")).status_code == 302, "the session is gone, not just this request"


def test_an_idle_htmx_request_sends_the_whole_page_to_the_login(alice, settings):
    client = logged_in(alice)
    idle_for(client, settings.SESSION_IDLE_MINUTES * 60 + 5)

    response = client.get(reverse("inbox"), **HTMX)

    assert response.headers["HX-Redirect"] == reverse("login")


def test_activity_within_the_limit_keeps_the_session_and_the_page_warns_before_it_ends(alice, settings):
    settings.SESSION_IDLE_MINUTES = 30
    client = logged_in(alice)
    idle_for(client, 29 * 60)

    response = client.get(reverse("inbox"))

    assert response.status_code == 200
    assert 'data-session-idle-seconds="1800"' in response.content.decode()
    assert 'class="session-warning"' in response.content.decode()
    assert int(time.time()) - client.session[LAST_SEEN_KEY] < 5, "the request counted as activity"


def test_stay_logged_in_keeps_the_session(alice, settings):
    client = logged_in(alice)
    idle_for(client, settings.SESSION_IDLE_MINUTES * 60 - 60)

    assert client.post(reverse("session_keepalive")).status_code == 204
    assert int(time.time()) - client.session[LAST_SEEN_KEY] < 5
    assert client.get(reverse("session_keepalive")).status_code == 405


def test_changing_the_password_logs_out_every_other_session(alice):
    laptop, phone = logged_in(alice), logged_in(alice)
    assert phone.get(reverse("inbox")).status_code == 200

    response = laptop.post(reverse("password_change"), {
        "old_password": "not-a-real-password-123",
        "new_password": "a-brand-new-passphrase-42", "new_password_again": "a-brand-new-passphrase-42",
    })

    assert response.status_code == 302
    assert laptop.get(reverse("inbox")).status_code == 200, "the browser that changed it stays logged in"
    assert phone.get(reverse("inbox")).status_code == 302


def test_the_older_password_address_leads_to_the_one_password_page(alice):
    response = logged_in(alice).get("/accounts/password/")

    assert response.status_code == 301 and response["Location"] == reverse("password_change")


def test_a_wrong_old_password_changes_nothing(alice):
    laptop, phone = logged_in(alice), logged_in(alice)

    response = laptop.post(reverse("password_change"), {
        "old_password": "a-guess", "new_password": "a-brand-new-passphrase-42",
        "new_password_again": "a-brand-new-passphrase-42",
    })

    assert response.status_code == 400 and "current password is not right" in response.content.decode()
    assert phone.get(reverse("inbox")).status_code == 200


def test_an_overlong_internal_note_is_refused_with_the_reason(alice, review):
    review.internal_note = "Called back on Monday."
    review.save()

    response = logged_in(alice).post(
        reverse("review_note", args=[review.pk]), {"internal_note": "x" * (MAX_NOTE_LENGTH + 1)}, follow=True
    )

    assert f"over {MAX_NOTE_LENGTH:,} characters" in response.content.decode()
    review.refresh_from_db()
    assert review.internal_note == "Called back on Monday."
