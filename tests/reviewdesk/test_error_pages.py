"""Under `make run` (DEBUG=1) a missing page or a crash still shows the app's friendly pages, with the menu;
DEBUG_ERROR_PAGES=1 brings Django's technical pages back for debugging."""
from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.reviewdesk.boom_urls")]

MENU = b'aria-label="Main"'


@pytest.fixture
def debug(settings):
    settings.DEBUG = True
    settings.DEBUG_ERROR_PAGES = False
    return settings


def browser_of(user) -> Client:
    client = Client(raise_request_exception=False)  # built after the settings change: it loads the middleware
    client.force_login(user)
    return client


def test_a_missing_review_under_debug_shows_the_friendly_404_with_the_menu(debug, alice):
    response = browser_of(alice).get(reverse("review_detail", args=[999999]))
    assert response.status_code == 404
    assert b"Page not found" in response.content and MENU in response.content
    assert b"Using the URLconf" not in response.content and b"technical" not in response.content.lower()


def test_an_unknown_address_under_debug_shows_the_friendly_404_not_the_url_list(debug, alice):
    response = browser_of(alice).get("/no/such/page/")
    assert response.status_code == 404 and b"Page not found" in response.content and MENU in response.content
    assert b"Using the URLconf" not in response.content


def test_a_missing_trailing_slash_still_redirects(debug, alice):
    response = browser_of(alice).get("/accounts/password")
    assert response.status_code == 301 and response["Location"].endswith("/accounts/password/")


def test_a_crash_under_debug_shows_the_friendly_500_and_logs_the_traceback(debug, alice, caplog):
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = browser_of(alice).get("/boom")
    assert response.status_code == 500
    assert b"Something went wrong" in response.content and MENU in response.content
    assert b"Traceback" not in response.content and b"a bug in a view" not in response.content
    assert any(record.exc_info and "Internal Server Error: /boom" in record.getMessage() for record in caplog.records)


def test_forbidden_under_debug_is_still_the_apps_403(debug, alice):
    response = browser_of(alice).get(reverse("approval_queue"))
    assert response.status_code == 403 and b"You can't do that here" in response.content


def test_debug_error_pages_brings_back_djangos_technical_pages(debug, alice):
    debug.DEBUG_ERROR_PAGES = True
    client = browser_of(alice)
    missing = client.get("/no/such/page/")
    assert missing.status_code == 404 and b"Using the URLconf" in missing.content
    crash = client.get("/boom")
    assert crash.status_code == 500 and b"Traceback" in crash.content


def test_without_debug_django_already_uses_the_apps_pages(settings, alice):
    settings.DEBUG = False
    client = browser_of(alice)
    assert b"Page not found" in client.get("/no/such/page/").content
    assert b"Something went wrong" in client.get("/boom").content


def test_static_files_are_still_served_under_debug(debug, alice):
    response = browser_of(alice).get("/static/css/app.css")
    assert response.status_code == 200
