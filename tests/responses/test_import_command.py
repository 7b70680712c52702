"""python manage.py import_reviews FILE --location ID."""
from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from responses.models import ImportRun, Review

pytestmark = pytest.mark.django_db

CSV = (
    "platform,external_id,author_name,rating,text,posted_at\n"
    "google,g-1,Kelsey P.,2,The wait was long.,2024-05-01T10:30:00Z\n"
    "yelp,y-1,Trent K.,7,Rude.,2024-05-02\n"
    "google,g-2,Ana,5,,2099-01-01\n"
)


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_reviews", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_a_file_and_prints_the_report(tmp_path, location):
    path = tmp_path / "reviews.csv"
    path.write_text(CSV)

    out, _ = run_command(str(path), "--location", str(location.pk))

    run = ImportRun.objects.get()
    assert out.splitlines() == [
        f"Import #{run.pk} of reviews.csv into Willow & Pine Medspa · Larimer Square: "
        "1 new, 0 updated, 0 unchanged, 2 rejected.",
        "  line 3: rating must be 1-5, got 7",
        "  line 4: posted_at is in the future (2099-01-01T00:00:00-07:00)",
    ]
    assert run.started_by is None
    assert Review.objects.get().external_id == "g-1"


def test_running_it_twice_changes_nothing(tmp_path, location):
    path = tmp_path / "reviews.csv"
    path.write_text(CSV)
    run_command(str(path), "--location", str(location.pk))

    out, _ = run_command(str(path), "--location", str(location.pk))

    assert "0 new, 0 updated, 1 unchanged, 2 rejected." in out
    assert Review.objects.count() == 1


def test_it_warns_about_a_file_that_is_not_utf8(tmp_path, location):
    path = tmp_path / "reviews.csv"
    path.write_bytes("platform,rating,text,posted_at\ngoogle,5,Caf\u00e9,2024-05-01\n".encode("cp1252"))

    out, err = run_command(str(path), "--location", str(location.pk))

    assert "1 new" in out
    assert err.startswith("warning: The file is not valid UTF-8; it was read as Windows-1252 (cp1252).")


def test_platform_and_format_options_fill_what_the_file_does_not_say(tmp_path, location):
    path = tmp_path / "yelp-export"
    path.write_text('{"id": "y-9", "stars": 4, "comment": "Fine.", "date": "2024-05-01"}\n')

    out, _ = run_command(str(path), "--location", str(location.pk), "--platform", "yelp", "--format", "jsonl")

    assert "1 new" in out
    assert Review.objects.get().platform == "yelp"


def test_an_unknown_location_is_an_error(tmp_path, location):
    path = tmp_path / "reviews.csv"
    path.write_text(CSV)

    with pytest.raises(CommandError, match="There is no location with id 999999."):
        run_command(str(path), "--location", "999999")


def test_a_missing_file_is_an_error(tmp_path, location):
    with pytest.raises(CommandError, match="Cannot read .*nope.csv: No such file or directory."):
        run_command(str(tmp_path / "nope.csv"), "--location", str(location.pk))


def test_a_file_that_cannot_be_parsed_is_an_error(tmp_path, location):
    path = tmp_path / "reviews.json"
    path.write_text('{"reviews": [ oops')

    with pytest.raises(CommandError, match=r"failed: The file is not valid JSON \(first problem on line 1\)."):
        run_command(str(path), "--location", str(location.pk))
    assert ImportRun.objects.get().status == ImportRun.Status.FAILED


def test_it_shows_progress_on_a_large_file(tmp_path, location):
    from responses.intake.services import BATCH_ROWS

    rows = 2 * BATCH_ROWS + 5
    path = tmp_path / "reviews.csv"
    path.write_text("platform,external_id,rating,posted_at\n" + "".join(f"google,g-{n},5,2024-05-01\n" for n in range(rows)))

    out, err = run_command(str(path), "--location", str(location.pk), "--progress-every", "0.000001")

    assert [line.split(" rows")[0] for line in err.splitlines()] == [
        f"0 of {rows}", f"{BATCH_ROWS} of {rows}", f"{2 * BATCH_ROWS} of {rows}", f"{rows} of {rows}",
    ]
    assert err.splitlines()[-1].startswith(f"{rows} of {rows} rows (100%), ")
    assert f"{rows} new" in out


def test_a_file_imported_quicker_than_the_progress_interval_prints_no_progress(tmp_path, location):
    path = tmp_path / "reviews.csv"
    path.write_text(CSV)

    _, err = run_command(str(path), "--location", str(location.pk), "--progress-every", "60")

    assert err == ""
