"""Team log-ins (manager): who of the practice is locked out after failed log-ins, and unlocking them."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from responses.logins import login_lockouts_for_practice, login_unlock
from responses.roles import practice_for, require_permission


@require_GET
def login_lockouts(request):
    require_permission(request.user, "unlock_logins")
    lockouts = login_lockouts_for_practice(practice=practice_for(request.user))
    return render(request, "responses/login_lockouts.html", {"lockouts": lockouts})


@require_POST
def login_unlock_member(request, user_id: int):
    require_permission(request.user, "unlock_logins")
    member = get_object_or_404(get_user_model(), pk=user_id, membership__practice=practice_for(request.user))
    if login_unlock(username=member.username, actor=request.user, via="desk"):
        messages.success(request, f"{member.get_full_name() or member.username} can log in again.")
    else:
        messages.error(request, f"{member.get_full_name() or member.username} was not locked out.")
    return redirect("login_lockouts")
