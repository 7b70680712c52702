"""One import of a source at a time, with a lock that dies with the process holding it.

A worker killed mid-run (SIGKILL, out of memory) must not keep its source locked: the redelivered task or the
watchdog has to be able to run the source again at once, and a lock that merely expires would keep them out
for its whole lifetime. So the lock belongs to the process: on PostgreSQL a session advisory lock on a
connection of its own (PostgreSQL drops it when that connection closes, which the kernel does when the process
dies, on any machine); on SQLite, which lives on one machine, an flock on a file in VAR_DIR (the kernel drops
it with the process).
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection


def _advisory_key(source_id: int) -> int:
    digest = hashlib.sha256(f"reviewdesk:source-run:{source_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _retrying(try_once, wait_seconds: float) -> bool:
    deadline = time.monotonic() + wait_seconds
    while not try_once():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)
    return True


@contextmanager
def _postgresql_lock(source_id: int, wait_seconds: float) -> Iterator[bool]:
    session = connection.get_new_connection(connection.get_connection_params())
    key = _advisory_key(source_id)
    held = False
    try:
        session.autocommit = True  # never "idle in transaction" while the import runs

        def try_once() -> bool:
            with session.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
                return bool(cursor.fetchone()[0])

        held = _retrying(try_once, wait_seconds)
        yield held
    finally:
        try:
            if held:
                # Released here, at once: closing the session releases it too, but only once the server's backend
                # has ended, which can be a moment after close() returns, and the next run must find it free.
                with session.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        finally:
            session.close()  # ends the session, and with it the lock if the unlock above failed


@contextmanager
def _file_lock(source_id: int, wait_seconds: float) -> Iterator[bool]:
    folder = Path(settings.VAR_DIR) / "locks"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(folder / f"source-{source_id}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        def try_once() -> bool:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True

        yield _retrying(try_once, wait_seconds)
    finally:
        os.close(descriptor)  # drops the lock


@contextmanager
def source_run_lock(source_id: int, *, wait_seconds: float = 0) -> Iterator[bool]:
    """True inside when this process holds the source's import lock (waiting up to `wait_seconds` for it),
    False while another live process holds it. The lock ends with the block, or with the process."""
    lock = _postgresql_lock if connection.vendor == "postgresql" else _file_lock
    with lock(source_id, wait_seconds) as held:
        yield held
