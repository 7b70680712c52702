"""Writes a practice's manager makes: profile, locations, other public lines, staff, settings, people.

Every service checks `manage_practice` and that the actor belongs to the practice (server side, whatever the
page showed), changes the rows in one transaction and records an audit event with ids, field names and roles
only: no names, addresses, e-mail addresses or keywords.
"""
from __future__ import annotations

import hashlib
import secrets
import zoneinfo
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from responses.audit import audit_record
from responses.escalation.services import reviews_escalate_open
from responses.models import DraftLanguage, Location, Membership, Practice, Role, StaffMember
from responses.practice.models import Invitation, PracticeSettings, PublicContact
from responses.roles import membership_grant, practice_for, require_permission
from responses.workflow import WorkflowError

PROFILE_FIELDS = ("name", "signature", "phone", "email", "website", "address")
LOCATION_FIELDS = ("name", "phone", "email", "address", "time_zone")


def _require_manager_of(actor, practice: Practice) -> None:
    require_permission(actor, "manage_practice")
    if practice_for(actor).pk != practice.pk:
        raise PermissionDenied("You can only change your own practice.")


def _changed(instance, data: dict, fields: tuple[str, ...]) -> list[str]:
    changed = []
    for name in fields:
        value = (data.get(name) or "").strip() if isinstance(data.get(name, ""), str) else data.get(name)
        if name in data and getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def practice_settings_get(*, practice: Practice) -> PracticeSettings:
    """The practice's desk settings (created with the defaults the first time they are read)."""
    found, _ = PracticeSettings.objects.get_or_create(
        practice=practice, defaults={"response_target_days": settings.RESPONSE_TARGET_DAYS}
    )
    return found


@transaction.atomic
def practice_profile_update(*, practice: Practice, actor, data: dict) -> list[str]:
    """Change the practice's public identity (what the guard allows and the drafts sign with).
    Returns the names of the fields that changed."""
    _require_manager_of(actor, practice)
    locked = Practice.objects.select_for_update().get(pk=practice.pk)
    if "name" in data and not (data["name"] or "").strip():
        raise WorkflowError("The practice needs a name.")
    changed = _changed(locked, data, PROFILE_FIELDS)
    if changed:
        locked.save(update_fields=changed)
        audit_record(action="practice_profile_changed", actor=actor, practice=practice, fields=changed)
        for name in changed:
            setattr(practice, name, getattr(locked, name))
    return changed


@dataclass(frozen=True)
class SettingsSaved:
    fields: list[str]  # the settings that changed
    escalated: int = 0  # open reviews the new keywords escalated


@transaction.atomic
def practice_settings_update(
    *, practice: Practice, actor, response_target_days: int, escalation_keywords: str,
    draft_languages: list[str] | None = None, default_language: str | None = None, time_zone: str | None = None,
) -> SettingsSaved:
    """Change the response target (1-30 days), the practice's own escalation keywords (one a line), the languages
    drafts are written in and the default one, and the practice's time zone (None: left as it is). New keywords
    also escalate the open reviews that hold them, as they would a review arriving now."""
    _require_manager_of(actor, practice)
    if not 1 <= int(response_target_days) <= 30:
        raise WorkflowError("The response target is 1 to 30 days.")
    desk = practice_settings_get(practice=practice)
    data = {
        "response_target_days": int(response_target_days),
        "escalation_keywords": "\n".join(
            dict.fromkeys(line.strip() for line in (escalation_keywords or "").splitlines() if line.strip())),
    }
    if draft_languages is not None:
        chosen = [code for code in DraftLanguage.values if code in draft_languages]
        if not chosen:
            raise WorkflowError("Choose at least one language to draft replies in.")
        data["draft_languages"] = chosen
    default = default_language if default_language is not None else desk.default_language
    if default not in data.get("draft_languages", desk.language_list):
        raise WorkflowError("The default language must be one of the languages replies are drafted in.")
    data["default_language"] = default
    if time_zone is not None:
        data["time_zone"] = _clean_time_zone(time_zone)
    changed = _changed(desk, data, tuple(data))
    if not changed:
        return SettingsSaved(fields=[])
    desk.save(update_fields=[*changed, "updated_at"])
    escalated = reviews_escalate_open(practice=practice) if "escalation_keywords" in changed else 0
    audit_record(action="practice_settings_changed", actor=actor, practice=practice, fields=changed,
                 escalated=escalated)
    return SettingsSaved(fields=changed, escalated=escalated)


