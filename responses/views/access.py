"""Small helpers every page uses: this user's review (or 404), region rendering, safe redirects."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

from responses.models import Review
from responses.roles import practice_for
from responses.selectors import review_get_for_practice


def review_for_user(request: HttpRequest, pk: int) -> Review:
    """The review if it belongs to the user's practice; 404 for anyone else's (charlie never learns it exists)."""
    return review_get_for_practice(practice=practice_for(request.user), pk=pk)


def render_region(request: HttpRequest, template: str, region: str, context: dict, **kwargs) -> HttpResponse:
    """The whole page, or only `region` (a partialdef of `template`) when htmx asks for it."""
    # A history restore (back button after a cache miss) needs the whole page, not the region.
    if request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request:
        template = f"{template}#{region}"
    response = render(request, template, context, **kwargs)
    # The same URL answers with a page or a region: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


def redirect_back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Back to the page named in `next` (same site only), else `default`."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)
