"""Escalation: reviews that threaten legal or regulatory action, mention self-harm or a safety emergency,
or report a complication with 1-2 stars. They get no automatic draft; the manager is advised to speak to
counsel before any public reply, and can de-escalate with a reason from a list (audited).

    escalation_reason_for(text=, rating=, topics=) -> Reason | None   (rules.py, no database)
    review_escalate_if_needed(review=) -> Escalation | None           (services.py)
    review_deescalate(review=, actor=, reason=) -> Escalation         (services.py)
"""
