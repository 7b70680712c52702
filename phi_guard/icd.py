"""Condition names from ICD-10-CM (the `simple-icd-10-cm` package): the long tail of diagnoses no hand-made
list covers, from "acrodermatitis" to "xerosis".

Reading the whole classification costs ~180 MB, so `manage.py phi_train` (run by `make install`) extracts
the single-word condition names once into phi_guard/artifacts/; the engine reads that small file and fails
closed without it.
"""
from __future__ import annotations

import re
from pathlib import Path

ICD_TERMS_PATH = Path(__file__).resolve().parent / "artifacts" / "icd10cm_conditions.txt"
# Words built like diagnoses, procedures and findings: dermatitis, fibrosis, lipoma, neuropathy, arthralgia...
_CLINICAL_WORD = re.compile(
    r"^[a-z]{3,}(?:itis|osis|oma|emia|aemia|pathy|algia|iasis|plasia|trophy|rrhea|rrhoea|cele|ectasia|plegia|"
    r"paresis|uria|penia|cytosis|phobia|mania|orrhage|ectomy|otomy|ostomy)$")


class ConditionsMissing(RuntimeError):
    """The extracted ICD-10-CM condition list is missing. The message never holds patient text."""


def icd_terms_build(path: Path = ICD_TERMS_PATH) -> int:
    """Extract the condition words from ICD-10-CM into `path`; returns how many."""
    import simple_icd_10_cm as icd

    words = set()
    for code in icd.get_all_codes(with_dots=False):
        for word in re.findall(r"[A-Za-z]+", icd.get_description(code)):
            word = word.lower()
            if len(word) >= 6 and _CLINICAL_WORD.match(word):
                words.add(word)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# Extracted from ICD-10-CM by phi_train; do not edit.\n" + "\n".join(sorted(words)) + "\n",
                    encoding="utf-8")
    return len(words)


def icd_terms(path: Path = ICD_TERMS_PATH) -> tuple[str, ...]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConditionsMissing(f"condition list {path.name} is missing (run `make install`)") from exc
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))
