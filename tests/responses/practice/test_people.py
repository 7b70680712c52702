"""People: bob invites a colleague by e-mail, sets roles, deactivates; the last manager always stays; everyone
changes their own password. The invitation link works once, until it expires; only its hash is stored."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from responses.models import AuditEvent, Role
from responses.practice import services
from responses.practice.models import Invitation
from responses.workflow import WorkflowError

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-and-unusual-passphrase-42"


def logs_in(client, username, password) -> bool:
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def as_user(client, user):
    client.force_login(user)
    return client


def invite(client, bob, email="dana@willowpine.example", role=Role.FRONT_DESK) -> str:
    response = as_user(client, bob).post(reverse("member_invite"), {"email": email, "role": role})
    assert response.status_code == 302
    link = re.search(r"http://testserver(/invitations/\S+)", mail.outbox[-1].body).group(1)
    client.logout()
    return link


def test_an_invited_colleague_creates_an_account_and_works_the_desk(client, bob, location):
    link = invite(client, bob)
    assert mail.outbox[-1].to == ["dana@willowpine.example"]
    invitation = Invitation.objects.get()
    assert invitation.token_sha256 not in link and len(invitation.token_sha256) == 64

    assert client.get(link).status_code == 200
    response = client.post(link, {"username": "dana", "first_name": "Dana", "password": PASSWORD,
                                  "password_again": PASSWORD})
    assert response.status_code == 302
    dana = get_user_model().objects.get(username="dana")
    assert dana.membership.practice == bob.membership.practice and dana.membership.role == Role.FRONT_DESK
    assert dana.has_perm("responses.submit_reply") and not dana.has_perm("responses.approve_reply")
    assert client.get(reverse("inbox")).status_code == 200  # logged in by accepting
    client.logout()
    assert logs_in(client, "dana", PASSWORD)
    actions = list(AuditEvent.objects.exclude(action="login").order_by("id").values_list("action", flat=True))
    assert actions == ["member_invited", "invitation_accepted"]
    assert "dana" not in str(AuditEvent.objects.values_list("details", flat=True))


def test_it_refuses_an_invitation_link_used_twice(client, bob, practice):
    link = invite(client, bob)
    client.post(link, {"username": "dana", "password": PASSWORD, "password_again": PASSWORD})
    client.logout()
    response = client.post(link, {"username": "dana2", "password": PASSWORD, "password_again": PASSWORD})
    assert response.status_code == 410 and b"already been used" in response.content
    assert not get_user_model().objects.filter(username="dana2").exists()


def test_it_refuses_an_expired_invitation(client, bob, practice):
    link = invite(client, bob)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.post(link, {"username": "dana", "password": PASSWORD, "password_again": PASSWORD})
    assert response.status_code == 410 and b"expired" in response.content
    assert not get_user_model().objects.filter(username="dana").exists()


def test_it_refuses_a_made_up_or_withdrawn_link(client, bob, practice):
    assert client.get(reverse("invitation_accept", args=["not-a-token"])).status_code == 410
    link = invite(client, bob)
    as_user(client, bob).post(reverse("invitation_revoke", args=[Invitation.objects.get().pk]))
    client.logout()
    assert client.get(link).status_code == 410


def test_a_new_invitation_to_the_same_address_replaces_the_old_link(client, bob, practice):
    first = invite(client, bob)
    second = invite(client, bob)
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_it_refuses_a_weak_password_and_a_taken_username(client, bob, alice, practice):
    link = invite(client, bob)
    assert client.post(link, {"username": "dana", "password": "123", "password_again": "123"}).status_code == 400
    assert client.post(link, {"username": "alice", "password": PASSWORD, "password_again": PASSWORD}).status_code == 400
    assert Invitation.objects.get().accepted_at is None


def test_bob_makes_alice_a_manager_and_back(client, bob, alice, practice):
    as_user(client, bob).post(reverse("member_role", args=[alice.pk]), {"role": Role.MANAGER})
    alice = get_user_model().objects.get(pk=alice.pk)
    assert alice.membership.role == Role.MANAGER and alice.has_perm("responses.approve_reply")
    event = AuditEvent.objects.get(action="member_role_changed")
    assert (event.from_state, event.to_state, event.details["member"]) == ("front_desk", "manager", alice.pk)


def test_the_last_manager_cannot_step_down_or_be_deactivated(client, bob, alice, practice):
    as_user(client, bob)
    client.post(reverse("member_role", args=[bob.pk]), {"role": Role.FRONT_DESK})
    client.post(reverse("member_active", args=[bob.pk]), {"active": "0"})
    bob.refresh_from_db()
    assert bob.membership.role == Role.MANAGER and bob.is_active
    with pytest.raises(WorkflowError, match="at least one active manager"):
        services.member_active_set(practice=practice, actor=bob, user=bob, active=False)


def test_with_a_second_manager_the_first_may_step_down(bob, alice, practice):
    services.member_role_set(practice=practice, actor=bob, user=alice, role=Role.MANAGER)
    assert services.member_role_set(practice=practice, actor=bob, user=bob, role=Role.FRONT_DESK)


def test_a_deactivated_colleague_can_no_longer_log_in(client, bob, alice, practice):
    as_user(client, bob).post(reverse("member_active", args=[alice.pk]), {"active": "0"})
    client.logout()
    assert not logs_in(client, "alice", "not-a-real-password-123")
    assert AuditEvent.objects.filter(action="member_deactivated", details__member=alice.pk).exists()


def test_charlie_cannot_touch_willow_and_pines_team(client, charlie, alice):
    as_user(client, charlie)
    assert client.post(reverse("member_role", args=[alice.pk]), {"role": Role.MANAGER}).status_code == 404
    assert client.post(reverse("member_active", args=[alice.pk]), {"active": "0"}).status_code == 404
    alice.refresh_from_db()
    assert alice.is_active and alice.membership.role == Role.FRONT_DESK


def test_alice_cannot_invite_or_change_roles(client, alice, bob):
    as_user(client, alice)
    assert client.post(reverse("member_invite"), {"email": "x@example.com", "role": Role.MANAGER}).status_code == 403
    assert client.post(reverse("member_role", args=[alice.pk]), {"role": Role.MANAGER}).status_code == 403
    assert not mail.outbox


def test_alice_changes_her_own_password(client, alice):
    response = as_user(client, alice).post(reverse("password_change"), {
        "old_password": "not-a-real-password-123", "new_password": PASSWORD, "new_password_again": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("inbox")).status_code == 200  # still logged in
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    assert AuditEvent.objects.filter(action="password_changed", actor=alice).exists()


def test_it_refuses_a_password_change_without_the_current_password(client, alice):
    response = as_user(client, alice).post(reverse("password_change"), {
        "old_password": "wrong", "new_password": PASSWORD, "new_password_again": PASSWORD})
    assert response.status_code == 400
    alice.refresh_from_db()
    assert alice.check_password("not-a-real-password-123")
