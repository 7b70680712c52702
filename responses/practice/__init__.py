"""Practice administration by its manager: profile, locations, staff, people (invitations, roles,
deactivation) and the practice's settings (response target, escalation keywords)."""
