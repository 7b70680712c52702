"""The practice's own details are never findings; the review's clinical words and names are never echoed."""

import pytest


def test_the_practice_contact_details_and_staff_are_allowed(check):
    reply = ("Thank you, Kelsey. Renee Okafor, our Office Manager, and Dr. Lindqvist, our Medical Director, "
             "are at (303) 555-0186, frontdesk@willowpine.example, www.willowpine.example and "
             "415 Larimer St, Unit 3B, Denver, CO 80202. Jordan Miles (Nurse Practitioner / Injector) says hi.")

    assert check(reply).ok


def test_a_phone_number_or_email_that_is_not_the_practices_is_an_identifier(check):
    verdict = check("Kelsey, we'll text 720-555-0164 and write to kelsey@mail.example.")

    assert {f.entity_type for f in verdict.findings} >= {"PHONE_NUMBER", "EMAIL_ADDRESS"}


def test_a_staff_email_at_the_practice_domain_is_allowed(check):
    assert check("Please write to renee@willowpine.example, Kelsey.").ok


def test_the_reviewers_shown_first_name_is_fine_but_not_their_full_name(check):
    assert check("Thanks, Amara!", reviewer_name="Amara Nwosu").ok
    assert check("Thanks, Amara Nwosu!", reviewer_name="Amara Nwosu").blocked
    assert check("Thanks, Ellie!", reviewer_name="ellie_bellie").ok
    assert check("Thanks, Kelsey!", reviewer_name="Kelsey P.").ok


@pytest.mark.parametrize("reviewer_name, reply", [
    ("Big Mike", "Thanks, Mike! We appreciate you taking the time to write."),  # a nickname before the first name
    ("Yelp Elite Jordan M.", "Jordan, thank you for the kind words!"),  # a platform badge
    ("Heights Neighbor", "Thank you, neighbor! It's good to hear from the Heights."),  # a description, no name at all
    ("Louisville Senior Center", "Thank you to everyone at the Senior Center for the kind words!"),
    ("The Reyes Family", "Thank you to the Reyes family for taking the time to write!"),  # a household
    ("Dr. Hughes (GP)", "Dr. Hughes, thank you for the kind words about our front desk."),  # an aside
])
def test_a_display_name_that_describes_rather_than_names_shows_no_surname(check, reviewer_name, reply):
    assert not [f for f in check(reply, reviewer_name=reviewer_name).findings if f.entity_type == "REVIEWER_NAME"]


@pytest.mark.parametrize("reviewer_name, reply", [
    ("Carol Jean", "Carol Jean, thank you for the kind words!"),
    ("Luis Fernando", "¡Hola Luis Fernando! Gracias por escribirnos."),
    ("Héctor Iván", "Jajaja Héctor Iván, ¡gracias por la buena vibra!"),
    ("Jim Bob Harrell", "Jim Bob, thank you for your feedback."),
    ("Mary Pat Hoover", "Dear Mary Pat, thank you for writing to us."),
])
def test_a_compound_first_name_the_reviewer_shows_is_not_their_full_name(check, reviewer_name, reply):
    assert not [f for f in check(reply, reviewer_name=reviewer_name).findings if f.entity_type == "REVIEWER_NAME"]


@pytest.mark.parametrize("reviewer_name, reply", [
    ("Kendra Thomas", "Kendra Thomas, thank you for the kind words!"),  # a given name that is a common surname
    ("Jim Bob Harrell", "Jim Bob Harrell, thank you for your feedback."),
    ("Luis Fernando", "Thank you, Luis Fernando Whitfield."),  # a surname never shown
])
def test_a_compound_first_name_with_a_surname_is_still_the_full_name(check, reviewer_name, reply):
    assert "REVIEWER_NAME" in {f.entity_type for f in check(reply, reviewer_name=reviewer_name).findings}


@pytest.mark.parametrize(("reviewer_name", "reply"), [
    ("Luis", "Thank you, Luis Williams."),  # surnames a dictionary also knows: WordNet holds "williams", "zapata"
    ("Luis", "Thanks so much Luis Zapata!"),
    ("Maria B.", "Hi Maria Brown, thanks for the kind words about the lobby!"),
    ("Guadalupe", "Muchas gracias, Guadalupe Ortega."),
    ("sammy22", "Thanks, Sam Smith!"),  # a given name the handle spells, with a surname
])
def test_a_common_surname_after_the_reviewers_first_name_is_their_full_name_even_when_it_is_a_word(
        check, reviewer_name, reply):
    findings = check(reply, reviewer_name=reviewer_name).findings
    assert "REVIEWER_NAME" in {f.entity_type for f in findings}


