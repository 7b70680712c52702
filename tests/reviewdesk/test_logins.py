"""Guessing passwords gets nowhere: after a few wrong ones a username is locked out from that address, on the
desk's login page and on /admin/login/ alike, until the lockout cools off or someone unlocks it (audited).

alice works the front desk, bob manages Willow & Pine; mallory guesses passwords from 203.0.113.66.
"""
from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from responses.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "not-a-real-password-123"  # tests/conftest.py gives every user this one
MALLORY = "203.0.113.66"
ELSEWHERE = "198.51.100.7"


def log_in(client, username, password, *, ip=MALLORY, path=None):
    return client.post(path or reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=ip)


def guess(client, username, *, times=None, ip=MALLORY, path=None):
    for attempt in range(times or settings.AXES_FAILURE_LIMIT):
        log_in(client, username, f"wrong-guess-{attempt}", ip=ip, path=path)


def test_the_right_password_after_many_wrong_ones_does_not_log_in(client, alice):
    guess(client, "alice", times=50)

    response = log_in(client, "alice", PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    body = response.content.decode()
    assert "Too many failed log-ins" in body and "unlock" in body
    assert 'name="password"' in body, "the lockout is explained on the login page itself"


def test_a_few_wrong_passwords_are_only_a_wrong_password(client, alice):
    guess(client, "alice", times=settings.AXES_FAILURE_LIMIT - 1)

    response = log_in(client, "alice", PASSWORD)

    assert response.status_code == 302 and client.session["_auth_user_id"] == str(alice.pk)


def test_the_lockout_is_for_that_username_from_that_address(client, alice, bob):
    guess(client, "alice")

    assert log_in(client, "bob", PASSWORD).status_code == 302, "bob at the same address is not locked out"
    client.logout()
    assert log_in(client, "alice", PASSWORD, ip=ELSEWHERE).status_code == 302, "alice from the clinic still gets in"


def test_the_admin_login_is_protected_the_same_way(client, bob):
    bob.is_staff = True
    bob.save()
    admin_login = reverse("admin:login")
    guess(client, "bob", times=20, path=admin_login)

    response = log_in(client, "bob", PASSWORD, path=admin_login)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Too many failed log-ins" in response.content.decode()


def test_a_lockout_is_audited_without_the_guessed_passwords(client, alice):
    guess(client, "alice")

    event = AuditEvent.objects.get(action="login_locked_out")
    assert event.practice_id == alice.membership.practice_id
    assert event.details == {"login_user": alice.pk}
    assert "wrong-guess" not in str(event.details)


def test_an_operator_unlocks_a_username_and_it_is_audited(client, alice):
    guess(client, "alice")

    call_command("login_unlock", "alice")

    assert log_in(client, "alice", PASSWORD).status_code == 302
    event = AuditEvent.objects.get(action="login_unlocked")
    assert event.actor is None and event.practice_id == alice.membership.practice_id
    assert event.details["login_user"] == alice.pk and event.details["via"] == "command"
    assert event.details["cleared"] >= 1


def test_unlocking_a_username_that_is_not_locked_says_so(alice):
    with pytest.raises(CommandError, match="not locked out"):
        call_command("login_unlock", "alice")
    assert not AuditEvent.objects.filter(action="login_unlocked").exists()


def test_bob_unlocks_alice_from_the_team_page(client, alice, bob):
    guess(client, "alice")
    client.force_login(bob)

    page = client.get(reverse("login_lockouts")).content.decode()
    assert "alice" in page
    response = client.post(reverse("login_unlock", args=[alice.pk]))

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="login_unlocked")
    assert event.actor == bob and event.details["via"] == "desk"
    client.logout()
    assert log_in(client, "alice", PASSWORD).status_code == 302


def test_alice_cannot_unlock_anyone_and_charlie_cannot_unlock_willow_and_pine_staff(client, alice, bob, charlie):
    guess(client, "bob")
    client.force_login(alice)
    assert client.post(reverse("login_unlock", args=[bob.pk])).status_code == 403
    client.force_login(charlie)
    assert client.post(reverse("login_unlock", args=[bob.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="login_unlocked").exists()


def test_an_operator_unlocks_from_the_admin_and_attempts_cannot_be_deleted_unaudited(client, alice, bob):
    from axes.models import AccessAttempt

    guess(client, "alice")
    bob.is_staff = bob.is_superuser = True
    bob.save()
    client.force_login(bob)
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))

    client.post("/admin/axes/accessattempt/", {"action": "delete_selected", "_selected_action": attempts})
    assert AccessAttempt.objects.count() == len(attempts)
    client.post("/admin/axes/accessattempt/", {"action": "unlock_selected", "_selected_action": attempts})

    assert not AccessAttempt.objects.exists()
    event = AuditEvent.objects.get(action="login_unlocked")
    assert event.actor == bob and event.details["via"] == "admin"
