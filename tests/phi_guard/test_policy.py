"""Each policy category, blocked and not, in words other than the dev set's."""
import pytest

# (reply, review, reviewer display name, category the guard must report)
UNSAFE = [
    ("Uma, we value you as a long-time client and are sorry.", "", "Uma", "patient_status"),
    ("As a client, you deserve better.", "", "Uma", "patient_status"),
    ("Hi Lee, there's no trace of a visit from you in our books.", "", "Lee", "records_denial"),
    ("Dot, bring this review in and we'll comp your next hydrafacial.", "", "Dot", "remedy_detail"),
    ("Ben, the member number you gave us, 448-2291, shows no purchases.", "", "Ben", "identifier"),
    ("Thanks Anita Ruiz-Cole for the review!", "", "Anita R.", "identifier"),
    ("Hi Jade, thanks for the photos you sent us of the reaction.", "", "Jade", "clinical_detail"),
    ("We looked you up, Dee, and everything was billed correctly.", "", "Dee", "records_denial"),
    ("We miss you, Ari! Come say hi soon.", "", "Ari", "patient_status"),
    ("Bree, the team said you were a delight last week.", "", "Bree", "identifier"),
    ("Gil, it's normal to feel a little tender for a few days.", "", "Gil", "clinical_detail"),
    ("Sorry Pete, you were never a patient of ours, so we can't comment.", "", "Pete", "records_denial"),
    ("Dear Ms. Alvarez, thank you for the review.", "", "Rosa A.", "identifier"),
    ("Thanks Bella - it was a pleasure having you in the chair!", "", "Bella", "patient_status"),
    ("Pat, we spoke with your daughter and have sorted it out.", "", "Pat", "patient_status"),
    ("Welcome to the Willow & Pine family, Ines!", "", "Ines", "patient_status"),
    ("Thanks Ruth, see you in three months!", "", "Ruth", "patient_status"),
    ("Great chatting, Omar. See you next Tuesday.", "", "Omar", "patient_status"),
    ("So glad you love the new lips, Carmen!", "", "Carmen", "clinical_detail"),
    ("Frida, since you're breastfeeding we couldn't proceed.", "", "Frida", "clinical_detail"),
    ("We look forward to seeing you at your next appointment, Dana!", "", "Dana", "patient_status"),
    ("Since your last visit we've changed our check-in process.", "", "Lee", "patient_status"),
    ("Our records show you booked with Jordan in March.", "", "Kim", "patient_status"),
    ("Your membership renews next month, so we'll pause it for you.", "", "Jen", "patient_status"),
    ("We hope your husband enjoyed his first appointment with Sofia.", "", "Jen", "patient_status"),
    ("It was lovely to see you and your daughter last week!", "", "Jen", "patient_status"),
    ("Your deposit has been refunded.", "", "Jen", "patient_status"),
    ("Thanks for coming in yesterday, Jen!", "", "Jen", "patient_status"),
    ("It was a pleasure treating you.", "", "Jen", "patient_status"),
    ("Sorry, but there is no record of you in our system.", "", "Kim", "records_denial"),
    ("You were never seen at our clinic.", "", "Al", "records_denial"),
    ("Nobody named Bart has ever visited us.", "", "Bart", "records_denial"),
    ("We checked the schedule and you weren't booked that day.", "", "Jen", "records_denial"),
    ("We can't find any appointment under your name.", "", "Jen", "records_denial"),
    ("Mild swelling is normal after injections and should settle.", "", "Rae", "clinical_detail"),
    ("Botox usually takes two weeks to kick in fully.", "", "Rae", "clinical_detail"),
    ("Hi Nina, we hate that the Juvaderm didn't last.", "", "Nina", "clinical_detail"),
    ("Our nurse used 20 units, which is standard.", "", "Ola", "clinical_detail"),
    ("Rosacea flares can happen after a chemical peel.", "", "Ola", "clinical_detail"),
    ("Hives after a filler are very rare.", "", "Jen", "clinical_detail"),
    ("Your semaglutide dose will be adjusted.", "", "Jen", "clinical_detail"),
    ("We're sorry your 2:30 ran late.", "", "Jen", "identifier"),
    ("We called you on 4/18 to confirm.", "", "Jen", "identifier"),
    ("At your age, some volume loss is expected.", "", "Jen", "identifier"),
    ("Jen Alvarez, thanks for the note!", "", "Jen Alvarez", "identifier"),
    ("Please don't worry, Mrs. Alvarez.", "", "Jen Alvarez", "identifier"),
    ("We'll email the receipt to jen.alvarez@mail.example.", "", "Jen", "identifier"),
    ("We tried reaching you at 303-555-0111.", "", "Jen", "identifier"),
    ("Member #48213, your points have been restored.", "", "Jen", "identifier"),
    ("We'd be happy to offer a free touch-up on your lips.", "", "Zoe", "remedy_detail"),
    ("Come back in and we'll redo the treatment at no cost.", "", "Zoe", "remedy_detail"),
    ("We'll dissolve it for you free of charge.", "", "Jen", "remedy_detail"),
]

