"""`manage.py draft_reply`: template authors preview drafts for a batch, with no database at all.

No test here takes the `db` fixture, so any query would fail the test (pytest-django refuses it).
"""
from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

PRACTICE = {
    "name": "Willow & Pine Medspa",
    "phone": "(303) 555-0186",
    "email": "frontdesk@willowpine.example",
    "website": "www.willowpine.example",
    "address": "415 Larimer St, Unit 3B, Denver, CO 80202",
    "staff": [{"name": "Jordan Miles", "role": "Nurse Practitioner / Injector"}],
}
REVIEWS = [
    {"id": "r1", "platform": "google", "author_name": "Kara Lindstrom", "rating": 1,
     "text": "Waited an hour past my time to see Jordan for my Botox.", "posted_at": "2026-01-02T10:00:00Z"},
    {"id": "r2", "platform": "yelp", "author_name": "Promo King", "rating": 1,
     "text": "70% OFF FILLER at cheap-deals.example click here", "posted_at": "2026-01-02T10:00:00Z"},
    {"id": "r3", "platform": "google", "author_name": "sweetpea303", "rating": 5, "text": "",
     "posted_at": "2026-01-02T10:00:00Z"},
]


@pytest.fixture
def practice_file(tmp_path):
    path = tmp_path / "practice.json"
    path.write_text(json.dumps(PRACTICE))
    return path


def run(*args, stdin: str | None = None, monkeypatch=None) -> list[dict]:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command("draft_reply", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_it_drafts_skips_and_reports_bad_lines_in_order(tmp_path, practice_file):
    reviews = tmp_path / "reviews.jsonl"
    lines = [json.dumps(REVIEWS[0]), "{not json", json.dumps(REVIEWS[1]), "", json.dumps({"id": "r9", "rating": 7}),
             json.dumps(REVIEWS[2])]
    reviews.write_text("\n".join(lines) + "\n")

    rows = run("--practice", str(practice_file), str(reviews))

    assert [row.get("id", row.get("line")) for row in rows] == ["r1", 2, "r2", 5, "r3"]
    drafted, bad_json, spam, bad_rating, rating_only = rows
    assert drafted["topic"] == "wait_time" and drafted["guard"] == {"blocked": False, "findings": []}
    assert PRACTICE["phone"] in drafted["text"]
    for echoed in ("Jordan", "Botox", "Lindstrom", "hour"):
        assert echoed.lower() not in drafted["text"].lower()
    assert "not valid JSON" in bad_json["error"]
    assert spam == {"id": "r2", "skipped": True, "reason": spam["reason"]} and "spam" in spam["reason"]
    assert "rating" in bad_rating["error"] and "7" not in bad_rating["error"]
    assert rating_only["topic"] == "rating_only" and "sweetpea" not in rating_only["text"]
    assert "thank" in rating_only["text"].lower()


def test_it_reads_stdin_and_gives_the_same_draft_every_time(practice_file, monkeypatch):
    stdin = json.dumps(REVIEWS[0]) + "\n"
    first = run("--practice", str(practice_file), "-", stdin=stdin, monkeypatch=monkeypatch)
    again = run("--practice", str(practice_file), stdin=stdin, monkeypatch=monkeypatch)
    assert first == again and len(first) == 1


def test_it_refuses_a_practice_file_without_a_private_channel(tmp_path):
    path = tmp_path / "practice.json"
    path.write_text(json.dumps({"name": "No Contact Spa"}))
    with pytest.raises(CommandError, match="phone or an email"):
        call_command("draft_reply", "--practice", str(path), stdout=io.StringIO())


def test_it_refuses_a_missing_practice_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read the practice file"):
        call_command("draft_reply", "--practice", str(tmp_path / "nope.json"), stdout=io.StringIO())
