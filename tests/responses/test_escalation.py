"""One escalation: the built-in list plus the practice's own keywords decide it, wherever a review enters (paste,
file import, review sources). An escalated review gets no draft, shows one badge and the advice, and waits for a
manager's audited de-escalation. The migration turns the old keyword badge into the same thing."""
from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from responses import workflow
from responses.escalation.models import Escalation
from responses.escalation.services import review_deescalate
from responses.intake import review_paste, reviews_import
from responses.models import AuditEvent, PlatformConnection, Reply, Review, TemplateBlock
from responses.practice import services
from responses.sources.services import source_import

pytestmark = pytest.mark.django_db

MIGRATION = import_module("responses.migrations.0013_practice_languages_time_zone_escalation")
OLD_DEFAULT_KEYWORDS = "lawyer\nattorney\nlawsuit\nsue\nmalpractice\nhospital\nemergency room\ninfection\nburn"
CSV = (
    "external_id,author_name,rating,text,posted_at\n"
    "f-1,Kelsey P.,2,The wait was long and nobody told me why.,2026-01-05T10:00:00Z\n"
    "f-2,Marco D.,3,The results look botched to me.,2026-01-05T11:00:00Z\n"
)


def keywords(practice, bob, words: str):
    return services.practice_settings_update(practice=practice, actor=bob, response_target_days=2,
                                             escalation_keywords=words)


def paste(location, alice, text, rating=2):
    return review_paste(location=location, actor=alice, platform="google", author_name="Kelsey P.", rating=rating,
                        posted_at="2026-01-05T10:00:00Z", text=text)


def test_a_pasted_review_threatening_a_lawsuit_is_escalated_with_the_reason_code_only(location, alice):
    review = paste(location, alice, "Zephyrine here. I will sue you for what happened to my face.")

    assert review.escalation.reason == Escalation.Reason.LEGAL and review.escalation.is_active
    event = AuditEvent.objects.get(action="review_escalated")
    assert event.review == review and event.details == {"escalation_reason": "legal"}


def test_the_add_review_page_says_a_pasted_threat_is_escalated(client, location, alice):
    client.force_login(alice)
    response = client.post(reverse("review_new"), {
        "location": location.pk, "platform": "google", "author_name": "Kelsey P.", "rating": "1",
        "posted_at": "2026-01-05T09:00", "text": "I am reporting you to the medical board."}, follow=True)
    assert "Review added and escalated: speak to counsel" in response.content.decode()
    assert Review.objects.get().escalation.reason == Escalation.Reason.REGULATOR


def test_the_practices_own_keyword_escalates_a_pasted_review(location, alice, bob, practice):
    keywords(practice, bob, "botched")

    escalated = paste(location, alice, "The results look Botched to me.", rating=3)
    ordinary = paste(location, alice, "The wait was long and nobody told me why.")

    assert escalated.escalation.reason == Escalation.Reason.KEYWORD
    assert not Escalation.objects.filter(review=ordinary).exists()


def test_a_file_import_escalates_on_the_practices_keyword_and_drafts_only_the_rest(location, alice, bob, practice):
    keywords(practice, bob, "botched")

    run = reviews_import(location=location, actor=alice, filename="reviews.csv", data=CSV.encode(),
                         default_platform="google")

    assert (run.created_count, run.drafted_count, run.escalated_count) == (2, 1, 1)
    assert Review.objects.get(external_id="f-2").escalation.reason == Escalation.Reason.KEYWORD
    assert not Reply.objects.filter(review__external_id="f-2").exists()


def test_the_import_report_counts_the_escalated_reviews_and_links_to_them(client, location, alice, bob, practice):
    keywords(practice, bob, "botched")
    client.force_login(alice)
    response = client.post(reverse("review_import"), {
        "location": location.pk, "default_platform": "google",
        "file": SimpleUploadedFile("reviews.csv", CSV.encode(), content_type="text/csv")}, follow=True)

    report = response.content.decode()
    assert "Escalated: counsel first" in report and '?status=escalated">1</a>' in report


def test_a_review_source_escalates_on_the_practices_keyword(location, bob, practice, tmp_path, settings):
    settings.REVIEW_DROP_ROOT = tmp_path
    (tmp_path / "larimer").mkdir()
    (tmp_path / "larimer" / "export.csv").write_text(CSV)
    source = PlatformConnection.objects.create(location=location, platform="yelp", resource="larimer",
                                               kind=PlatformConnection.Kind.DROP_FOLDER)
    keywords(practice, bob, "botched")

    (run,) = source_import(source=source)

    assert (run.created_count, run.drafted_count, run.escalated_count) == (2, 1, 1)
    assert Review.objects.get(external_id="f-2").escalation.reason == Escalation.Reason.KEYWORD


