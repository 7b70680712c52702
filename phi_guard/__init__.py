"""PHI guard: checks a draft public reply against the practice's HIPAA reply policy.

Import-light on purpose: the spaCy model and Presidio load lazily on the first check
(see phi_guard.engine). Use phi_guard.service for the public functions.
"""