@pytest.mark.parametrize("reply", ["Thank you Luis Best wishes from all of us", "Thanks Luis Love the team"])
def test_a_surname_that_is_also_a_word_starting_what_follows_is_not_a_name(analyze, reply):
    """Run-on replies without punctuation: "Best" and "Love" are on the surname list, but here they start a phrase."""
    assert "REVIEWER_NAME" not in {f.entity_type for f in analyze(reply, reviewer_name="Luis").rule_findings}


def test_a_surname_after_a_description_is_still_a_surname(check):
    assert check("Thanks, Ms. Baker!", reviewer_name="Concerned Mom Rose Baker").blocked
    assert check("Thanks, Mike Dunaway!", reviewer_name="Big Mike").blocked  # a surname the reviewer never showed


def test_a_shown_surname_alone_is_weighed_but_the_full_name_always_stands(check, analyze):
    """A surname the reviewer shows, after a title, repeats their display name: a finding the classifier may weigh
    (SHOWN_SURNAME is not a hard type); with their first name it is their full name (REVIEWER_NAME, always hard)."""
    from phi_guard.service import _engine

    def kinds(reply):
        return {f.entity_type for f in analyze(reply, reviewer_name="Amara Nwosu").rule_findings}

    assert kinds("Thank you, Ms. Nwosu, for taking the time to write to us.") == {"SHOWN_SURNAME"}
    assert "REVIEWER_NAME" in kinds("Thank you, Amara Nwosu, for taking the time to write to us.")
    assert "SHOWN_SURNAME" not in _engine().classifier.decision.hard
    assert "REVIEWER_NAME" in _engine().classifier.decision.hard
    assert check("Ms. Nwosu, we were so glad to see you back in the chair on Tuesday!",
                 reviewer_name="Amara Nwosu").blocked


def test_a_title_with_a_surname_is_a_name_but_a_title_ending_a_sentence_is_not(analyze):
    def kinds(reply):
        return {f.entity_type for f in analyze(reply, reviewer_name="Abuela Tere").rule_findings}

    assert "REVIEWER_NAME" in kinds("Gracias, Sra. Benítez, por escribirnos.")
    assert "REVIEWER_NAME" in kinds("Thank you, Mrs. Alvarez, for writing.")
    assert "REVIEWER_NAME" not in kinds("Sí, señora. Atendemos a niños de todas las edades.")
    assert "REVIEWER_NAME" not in kinds("Thank you, miss. Parking is free after five.")


def test_another_persons_full_name_is_an_identifier(check):
    verdict = check("Kelsey, Marcus Delgado told us what happened.")

    assert "identifier" in verdict.categories


def test_it_flags_a_clinical_word_from_the_review_that_no_vocabulary_knows(check, analyze):
    review = "The oxyglow wrap left me blotchy."
    analysis = analyze("Kelsey, oxyglow isn't for everyone.", review=review)

    assert [(f.entity_type, f.text) for f in analysis.rule_findings] == [("REVIEW_TERM", "oxyglow")]
    assert check("Kelsey, we're sorry the oxyglow wrap didn't suit you.", review=review).blocked
    assert check("Kelsey, we're sorry. Please call (303) 555-0186.", review=review).ok


def test_it_does_not_treat_shared_everyday_words_as_clinical_echo(check):
    review = "The wait was long, the staff were rude and the price was too high."
    reply = "Kelsey, we're sorry about the wait. Our staff should be courteous and our prices are online."

    assert check(reply, review=review).ok


def test_names_from_the_review_are_not_echoed(check):
    review = "My friend Marcus recommended this place but the front desk was rude."

    assert check("Kelsey, please tell Marcus we said thanks!", review=review).blocked
    assert check("Kelsey, we're sorry. Hannah would like to hear more at (303) 555-0186.", review=review).ok


def _rule_kinds(analysis):
    """(entity type, text) of each rule finding, before the classifier decides."""
    return {(f.entity_type, analysis.text[f.start:f.end]) for f in analysis.rule_findings}


@pytest.mark.parametrize("reply, name", [
    ("Tell Mike Alvarez we said hi!", "Mike Alvarez"),  # somebody's full name: another patient, a companion
    ("It was lovely to meet Carmen Villanueva as well.", "Carmen Villanueva"),
])
def test_somebody_elses_full_name_is_a_person_without_a_named_entity_recognizer(analyze, reply, name):
    assert ("PERSON", name) in _rule_kinds(analyze(reply))


@pytest.mark.parametrize("reply", [
    "Jordan Miles and Renee Okafor thank you for the kind words.",  # the practice's own people
    "Our Grace Period for late arrivals is ten minutes.",  # a given name before a dictionary word
    "Thanks again, Kelsey Parker!",  # the reviewer's own name: REVIEWER_NAME, not PERSON
])
def test_staff_names_and_capitalised_phrases_are_not_somebody_elses_name(analyze, reply):
    assert not {kind for kind, _ in _rule_kinds(analyze(reply))} & {"PERSON"}


