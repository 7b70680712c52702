"""Escalation, one concept: a review is escalated when the built-in list (legal or regulatory action, self-harm,
a safety emergency, a complication rated 1-2 stars) or one of the practice's own escalation keywords calls for
it. Every way a review enters (paste, file import, review sources) checks it as the review is stored. An
escalated review gets no draft (automatic or "Start reply") until a manager de-escalates it with a reason from
a list (audited); the page advises speaking to counsel before any public reply.

    escalation_reason_for(text=, rating=, topics=, keywords=) -> Reason | None   (rules.py, no database)
    review_escalate_if_needed(review=, keywords=) -> (Escalation | None, created) (services.py)
    reviews_escalate_open(practice=) -> int     after the practice's keywords change (services.py)
    review_deescalate(review=, actor=, reason=) -> Escalation                    (services.py)
"""