def _clean_time_zone(value: str) -> str:
    value = (value or "").strip()
    if value and value not in zoneinfo.available_timezones():
        raise WorkflowError("Choose a time zone from the list (e.g. America/Denver).")
    return value


@transaction.atomic
def location_save(*, practice: Practice, actor, data: dict, location: Location | None = None) -> Location:
    """Add a location (no `location`) or change one; its phone and e-mail are the private channel replies offer."""
    _require_manager_of(actor, practice)
    if location is not None and location.practice_id != practice.pk:
        raise PermissionDenied("This location belongs to another practice.")
    data = {**data, "time_zone": _clean_time_zone(data.get("time_zone", ""))}
    if not (data.get("name") or "").strip():
        raise WorkflowError("A location needs a name.")
    target = location or Location(practice=practice)
    changed = _changed(target, data, LOCATION_FIELDS)
    if location is not None and not changed:
        return location
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError:
        raise WorkflowError("The practice already has a location of that name.") from None
    audit_record(action="location_added" if location is None else "location_changed", actor=actor,
                 practice=practice, location=target.pk, fields=changed)
    return target


@transaction.atomic
def location_remove(*, practice: Practice, actor, location: Location) -> None:
    """Remove a location that has no reviews (reviews keep their location, so one with reviews stays)."""
    _require_manager_of(actor, practice)
    if location.practice_id != practice.pk:
        raise PermissionDenied("This location belongs to another practice.")
    if location.reviews.exists():
        raise WorkflowError("This location has reviews, so it stays; rename it instead.")
    if practice.locations.count() <= 1:
        raise WorkflowError("A practice needs at least one location.")
    location_id = location.pk
    location.delete()
    audit_record(action="location_removed", actor=actor, practice=practice, location=location_id)


@transaction.atomic
def public_contact_add(*, practice: Practice, actor, label: str, phone: str = "", email: str = "") -> PublicContact:
    """Add a line of the practice's that is not a location's (billing, a Spanish line): replies may give it, and
    the guard reads it as the practice's own from now on."""
    _require_manager_of(actor, practice)
    label, phone, email = (" ".join((value or "").split()) for value in (label, phone, email))
    if not 2 <= len(label) <= 100:
        raise WorkflowError("A line's label is 2 to 100 characters long.")
    if not phone and not email:
        raise WorkflowError("Give the line's phone number or e-mail address.")
    if practice.public_contacts.filter(label__iexact=label).exists():
        raise WorkflowError("A line with this label is already listed.")
    line = PublicContact.objects.create(practice=practice, label=label, phone=phone[:40], email=email)
    audit_record(action="public_contact_added", actor=actor, practice=practice, public_contact=line.pk)
    return line


@transaction.atomic
def public_contact_remove(*, practice: Practice, actor, public_contact: PublicContact) -> None:
    """Take a line off; replies giving it are then blocked like any number that is not the practice's."""
    _require_manager_of(actor, practice)
    if public_contact.practice_id != practice.pk:
        raise PermissionDenied("This line is another practice's.")
    line_id = public_contact.pk
    public_contact.delete()
    audit_record(action="public_contact_removed", actor=actor, practice=practice, public_contact=line_id)


