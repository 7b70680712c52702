"""The app's own 404 and 500 pages under DEBUG too (`make run`), unless DEBUG_ERROR_PAGES=1.

With DEBUG on, Django answers a missing page or a crash with its technical pages (the URL list, a traceback
with local variables, which can hold patient text) instead of templates/404.html and 500.html. The 403 page
is already the app's own. Off when DEBUG is off: Django then uses the app's pages by itself.
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import BadRequest, MiddlewareNotUsed, PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.urls import Resolver404, get_resolver, resolve

logger = logging.getLogger("django.request")


class FriendlyErrorPagesMiddleware:
    def __init__(self, get_response):
        if not settings.DEBUG or settings.DEBUG_ERROR_PAGES:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        # An address no URL pattern matches never reaches a view (so never process_exception); answer it here.
        try:
            resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404 as exc:
            return _error_handler(request, 404)(request, exc)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return _error_handler(request, 404)(request, exception)
        if isinstance(exception, (PermissionDenied, BadRequest, SuspiciousOperation)):
            return None  # Django's own handling (the app's 403 page; a 400)
        # As Django logs it without DEBUG: the traceback goes to the console, the page stays friendly.
        logger.error("Internal Server Error: %s", request.path, exc_info=exception,
                     extra={"status_code": 500, "request": request})
        return _error_handler(request, 500)(request)


def _error_handler(request, status: int):
    return get_resolver(getattr(request, "urlconf", None)).resolve_error_handler(status)
