"""Practice profiles: built from the practice JSON, refusing bad input with a clear message."""
import json

import pytest

from phi_guard.profile import PracticeProfile, StaffMember


def test_it_reads_the_practice_json(tmp_path):
    path = tmp_path / "practice.json"
    path.write_text(json.dumps({"name": "Elm Skin", "phone": "(212) 555-0100",
                                "staff": [{"name": "Ana Ruiz", "role": "Injector"}],
                                "vocabulary": {"treatment": ["Glow Ritual"]}}))

    practice = PracticeProfile.from_json_file(path)

    assert practice.staff == (StaffMember("Ana Ruiz", "Injector"),)
    assert practice.vocabulary == {"TREATMENT": ("glow ritual",)}
    assert hash(practice) and len(practice.cache_key) == 64


@pytest.mark.parametrize(("data", "message"), [
    ([], "must be a JSON object"),
    ({"phone": "1"}, "'name'"),
    ({"name": "X", "staff": [{"role": "Nurse"}]}, "staff[0]"),
    ({"name": "X", "vocabulary": {"GADGET": ["x"]}}, "unknown vocabulary type"),
    ({"name": "X", "vocabulary": {"TREATMENT": "peel"}}, "list of strings"),
])
def test_it_refuses_a_bad_profile_with_a_clear_message(data, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        PracticeProfile.from_dict(data)


def test_it_refuses_a_file_that_is_not_json(tmp_path):
    path = tmp_path / "practice.json"
    path.write_text("{nope")

    with pytest.raises(ValueError, match="not valid JSON"):
        PracticeProfile.from_json_file(path)


def test_every_location_of_the_practice_is_its_own_contact_detail():
    from phi_guard.service import guard_check

    profile = PracticeProfile.from_dict(
        {
            "name": "Juniper Lane Aesthetics",
            "phone": "(720) 555-0142",
            "email": "care@juniperlane.example",
            "locations": [{"name": "Highlands", "phone": "(720) 555-0157", "email": "highlands@juniper.example"}],
        }
    )
    assert profile.contacts == ("(720) 555-0157", "highlands@juniper.example")
    text = "We'd like to hear more. Please call (720) 555-0157 or write to highlands@juniper.example."
    assert guard_check(text, practice=profile).blocked is False
    stranger = "We'd like to hear more. We called (720) 555-0199 and wrote to dana@mail.example."
    assert guard_check(stranger, practice=profile).blocked is True
