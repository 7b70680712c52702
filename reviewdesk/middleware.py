"""Log-in enforcement that understands htmx requests."""
from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect


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
