"""The Imports page: the practice's review sources (status, pause, run now, connect Google) and recent runs."""
from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from responses.forms import ReviewSourceForm, SourceTokenForm
from responses.models import ImportRun, PlatformConnection
from responses.roles import practice_for, require_permission
from responses.sources.google_oauth import GoogleGrantError, google_authorization_url, google_grant_complete
from responses.sources.services import (
    source_create,
    source_for_user,
    source_pause,
    source_run_now,
    source_token_set,
    sources_queued,
)
from responses.views.access import render_region

RECENT_RUNS = 25
_OAUTH_SESSION_KEY = "google_oauth"


def _page_context(request, form=None) -> dict:
    practice = practice_for(request.user)
    sources = PlatformConnection.objects.filter(location__practice=practice).select_related("location") \
        .order_by("location__name", "platform", "kind")
    runs = list(ImportRun.objects.filter(location__practice=practice)
                .select_related("location", "connection", "started_by")[:RECENT_RUNS])
    can_manage = request.user.has_perm("responses.manage_sources")
    return {
        "sources": sources, "runs": runs,
        "running": any(run.status == "running" for run in runs)
        or sources_queued([source.pk for source in sources]),
        "can_manage": can_manage,
        "form": form or (ReviewSourceForm(practice=practice) if can_manage else None),
        "token_form": SourceTokenForm(),
        "nightly_at": f"{settings.NIGHTLY_IMPORT_HOUR}:15",
    }


def _google_form_action(response):
    """The page's Connect Google form is answered with a redirect to Google's consent page, which the
    Content-Security-Policy's form-action ('self' only) would block: allow that one origin on this page."""
    parts = urlsplit(settings.GOOGLE_OAUTH_AUTHORIZE_URL)
    if parts.scheme in ("https", "http") and parts.netloc:
        response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}
    return response


@require_GET
def imports(request):
    """Sources and recent runs; the runs region refreshes itself while a run is in progress."""
    require_permission(request.user, "import_reviews")
    return _google_form_action(render_region(request, "responses/imports.html", "runs", _page_context(request)))


@require_POST
def source_add(request):
    practice = practice_for(request.user)
    require_permission(request.user, "manage_sources")
    form = ReviewSourceForm(request.POST, practice=practice)
    if form.is_valid():
        data = form.cleaned_data
        try:
            source = source_create(actor=request.user, location=data["location"], kind=data["kind"],
                                   platform=data["platform"], resource=data["resource"], token=data["token"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Source added." + (" Now connect it to the Google account."
                                                           if source.kind == "google_business" else ""))
            return redirect("imports")
    return _google_form_action(
        render_region(request, "responses/imports.html", "runs", _page_context(request, form), status=400)
    )


@require_POST
def source_pause_toggle(request, pk: int):
    source = source_for_user(user=request.user, pk=pk)
    paused = request.POST.get("paused") == "1"
    source_pause(actor=request.user, source=source, paused=paused)
    messages.success(request, "Source paused." if paused else "Source resumed.")
    return redirect("imports")


@require_POST
def source_run(request, pk: int):
    source = source_for_user(user=request.user, pk=pk)
    try:
        source_run_now(actor=request.user, source=source)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Import queued; its run appears below.")
    return redirect("imports")


@require_POST
def source_token(request, pk: int):
    source = source_for_user(user=request.user, pk=pk)
    form = SourceTokenForm(request.POST)
    if form.is_valid():
        source_token_set(actor=request.user, source=source, token=form.cleaned_data["token"])
        messages.success(request, "Token replaced." if form.cleaned_data["token"] else "Token removed.")
    return redirect("imports")


def _callback_uri(request) -> str:
    return request.build_absolute_uri(reverse("google_oauth_callback"))


@require_POST
def google_connect(request, pk: int):
    """Send the manager to Google's consent page; the state ties the answer to this source and session."""
    source = source_for_user(user=request.user, pk=pk)
    require_permission(request.user, "manage_sources")
    if source.kind != PlatformConnection.Kind.GOOGLE_BUSINESS:
        raise PermissionDenied("Only Google sources sign in with Google.")
    try:
        url, state, code_verifier = google_authorization_url(redirect_uri=_callback_uri(request))
    except GoogleGrantError as exc:
        messages.error(request, str(exc))
        return redirect("imports")
    request.session[_OAUTH_SESSION_KEY] = {"state": state, "source": source.pk, "verifier": code_verifier}
    return redirect(url)


@require_http_methods(["GET"])
def google_oauth_callback(request):
    pending = request.session.pop(_OAUTH_SESSION_KEY, None)
    state = request.GET.get("state", "")
    if not pending or not secrets.compare_digest(str(pending.get("state", "")), state):
        messages.error(request, "That Google sign-in was not started here (or was already used); try again.")
        return redirect("imports")
    source = source_for_user(user=request.user, pk=pending["source"])
    require_permission(request.user, "manage_sources")
    if request.GET.get("error") or not request.GET.get("code"):
        messages.error(request, "Google sign-in was cancelled or refused; the source is not connected.")
        return redirect("imports")
    try:
        google_grant_complete(connection=source, code=request.GET["code"], redirect_uri=_callback_uri(request),
                              code_verifier=pending.get("verifier", ""))
    except GoogleGrantError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Connected to Google. The nightly import (or Run now) will fetch its reviews.")
    return redirect("imports")
