"""phi_check and phi_eval, run as an operator would."""
import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.phi_guard.conftest import WILLOW_PINE


@pytest.fixture
def practice_file(tmp_path):
    path = tmp_path / "practice.json"
    path.write_text(json.dumps({
        "name": WILLOW_PINE.name, "phone": WILLOW_PINE.phone, "email": WILLOW_PINE.email,
        "website": WILLOW_PINE.website, "address": WILLOW_PINE.address,
        "staff": [{"name": m.name, "role": m.role} for m in WILLOW_PINE.staff],
    }))
    return path


def _run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_phi_check_writes_one_verdict_per_line_and_reports_bad_lines(tmp_path, practice_file):
    replies = tmp_path / "replies.jsonl"
    replies.write_text("\n".join([
        json.dumps({"id": "a", "text": "Thanks so much, Kwame!", "reviewer_name": "Kwame"}),
        "{not json",
        json.dumps({"id": "c", "text": "Kelsey, your Botox looks great.", "review": "Love it"}),
        json.dumps({"id": "d"}),
    ]) + "\n")

    records = [json.loads(line) for line in _run("phi_check", "--practice", str(practice_file), str(replies)).splitlines()]

    assert [r.get("id") for r in records] == ["a", None, "c", "d"]
    assert records[0] == {"id": "a", "blocked": False, "findings": []}
    assert records[1] == {"line": 2, "error": records[1]["error"]} and "JSON" in records[1]["error"]
    assert records[2]["blocked"] and {"category", "start", "end", "explanation"} <= set(records[2]["findings"][0])
    assert "Botox" not in records[2]["safe_rewrite"]
    assert records[3]["line"] == 4 and "text" in records[3]["error"]


def test_phi_check_refuses_an_unreadable_input(tmp_path, practice_file):
    with pytest.raises(CommandError, match="cannot read"):
        _run("phi_check", "--practice", str(practice_file), str(tmp_path / "missing.jsonl"))


def test_phi_eval_prints_recall_false_blocks_and_misses(tmp_path, practice_file):
    labelled = tmp_path / "labelled.jsonl"
    rows = [
        {"id": "u1", "text": "Your filler will settle.", "label": "unsafe", "categories": ["clinical_detail"]},
        {"id": "u2", "text": "Thanks for the review!", "label": "unsafe", "categories": ["patient_status"]},
        {"id": "s1", "text": "Thanks so much!", "label": "safe", "categories": []},
        {"id": "b1", "text": "See you soon!", "label": "unsafe", "borderline": True, "categories": ["patient_status"]},
    ]
    labelled.write_text("\n".join(json.dumps(row) for row in rows) + "\n")

    output = _run("phi_eval", "--practice", str(practice_file), str(labelled))

    assert "recall on unsafe:        0.500 (1/2)" in output
    assert "false-block rate (safe): 0.000 (0/1)" in output
    assert "1 borderline excluded" in output
    assert "u2 [patient_status] Thanks for the review!" in output


def test_phi_eval_scores_a_split_per_batch_without_listing_held_out_misses():
    from phi_guard.corpus import splits

    output = _run("phi_eval", "--split", "heldout")

    assert all(name in output for name in splits()["heldout"])
    assert "recall on unsafe:" in output and "per language:" in output
    assert "are not listed" in output and "misses (" not in output


def test_phi_eval_refuses_an_unknown_split():
    with pytest.raises(CommandError, match="unknown split"):
        call_command("phi_eval", "--split", "nonsense")
