"""Exporting the compliance record: CSV safe in a spreadsheet, a printable report, audited, no patient text by
default (a canary proves it)."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from responses import workflow
from responses.compliance.export import compliance_export, spreadsheet_safe
from responses.compliance.followups import fake_review_mark, follow_up_start
from responses.models import AuditEvent, text_sha256
from tests.responses.compliance.conftest import REPLY

pytestmark = pytest.mark.django_db

CANARY = "Canary-Marguerite-Q7"


@pytest.fixture
def canary_posted(make_review, post_reply, alice, bob):
    """A posted reply whose review, rejection comment, internal note, follow-up notes and fake-review reason all
    carry the canary."""
    review = make_review(f"{CANARY} had filler with {CANARY} on Tuesday", author_name=f"{CANARY} Smith",
                         internal_note=f"called {CANARY}")
    reply = workflow.reply_start(review=review, actor=alice, text=REPLY)
    reply = workflow.reply_submit(reply=reply, actor=alice)
    workflow.reply_reject(reply=reply, actor=bob, comment=f"do not name {CANARY}")
    reply.refresh_from_db()
    reply = workflow.reply_submit(reply=reply, actor=alice)
    reply = workflow.reply_approve(reply=reply, actor=bob, expected_revision=reply.revision)
    reply = workflow.reply_mark_posted(reply=reply, actor=bob)
    follow_up_start(review=review, actor=alice, channel="phone", notes=f"{CANARY} asked for a refund")
    fake_review_mark(review=review, actor=alice, reason=f"no visit by {CANARY}")
    return reply


def _export(bob, practice, **options):
    today = timezone.localdate()
    return compliance_export(practice=practice, actor=bob, date_from=today - timedelta(days=7), date_to=today,
                             **options)


@pytest.mark.parametrize("fmt", ["csv", "html"])
def test_the_default_export_holds_no_patient_text(canary_posted, bob, practice, fmt):
    export = _export(bob, practice, fmt=fmt)

    assert export.row_count == 1
    assert CANARY not in export.content
    assert REPLY not in export.content
    assert text_sha256(REPLY) in export.content


def test_patient_text_is_exported_only_when_the_manager_opts_in(canary_posted, bob, practice):
    export = _export(bob, practice, include_text=True)

    (row,) = csv.DictReader(io.StringIO(export.content))
    assert CANARY in row["review_text"]
    assert row["posted_text"] == REPLY


def test_a_csv_row_records_who_did_what_and_the_guard_version(canary_posted, bob, practice):
    (row,) = csv.DictReader(io.StringIO(_export(bob, practice).content))

    assert (row["drafted_by"], row["submitted_by"], row["approved_by"], row["posted_by"]) == (
        "alice", "alice", "bob", "bob")
    assert row["rejections"] == "1" and row["guard_refusals"] == "0"
    assert row["posted_text_sha256"] == text_sha256(REPLY)
    assert row["guard_engine"] and row["guard_classifier"] and row["guard_practice"]
    assert row["guard_encoder"] == "all-MiniLM-L6-v2/0.1.0"
    assert row["verdict_blocked"] == "False"


def test_cells_that_a_spreadsheet_would_run_are_neutralised(canary_posted, bob, practice, location):
    location.name = '=HYPERLINK("http://evil.example","click")'
    location.save()

    (row,) = csv.DictReader(io.StringIO(_export(bob, practice).content))

    assert row["location"] == '\'=HYPERLINK("http://evil.example","click")'
    assert [spreadsheet_safe(v) for v in ("+1", "-2", "@x", "plain")] == ["'+1", "'-2", "'@x", "plain"]


def test_every_export_is_audited_without_text(canary_posted, bob, practice):
    _export(bob, practice, fmt="html", include_text=True)

    event = AuditEvent.objects.get(action="compliance_exported")
    assert event.actor == bob and event.practice == practice
    assert event.details["row_count"] == 1 and event.details["include_patient_text"] is True
    assert event.details["export_format"] == "html"


def test_the_printable_report_has_print_css(canary_posted, bob, practice):
    content = _export(bob, practice, fmt="html").content

    assert "@media print" in content and "@page" in content


def test_the_front_desk_cannot_export(client, canary_posted, alice):
    client.force_login(alice)
    today = timezone.localdate()

    response = client.get("/compliance/export", {"date_from": today, "date_to": today, "fmt": "csv"})

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="compliance_exported").exists()


def test_a_manager_downloads_the_csv(client, canary_posted, bob):
    client.force_login(bob)
    today = timezone.localdate()

    response = client.get("/compliance/export", {"date_from": today - timedelta(days=1), "date_to": today,
                                                 "fmt": "csv"})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=\"compliance-")
    assert CANARY not in response.content.decode()


def test_it_refuses_a_range_that_ends_before_it_starts(bob, practice):
    from responses.compliance.export import ExportRefused

    today = timezone.localdate()
    with pytest.raises(ExportRefused, match="end date is before"):
        compliance_export(practice=practice, actor=bob, date_from=today, date_to=today - timedelta(days=1))


def test_the_export_benchmark_prints_its_time_and_leaves_nothing_behind(db, capsys):
    from django.core.management import call_command

    from responses.compliance.models import ReplyPosting

    call_command("compliance_export_bench", "--replies", "20")

    out = capsys.readouterr().out
    assert "compliance export (csv): 20 replies in" in out and "compliance export (html): 20 replies in" in out
    assert not ReplyPosting.objects.exists()