def test_an_edit_that_adds_a_threat_escalates_the_review_and_keeps_its_draft_as_it_was(location, alice):
    reviews_import(location=location, actor=alice, filename="a.csv", data=CSV.encode(), default_platform="google")
    drafted = Reply.objects.get(review__external_id="f-1")
    edited = CSV.replace("nobody told me why.", "nobody told me why. My lawyer will call you.")

    run = reviews_import(location=location, actor=alice, filename="b.csv", data=edited.encode(),
                         default_platform="google")

    assert (run.updated_count, run.escalated_count) == (1, 1)
    assert Review.objects.get(external_id="f-1").escalation.reason == Escalation.Reason.LEGAL
    drafted.refresh_from_db()
    assert drafted.stale and drafted.versions.count() == 1  # not re-drafted: the manager decides first


def test_nobody_starts_a_reply_to_an_escalated_review_until_a_manager_de_escalates_it(client, location, alice, bob):
    review = paste(location, alice, "My attorney will be in touch.")
    client.force_login(alice)

    page = client.get(reverse("review_detail", args=[review.pk])).content.decode()
    refused = client.post(reverse("reply_start", args=[review.pk]), HTTP_HX_REQUEST="true").content.decode()

    assert "Start reply</button>" not in page and "speak to counsel first" in page
    assert "This review is escalated" in refused and not Reply.objects.filter(review=review).exists()
    review_deescalate(review=review, actor=bob, reason="counsel_consulted")
    assert workflow.reply_start(review=review, actor=alice).current_version.source == "template"


def test_a_new_keyword_escalates_the_open_unanswered_reviews_that_hold_it(client, bob, practice, alice, make_review):
    waiting = make_review("The results look botched to me.", rating=3)
    closed = make_review("Botched, but they fixed it.", rating=3)
    workflow.review_close(review=closed, actor=bob, reason="no_reply_needed")
    cleared = paste(practice.locations.get(), alice, "Botched. I will sue.", rating=1)
    review_deescalate(review=cleared, actor=bob, reason="not_a_threat")
    client.force_login(bob)

    response = client.post(reverse("practice_settings_save"), {
        "response_target_days": "2", "escalation_keywords": "botched", "draft_languages": ["en"],
        "default_language": "en",
    }, follow=True)

    assert "1 open review now escalated by your keywords" in response.content.decode()
    assert waiting.escalation.reason == Escalation.Reason.KEYWORD
    assert not Escalation.objects.filter(review=closed).exists()
    assert Escalation.objects.get(review=cleared).is_active is False  # a manager's decision stands
    assert AuditEvent.objects.get(action="practice_settings_changed").details["escalated"] == 1


def test_the_inbox_has_one_escalated_badge_and_filter(client, location, alice, make_review):
    escalated = paste(location, alice, "Reporting you to the medical board.")
    make_review("The wait was long and nobody told me why.")
    client.force_login(alice)

    listing = client.get(reverse("inbox"), {"status": "escalated"}).content.decode()

    assert listing.count('<span class="badge badge--escalated">Escalated</span>') == 1
    assert f"/reviews/{escalated.pk}" in listing and "1 review" in listing
    assert ">Escalate<" not in listing  # the old keyword-only badge is gone


def test_the_migration_keeps_only_the_practices_own_words(practice, bob):
    keywords(practice, bob, OLD_DEFAULT_KEYWORDS)

    MIGRATION.keep_own_keywords(apps, None)

    assert services.practice_settings_get(practice=practice).keyword_list == ["hospital", "infection", "burn"]


def test_the_migration_escalates_open_reviews_the_rules_now_call_for(practice, bob, alice, make_review):
    keywords(practice, bob, "hospital")
    waiting = make_review("I ended up in the hospital that night.", rating=2)
    lawyer = make_review("My lawyer has the photos.", rating=1)
    answered = make_review("I ended up in the hospital that night.", rating=2)
    reply = workflow.reply_start(review=answered, actor=alice, text="Thank you. Please call us at (303) 555-0186.")
    reply = workflow.reply_submit(reply=reply, actor=alice)
    reply = workflow.reply_approve(reply=reply, actor=bob, expected_revision=reply.revision)
    workflow.reply_mark_posted(reply=reply, actor=bob)
    ordinary = make_review("The wait was long and nobody told me why.")

    MIGRATION.escalate_open_reviews(apps, None)

    assert Escalation.objects.get(review=waiting).reason == "keyword"
    assert Escalation.objects.get(review=lawyer).reason == "legal"
    assert not Escalation.objects.filter(review__in=[answered, ordinary]).exists()
    assert sorted(e.details["escalation_reason"] for e in AuditEvent.objects.filter(
        action="review_escalated", details__via="migration")) == ["keyword", "legal"]


def test_the_migration_gives_older_practices_the_logistics_and_legal_threat_blocks_once(practice, other_practice):
    TemplateBlock.objects.create(practice=practice, kind="acknowledge", text="Thank you, {first_name}.")

    MIGRATION.seed_new_topics(apps, None)
    MIGRATION.seed_new_topics(apps, None)

    assert practice.template_blocks.filter(topic="logistics").count() == 9
    assert practice.template_blocks.filter(topic="legal_threat").count() == 9
    assert not other_practice.template_blocks.exists()  # never seeded: it gets the whole library on first use
