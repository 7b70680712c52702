"""The log-in pages' side of brute-force protection (django-axes, configured in settings): which address a
request comes from, and the answer to a locked-out attempt, on the page the person was using."""
from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse


def login_client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the last X-Forwarded-For hop when a trusted proxy appends it."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if settings.TRUST_X_FORWARDED_FOR else ""
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return hops[-1] if hops else request.META.get("REMOTE_ADDR", "")


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (
        f"Too many failed log-ins for this username from your address, so it is locked for {minutes} minutes. "
        "Your practice manager can unlock it sooner on the Team log-ins page."
    )


def login_locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the login page the person used (the desk's or the admin's), with the reason."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    context = {"locked_out": lockout_message(), "next": request.POST.get("next") or request.GET.get("next", "")}
    if request.path == reverse("admin:login"):
        context |= admin.site.each_context(request) | {
            "form": AdminAuthenticationForm(request), "app_path": request.get_full_path(), "title": "Log in",
        }
        return render(request, "admin/login.html", context, status=status)
    return render(request, "registration/login.html", context | {"form": AuthenticationForm(request)}, status=status)
