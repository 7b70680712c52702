"""Headers and session rules for pages that show patient text.

PrivacyHeadersMiddleware: no browser or proxy keeps a copy of a page (Cache-Control: no-store) and the
pages get no camera, microphone, location or payment APIs (Permissions-Policy). The Content-Security-Policy
comes from django-csp (settings.CONTENT_SECURITY_POLICY).

SessionIdleTimeoutMiddleware: a session unused for settings.SESSION_IDLE_MINUTES ends; the next request
goes to the login page with a message saying why. Pages warn two minutes before (static/js/desk.js), whose
"Stay logged in" button POSTs to session_keepalive.

HtmxAwareLoginRequiredMiddleware: log-in enforcement that understands htmx requests.

PracticeTimeZoneMiddleware: pages show times in the member's practice's time zone (a review's own times are shown
in its location's, by the templates that show them).

RequestTooBigMiddleware: a form post over DATA_UPLOAD_MAX_MEMORY_SIZE reaches the view's own answer
(`view.request_too_big`) instead of a bare 400, so the person gets the form back and is told why.
"""
from __future__ import annotations

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()"
LAST_SEEN_KEY = "reviewdesk_last_seen"
# Writing the time on every request would save the session on every live check; once a minute is enough.
LAST_SEEN_RESOLUTION_SECONDS = 60


class PrivacyHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        add_never_cache_headers(response)  # Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private
        return response


class PracticeTimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership = getattr(request.user, "membership", None) if request.user.is_authenticated else None
        if membership is None:
            return self.get_response(request)
        from responses.practice.local_time import practice_time_zone

        timezone.activate(practice_time_zone(membership.practice))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class SessionIdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            if now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
                messages.info(
                    request, f"You were logged out after {settings.SESSION_IDLE_MINUTES} minutes without activity."
                )
                if request.htmx:  # a swap would put the login page inside the desk's page
                    return HttpResponseClientRedirect(resolve_url(settings.LOGIN_URL))
                return redirect_to_login(request.get_full_path() if request.method == "GET" else "/")
            if now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS or LAST_SEEN_KEY not in request.session:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


def session_idle(request) -> dict:
    """Template context: how long an unused session lasts, for the page's warning."""
    return {"session_idle_seconds": settings.SESSION_IDLE_MINUTES * 60}


@require_POST
def session_keepalive(request):
    """The warning's "Stay logged in": the middleware has just counted this request as activity."""
    request.session[LAST_SEEN_KEY] = int(time.time())
    return HttpResponse(status=204)


class HtmxAwareLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, except that an htmx request from a page whose session expired gets
    an HX-Redirect to the log-in page (with `next` back to that page) instead of a 302 that htmx would follow
    and swap into a region, leaving a log-in form inside the guard panel."""

    def handle_no_permission(self, request, view_func):
        if not getattr(request, "htmx", False):
            return super().handle_no_permission(request, view_func)
        # The page the person is on, not the region's endpoint (a POST-only URL they cannot come back to).
        current = urlsplit(request.htmx.current_url or "")
        next_path = current.path if current.path and current.netloc in ("", request.get_host()) else "/"
        if current.query:
            next_path = f"{next_path}?{current.query}"
        login_url = resolve_url(self.get_login_url(view_func))
        return HttpResponseClientRedirect(redirect_to_login(next_path, login_url, self.get_redirect_field_name(view_func))["Location"])


class RequestTooBigMiddleware:
    """Before CsrfViewMiddleware, which would read the oversized body first and answer a bare 400.

    Only views that declare `request_too_big(request, *args, **kwargs)` are answered; nothing of the body
    was kept, so that answer cannot echo the text back (the page keeps it in the browser instead).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        too_big = getattr(view_func, "request_too_big", None)
        if request.method != "POST" or too_big is None:
            return None
        try:
            request.POST  # noqa: B018 - reading it is the check
        except RequestDataTooBig:
            return too_big(request, *view_args, **view_kwargs)
        return None