@transaction.atomic
def staff_member_add(*, practice: Practice, actor, name: str, role: str = "") -> StaffMember:
    """Add someone whose name (and role) replies may mention; the guard allows them from now on."""
    _require_manager_of(actor, practice)
    name, role = " ".join((name or "").split()), " ".join((role or "").split())
    if not 2 <= len(name) <= 200:
        raise WorkflowError("A staff member's name is 2 to 200 characters long.")
    if practice.staff.filter(name__iexact=name).exists():
        raise WorkflowError("This name is already on the staff list.")
    member = StaffMember.objects.create(practice=practice, name=name, role=role[:200])
    audit_record(action="staff_member_added", actor=actor, practice=practice, staff_member=member.pk)
    return member


@transaction.atomic
def staff_member_remove(*, practice: Practice, actor, staff_member: StaffMember) -> None:
    """Take someone off the staff list; replies naming them are then blocked like any other name."""
    _require_manager_of(actor, practice)
    if staff_member.practice_id != practice.pk:
        raise PermissionDenied("This person is on another practice's staff list.")
    member_id = staff_member.pk
    staff_member.delete()
    audit_record(action="staff_member_removed", actor=actor, practice=practice, staff_member=member_id)


# --- people -------------------------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str  # shown once, in the e-mail's link; only its hash is stored


def invitation_create(*, practice: Practice, actor, email: str, role: str, accept_url) -> IssuedInvitation:
    """Invite `email` to the practice with `role`: an e-mail with a one-time link valid INVITATION_EXPIRY_DAYS.
    `accept_url(token)` builds the absolute link. Refused for an address that already has an active account
    here (the manager changes their role instead)."""
    _require_manager_of(actor, practice)
    email = (email or "").strip().lower()
    if role not in Role.values:
        raise WorkflowError("Choose a role: front desk or practice manager.")
    User = get_user_model()
    if User.objects.filter(email__iexact=email, is_active=True, membership__practice=practice).exists():
        raise WorkflowError("Someone with this e-mail address is already on the team.")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        # A new invitation to the same address replaces the open ones: only the latest link works.
        practice.invitations.filter(email__iexact=email, accepted_at=None, revoked_at=None).update(revoked_at=timezone.now())
        invitation = Invitation.objects.create(
            practice=practice, email=email, role=role, token_sha256=_token_hash(token), invited_by=actor,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_EXPIRY_DAYS),
        )
        audit_record(action="member_invited", actor=actor, practice=practice, invitation=invitation.pk, role=role)
    link = accept_url(token)
    inviter = actor.get_full_name() or actor.username
    send_mail(
        subject=f"Join {practice.name} on ReviewDesk",
        message=(
            f"{inviter} invites you to answer {practice.name}'s reviews on ReviewDesk as "
            f"{Role(role).label.lower()}.\n\nChoose your username and password here (the link works once, "
            f"until {timezone.localtime(invitation.expires_at):%B %-d, %Y}):\n{link}\n"
        ),
        from_email=None,
        recipient_list=[email],
    )
    return IssuedInvitation(invitation=invitation, token=token)


def invitation_for_token(*, token: str) -> Invitation:
    """The open, unexpired invitation for `token`, or WorkflowError saying why the link no longer works."""
    invitation = Invitation.objects.select_related("practice").filter(token_sha256=_token_hash(token or "")).first()
    if invitation is None or invitation.revoked_at is not None:
        raise WorkflowError("This invitation link is not valid. Ask your practice manager for a new one.")
    if invitation.accepted_at is not None:
        raise WorkflowError("This invitation has already been used. Log in with the account you made.")
    if invitation.expires_at <= timezone.now():
        raise WorkflowError("This invitation has expired. Ask your practice manager for a new one.")
    return invitation


