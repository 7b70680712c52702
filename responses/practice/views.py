"""The manager's administration pages (Practice, Team) and everyone's own account (invitation, password)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login, update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from responses.models import Location, Membership, Practice, StaffMember
from responses.practice import services
from responses.practice.forms import (
    AcceptInvitationForm,
    InviteForm,
    LocationForm,
    PasswordChangeForm,
    PracticeProfileForm,
    PracticeSettingsForm,
    PublicContactForm,
    RoleForm,
    StaffMemberForm,
)
from responses.practice.models import Invitation, PublicContact
from responses.roles import practice_for, require_permission
from responses.workflow import WorkflowError

PRACTICE_PAGE = "responses/practice/practice.html"
TEAM_PAGE = "responses/practice/team.html"


def _manager_practice(request) -> Practice:
    practice = practice_for(request.user)
    require_permission(request.user, "manage_practice")
    return practice


def _practice_page(request, practice: Practice, status: int = 200, **forms):
    context = {
        "profile_form": forms.get("profile_form") or PracticeProfileForm(instance=practice),
        "settings_form": forms.get("settings_form")
        or PracticeSettingsForm(instance=services.practice_settings_get(practice=practice)),
        "location_form": forms.get("location_form") or LocationForm(),
        "staff_form": forms.get("staff_form") or StaffMemberForm(),
        "contact_form": forms.get("contact_form") or PublicContactForm(),
        "public_contacts": practice.public_contacts.order_by("label"),
        "locations": practice.locations.order_by("name"),
        "staff": practice.staff.order_by("name"),
    }
    return render(request, PRACTICE_PAGE, context, status=status)


def _done(request, notice: str, target: str = "practice_admin"):
    messages.success(request, notice)
    return redirect(target)


@require_GET
def practice_admin(request):
    return _practice_page(request, _manager_practice(request))


@require_POST
def practice_profile_save(request):
    practice = _manager_practice(request)
    form = PracticeProfileForm(request.POST, instance=Practice.objects.get(pk=practice.pk))
    if form.is_valid():
        try:
            changed = services.practice_profile_update(practice=practice, actor=request.user, data=form.cleaned_data)
        except WorkflowError as exc:
            form.add_error(None, str(exc))
        else:
            return _done(request, "Practice profile saved." if changed else "Nothing changed.")
    return _practice_page(request, practice, status=400, profile_form=form)


@require_POST
def practice_settings_save(request):
    practice = _manager_practice(request)
    form = PracticeSettingsForm(request.POST, instance=services.practice_settings_get(practice=practice))
    if form.is_valid():
        try:
            saved = services.practice_settings_update(practice=practice, actor=request.user, **form.cleaned_data)
        except WorkflowError as exc:
            form.add_error(None, str(exc))
        else:
            escalated = (f" {saved.escalated} open review{'s' if saved.escalated != 1 else ''} now escalated by "
                         "your keywords." if saved.escalated else "")
            return _done(request, ("Settings saved." if saved.fields else "Nothing changed.") + escalated)
    return _practice_page(request, practice, status=400, settings_form=form)


@require_http_methods(["GET", "POST"])
def location_edit(request, pk: int | None = None):
    """Add (no pk) or change a location on its own page (the practice page lists them)."""
    practice = _manager_practice(request)
    location = get_object_or_404(Location, pk=pk, practice=practice) if pk else None
    # The form works on its own copy: the service compares the typed values with the saved ones.
    form = LocationForm(request.POST or None, instance=Location.objects.get(pk=pk) if pk else Location(practice=practice))
    if request.method == "POST" and form.is_valid():
        try:
            services.location_save(practice=practice, actor=request.user, data=form.cleaned_data, location=location)
        except WorkflowError as exc:
            form.add_error(None, str(exc))
        else:
            return _done(request, "Location saved.")
    return render(request, "responses/practice/location_edit.html", {"form": form, "location": location},
                  status=400 if form.errors else 200)


@require_POST
def location_remove(request, pk: int):
    practice = _manager_practice(request)
    location = get_object_or_404(Location, pk=pk, practice=practice)
    try:
        services.location_remove(practice=practice, actor=request.user, location=location)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect("practice_admin")
    return _done(request, "Location removed.")


def _add_from_practice_page(request, form_class, add, *, notice: str, form_name: str):
    """A small form of the practice page (a staff member, a public line): the service adds the row, or the page
    comes back with the form and its errors."""
    practice = _manager_practice(request)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            add(practice=practice, actor=request.user, **form.cleaned_data)
        except WorkflowError as exc:
            form.add_error(None, str(exc))
        else:
            return _done(request, notice)
    return _practice_page(request, practice, status=400, **{form_name: form})


@require_POST
def public_contact_add(request):
    return _add_from_practice_page(request, PublicContactForm, services.public_contact_add,
                                   notice="Line added: replies may give it.", form_name="contact_form")


@require_POST
def public_contact_remove(request, pk: int):
    practice = _manager_practice(request)
    line = get_object_or_404(PublicContact, pk=pk, practice=practice)
    services.public_contact_remove(practice=practice, actor=request.user, public_contact=line)
    return _done(request, "Line removed.")


@require_POST
def staff_member_add(request):
    return _add_from_practice_page(request, StaffMemberForm, services.staff_member_add,
                                   notice="Added to the staff list.", form_name="staff_form")


@require_POST
def staff_member_remove(request, pk: int):
    practice = _manager_practice(request)
    staff_member = get_object_or_404(StaffMember, pk=pk, practice=practice)
    services.staff_member_remove(practice=practice, actor=request.user, staff_member=staff_member)
    return _done(request, "Removed from the staff list.")


# --- people ---------------------------------------------------------------------------------------------------


def _team_page(request, practice: Practice, *, invite_form: InviteForm | None = None, status: int = 200):
    members = Membership.objects.filter(practice=practice).select_related("user").order_by(
        "-user__is_active", "user__username")
    invitations = [i for i in practice.invitations.filter(accepted_at=None, revoked_at=None)]
    return render(request, TEAM_PAGE, {
        "members": members,
        "invitations": invitations,
        "invite_form": invite_form or InviteForm(),
        "role_form": RoleForm(),
        "now": timezone.now(),
    }, status=status)


@require_GET
def team(request):
    return _team_page(request, _manager_practice(request))


@require_POST
def member_invite(request):
    practice = _manager_practice(request)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            services.invitation_create(
                practice=practice, actor=request.user, **form.cleaned_data,
                accept_url=lambda token: request.build_absolute_uri(reverse("invitation_accept", args=[token])),
            )
        except WorkflowError as exc:
            form.add_error(None, str(exc))
        else:
            return _done(request, "Invitation sent. The link works once, for "
                                  f"{services.settings.INVITATION_EXPIRY_DAYS} days.", "team")
    return _team_page(request, practice, invite_form=form, status=400)


@require_POST
def invitation_revoke(request, pk: int):
    practice = _manager_practice(request)
    invitation = get_object_or_404(Invitation, pk=pk, practice=practice)
    try:
        services.invitation_revoke(practice=practice, actor=request.user, invitation=invitation)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect("team")
    return _done(request, "Invitation withdrawn.", "team")


def _team_member(practice: Practice, user_id: int):
    return get_object_or_404(get_user_model(), pk=user_id, membership__practice=practice)


@require_POST
def member_role(request, user_id: int):
    practice = _manager_practice(request)
    member = _team_member(practice, user_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a role: front desk or practice manager.")
        return redirect("team")
    try:
        services.member_role_set(practice=practice, actor=request.user, user=member, role=form.cleaned_data["role"])
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect("team")
    return _done(request, f"{member.get_full_name() or member.username}'s role saved.", "team")


@require_POST
def member_active(request, user_id: int):
    practice = _manager_practice(request)
    member = _team_member(practice, user_id)
    active = request.POST.get("active") == "1"
    try:
        services.member_active_set(practice=practice, actor=request.user, user=member, active=active)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect("team")
    name = member.get_full_name() or member.username
    return _done(request, f"{name} can log in again." if active else f"{name} can no longer log in.", "team")


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    """The e-mailed link: choose a username and password, then you are logged in with the invited role."""
    try:
        invitation = services.invitation_for_token(token=token)
    except WorkflowError as exc:
        return render(request, "responses/practice/invitation.html", {"problem": str(exc)}, status=410)
    form = AcceptInvitationForm(request.POST or None, initial={"username": invitation.email.split("@")[0]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.invitation_accept(token=token, username=data["username"], password=data["password"],
                                              first_name=data["first_name"], last_name=data["last_name"])
        except WorkflowError as exc:
            form.add_error(None, str(exc))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to {invitation.practice.name}'s ReviewDesk.")
            return redirect("inbox")
    return render(request, "responses/practice/invitation.html", {"invitation": invitation, "form": form},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_password_change(user=request.user, old_password=form.cleaned_data["old_password"],
                                          new_password=form.cleaned_data["new_password"])
        except WorkflowError as exc:
            form.add_error(None, str(exc))
        else:
            update_session_auth_hash(request, request.user)  # stay logged in here; other sessions end
            messages.success(request, "Your password is changed.")
            return redirect("inbox")
    return render(request, "responses/practice/password.html", {"form": form}, status=400 if form.errors else 200)
