"""Retro-scan: posted replies re-checked with the current guard, incrementally, in the worker; a reply the guard
now blocks opens an incident."""
from __future__ import annotations

import pytest
from django.core.management import call_command

from responses.compliance.models import GuardScan, Incident, ReplyPosting
from responses.compliance.rescan import ScanRefused, guard_scan_run, guard_scan_start
from responses.models import AuditEvent

pytestmark = pytest.mark.django_db


def _scan(practice):
    return guard_scan_run(scan=GuardScan.objects.create(practice=practice))


def test_a_clean_posted_reply_is_rechecked_once_per_guard_version(review, post_reply, practice):
    post_reply(review)

    first = _scan(practice)
    second = _scan(practice)

    assert (first.status, first.total, first.processed, first.blocked_count) == ("done", 1, 1, 0)
    assert (second.status, second.total) == ("done", 0)  # incremental: nothing new to check
    posting = ReplyPosting.objects.get()
    assert posting.rechecked_blocked is False and posting.rechecked_version_key == first.version_key
    assert not Incident.objects.exists()


def test_a_vocabulary_change_makes_the_scan_recheck_and_open_an_incident(
    review, post_reply, practice, glowmax_is_a_treatment
):
    post_reply(review)
    _scan(practice)

    glowmax_is_a_treatment()
    scan = _scan(practice)

    assert (scan.total, scan.blocked_count) == (1, 1)
    incident = Incident.objects.get()
    assert (incident.source, incident.status, incident.scan) == ("retro_scan", "open", scan)
    assert incident.posting.rechecked_blocked is True
    assert AuditEvent.objects.filter(action="incident_opened", details__incident=incident.pk).exists()


def test_scanning_again_does_not_open_a_second_incident(review, post_reply, practice, glowmax_is_a_treatment):
    post_reply(review)
    glowmax_is_a_treatment()
    _scan(practice)
    ReplyPosting.objects.update(rechecked_version_key="")  # as if the guard changed again

    _scan(practice)

    assert Incident.objects.count() == 1


def test_a_taken_down_reply_is_not_rescanned(review, post_reply, practice):
    post_reply(review)
    ReplyPosting.objects.update(taken_down_at="2026-01-01T00:00:00Z")

    assert _scan(practice).total == 0


def test_the_manager_button_runs_the_scan_in_the_worker(client, review, post_reply, bob, celery_eager,
                                                        django_capture_on_commit_callbacks):
    post_reply(review)
    client.force_login(bob)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/compliance/scan")

    assert response.status_code == 302
    scan = GuardScan.objects.get()
    assert (scan.status, scan.processed, scan.trigger, scan.started_by) == ("done", 1, "manual", bob)
    page = client.get("/compliance").content.decode()
    assert f"Last scan #{scan.pk}" in page and "1 of 1 replies re-checked" in page


def test_the_front_desk_cannot_start_a_scan(client, alice):
    client.force_login(alice)

    assert client.post("/compliance/scan").status_code == 403
    assert not GuardScan.objects.exists()


def test_it_refuses_a_second_scan_while_one_is_queued(practice, bob):
    GuardScan.objects.create(practice=practice)

    with pytest.raises(ScanRefused, match="already running"):
        guard_scan_start(practice=practice, actor=bob)


def test_the_command_scans_inline_and_reports(review, post_reply, practice, glowmax_is_a_treatment, capsys):
    post_reply(review)
    glowmax_is_a_treatment()

    call_command("phi_rescan", "--inline")

    assert "done, 1/1 re-checked, 1 now blocked (incidents opened)" in capsys.readouterr().out
    assert Incident.objects.count() == 1


def test_the_progress_region_polls_while_a_scan_is_queued(client, practice, bob):
    GuardScan.objects.create(practice=practice, total=4, processed=1)
    client.force_login(bob)

    region = client.get("/compliance", headers={"HX-Request": "true"}).content.decode()

    assert 'hx-trigger="every 2s"' in region and "1 of 4 replies re-checked (25%)" in region
    assert "Open incidents" not in region  # only the region, not the page