@pytest.mark.parametrize("reviewer_name, reply", [
    ("sweetpea303", "Thanks, Sarah! We appreciate you."),  # a handle
    ("L. Grant", "Hi Linda, thank you for writing."),  # an initial
    ("T.W.", "appreciate it, terrence"),  # lower case, at the sentence's end
    ("The Lee Family", "Thank you so much, Jenny!"),  # a household: which of them wrote it
    ("H.", "Thanks, Hope!"),  # a name that is also a word, capitalised inside the sentence
])
def test_a_first_name_the_display_name_does_not_show_identifies_the_reviewer(analyze, reviewer_name, reply):
    assert "UNSHOWN_FIRST_NAME" in {kind for kind, _ in _rule_kinds(analyze(reply, reviewer_name=reviewer_name))}


@pytest.mark.parametrize("reviewer_name, review, reply", [
    ("Sarah K.", "", "Thanks, Sarah!"),  # the first name they show
    ("J.M.", "", "Hope you have a great week!"),  # a word that is also a name, starting a sentence
    ("J.M.", "", "Will do! Thanks."),
    ("J.M.", "", "Thanks so much for the kind words!\nDeb"),  # a signature on the last line
    ("J.M.", "", "Thank you! - Carla"),  # a signature after a dash
    ("J.M.", "", "Thank you, Renee Okafor and Jordan Miles are glad you wrote."),  # the practice's own people
    ("The Lee Family", "My daughter Mia loved the waiting room.", "Tell Mia we said hi!"),  # named in the review
    ("The Lee Family", "My daughter Mia loved the waiting room.", "Mia, the fish tank says hello!"),
])
def test_names_the_reviewer_shows_or_the_practice_owns_are_not_an_unshown_first_name(
        analyze, reviewer_name, review, reply):
    analysis = analyze(reply, review=review, reviewer_name=reviewer_name)
    assert "UNSHOWN_FIRST_NAME" not in {f.entity_type for f in analysis.rule_findings}


def test_a_reply_that_addresses_a_handle_by_a_real_name_is_blocked_and_the_rewrite_drops_the_name(check, willow_pine):
    from phi_guard.service import guard_rewrite

    text = "Thanks so much, Sarah! We're glad the front desk made the morning easy."
    verdict = check(text, reviewer_name="sweetpea303")

    assert verdict.blocked and "identifier" in verdict.categories
    finding = next(f for f in verdict.findings if f.entity_type == "UNSHOWN_FIRST_NAME")
    assert finding.text == "Sarah" and "display name does not show" in finding.explanation
    rewrite = guard_rewrite(text, practice=willow_pine, reviewer_name="sweetpea303")
    assert "Sarah" not in rewrite and check(rewrite, reviewer_name="sweetpea303").ok


@pytest.mark.parametrize("reviewer_name, reply, full_name", [
    ("Courtney B.", "Thanks so much, Courtney Bowman!", "Courtney Bowman"),  # the initial after the first name
    ("B. Novak", "Barbara Novak, we hear you.", "Barbara Novak"),  # the initial before the surname
    ("Sam H.", "Samantha Huang, thank you for the note.", "Samantha Huang"),  # a longer form of the shown name
    ("Fernando", "Gracias, Sr. Tzul, por sus palabras.", "Sr. Tzul"),  # a Spanish title and a surname never shown
    ("Flor", "Gracias, Señora Mamani.", "Señora Mamani"),
])
def test_a_name_the_display_name_abbreviates_or_never_shows_spelled_out_is_their_full_name(
        check, reviewer_name, reply, full_name):
    verdict = check(reply, reviewer_name=reviewer_name)

    assert verdict.blocked
    assert ("REVIEWER_NAME", full_name) in {(f.entity_type, f.text) for f in verdict.findings}


@pytest.mark.parametrize("reviewer_name, reply", [
    ("Marguerite D.", "Dear Marguerite, thank you for the kind words."),  # "Dear" stands where no initial does
    ("Lety G.", "Gracias Lety, qué gusto leerla."),
    ("Courtney B.", "Thanks so much, Courtney! Best wishes from all of us."),
    ("Sra. Benítez", "Gracias, Sra. Benítez, por escribirnos."),  # the title and surname the display shows
    ("J. Park", "Thank you, Jordan Miles and Renee Okafor read every review."),  # the practice's own people
])
def test_greetings_shown_names_and_staff_beside_an_abbreviated_name_are_not_a_full_name(
        analyze, reviewer_name, reply):
    assert "REVIEWER_NAME" not in {kind for kind, _ in _rule_kinds(analyze(reply, reviewer_name=reviewer_name))}
