"""Drop-folder sources read only regular files inside REVIEW_DROP_ROOT."""
from __future__ import annotations

import os

import pytest
from django.core.exceptions import ValidationError

from responses.models import PlatformConnection, Review
from responses.platforms.sources import ImportSourceError
from responses.sources.drop_folder import DropFolderRefused, drop_folder_files, drop_folder_path
from responses.sources.services import source_create, source_import

pytestmark = pytest.mark.django_db

CSV = "external_id,author_name,rating,text,posted_at\nd-1,Kelsey P.,5,Friendly team and easy booking.,2024-05-01\n"


@pytest.fixture
def drop_root(tmp_path, settings):
    root = tmp_path / "drop"
    (root / "larimer").mkdir(parents=True)
    settings.REVIEW_DROP_ROOT = root
    return root


@pytest.fixture
def drop_source(location, drop_root):
    return PlatformConnection.objects.create(
        location=location, platform="yelp", kind=PlatformConnection.Kind.DROP_FOLDER, resource="larimer"
    )


def test_it_imports_and_drafts_the_files_in_the_folder_then_moves_them_aside(drop_source, drop_root):
    (drop_root / "larimer" / "export.csv").write_text(CSV)

    (run,) = source_import(source=drop_source)

    assert (run.created_count, run.drafted_count) == (1, 1)
    assert Review.objects.get().platform == "yelp"
    assert not (drop_root / "larimer" / "export.csv").exists()
    assert (drop_root / "larimer" / "imported" / "export.csv").exists()
    assert source_import(source=drop_source) == []  # nothing new next time


@pytest.mark.parametrize("resource", ["../elsewhere", "/etc", "larimer/../../etc", "", "larimer\\..\\x"])
def test_it_refuses_a_folder_outside_the_root(drop_root, resource):
    with pytest.raises(DropFolderRefused):
        drop_folder_path(resource)


def test_it_refuses_a_folder_reached_through_a_symlink(drop_root, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (drop_root / "sneaky").symlink_to(outside)

    with pytest.raises(DropFolderRefused, match="symbolic link"):
        drop_folder_path("sneaky")


def test_it_refuses_symlinked_and_special_files_but_reads_the_rest(drop_root, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text(CSV)
    folder = drop_root / "larimer"
    (folder / "link.csv").symlink_to(secret)
    os.mkfifo(folder / "pipe.csv")
    (folder / "notes.docx").write_bytes(b"x")
    (folder / "good.csv").write_text(CSV)

    files, refused = drop_folder_files("larimer")

    assert [f.name for f in files] == ["good.csv"]
    assert sorted(refused) == [
        "link.csv: a symbolic link", "notes.docx: not a .csv, .json or .jsonl file", "pipe.csv: not a regular file",
    ]


def test_refused_files_are_reported_on_the_source_without_their_content(drop_source, drop_root, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text(CSV)
    (drop_root / "larimer" / "link.csv").symlink_to(secret)

    source_import(source=drop_source)

    drop_source.refresh_from_db()
    assert drop_source.last_error == "1 file(s) refused: link.csv: a symbolic link"
    assert not Review.objects.exists()


def test_a_folder_that_vanished_fails_the_run_with_a_reason(drop_source, drop_root):
    (drop_root / "larimer").rmdir()

    with pytest.raises(ImportSourceError):
        source_import(source=drop_source)

    drop_source.refresh_from_db()
    assert drop_source.last_error == "The drop folder does not exist under the drop root."


def test_a_manager_cannot_add_a_drop_folder_outside_the_root(location, bob, drop_root):
    with pytest.raises(ValidationError):
        source_create(actor=bob, location=location, kind="drop_folder", platform="yelp", resource="../../etc")
    assert not PlatformConnection.objects.exists()
