"""Drop-folder sources: exported CSV/JSON/JSONL files in a folder inside settings.REVIEW_DROP_ROOT.

The folder is named relative to the root. A name that leaves the root (absolute, `..`), a symbolic link
anywhere on the way, and anything in the folder that is not a regular file (links, devices, pipes,
sub-folders) are refused: a source can never read outside the root. Imported files are moved into the
folder's `imported/` sub-folder so the next run does not read them again.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings

READABLE_SUFFIXES = (".csv", ".json", ".jsonl", ".txt")
MAX_FILE_BYTES = 50 * 1024 * 1024
IMPORTED = "imported"


class DropFolderRefused(Exception):
    """The folder or a file in it may not be read. The message names no file content."""


@dataclass(frozen=True)
class DroppedFile:
    name: str
    data: bytes


def drop_folder_path(resource: str) -> Path:
    """The folder `resource` names inside REVIEW_DROP_ROOT, checked component by component (no symlinks)."""
    root = Path(settings.REVIEW_DROP_ROOT)
    relative = PurePosixPath(resource.strip())
    if not resource.strip() or relative.is_absolute() or any(part in ("..", "") for part in relative.parts) \
            or "\\" in resource or "\x00" in resource:
        raise DropFolderRefused("A drop folder is named relative to the drop root, without '..'.")
    path = root
    for part in relative.parts:
        if part == ".":
            continue
        path = path / part
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            raise DropFolderRefused("The drop folder does not exist under the drop root.") from None
        if stat.S_ISLNK(mode):
            raise DropFolderRefused("The drop folder's path goes through a symbolic link; it is refused.")
        if not stat.S_ISDIR(mode):
            raise DropFolderRefused("The drop folder's path is not a folder.")
    return path


def _read_regular(path: Path) -> bytes:
    # O_NOFOLLOW: a file swapped for a link after the listing is refused too.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise DropFolderRefused("not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise DropFolderRefused(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(MAX_FILE_BYTES + 1)
    finally:
        os.close(fd)


def drop_folder_files(resource: str) -> tuple[list[DroppedFile], list[str]]:
    """The folder's readable files (oldest first) and a list of refusals ("name: why") for the rest."""
    folder = drop_folder_path(resource)
    files: list[tuple[float, DroppedFile]] = []
    refused: list[str] = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name == IMPORTED or entry.name.startswith("."):
                continue
            if entry.is_symlink():
                refused.append(f"{entry.name[:80]}: a symbolic link")
                continue
            if not entry.is_file(follow_symlinks=False):
                if not entry.is_dir(follow_symlinks=False):
                    refused.append(f"{entry.name[:80]}: not a regular file")
                continue
            if not entry.name.lower().endswith(READABLE_SUFFIXES):
                refused.append(f"{entry.name[:80]}: not a .csv, .json or .jsonl file")
                continue
            try:
                data = _read_regular(Path(entry.path))
            except (DropFolderRefused, OSError) as exc:
                refused.append(f"{entry.name[:80]}: {exc if isinstance(exc, DropFolderRefused) else 'unreadable'}")
                continue
            files.append((entry.stat(follow_symlinks=False).st_mtime, DroppedFile(entry.name, data)))
    return [file for _mtime, file in sorted(files, key=lambda pair: (pair[0], pair[1].name))], refused


def drop_folder_mark_imported(resource: str, name: str) -> None:
    """Move an imported file into the folder's imported/ sub-folder."""
    folder = drop_folder_path(resource)
    done = folder / IMPORTED
    if done.is_symlink():
        raise DropFolderRefused("The drop folder's imported/ is a symbolic link; it is refused.")
    done.mkdir(exist_ok=True)
    os.replace(folder / name, done / name)
