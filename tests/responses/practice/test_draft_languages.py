"""The manager chooses the languages drafts are written in and the default one; drafting follows it on the desk
and in imports, and the review page says which language the draft is in."""
from __future__ import annotations

import pytest
from django.urls import reverse

from responses.drafting import draft_for_review
from responses.intake import reviews_import
from responses.models import AuditEvent, Reply
from responses.practice import services
from responses.workflow import WorkflowError

pytestmark = pytest.mark.django_db

SPANISH = "Pésimo. Esperé una hora y nadie me dijo nada. Muy mal servicio."
ENGLISH = "The wait was long and nobody told me why."


def languages(practice, bob, offered, default):
    return services.practice_settings_update(practice=practice, actor=bob, response_target_days=2,
                                             escalation_keywords="", draft_languages=offered,
                                             default_language=default)


def review_page(client, user, review) -> str:
    client.force_login(user)
    return client.get(reverse("review_detail", args=[review.pk])).content.decode()


def test_by_default_a_spanish_review_gets_a_spanish_draft(practice, make_review, location):
    assert services.practice_settings_get(practice=practice).draft_languages == ["en", "es"]
    assert draft_for_review(review=make_review(SPANISH, rating=1, topics=["non_english"])).language == "es"


def test_an_english_only_practice_answers_a_spanish_review_in_english_and_says_so(client, practice, bob, alice,
                                                                                   make_review, location):
    languages(practice, bob, ["en"], "en")
    review = make_review(SPANISH, rating=1, author_name="Lucía M.", topics=["non_english"])

    draft = draft_for_review(review=review)

    assert draft.language == "en" and not draft.blocked
    assert "Thank you" in draft.text or "thank you" in draft.text
    assert "This review is in Spanish, which the practice does not draft in" in review_page(client, alice, review)


def test_a_spanish_only_practice_answers_an_english_review_in_spanish_and_says_so(client, practice, bob, alice,
                                                                                  make_review, location):
    languages(practice, bob, ["es"], "es")
    review = make_review(ENGLISH, rating=2, topics=["wait_time"])

    draft = draft_for_review(review=review)

    assert draft.language == "es" and not draft.blocked
    assert "gracias" in draft.text.lower() and "(303) 555-0186 o frontdesk@willowpine.example" in draft.text
    assert "The practice drafts in Spanish only" in review_page(client, alice, review)


def test_a_review_in_a_script_the_desk_cannot_place_gets_the_default_and_the_note(client, alice, make_review, location):
    review = make_review("Очень долго ждали, никто ничего не объяснил. Больше не придём.", rating=1,
                         topics=["non_english"])
    assert draft_for_review(review=review).language == "en"
    assert "not in a language the practice drafts in: the draft is in English" in review_page(client, alice, review)


def test_an_english_review_at_a_bilingual_practice_gets_no_language_note(client, alice, make_review, location):
    review = make_review(ENGLISH, rating=2, topics=["wait_time"])
    assert draft_for_review(review=review).language == "en"
    assert "the draft is in" not in review_page(client, alice, review)


@pytest.mark.parametrize("offered, expected", [(["en", "es"], "es"), (["en"], "en")])
def test_imported_reviews_are_drafted_in_the_practices_languages(practice, bob, location, offered, expected):
    languages(practice, bob, offered, "en")
    data = f"external_id,author_name,rating,text,posted_at\ns-1,Lucía M.,1,{SPANISH},2026-01-05T10:00:00Z\n"

    run = reviews_import(location=location, actor=None, filename="es.csv", data=data.encode(), default_platform="google")

    assert run.drafted_count == 1
    text = Reply.objects.get(review__external_id="s-1").text
    assert ("gracias" in text.lower()) == (expected == "es")


def test_the_manager_sets_the_languages_on_the_practice_page(client, bob, practice):
    client.force_login(bob)

    response = client.post(reverse("practice_settings_save"), {
        "response_target_days": "2", "escalation_keywords": "", "draft_languages": ["es"], "default_language": "es",
    })

    assert response.status_code == 302
    desk = services.practice_settings_get(practice=practice)
    assert (desk.draft_languages, desk.default_language) == (["es"], "es")
    assert AuditEvent.objects.get(action="practice_settings_changed").details["fields"] == [
        "draft_languages", "default_language"]


@pytest.mark.parametrize("posted, error", [
    ({"draft_languages": ["en"], "default_language": "es"}, "must be one of the languages"),
    ({"default_language": "en"}, "This field is required"),
])
def test_it_refuses_a_default_outside_the_languages_and_no_language_at_all(client, bob, practice, posted, error):
    client.force_login(bob)
    response = client.post(reverse("practice_settings_save"),
                           {"response_target_days": "2", "escalation_keywords": "", **posted})
    assert response.status_code == 400 and error in response.content.decode()
    assert services.practice_settings_get(practice=practice).draft_languages == ["en", "es"]


def test_the_service_refuses_an_empty_language_list(practice, bob):
    with pytest.raises(WorkflowError, match="at least one language"):
        languages(practice, bob, [], "en")


def test_the_front_desk_cannot_change_the_languages(client, alice, practice):
    client.force_login(alice)
    response = client.post(reverse("practice_settings_save"), {
        "response_target_days": "2", "draft_languages": ["en"], "default_language": "en"})
    assert response.status_code == 403
    assert services.practice_settings_get(practice=practice).draft_languages == ["en", "es"]