SAFE = [
    ("We treat everyone as a valued client, and we are sorry this felt otherwise.", "", "Uma"),
    ("Ray, gift card balances can be checked anytime at 555-0186 or (303) 555-0186.", "", "Ray"),
    ("Thanks Anita! Our whole team read your review.", "", "Anita R."),
    ("We'd love to hear more, Noor. Call Renee at (303) 555-0186 any weekday.", "", "Noor"),
    ("Thank you, Dr. Lindqvist's team is glad to help anyone who calls (303) 555-0186.", "", "Rosa A."),
    ("Thank you, Ruth, for the lovely words about our team! We're open Saturdays too.", "", "Ruth"),
    ("Harriet, we can't discuss anyone's information online. Please call us at (303) 555-0186.", "", "Harriet"),
    ("Thank you for your feedback, Dana. We want every patient to feel heard. Please call us at (303) 555-0186.",
     "The nurse was rude during my Botox", "Dana"),
    ("Our treatments are performed by licensed nurses, and we're always happy to answer questions.", "", "Lee"),
    ("We're sorry to read about your experience. Privacy laws keep us from responding to specifics here.",
     "my filler migrated", "Kim"),
    ("Thanks so much for the kind words, Marisol!", "Jordan is the best injector!", "Marisol R."),
    ("Hi Priya, we appreciate you taking the time to write this review.", "", "Priya"),
    ("Our price list is on www.willowpine.example and we're glad to walk anyone through it.", "too expensive", "Bo"),
    ("Sorry to hear the lobby felt crowded. We've added more seating.", "lobby was crowded", "Bo"),
    ("We're open Monday to Friday, 9:00 to 6:00, and Saturdays until 2.", "hours?", "Jules"),
    ("We don't discuss anyone's care online, but we'd love to talk. Call (303) 555-0186.", "they burned my face", "Jules"),
    ("Thank you for sharing your concerns with us, Rob. We'd welcome a conversation at (303) 555-0186.",
     "the wait was long and the price was high", "Rob"),
    ("Feel free to reach out to Hannah Cho, our Client Experience Lead, anytime.", "", "Rob"),
    ("Everyone deserves a warm welcome, and we've shared your comments with the team.", "the front desk was cold", "Rob"),
    ("We appreciate your honesty and will use it to improve.", "staff was unprofessional", "Rob"),
    ("Our providers are all board-certified, and safety is our top priority.", "unsafe", "Wen"),
    ("We're glad you found our website helpful!", "website is easy to use", "Wen"),
    ("We offer free consultations for anyone curious about our services.", "", "Wen"),
]


@pytest.mark.parametrize(("reply", "review", "reviewer", "category"), UNSAFE, ids=[row[0][:40] for row in UNSAFE])
def test_it_blocks_a_reply_that_breaks_the_policy_in_new_words(check, reply, review, reviewer, category):
    verdict = check(reply, review=review, reviewer_name=reviewer)

    assert verdict.blocked
    assert category in verdict.categories, [f.to_dict() for f in verdict.findings]


@pytest.mark.parametrize(("reply", "review", "reviewer"), SAFE, ids=[row[0][:40] for row in SAFE])
def test_it_lets_a_generic_reply_through(check, reply, review, reviewer):
    verdict = check(reply, review=review, reviewer_name=reviewer)

    assert verdict.ok, [f.to_dict() for f in verdict.findings]


def test_it_blocks_a_reply_that_names_the_treatment(check):
    verdict = check("Kelsey, your lip filler should settle in a week.")

    assert {"clinical_detail", "patient_status"} <= set(verdict.categories)
    assert any(f.text.lower() == "lip filler" for f in verdict.findings)


def test_it_tolerates_case_plurals_and_misspellings(check):
    for reply in ("BOTOX can feel tight at first.", "Fillers can migrate.", "Bottox takes time.", "Dysprot wears off."):
        assert check(reply).blocked, reply


def test_generic_words_are_fine_until_tied_to_the_reviewer(check):
    assert check("All injections here are performed by licensed nurses.").ok
    assert check("We hope your injections went smoothly.").blocked
    assert check("Results vary from person to person.").ok
    assert check("We're thrilled with your results!").blocked


def test_it_reports_each_finding_with_a_span_and_an_explanation(check):
    text = "Kelsey, we searched our files and found nothing."
    verdict = check(text)

    finding = verdict.findings[0]
    assert finding.category == "records_denial"
    assert text[finding.start:finding.end] == finding.text
    assert "private channel" in finding.explanation
    assert finding.text not in finding.explanation
    assert set(finding.to_dict()) == {"category", "entity_type", "start", "end", "text", "score", "explanation"}
    assert verdict.to_dict()["blocked"] is True and len(verdict.text_sha256) == 64


def test_a_practice_can_add_its_own_clinical_terms(check, willow_pine):
    from dataclasses import replace

    extended = replace(willow_pine, vocabulary={"TREATMENT": ("glow-up ritual",)})

    assert check("The Glow-Up Ritual takes an hour.").ok
    assert check("The Glow-Up Ritual takes an hour.", practice=extended).blocked
