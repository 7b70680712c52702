"""A manager reads and exports the practice's audit trail: who did what and when, never patient text.

alice works the front desk, bob manages Willow & Pine, charlie manages another practice.
"""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from responses.audit import audit_record
from responses.audit_trail.views import PAGE_SIZE
from responses.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "not-a-real-password-123"


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_a_manager_sees_the_practice_trail_and_never_another_practices(client, bob, charlie, review, other_practice):
    audit_record(action="reply_submitted", actor=bob, review=review, from_state="draft", to_state="pending")
    audit_record(action="other_practice_thing", actor=charlie, practice=other_practice)
    client.force_login(bob)

    response = client.get(reverse("audit_trail"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "reply_submitted" in body and f"#{review.pk}" in body
    assert "other_practice_thing" not in body
    assert "other_practice_thing" not in _rows(client.get(reverse("audit_trail_csv"))).__str__()


def test_it_refuses_the_trail_and_its_export_to_the_front_desk(client, alice):
    client.force_login(alice)

    assert client.get(reverse("audit_trail")).status_code == 403
    assert client.get(reverse("audit_trail_csv")).status_code == 403
    assert not AuditEvent.objects.filter(action="audit_exported").exists()


def test_it_filters_by_action_and_date_range(client, bob, practice):
    old = audit_record(action="review_closed", actor=bob, practice=practice)
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=40))
    audit_record(action="review_closed", actor=bob, practice=practice)
    audit_record(action="template_saved", actor=bob, practice=practice)
    client.force_login(bob)
    today = timezone.localdate()

    page = client.get(reverse("audit_trail"), {"action": "review_closed", "date_from": today - timedelta(days=7),
                                               "date_to": today}).context["page"]

    assert [e.action for e in page.object_list] == ["review_closed"]
    assert page.paginator.count == 1


def test_it_refuses_a_date_range_that_ends_before_it_starts(client, bob):
    client.force_login(bob)
    today = timezone.localdate()

    response = client.get(reverse("audit_trail"), {"date_from": today, "date_to": today - timedelta(days=1)})

    assert response.status_code == 400 and "end date is before the start date" in response.content.decode()


def test_it_pages_a_long_trail(client, bob, practice):
    AuditEvent.objects.bulk_create(
        [AuditEvent(action="review_closed", practice=practice) for _ in range(PAGE_SIZE + 5)])
    client.force_login(bob)

    first = client.get(reverse("audit_trail"), {"action": "review_closed"}).context["page"]
    second = client.get(reverse("audit_trail"), {"action": "review_closed", "page": 2}).context["page"]

    assert len(first.object_list) == PAGE_SIZE and len(second.object_list) == 5


def test_the_export_is_spreadsheet_safe_and_is_itself_audited(client, bob, practice, django_user_model):
    sneaky = django_user_model.objects.create_user(username="=HYPERLINK(\"http://x\")", password=PASSWORD)
    for prefix in ("=", "+", "-", "@", "\t", "\r"):
        audit_record(action=f"{prefix}cmd", actor=sneaky, practice=practice)
    client.force_login(bob)

    response = client.get(reverse("audit_trail_csv"))

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "no-store" in response["Cache-Control"]
    rows = _rows(response)
    assert rows[0][:2] == ["at", "action"]
    actions = {row[1] for row in rows[1:]}
    assert {"'=cmd", "'+cmd", "'-cmd", "'@cmd", "'\tcmd", "'\rcmd"} <= actions
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows[1:] for cell in row)
    event = AuditEvent.objects.get(action="audit_exported")
    assert event.actor == bob and event.practice == practice and event.details["row_count"] == len(rows) - 1


def test_logins_and_failed_logins_are_audited_by_user_id_only(client, alice):
    wrong = "hunter2-wrong-password"
    client.post(reverse("login"), {"username": "alice", "password": wrong})
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD})

    failed = AuditEvent.objects.get(action="login_failed")
    login = AuditEvent.objects.get(action="login")
    assert failed.details == {"login_user": alice.pk, "via": "desk"} and failed.practice == alice.membership.practice
    assert login.actor == alice and login.details["login_user"] == alice.pk
    stored = str(list(AuditEvent.objects.values_list("details", flat=True)))
    assert wrong not in stored and PASSWORD not in stored and "alice" not in stored


def test_a_failed_login_for_nobody_is_recorded_without_the_typed_name_or_a_practice(client, bob):
    client.post(reverse("login"), {"username": "patient-jane-doe", "password": "guess"})

    event = AuditEvent.objects.get(action="login_failed")
    assert event.practice is None and event.details["login_user"] is None
    assert "jane" not in str(event.details)
    client.force_login(bob)
    assert "login_failed" not in client.get(reverse("audit_trail")).content.decode()


def test_the_managers_trail_shows_the_front_desks_failed_logins(client, alice, bob):
    client.post(reverse("login"), {"username": "alice", "password": "wrong-one"})
    client.force_login(bob)

    page = client.get(reverse("audit_trail"), {"action": "login_failed"}).context["page"]

    assert [e.details["login_user"] for e in page.object_list] == [alice.pk]