def invitation_accept(*, token: str, username: str, password: str, first_name: str = "", last_name: str = ""):
    """Create the invited person's account with the invitation's role; the link then stops working."""
    User = get_user_model()
    username = (username or "").strip()
    with transaction.atomic():
        invitation = invitation_for_token(token=token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_open:
            raise WorkflowError("This invitation has already been used. Log in with the account you made.")
        if not username or User.objects.filter(username__iexact=username).exists():
            raise WorkflowError("Choose another username: this one is taken or empty.")
        user = User(username=username, email=invitation.email, first_name=first_name.strip()[:150],
                    last_name=last_name.strip()[:150])
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise WorkflowError(" ".join(exc.messages)) from None
        user.set_password(password)
        user.save()
        membership_grant(user=user, practice=invitation.practice, role=Role(invitation.role))
        invitation.accepted_at = timezone.now()
        invitation.accepted_user = user
        invitation.save(update_fields=["accepted_at", "accepted_user"])
        audit_record(action="invitation_accepted", actor=user, practice=invitation.practice,
                     invitation=invitation.pk, member=user.pk, role=invitation.role)
    return user


@transaction.atomic
def invitation_revoke(*, practice: Practice, actor, invitation: Invitation) -> None:
    _require_manager_of(actor, practice)
    if invitation.practice_id != practice.pk:
        raise PermissionDenied("This invitation belongs to another practice.")
    if not invitation.is_open:
        raise WorkflowError("This invitation was already used or withdrawn.")
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    audit_record(action="invitation_revoked", actor=actor, practice=practice, invitation=invitation.pk)


def _member_of(practice: Practice, user) -> Membership:
    membership = Membership.objects.select_related("user").filter(user=user, practice=practice).first()
    if membership is None:
        raise PermissionDenied("This person is not on your team.")
    return membership


def _refuse_if_last_manager(practice: Practice, membership: Membership) -> None:
    """A practice always keeps one active manager, or nobody could approve a reply or undo this."""
    if membership.role != Role.MANAGER:
        return
    # Lock the practice's managers so two managers demoting each other at once cannot both succeed.
    managers = list(
        Membership.objects.select_for_update().filter(practice=practice, role=Role.MANAGER, user__is_active=True)
        .values_list("user_id", flat=True)
    )
    if managers == [membership.user_id] or not managers:
        raise WorkflowError("The practice needs at least one active manager: make someone else manager first.")


@transaction.atomic
def member_role_set(*, practice: Practice, actor, user, role: str) -> bool:
    """Give a team member another role (front desk / practice manager). Returns whether it changed."""
    _require_manager_of(actor, practice)
    if role not in Role.values:
        raise WorkflowError("Choose a role: front desk or practice manager.")
    membership = _member_of(practice, user)
    if membership.role == role:
        return False
    _refuse_if_last_manager(practice, membership)
    old = membership.role
    membership_grant(user=membership.user, practice=practice, role=Role(role))
    audit_record(action="member_role_changed", actor=actor, practice=practice, member=user.pk,
                 role=role, from_state=old, to_state=role)
    return True


@transaction.atomic
def member_active_set(*, practice: Practice, actor, user, active: bool) -> bool:
    """Deactivate a team member (they can no longer log in; their history stays) or reactivate them."""
    _require_manager_of(actor, practice)
    membership = _member_of(practice, user)
    member = membership.user
    if member.is_active == active:
        return False
    if not active:
        _refuse_if_last_manager(practice, membership)
    type(member).objects.filter(pk=member.pk).update(is_active=active)
    member.is_active = active
    audit_record(action="member_activated" if active else "member_deactivated", actor=actor, practice=practice,
                 member=member.pk)
    return True


def user_password_change(*, user, old_password: str, new_password: str) -> None:
    """A user changes their own password (the old one first); audited without either."""
    if not user.check_password(old_password or ""):
        raise WorkflowError("Your current password is not right.")
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        raise WorkflowError(" ".join(exc.messages)) from None
    user.set_password(new_password)
    user.save(update_fields=["password"])
    membership = getattr(user, "membership", None)
    audit_record(action="password_changed", actor=user, practice=membership.practice if membership else None,
                 member=user.pk)
