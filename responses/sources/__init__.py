"""Review sources: where a location's reviews come from (Google Business Profile over OAuth 2.0, a JSON feed
URL, a drop folder of exported files), managed by the practice's manager in the app.

    services.py     source_create, source_token_set, source_pause/resume, source_run_now, source_import
    drafts.py       reviews_draft_new: the import drafts every new review not escalated, guard-checked in batches
    google_oauth.py the consent flow and refresh (Authlib); refresh tokens stored encrypted
    tokens.py       MultiFernet encryption of platform tokens (TOKEN_ENCRYPTION_KEYS), rotation
    drop_folder.py  files from a folder confined to REVIEW_DROP_ROOT
    digest.py       the per-practice e-mail to managers after the nightly import (counts and links only)
"""
