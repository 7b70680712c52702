"""The 500 page in the app's layout, with the menu when it can be drawn."""
from __future__ import annotations

import logging

from django.http import HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)


@requires_csrf_token
def server_error(request):
    """Django's default 500 renders without the request (no menu); try with it, and fall back to plain text if
    the layout itself fails (the database that caused the error may also be what the menu reads)."""
    try:
        return HttpResponseServerError(loader.get_template("500.html").render({}, request))
    except Exception:  # noqa: BLE001 - an error page must not fail
        logger.exception("the 500 page could not be rendered in the layout")
        return HttpResponseServerError("<h1>Server error</h1><p>Try again in a moment.</p>", content_type="text/html")
