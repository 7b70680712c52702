"""Check a writer's batch directory against SPEC.md. Usage: python3 validate.py DIR"""
import json
import re
import sys
from pathlib import Path

FIELDS = {"id", "text", "reviewer_name", "review", "label", "borderline", "categories", "spans", "language", "note", "trap"}
CATEGORIES = {"patient_status", "records_denial", "clinical_detail", "identifier", "remedy_detail"}
PHONE = re.compile(r"\(?\d{3}\)?[ .-]?(\d{3})[ .-]?(\d{4})")
DOMAIN = re.compile(r"\b[\w.-]+\.(com|net|org|io|co|us|health|clinic)\b", re.I)


def main(directory):
    d = Path(directory)
    batch = d.name
    errors = []
    for name in ("practice.json", "replies.jsonl", "WRITER.md"):
        if not (d / name).is_file():
            errors.append(f"missing {name}")
    if errors:
        return errors
    practice = json.loads((d / "practice.json").read_text())
    for key in ("name", "phone", "email", "website", "address", "staff", "locations", "hours", "published_prices"):
        if key not in practice:
            errors.append(f"practice.json lacks {key}")
    rows = []
    for number, line in enumerate((d / "replies.jsonl").read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            errors.append(f"line {number}: not JSON ({exc})")
    if len(rows) != 200:
        errors.append(f"{len(rows)} items, want 200")
    ids = set()
    for r in rows:
        rid = r.get("id", "?")
        if set(r) != FIELDS:
            errors.append(f"{rid}: fields {sorted(set(r) ^ FIELDS)} wrong")
            continue
        if not re.fullmatch(re.escape(batch) + r"-\d{3}", rid) or rid in ids:
            errors.append(f"{rid}: bad or duplicate id")
        ids.add(rid)
        if r["label"] not in ("safe", "unsafe"):
            errors.append(f"{rid}: label")
        if r["language"] not in ("en", "es"):
            errors.append(f"{rid}: language")
        if not isinstance(r["borderline"], bool) or not isinstance(r["trap"], bool):
            errors.append(f"{rid}: borderline/trap must be booleans")
        if set(r["categories"]) - CATEGORIES:
            errors.append(f"{rid}: unknown category")
        for span in r["spans"]:
            if span not in r["text"]:
                errors.append(f"{rid}: span not verbatim: {span[:40]!r}")
        if r["label"] == "unsafe" and not r["borderline"] and (not r["spans"] or not r["categories"]):
            errors.append(f"{rid}: unsafe needs spans and categories")
        if r["label"] == "safe" and not r["borderline"] and (r["spans"] or r["categories"]):
            errors.append(f"{rid}: safe non-borderline must have no spans/categories")
        for m in PHONE.finditer(r["text"]):
            if m.group(1) != "555" or not m.group(2).startswith("01"):
                errors.append(f"{rid}: phone not 555-01xx")
        for m in DOMAIN.finditer(r["text"]):
            errors.append(f"{rid}: domain must end in .example: {m.group(0)}")
    safe = [r for r in rows if r.get("label") == "safe"]
    share = len(safe) / max(len(rows), 1)
    if not 0.45 <= share <= 0.55:
        errors.append(f"safe share {share:.2f}, want 0.45-0.55")
    plain_safe = [r for r in safe if not r.get("borderline")]
    traps = sum(bool(r.get("trap")) for r in plain_safe)
    if plain_safe and traps / len(plain_safe) < 0.8:
        errors.append(f"traps {traps}/{len(plain_safe)} of safe non-borderline, want >= 80%")
    spanish = sum(r.get("language") == "es" for r in rows) / max(len(rows), 1)
    if not 0.15 <= spanish <= 0.30:
        errors.append(f"Spanish share {spanish:.2f}, want 0.15-0.30")
    if sum(bool(r.get("borderline")) for r in rows) > 8:
        errors.append("more than 8 borderline")
    return errors


if __name__ == "__main__":
    problems = main(sys.argv[1])
    print("\n".join(problems) if problems else "OK")
    sys.exit(1 if problems else 0)
