"""Roles are Django groups with the reply permissions; every service checks them on the server."""
from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied

from responses.models import Membership, Practice, Role

ROLE_PERMISSIONS = {
    Role.FRONT_DESK: ("submit_reply", "close_review", "import_reviews"),
    Role.MANAGER: (
        "submit_reply",
        "approve_reply",
        "post_reply",
        "close_review",
        "import_reviews",
        "manage_templates",
        "unlock_logins",
        "manage_compliance",
        "manage_practice",
        "manage_sources",
    ),
}


def role_groups_ensure() -> dict[str, Group]:
    """Create (or repair) one group per role with exactly its permissions."""
    groups = {}
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.label)
        perms = Permission.objects.filter(content_type__app_label="responses", codename__in=codenames)
        group.permissions.set(perms)
        groups[role] = group
    return groups


def role_groups_sync_after_migrate(sender, **kwargs) -> None:
    """post_migrate: a permission added by a new release reaches the existing role groups."""
    role_groups_ensure()


def membership_grant(*, user, practice: Practice, role: Role) -> Membership:
    """Make `user` a member of `practice` with `role` (and only that role's group)."""
    groups = role_groups_ensure()
    membership, _ = Membership.objects.update_or_create(user=user, defaults={"practice": practice, "role": role})
    user.groups.remove(*[g for r, g in groups.items() if r != role])
    user.groups.add(groups[role])
    # Permissions are cached on the user object; a fresh grant must be visible at once.
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)
    return membership


def practice_for(user) -> Practice:
    """The practice this user works for, or PermissionDenied."""
    membership = getattr(user, "membership", None) if user.is_authenticated else None
    if membership is None:
        raise PermissionDenied("This account is not a member of any practice.")
    return membership.practice


def require_permission(user, codename: str) -> None:
    if not user.has_perm(f"responses.{codename}"):
        raise PermissionDenied("Your role does not allow this action.")
