"""The reply policy as data: which category each entity type belongs to, and what to tell the author."""
from __future__ import annotations

PRIVATE = "Move this to a private channel (phone or e-mail) instead."

_CLINICAL = (
    "Clinical detail in a public reply ties care to the reviewer, even as a general remark. "
    "Leave out treatments, products, body areas, symptoms and doses. " + PRIVATE
)
_IDENTIFIER = "Identifies the reviewer or their care. Leave it out; " + PRIVATE[0].lower() + PRIVATE[1:]

ENTITY_POLICY: dict[str, tuple[str, str]] = {
    "PATIENT_STATUS": ("patient_status",
                       "Confirms or hints that the reviewer (or someone they mention) is a client: their visit, "
                       "appointment, account or provider. Speak about the practice in general. " + PRIVATE),
    "RECORDS_LOOKUP": ("records_denial",
                       "Talks about looking the reviewer up; even \"no record of you\" is a disclosure. "
                       "Say you'd like to talk and " + PRIVATE[0].lower() + PRIVATE[1:]),
    "REMEDY_OFFER": ("remedy_detail",
                     "Offers a treatment-specific fix in public, which confirms the treatment. "
                     "Offer to make things right in general terms; " + PRIVATE[0].lower() + PRIVATE[1:]),
    "TREATMENT": ("clinical_detail", "Names a treatment or procedure. " + _CLINICAL),
    "BRAND": ("clinical_detail", "Names a product or device brand. " + _CLINICAL),
    "BODY_AREA": ("clinical_detail", "Names a body area. " + _CLINICAL),
    "SYMPTOM": ("clinical_detail", "Mentions a symptom, side effect or outcome. " + _CLINICAL),
    "MEDICATION": ("clinical_detail", "Names a medication or prescription. " + _CLINICAL),
    "CONDITION": ("clinical_detail", "Mentions a condition or diagnosis. " + _CLINICAL),
    "DOSAGE": ("clinical_detail", "States a dose or amount of product. " + _CLINICAL),
    "CLINICAL_RECORD": ("clinical_detail", "Refers to clinical records, photos or history. " + _CLINICAL),
    "REVIEW_ECHO": ("clinical_detail",
                    "Repeats a word from the review; echoing the reviewer's own clinical words confirms them. "
                    + PRIVATE),
    "REVIEW_TERM": ("clinical_detail",
                    "Repeats a term from the review that no dictionary knows (a product, device or drug name); "
                    "echoing it confirms it. " + PRIVATE),
    "NOT_APPROVED": ("not_approved",
                     "Strict mode: a public reply may only use sentences from the practice's approved templates "
                     "(the reviewer's first name and the practice's own contacts are the slots)."),
    "PERSONAL_DETAIL": ("identifier", "Refers to the reviewer's personal details. " + _IDENTIFIER),
    "REVIEWER_NAME": ("identifier",
                      "Uses the reviewer's full name or surname; address them only by the first name they show. "
                      + PRIVATE),
    "SHOWN_SURNAME": ("identifier",
                      "Uses the surname on the reviewer's display name; with their first name it names them in "
                      "full. Address them only by the first name they show. " + PRIVATE),
    "PERSON": ("identifier", "Names a person who is not on the practice's staff. " + _IDENTIFIER),
    "UNSHOWN_FIRST_NAME": ("identifier",
                           "Addresses someone by a first name the reviewer's display name does not show, which tells "
                           "everyone the practice knows who wrote the review. Use the first name they show, or "
                           "none. " + PRIVATE),
    "DATE_OF_SERVICE": ("identifier", "Gives a date or time tied to the reviewer. " + _IDENTIFIER),
    "AGE": ("identifier", "States the reviewer's age. " + _IDENTIFIER),
    "ACCOUNT_NUMBER": ("identifier", "Shows an account, member or card number. " + _IDENTIFIER),
    "PHONE_NUMBER": ("identifier",
                     "A phone number that is not the practice's. Only the practice's own contact details belong "
                     "in a reply."),
    "EMAIL_ADDRESS": ("identifier",
                      "An e-mail address that is not the practice's. Only the practice's own contact details "
                      "belong in a reply."),
    "STREET_ADDRESS": ("identifier", "An address that is not the practice's. " + _IDENTIFIER),
}

# Practice vocabulary types that name construction words rather than clinical terms.
CONSTRUCTION_TYPES = frozenset({"CARE_EVENT", "CARE_GENERAL"})

# Findings of the classifier: a sentence that says something about the reviewer, whatever words carry it.
_ABOUT = "This sentence says something about the reviewer that their review did not make public"
CLASSIFIER_EXPLANATION: dict[str, str] = {
    "patient_status": _ABOUT + ": it treats them as a client (their visit, care, history or what staff know "
                      "of them). Speak about the practice in general. " + PRIVATE,
    "records_denial": _ABOUT + ": it reports looking them up (even finding nothing is a disclosure). " + PRIVATE,
    "clinical_detail": _ABOUT + ": it touches their care or its outcome. " + _CLINICAL,
    "identifier": _ABOUT + ": it identifies them or when they came. " + _IDENTIFIER,
    "remedy_detail": _ABOUT + ": it offers a care-specific fix in public. Offer to make things right in general "
                     "terms; " + PRIVATE[0].lower() + PRIVATE[1:],
}
