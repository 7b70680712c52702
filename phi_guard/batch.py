"""JSONL in, verdicts out: the shared part of the phi_check and phi_eval commands."""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from phi_guard.service import GuardInput


@dataclass(frozen=True)
class Line:
    """One input line: either a parsed object with its GuardInput, or an error to report."""

    number: int
    data: dict | None
    item: GuardInput | None
    error: str = ""

    @property
    def id(self):
        return self.data.get("id") if isinstance(self.data, dict) else None


def read_lines(lines: Iterable[str]) -> Iterator[Line]:
    """Parse JSONL; blank lines are skipped, bad lines become Line(error=...)."""
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield Line(number, None, None, f"not valid JSON (column {exc.colno})")
            continue
        if not isinstance(data, dict):
            yield Line(number, None, None, "not a JSON object")
            continue
        text = data.get("text")
        if not isinstance(text, str):
            yield Line(number, data, None, "missing \"text\" (a string)")
            continue
        review, reviewer = data.get("review") or "", data.get("reviewer_name") or ""
        if not isinstance(review, str) or not isinstance(reviewer, str):
            yield Line(number, data, None, "\"review\" and \"reviewer_name\" must be strings")
            continue
        yield Line(number, data, GuardInput(text=text, review=review, reviewer_name=reviewer))


def error_record(line: Line) -> dict:
    record = {"line": line.number, "error": line.error}
    if line.id is not None:
        record = {"id": line.id, **record}
    return record


def chunks(lines: Iterable[Line], size: int) -> Iterator[list[Line]]:
    chunk = []
    for line in lines:
        chunk.append(line)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
