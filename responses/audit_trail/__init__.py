"""The manager's audit trail: the practice's audit events, filtered and paged, and an audited CSV export."""
