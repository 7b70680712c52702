"""Practice administration by its manager: profile, locations, staff, people (invitations, roles,
deactivation) and the practice's settings (response target, escalation keywords, drafting languages, time zone;
local_time.py counts the response target in a location's calendar days)."""
