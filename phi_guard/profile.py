"""The practice a reply is written for: its own contact details and staff are never findings."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from phi_guard.lexicon import PRACTICE_VOCABULARY_TYPES


@dataclass(frozen=True)
class StaffMember:
    name: str
    role: str = ""


@dataclass(frozen=True)
class PracticeProfile:
    """Who the practice is; `vocabulary` adds terms per entity type, e.g. {"TREATMENT": ("hydrafacial",)}."""

    name: str
    phone: str = ""
    email: str = ""
    website: str = ""
    address: str = ""
    staff: tuple[StaffMember, ...] = ()
    # More of the practice's own phones, e-mails and addresses (its other locations): allowed like the main ones.
    contacts: tuple[str, ...] = ()
    vocabulary: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False, compare=False)
    # The practice's approved wording (its template library, with {slots}); in strict mode nothing else passes.
    approved: tuple[str, ...] = ()
    strict: bool = False

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError("practice profile: 'name' must be a non-empty string")
        for attr in ("phone", "email", "website", "address"):
            if not isinstance(getattr(self, attr), str):
                raise ValueError(f"practice profile: '{attr}' must be a string")
        staff = tuple(self.staff)
        if not all(isinstance(member, StaffMember) for member in staff):
            raise ValueError("practice profile: 'staff' must hold StaffMember entries")
        object.__setattr__(self, "staff", staff)
        contacts = tuple(c.strip() for c in self.contacts if isinstance(c, str) and c.strip())
        if len(contacts) != len(tuple(self.contacts)):
            raise ValueError("practice profile: 'contacts' must be non-empty strings")
        object.__setattr__(self, "contacts", contacts)
        if isinstance(self.approved, str) or not all(isinstance(text, str) for text in self.approved):
            raise ValueError("practice profile: 'approved_sentences' must be a list of strings")
        object.__setattr__(self, "approved", tuple(text for text in self.approved if text.strip()))
        object.__setattr__(self, "vocabulary", MappingProxyType(_clean_vocabulary(self.vocabulary)))

    @property
    def cache_key(self) -> str:
        """Stable digest of everything the guard derives from this profile."""
        payload = {
            "name": self.name, "phone": self.phone, "email": self.email, "website": self.website,
            "address": self.address, "staff": [[m.name, m.role] for m in self.staff], "contacts": list(self.contacts),
            "vocabulary": {key: list(values) for key, values in sorted(self.vocabulary.items())},
            "approved": list(self.approved), "strict": self.strict,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    @classmethod
    def from_dict(cls, data: object) -> PracticeProfile:
        """Build from the practice JSON shape; raises ValueError naming the bad field."""
        if not isinstance(data, Mapping):
            raise ValueError("practice profile must be a JSON object")
        staff_data = data.get("staff") or []
        if not isinstance(staff_data, list):
            raise ValueError("practice profile: 'staff' must be a list of {name, role}")
        staff = []
        for index, member in enumerate(staff_data):
            if not isinstance(member, Mapping) or not isinstance(member.get("name"), str) or not member["name"].strip():
                raise ValueError(f"practice profile: staff[{index}] needs a non-empty 'name'")
            role = member.get("role") or ""
            if not isinstance(role, str):
                raise ValueError(f"practice profile: staff[{index}].role must be a string")
            staff.append(StaffMember(name=member["name"].strip(), role=role.strip()))
        locations = data.get("locations") or []
        if not isinstance(locations, list) or not all(isinstance(loc, Mapping) for loc in locations):
            raise ValueError("practice profile: 'locations' must be a list of {name, phone, email, address}")
        contacts = [
            value for loc in locations for key in ("phone", "email", "address")
            if isinstance(value := loc.get(key), str) and value.strip()
        ]
        return cls(
            name=data.get("name") if isinstance(data.get("name"), str) else "",
            phone=data.get("phone") or "",
            email=data.get("email") or "",
            website=data.get("website") or "",
            address=data.get("address") or "",
            staff=tuple(staff),
            contacts=tuple(contacts),
            vocabulary=data.get("vocabulary") or {},
            approved=tuple(data.get("approved_sentences") or ()),
            strict=bool(data.get("strict")),
        )

    @classmethod
    def from_json_file(cls, path: str | Path) -> PracticeProfile:
        return cls.from_dict(read_profile_json(path))


def read_profile_json(path: str | Path) -> object:
    """A practice profile file's JSON; raises ValueError saying why it cannot be read."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read practice profile {path}: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise ValueError(f"practice profile {path} is not valid JSON (line {exc.lineno})") from exc


def _clean_vocabulary(vocabulary: object) -> dict[str, tuple[str, ...]]:
    if not isinstance(vocabulary, Mapping):
        raise ValueError("practice profile: 'vocabulary' must map an entity type to a list of terms")
    cleaned = {}
    for entity_type, values in vocabulary.items():
        key = str(entity_type).upper()
        if key not in PRACTICE_VOCABULARY_TYPES:
            known = ", ".join(sorted(PRACTICE_VOCABULARY_TYPES))
            raise ValueError(f"practice profile: unknown vocabulary type {entity_type!r} (known: {known})")
        if isinstance(values, str) or not all(isinstance(value, str) for value in values):
            raise ValueError(f"practice profile: vocabulary[{entity_type!r}] must be a list of strings")
        cleaned[key] = tuple(value.strip().lower() for value in values if value.strip())
    return cleaned
