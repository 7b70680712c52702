"""A reply's history as the desk shows it: versions, submissions, rejections (with the manager's comment),
approvals and posting, with who and when."""
